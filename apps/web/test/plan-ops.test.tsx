// @vitest-environment jsdom
import type { Op } from '@netcanvas/shared';
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { firstGroups, PLAN_ROWS, PlanOps } from '../src/components/PlanOps';
import { freshApp } from './app';
import { testRoot } from './dom';

const dom = testRoot();

const op = (netns: string): Op => ({
  op: 'netns.add',
  netns,
  source: [netns],
  why: `namespace ${netns}`,
});
const groupsOf = (sizes: number[]) =>
  sizes.map((n, i) => ({
    element: `e${i}`,
    ops: Array.from({ length: n }, (_, k) => op(`nc-big.e${i}-${k}`)),
  }));

describe('a long plan', () => {
  it('draws whole groups up to the row budget, and always the first group', () => {
    const groups = groupsOf([5, 5, 5]);
    expect(firstGroups(groups, 10).map((g) => g.element)).toEqual(['e0', 'e1']);
    expect(firstGroups(groups, 3).map((g) => g.element)).toEqual(['e0']);
    expect(firstGroups(groups, 100)).toBe(groups);
  });

  it('shows more on request, until every command is drawn', () => {
    const groups = groupsOf(Array.from({ length: 200 }, () => 15));
    dom.render(freshApp().wrap(<PlanOps groups={groups} />));
    const drawn = () => dom.host.querySelectorAll('[data-testid="plan-op"]').length;
    const more = () => dom.host.querySelector<HTMLButtonElement>('[data-testid="plan-more"]');
    expect(drawn()).toBe(PLAN_ROWS);
    expect(more()?.textContent).toContain(`${200 - PLAN_ROWS / 15} more elements`);
    act(() => more()!.click());
    expect(drawn()).toBe(3000);
    expect(more()).toBeNull();
  });
});
