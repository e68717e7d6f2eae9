/**
 * Predict mode's score: the student's marks against fresh measurements,
 * found by walking the marks (a few dozen), never every pair of endpoints
 * (320 000 in a 1000-element design).
 */
import type { PairResult } from '@netcanvas/shared';
import { describe, expect, it } from 'vitest';
import { scoreMarks } from '../src/components/MatrixPanel';
import { type MeasuredPing, pairKey } from '../src/store/live';

/** A matrix of `n` endpoints whose `pair` counts its calls (each builds a path in the real one). */
function bigMatrix(n: number) {
  const endpoints = Array.from({ length: n }, (_, i) => `c${String(i).padStart(4, '0')}`);
  const calls: [number, number][] = [];
  return {
    calls,
    endpoints,
    index: new Map(endpoints.map((e, i) => [e, i])),
    pair(i: number, j: number): PairResult {
      calls.push([i, j]);
      return {
        from: endpoints[i]!,
        to: endpoints[j]!,
        target: `10.0.0.${j % 250}`,
        reachable: (i + j) % 2 === 0,
        forward: [],
        back: [],
      } as PairResult;
    },
  };
}

const ping = (from: string, to: string, reachable: boolean, generation: number): MeasuredPing => ({
  from,
  to,
  reachable,
  generation,
});

describe('the Predict score', () => {
  it('scores each marked pair with a fresh measurement, right or wrong, in the matrix’s order', () => {
    const m = bigMatrix(1000);
    const predictions = {
      [pairKey('c0900', 'c0001')]: true, // measured ✗: wrong
      [pairKey('c0002', 'c0003')]: true, // measured ✓: right
      [pairKey('c0004', 'c0005')]: false, // measured before the last change: not scored
      [pairKey('c0006', 'c0007')]: false, // never measured: not scored
      [pairKey('gone', 'c0001')]: true, // an endpoint no longer in the design: not scored
    };
    const measured = {
      [pairKey('c0900', 'c0001')]: ping('c0900', 'c0001', false, 3),
      [pairKey('c0002', 'c0003')]: ping('c0002', 'c0003', true, 3),
      [pairKey('c0004', 'c0005')]: ping('c0004', 'c0005', false, 2),
      [pairKey('gone', 'c0001')]: ping('gone', 'c0001', true, 3),
    };
    const scored = scoreMarks(m, m.index, predictions, measured, 3);
    expect(scored.map((s) => [s.r.from, s.r.to, s.guess, s.real])).toEqual([
      ['c0002', 'c0003', true, true],
      ['c0900', 'c0001', true, false],
    ]);
    expect(scored.filter((s) => s.guess !== s.real)).toHaveLength(1);
  });

  it('looks up only the pairs marked and measured, whatever the matrix’s size', () => {
    const m = bigMatrix(1000);
    const predictions: Record<string, boolean> = {};
    const measured: Record<string, MeasuredPing> = {};
    for (let k = 0; k < 30; k++) {
      const from = m.endpoints[k]!;
      const to = m.endpoints[999 - k]!;
      predictions[pairKey(from, to)] = true;
      measured[pairKey(from, to)] = ping(from, to, true, 1);
    }
    const scored = scoreMarks(m, m.index, predictions, measured, 1);
    expect(scored).toHaveLength(30);
    expect(m.calls).toHaveLength(30);
    expect(scoreMarks(m, m.index, {}, measured, 1)).toEqual([]);
    expect(m.calls).toHaveLength(30);
  });
});
