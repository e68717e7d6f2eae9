import type { Design } from '@netcanvas/shared';
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
