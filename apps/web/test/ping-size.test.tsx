// @vitest-environment jsdom
/**
 * The dashboard's ping size: one field (the core's PingSize schema) that
 * commits on Enter or on leaving, refuses a value out of range with the
 * reason and keeps the last good one; the matrix predicts at that size, so a
 * pair whose path MTU is too small is predicted to fail where Measure finds it
 * failing; results measured at another size are stale.
 */
import { designFromYaml, scenarios } from '@netcanvas/shared';
import { act } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import { labDelta } from '../src/live/reducer';
import { freshApp, type TestApp } from './app';
import { testRoot } from './dom';
import { renderMatrix } from './matrix';

const sameVlan = scenarios.find((s) => s.name === 'same-vlan')!.yaml;
const dom = testRoot();
let page: TestApp;

const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
const field = () => dom.host.querySelector<HTMLInputElement>('[data-testid="matrix-size"]')!;
const text = (testid: string) =>
  dom.host.querySelector(`[data-testid="${testid}"]`)?.textContent ?? null;
const cell = (from: string, to: string) =>
  dom.host.querySelector<HTMLElement>(`[data-testid="matrix-cell-${from}-${to}"]`)!;

/** Types `chars` key by key into the size field, as a user does (the field has the focus). */
function type(chars: string) {
  const input = field();
  act(() => {
    input.focus();
    setValue.call(input, '');
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  for (const c of chars)
    act(() => {
      setValue.call(input, input.value + c);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
}
const enter = () =>
  act(() => {
    field().dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
  });
const leave = () => act(() => field().blur());

beforeEach(() => {
  page = freshApp();
  const design = designFromYaml(sameVlan).design!;
  renderMatrix(page, dom, design, { running: true });
});

describe('the ping size field', () => {
  it('predicts at the size committed with Enter: 1472 bytes fit a 1500 MTU, 1473 do not', () => {
    expect(cell('c1', 'c2').dataset.predicted).toBe('ok');
    type('1472');
    enter();
    expect(page.app().pingSize).toBe(1472);
    expect(cell('c1', 'c2').dataset.predicted).toBe('ok');
    type('1473');
    // Not yet: a field commits on Enter or on leaving, never per keystroke.
    expect(page.app().pingSize).toBe(1472);
    leave();
    expect(page.app().pingSize).toBe(1473);
    expect(cell('c1', 'c2').dataset.predicted).toBe('fail');
    expect(cell('c1', 'c2').title).toMatch(/1501-byte packet|message too long|MTU 1500/);
    // Empty is ping's own default again.
    type('');
    enter();
    expect(page.app().pingSize).toBeUndefined();
    expect(cell('c1', 'c2').dataset.predicted).toBe('ok');
  });

  it('refuses a size out of range with the reason, and keeps the last good one', () => {
    type('1400');
    enter();
    for (const bad of ['65508', '-1', '14.5', 'big']) {
      type(bad);
      expect(text('matrix-size-error'), bad).toMatch(/ping size is/);
      enter();
      expect(page.app().pingSize, bad).toBe(1400);
      leave();
      expect(field().value).toBe('1400');
      expect(text('matrix-size-note')).toMatch(/^not applied: .*ping size is.*; kept 1400$/);
    }
  });

  it('makes what was measured at another size stale, never a mismatch', () => {
    const patch = labDelta(
      page.stores.live.getState(),
      {
        kind: 'matrix',
        result: {
          from: 'c1',
          to: 'c2',
          target: '10.0.10.3',
          reachable: true,
          forward: [],
          back: [],
          measured: true,
          output: '',
        },
      } as never,
      0,
    );
    act(() => page.stores.live.setState(patch!));
    expect(cell('c1', 'c2').dataset.stale).toBeUndefined();
    type('9000');
    enter();
    expect(cell('c1', 'c2').dataset.predicted).toBe('fail');
    expect(cell('c1', 'c2').dataset.stale).toBe('true');
    expect(cell('c1', 'c2').classList.contains('mismatch')).toBe(false);
  });
});
