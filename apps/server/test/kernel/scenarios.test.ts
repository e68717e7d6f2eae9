/**
 * The compiler's own plan, line for line through `batchLine(op)`, run by the
 * Runner on the real kernel for each classic scenario; every ping of the
 * analyzer's matrix is then measured and must agree with the prediction, and
 * observe() must find every interface and address of the topology.
 */
import {
  analyze,
  batchLine,
  compile,
  designFromYaml,
  type PairResult,
  resolve,
  scenarios,
  type Topology,
} from '@netcanvas/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteNetns, labNetns } from '../../src/kernel/netns.js';
import { observe } from '../../src/kernel/observe.js';
import { Runner } from '../../src/kernel/runner.js';
import { cleanup, leftovers, ping, testLab } from './helpers.js';

const base = testLab('scn');

function topologyOf(name: string, lab: string): Topology {
  const scenario = scenarios.find((s) => s.name === name)!;
  const { design } = designFromYaml(scenario.yaml);
  if (!design) throw new Error(`scenario ${name} does not parse`);
  const { topology, diagnostics } = resolve({ ...design, name: lab });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return topology;
}

async function pool<T>(items: T[], limit: number, f: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await f(items[next++]!);
    }),
  );
}

describe('compiled scenarios through the runner', () => {
  const runner = new Runner({ idleMs: 30_000 });

  afterAll(async () => {
    await runner.close();
    await cleanup(base);
    expect(await leftovers(base)).toEqual([]);
  });

  for (const [i, name] of (['same-vlan', 'inter-vlan', 'vxlan'] as const).entries()) {
    it(`${name}: the measured ping matrix equals the analyzer's, then teardown leaves nothing`, async () => {
      const lab = `${base}-${i}`;
      const topology = topologyOf(name, lab);
      const plan = compile(topology);
      const t0 = performance.now();
      const res = await runner.run(plan.ops.map((op) => ({ ...batchLine(op), stage: op.op })));
      const ms = performance.now() - t0;
      expect(res.failed).toBeUndefined();
      expect(res.done).toBe(plan.ops.length);
      console.log(`${name}: ${plan.ops.length} ops in ${ms.toFixed(0)} ms`);

      const state = await observe(lab, runner);
      expect(state.netns).toEqual(topology.netns.map((n) => n.name).sort());
      for (const want of topology.interfaces) {
        const got = state.interfaces.find((x) => x.netns === want.netns && x.name === want.name);
        expect(got, `${want.key}`).toBeDefined();
        expect(got?.kind).toBe(want.kind);
        expect(got?.master).toBe(want.master);
        if (want.address) expect(got?.addresses).toContain(want.address);
      }

      const matrix = analyze(topology);
      const pairs: PairResult[] = matrix.results
        .flat()
        .filter((p): p is PairResult => !!p && p.from !== p.to);
      expect(pairs.length).toBeGreaterThan(0);
      const netnsOf = new Map(topology.endpoints.map((e) => [e.node, e.netns]));
      const wrong: string[] = [];
      await pool(pairs, 6, async (p) => {
        const measured = await ping(netnsOf.get(p.from)!, p.target);
        if (measured !== p.reachable)
          wrong.push(
            `${p.from} → ${p.to} (${p.target}): predicted ${p.reachable}, measured ${measured}`,
          );
      });
      expect(wrong).toEqual([]);

      const down = await runner.run(
        plan.teardown.map((op) => ({ ...batchLine(op), stage: op.op })),
      );
      expect(down.ok).toBe(true);
      expect(await labNetns(lab)).toEqual([]);
      await deleteNetns(await labNetns(lab));
    });
  }
});
