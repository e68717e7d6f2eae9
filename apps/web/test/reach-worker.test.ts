/**
 * The worker's entry (core/reach.worker.ts): requests that queue up while it
 * computes are answered once, for the newest, from every design they carried.
 */
import { analyze, generateDesign } from '@netcanvas/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runDiagnose, topologyText } from '../src/core/analysis';
import type { ReachAnswer, ReachRequest } from '../src/core/reach';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.resetModules();
});

describe('the reach worker', () => {
  it('answers only the newest of the requests that arrived together', async () => {
    let onMessage: ((e: { data: ReachRequest }) => void) | undefined;
    const answers: ReachAnswer[] = [];
    vi.stubGlobal('self', {
      addEventListener: (_type: string, fn: typeof onMessage) => {
        onMessage = fn;
      },
      postMessage: (a: ReachAnswer) => answers.push(a),
    });
    await import('../src/core/reach.worker');
    const design = generateDesign({ seed: 3, elements: 30, name: 'worker' });
    const cut = structuredClone(design);
    for (const l of cut.links.slice(0, 4)) l.state = 'down';
    const [a, b] = [runDiagnose(design).topology!, runDiagnose(cut).topology!];
    const names = b.endpoints.map((e) => e.node).sort();
    // An edit, another edit, then a new filter on the last design: all queued at once.
    onMessage!({
      data: { rev: 1, designId: 1, design: { topology: topologyText(a) }, extra: [] },
    });
    onMessage!({
      data: { rev: 2, designId: 2, design: { topology: topologyText(b) }, extra: [] },
    });
    onMessage!({ data: { rev: 3, designId: 2, rows: names.slice(0, 3), extra: [] } });
    expect(answers).toEqual([]);
    await new Promise((r) => setTimeout(r, 20));
    expect(answers.map((x) => [x.rev, x.designId])).toEqual([[3, 2]]);
    const m = answers[0]!.value!;
    expect(m.rows).toEqual(names.slice(0, 3));
    const full = analyze(b);
    const n = full.endpoints.length;
    full.results.forEach((row, i) => {
      row.forEach((r, j) => {
        if (r) expect(m.reach[i * n + j]).toBe(r.reachable ? 1 : 0);
      });
    });
  });
});
