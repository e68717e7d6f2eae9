import { analyze, type Design } from '@netcanvas/shared';
import { ReactFlowProvider } from '@xyflow/react';
import { act } from 'react';
import { MatrixPanel } from '../src/components/MatrixPanel';
import { runDiagnose } from '../src/core/analysis';
import type { TestApp } from './app';
import type { testRoot } from './dom';

/**
 * `design` open and analysed in `page`, its Connectivity panel rendered in
 * `dom`, as a user sees it after opening the design (with its lab running
 * when `running`, so Measure and the live columns are offered).
 */
export function renderMatrix(
  page: TestApp,
  dom: ReturnType<typeof testRoot>,
  design: Design,
  opts: { running?: boolean } = {},
) {
  act(() => {
    page.app().loadDesign(design);
    page.stores.analysis.setState({ ...runDiagnose(design), running: false });
    if (opts.running) page.stores.live.setState({ connection: 'online', lab: 'running' });
  });
  dom.render(
    page.wrap(
      <ReactFlowProvider>
        <MatrixPanel />
      </ReactFlowProvider>,
    ),
  );
}

/** Every cell of the answer shown in `dom`, as drawn: its test id → its prediction. */
export function drawnCells(dom: ReturnType<typeof testRoot>): Map<string, string | null> {
  const cells = dom.host.querySelectorAll('[data-testid^="matrix-cell-"]');
  return new Map(
    [...cells].map((c) => [c.getAttribute('data-testid')!, c.getAttribute('data-predicted')]),
  );
}

/** analyze()'s answer for every pair of `design`, as the cells would say it. */
export function expectedCells(design: Design): Map<string, string> {
  const m = analyze(runDiagnose(design).topology!);
  const out = new Map<string, string>();
  for (const row of m.results)
    for (const r of row)
      if (r) out.set(`matrix-cell-${r.from}-${r.to}`, r.reachable ? 'ok' : 'fail');
  return out;
}
