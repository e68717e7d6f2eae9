// @vitest-environment jsdom
/**
 * The Connectivity panel with its analysis in a Web Worker: while the worker
 * computes, the panel says it is analysing and shows no cells of the design
 * before the edit; the worker's answer for the design shown is drawn, one
 * for an older design never is.
 */
import { type Design, generateDesign } from '@netcanvas/shared';
import { ReactFlowProvider } from '@xyflow/react';
import { act } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MatrixPanel } from '../src/components/MatrixPanel';
import { runDiagnose } from '../src/core/analysis';
import { type ReachAnswer, ReachAnswerer, type ReachRequest } from '../src/core/reach';
import { freshApp } from './app';
import { testRoot } from './dom';
import { drawnCells, expectedCells } from './matrix';

const dom = testRoot();

/**
 * A Worker that takes requests as the real one does (core/reach.ts) and
 * answers a request only when the test says: a slow analysis.
 */
class HeldWorker {
  static last: HeldWorker | undefined;
  readonly requests: ReachRequest[] = [];
  private listener: ((e: { data: ReachAnswer }) => void) | undefined;
  constructor(readonly url: URL) {
    HeldWorker.last = this;
  }
  addEventListener(type: string, fn: (e: { data: ReachAnswer }) => void) {
    if (type === 'message') this.listener = fn;
  }
  postMessage(req: ReachRequest) {
    this.requests.push(structuredClone(req));
  }
  terminate() {}
  /** Answers the request of revision `rev` (the newest one when not given). */
  answer(rev = this.requests.at(-1)!.rev) {
    const req = this.requests.find((r) => r.rev === rev)!;
    const answerer = new ReachAnswerer();
    answerer.receive(this.requests.find((r) => r.designId === req.designId && r.design)!);
    const a = structuredClone(answerer.answer(req));
    act(() => this.listener?.({ data: a }));
  }
}

beforeEach(() => {
  HeldWorker.last = undefined;
  vi.stubGlobal('Worker', HeldWorker);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const drawn = () => drawnCells(dom);
const expected = expectedCells;

const analyzing = () => dom.host.querySelector('[data-testid="matrix-analyzing"]');

describe('the matrix while the worker analyses', () => {
  const design = generateDesign({ seed: 3, elements: 30, name: 'pending' });
  const cut = structuredClone(design);
  for (const l of cut.links.slice(0, 4)) l.state = 'down';

  function open() {
    const page = freshApp();
    const load = (d: Design) =>
      act(() => page.stores.analysis.setState({ ...runDiagnose(d), running: false }));
    act(() => page.stores.app.getState().loadDesign(design));
    load(design);
    dom.render(
      page.wrap(
        <ReactFlowProvider>
          <MatrixPanel />
        </ReactFlowProvider>,
      ),
    );
    return { page, load };
  }

  it('says it is analysing, then draws the answer', () => {
    open();
    const worker = HeldWorker.last!;
    expect(worker.url.pathname).toMatch(/reach\.worker\.ts$/);
    expect(analyzing()?.textContent).toMatch(/^Analyzing \d+ endpoints…$/);
    expect(dom.host.querySelector('[data-testid="matrix-panel"]')?.getAttribute('aria-busy')).toBe(
      'true',
    );
    expect(drawn().size).toBe(0);
    expect(dom.host.querySelector('[data-testid="matrix-stale"]')).toBeNull(); // nothing before
    worker.answer();
    expect(analyzing()).toBeNull();
    expect(drawn()).toEqual(expected(design));
  });

  it('keeps the answer before an edit in place, dimmed and inert, never as the answer, while the edit is analysed', () => {
    expect(expected(cut)).not.toEqual(expected(design));
    const { load } = open();
    const worker = HeldWorker.last!;
    worker.answer();
    expect(drawn()).toEqual(expected(design));
    load(cut);
    // The worker has the edit but has not answered: the old cells are not the answer.
    expect(worker.requests.at(-1)?.design).toBeDefined();
    expect(analyzing()).not.toBeNull();
    expect(drawn().size).toBe(0);
    // The old table keeps its place (no jump, no lost scroll), dimmed, inert and unnamed.
    const old = dom.host.querySelector('[data-testid="matrix-stale"]');
    expect(old?.hasAttribute('inert')).toBe(true);
    expect(old?.getAttribute('aria-hidden')).toBe('true');
    expect(old?.querySelectorAll('td.nc-cell:not(.self)').length).toBe(expected(design).size);
    expect(old?.querySelector('button, [data-testid]')).toBeNull();
    worker.answer();
    expect(drawn()).toEqual(expected(cut));
    expect(dom.host.querySelector('[data-testid="matrix-stale"]')).toBeNull();
  });

  it('never draws an older design’s answer that arrives after the newer one', () => {
    const { load } = open();
    const worker = HeldWorker.last!;
    const first = worker.requests.at(-1)!.rev;
    load(cut);
    worker.answer();
    expect(drawn()).toEqual(expected(cut));
    // The slow answer for the design before the edit comes last.
    worker.answer(first);
    expect(analyzing()).toBeNull();
    expect(drawn()).toEqual(expected(cut));
  });
});
