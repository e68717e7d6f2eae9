// @vitest-environment jsdom
import { type Design, generateDesign } from '@netcanvas/shared';
import { ReactFlowProvider } from '@xyflow/react';
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { MatrixPanel } from '../src/components/MatrixPanel';
import { runDiagnose } from '../src/core/analysis';
import { freshApp } from './app';
import { testRoot } from './dom';
import { drawnCells, expectedCells } from './matrix';

const dom = testRoot();

const drawn = () => drawnCells(dom);
const expected = expectedCells;

describe('the matrix after edits (each re-analysed from the one before)', () => {
  it('shows, after each edit, exactly the answers a fresh analysis gives', () => {
    const { stores, wrap } = freshApp();
    const design = generateDesign({ seed: 3, elements: 30, name: 'edits' });
    const load = (d: Design) =>
      act(() => {
        stores.analysis.setState({ ...runDiagnose(d), running: false });
      });
    act(() => stores.app.getState().loadDesign(design));
    load(design);
    dom.render(
      wrap(
        <ReactFlowProvider>
          <MatrixPanel />
        </ReactFlowProvider>,
      ),
    );
    expect(drawn()).toEqual(expected(design));
    // Cut the links one by one, then bring them back: the matrix follows every step.
    let d = design;
    const steps: Design[] = [];
    for (let k = 0; k < d.links.length; k += 3) {
      d = structuredClone(d);
      d.links[k]!.state = 'down';
      steps.push(d);
    }
    steps.push(design);
    let changed = 0;
    let before = drawn();
    for (const step of steps) {
      load(step);
      const now = drawn();
      expect(now).toEqual(expected(step));
      if ([...now].some(([k, v]) => before.get(k) !== v)) changed++;
      before = now;
    }
    // The edits matter: some of them change what the matrix shows.
    expect(changed).toBeGreaterThan(1);
  });
});
