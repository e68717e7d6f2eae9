/**
 * Apply on a running lab: only the difference runs, nothing else moves;
 * drift is named and repaired; links go down and up without a rebuild.
 */
import type { Design } from '@netcanvas/shared';
import { describe, expect, it } from 'vitest';
import { exec } from '../../src/kernel/exec.js';
import { pingFrom } from '../../src/kernel/ping.js';
import { ifindexes, netnsOf, scenario, testLab } from './helpers.js';

describe('a running lab', () => {
  it('a second apply runs nothing', async () => {
    const t = testLab('idem');
    try {
      const design = scenario('inter-vlan', t.lab);
      expect((await t.engine.apply(design)).ok).toBe(true);
      const again = await t.engine.apply(design);
      expect(again.ok).toBe(true);
      expect(again.ops).toEqual([]);
      expect((await t.engine.status(t.lab)).state).toBe('running');
    } finally {
      await t.cleanup();
    }
  });

  it('adding a namespace and a link runs only their operations; existing interfaces keep their ifindex', async () => {
    const t = testLab('incr');
    try {
      const design = scenario('inter-vlan', t.lab);
      expect((await t.engine.apply(design)).ok).toBe(true);
      const before = await ifindexes(t.lab);

      const grown: Design = {
        ...design,
        nodes: { ...design.nodes, c9: { kind: 'namespace' } },
        links: [...design.links, { endpoints: ['c9', 'vlan20'], state: 'up' }],
      };
      const result = await t.engine.apply(grown);
      expect(result.ok).toBe(true);
      expect(result.ops.length).toBeGreaterThan(0);
      for (const op of result.ops) {
        expect(
          op.source.some((s) => s === 'c9' || s.includes('c9')),
          `${op.op} ${op.why}`,
        ).toBe(true);
      }
      const after = await ifindexes(t.lab);
      for (const [name, index] of before) expect(after.get(name), name).toBe(index);
      expect(netnsOf(t.lab)).toContain(`nc-${t.lab}.c9`);

      // The new namespace really works: c9 reaches c1 across r1.
      const { measured } = await t.engine.matrix(grown);
      const c9c1 = measured.find((m) => m.from === 'c9' && m.to === 'c1')!;
      expect(c9c1.measured).toBe(true);
      expect(measured.filter((m) => m.measured !== m.reachable)).toEqual([]);

      // And taking it away again removes exactly it.
      const shrunk = await t.engine.apply(design);
      expect(shrunk.ok).toBe(true);
      expect(netnsOf(t.lab)).not.toContain(`nc-${t.lab}.c9`);
      const final = await ifindexes(t.lab);
      for (const [name, index] of before) expect(final.get(name), name).toBe(index);
    } finally {
      await t.cleanup();
    }
  });

  it('a veth deleted by hand is named by status and restored by apply', async () => {
    const t = testLab('drift');
    try {
      const design = scenario('inter-vlan', t.lab);
      expect((await t.engine.apply(design)).ok).toBe(true);
      // Someone deletes r1's interface towards vlan20 (its fabric peer goes with it).
      await exec(['ip', '-n', `nc-${t.lab}.r1`, 'link', 'del', 'dev', 'vlan20']);

      const status = await t.engine.status(t.lab);
      expect(status.state).toBe('partial');
      expect(status.elements.r1?.state).toBe('drift');
      expect(status.elements.r1?.differences.join('\n')).toMatch(/vlan20/);
      expect(status.elements.c1?.state).toBe('deployed');

      const { measured } = await t.engine.matrix(design);
      expect(measured.find((m) => m.from === 'c1' && m.to === 'c2')?.measured).toBe(false);

      const repair = await t.engine.apply(design);
      expect(repair.ok).toBe(true);
      expect(
        repair.ops.every(
          (op) => op.source.includes('r1') || op.source.some((s) => s.includes('r1')),
        ),
      ).toBe(true);
      expect((await t.engine.status(t.lab)).state).toBe('running');
      const c2 = await t.engine.ping(design, 'c1', 'c2');
      expect(c2.measured, c2.output).toBe(true);
    } finally {
      await t.cleanup();
    }
  });

  it('a link set down in the design goes down without a rebuild, and comes back', async () => {
    const t = testLab('admin');
    try {
      const design = scenario('vxlan', t.lab);
      expect((await t.engine.apply(design)).ok).toBe(true);
      const before = await ifindexes(t.lab);

      const cutting = await t.engine.setLinkState(t.lab, 'r2--public', 'down');
      expect(cutting.changed).toBe(true);
      // What ran, for the audit line (the ends going down, routes that used the link).
      expect(cutting.ops).toBeGreaterThan(0);
      const down = t.engine.lastDesign(t.lab)!;
      expect(down.links.find((l) => JSON.stringify(l.endpoints) === '["r2","public"]')?.state).toBe(
        'down',
      );
      const cut = await t.engine.ping(down, 'c1', 'c2');
      expect(cut.reachable).toBe(false);
      expect(cut.measured).toBe(false);
      expect(cut.reason).toMatch(/r2--public|public/);

      await t.engine.setLinkState(t.lab, 'r2--public', 'up');
      const back = await t.engine.ping(t.engine.lastDesign(t.lab)!, 'c1', 'c2');
      expect(back.measured, back.output).toBe(true);
      // Nothing was rebuilt: same devices, same ifindexes.
      const after = await ifindexes(t.lab);
      for (const [name, index] of before) expect(after.get(name), name).toBe(index);
    } finally {
      await t.cleanup();
    }
  });

  it('status finds a lab from the kernel alone and down works without the design', async () => {
    const t = testLab('found');
    try {
      const design = scenario('same-vlan', t.lab);
      expect((await t.engine.apply(design)).ok).toBe(true);
      expect(await t.engine.labs()).toContain(t.lab);
      t.engine.state.forget(t.lab);
      const status = await t.engine.status(t.lab);
      expect(status.state).not.toBe('absent');
      const { removed } = await t.engine.destroy(t.lab);
      expect(removed.length).toBe(netnsOf(t.lab).length + removed.length);
      expect(netnsOf(t.lab)).toEqual([]);
      // Destroying what is gone succeeds.
      expect((await t.engine.destroy(t.lab)).removed).toEqual([]);
      const ping = await pingFrom(`nc-${t.lab}.c1`, '10.0.10.3', 1).catch((e: Error) => e);
      expect(ping instanceof Error || ping.ok === false).toBe(true);
    } finally {
      await t.cleanup();
    }
  });
});
