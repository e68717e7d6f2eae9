/**
 * The three lessons on the real kernel: up → every pair pinged and compared
 * with the analyzer → down → nothing left. And the two ways to break them
 * that the lessons are about.
 */
import type { Design, Link } from '@netcanvas/shared';
import { describe, expect, it } from 'vitest';
import { netnsOf, scenario, testLab } from './helpers.js';

const linkIs = (l: Link, a: string, b: string) => {
  const ids = l.endpoints.map((e) => (typeof e === 'string' ? e : e.node));
  return (ids[0] === a && ids[1] === b) || (ids[0] === b && ids[1] === a);
};

async function upAndCheck(design: Design, t: ReturnType<typeof testLab>) {
  const result = await t.engine.apply(design);
  expect(result.failure, result.failure?.kernelMessage).toBeUndefined();
  expect(result.ok).toBe(true);
  expect(netnsOf(t.lab).length).toBeGreaterThan(0);
  const { measured } = await t.engine.matrix(design);
  const differ = measured.filter((m) => m.measured !== m.reachable);
  expect(
    differ.map(
      (m) =>
        `${m.from}→${m.to} predicted ${m.reachable} (${m.reason ?? ''}) measured ${m.measured}`,
    ),
  ).toEqual([]);
  const pair = (a: string, b: string) => measured.find((m) => m.from === a && m.to === b)!;
  return { measured, pair };
}

describe('scenarios on the real kernel', () => {
  for (const name of ['same-vlan', 'inter-vlan', 'vxlan'] as const) {
    it(`${name}: up, every pair as predicted, c1 and c2 really ping, down leaves nothing`, async () => {
      const t = testLab(name.replace('-', ''));
      try {
        const { pair, measured } = await upAndCheck(scenario(name, t.lab), t);
        expect(pair('c1', 'c2').measured).toBe(true);
        expect(pair('c2', 'c1').measured).toBe(true);
        expect(measured.length).toBeGreaterThanOrEqual(2);
        if (name === 'vxlan') {
          // The lesson: the path between the sites is the tunnel.
          expect(pair('c1', 'c2').forward.map((h) => h.element)).toContain('tun');
        }
      } finally {
        await t.cleanup();
      }
    });
  }

  it('inter-vlan without its router: c1 and c2 cannot reach each other, predicted and measured alike', async () => {
    const t = testLab('norouter');
    try {
      const base = scenario('inter-vlan', t.lab);
      const { r1: _, ...nodes } = base.nodes;
      const design: Design = {
        ...base,
        nodes,
        links: base.links.filter(
          (l) => !l.endpoints.some((e) => (typeof e === 'string' ? e : e.node) === 'r1'),
        ),
      };
      const { pair } = await upAndCheck(design, t);
      expect(pair('c1', 'c2').measured).toBe(false);
      expect(pair('c1', 'c2').reachable).toBe(false);
      expect(pair('c1', 'c2').reason).toMatch(/gateway|router/);
    } finally {
      await t.cleanup();
    }
  });

  it('vxlan without the r2–tun link: the sites are cut off, predicted and measured alike', async () => {
    const t = testLab('notun');
    try {
      const base = scenario('vxlan', t.lab);
      const design: Design = { ...base, links: base.links.filter((l) => !linkIs(l, 'r2', 'tun')) };
      const { pair } = await upAndCheck(design, t);
      expect(pair('c1', 'c2').measured).toBe(false);
      expect(pair('c1', 'c2').reachable).toBe(false);
      // Same VLAN still works: the failure is about the tunnel, not the lab.
      expect(pair('c1', 'node-a').measured).toBe(true);
    } finally {
      await t.cleanup();
    }
  });
});
