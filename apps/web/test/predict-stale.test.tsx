// @vitest-environment jsdom
/**
 * The matrix after a change of the lab: results measured before a cut are
 * stale, never mismatches; and Predict mode scores the student's marks
 * against fresh results, explaining every wrong one with the analyzer's reason.
 */
import { designFromYaml, scenarios } from '@netcanvas/shared';
import { act } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import { runDiagnose } from '../src/core/analysis';
import { checkDone } from '../src/lessons/progress';
import { labDelta } from '../src/live/reducer';
import { pairKey } from '../src/store/live';
import { freshApp, type TestApp } from './app';
import { testRoot } from './dom';
import { renderMatrix } from './matrix';

const interVlan = scenarios.find((s) => s.name === 'inter-vlan')!.yaml;
const dom = testRoot();
let page: TestApp;

function open(yaml: string) {
  const design = designFromYaml(yaml).design!;
  renderMatrix(page, dom, design, { running: true });
}
const cell = (from: string, to: string) =>
  dom.host.querySelector<HTMLElement>(`[data-testid="matrix-cell-${from}-${to}"]`)!;
/**
 * The server's `matrix` delta for one pair, through the live reducer: the
 * kernel said `reachable`; the analyzer predicted `predicted` (the same
 * unless the two disagree).
 */
function measured(from: string, to: string, reachable: boolean, predicted = reachable) {
  const live = page.stores.live;
  const patch = labDelta(
    live.getState(),
    {
      kind: 'matrix',
      result: {
        from,
        to,
        target: '10.0.0.1',
        reachable: predicted,
        forward: [],
        back: [],
        measured: reachable,
        output: '',
      },
    } as never,
    0,
  );
  act(() => live.setState(patch!));
}
function link(id: string, state: 'up' | 'down') {
  const live = page.stores.live;
  const patch = labDelta(
    live.getState(),
    { kind: 'links', links: { [id]: { state } } } as never,
    0,
  );
  act(() => live.setState(patch!));
}

beforeEach(() => {
  page = freshApp();
});

describe('stale results', () => {
  it('a result measured before a cut is stale, not a mismatch', () => {
    open(interVlan);
    link('r1--vlan20', 'up');
    measured('c1', 'c2', true);
    expect(cell('c1', 'c2').classList.contains('mismatch')).toBe(false);
    // The cut: the analyzer now predicts a failure; the old ✓ describes the lab before it.
    act(() => page.app().setLinkState('r1--vlan20', 'down'));
    act(() => page.stores.analysis.setState({ ...runDiagnose(page.app().design), running: false }));
    link('r1--vlan20', 'down');
    expect(cell('c1', 'c2').dataset.predicted).toBe('fail');
    expect(cell('c1', 'c2').dataset.stale).toBe('true');
    expect(cell('c1', 'c2').classList.contains('mismatch')).toBe(false);
    // Measured again: fresh, and it agrees.
    measured('c1', 'c2', false);
    expect(cell('c1', 'c2').dataset.stale).toBeUndefined();
    expect(cell('c1', 'c2').classList.contains('mismatch')).toBe(false);
  });

  it('a ping step is not ticked by a ping from before the last change', () => {
    open(interVlan);
    link('r1--vlan20', 'up');
    measured('c1', 'c2', true);
    const facts = () => ({
      live: page.stores.live.getState(),
      endpoints: [],
      predictions: {},
      explained: {},
    });
    const step = { ping: { from: 'c1', to: 'c2', reaches: true } };
    expect(checkDone(step, facts())).toBe(true);
    link('r1--vlan20', 'down');
    link('r1--vlan20', 'up');
    expect(checkDone(step, facts())).toBe(false);
  });
});

describe('measured against predicted', () => {
  it('a Measure result the kernel contradicts is shown as measured, outlined as a mismatch', () => {
    open(interVlan);
    link('r1--vlan20', 'up');
    // The analyzer says c1 reaches c2; the kernel's ping did not get through.
    measured('c1', 'c2', false, true);
    expect(cell('c1', 'c2').dataset.predicted).toBe('ok');
    expect(cell('c1', 'c2').dataset.measured).toBe('fail');
    expect(cell('c1', 'c2').classList.contains('mismatch')).toBe(true);
  });
});

describe('predict, then observe', () => {
  it('scores the marks against the measurement and gives the reason for each wrong one', () => {
    open(interVlan);
    act(() => page.app().setLinkState('r1--vlan20', 'down'));
    act(() => page.stores.analysis.setState({ ...runDiagnose(page.app().design), running: false }));
    act(() => page.stores.lesson.getState().setPredicting(true));
    // The analyzer's answer is hidden while predicting.
    expect(cell('c1', 'c2').textContent).toContain('?');
    act(() => cell('c1', 'c2').querySelector('button')!.click()); // ✓ (wrong)
    act(() => cell('c1', 'r1').querySelector('button')!.click()); // ✓ (right)
    expect(page.stores.lesson.getState().predictions).toEqual({
      [pairKey('c1', 'c2')]: true,
      [pairKey('c1', 'r1')]: true,
    });
    measured('c1', 'c2', false);
    measured('c1', 'r1', true);
    const score = dom.host.querySelector('[data-testid="predict-score-total"]')!;
    expect(score.textContent).toBe('1 of 2 predictions right');
    const wrong = dom.host.querySelector('[data-testid="predict-wrong-c1-c2"]')!;
    expect(wrong.textContent).toMatch(
      /you said ✓, the lab says ✗\. r1 has no route to 10\.0\.20\./,
    );
    expect(cell('c1', 'c2').classList.contains('guess-wrong')).toBe(true);
    expect(cell('c1', 'r1').classList.contains('guess-right')).toBe(true);
  });
});
