// @vitest-environment jsdom
import { designFromYaml, scenarios } from '@netcanvas/shared';
import { act } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { freshApp, type TestApp } from './app';
import { testRoot } from './dom';
import { INTER_VLAN_C1_TO_C2 } from './helpers';
import { renderMatrix } from './matrix';

const interVlan = scenarios.find((s) => s.name === 'inter-vlan')!.yaml;
const dom = testRoot();
let page: TestApp;

function open(yaml: string) {
  const design = designFromYaml(yaml).design!;
  renderMatrix(page, dom, design);
}
const click = (from: string, to: string) =>
  act(() =>
    dom.host
      .querySelector<HTMLButtonElement>(`[data-testid="matrix-cell-${from}-${to}"] button`)!
      .click(),
  );
const lit = () => page.app().highlight;

beforeEach(() => {
  page = freshApp();
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('a matrix cell lights its path on the canvas', () => {
  it('lights the hosts and their uplinks too, hop by hop, ending with the whole path', () => {
    open(interVlan);
    click('c1', 'c2');
    expect(Object.keys(lit())).toEqual(['c1']);
    expect(page.app().highlightNote).toMatch(/^c1 → c2 .*: c1 → vlan10 → r1/);
    act(() => vi.advanceTimersByTime(250));
    expect(Object.keys(lit())).toEqual(['c1', 'node-a']);
    act(() => vi.advanceTimersByTime(250));
    expect(lit()).toMatchObject({ 'node-a--vlan10': 'path', vlan10: 'path' });
    expect(lit().r1).toBeUndefined();
    act(() => vi.advanceTimersByTime(2000));
    expect(lit()).toEqual(Object.fromEntries(INTER_VLAN_C1_TO_C2.map((id) => [id, 'path'])));
  });

  it('stops lighting when the highlight is cleared or another cell is clicked', () => {
    open(interVlan);
    click('c1', 'c2');
    act(() => page.app().clearHighlight());
    act(() => vi.advanceTimersByTime(3000));
    expect(lit()).toEqual({});
    click('c1', 'c2');
    click('c1', 'node-a');
    act(() => vi.advanceTimersByTime(3000));
    expect(Object.keys(lit())).toEqual(['c1', 'node-a']);
  });

  it('marks where a failing pair fails from the start, with the reason', () => {
    open(
      interVlan.replace(
        '  - endpoints: [node-b, vlan20]',
        '  - { endpoints: [node-b, vlan20], state: down }',
      ),
    );
    click('c1', 'c2');
    expect(lit()['node-b--vlan20']).toBe('fail');
    expect(page.app().highlightNote).toMatch(/c1 ✗ c2: .*node-b--vlan20 is down/);
    act(() => vi.advanceTimersByTime(3000));
    expect(lit()).toMatchObject({ 'node-a--vlan10': 'path', 'node-b--vlan20': 'fail' });
  });
});
