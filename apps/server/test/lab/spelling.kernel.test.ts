/**
 * The kernel spells some things its own way (a /32 route as the bare
 * address, 0.0.0.0/0 as `default`); a lab whose design uses them must
 * deploy, re-apply with nothing to do, and let them go again.
 */
import { describe, expect, it } from 'vitest';
import { exec } from '../../src/kernel/exec.js';
import { scenario, testLab, withRoutes } from './helpers.js';

async function routesOf(netns: string): Promise<string[]> {
  const r = await exec(['ip', '-n', netns, '-j', 'route', 'show']);
  return (JSON.parse(r.stdout) as { dst: string; gateway?: string }[])
    .filter((x) => x.gateway)
    .map((x) => `${x.dst} via ${x.gateway}`)
    .sort();
}

describe('routes in the kernel’s spelling', () => {
  it('a host route (/32) and a default route written as 0.0.0.0/0 deploy, re-apply with 0 operations and can be removed', async () => {
    const t = testLab('spell');
    try {
      const base = scenario('inter-vlan', t.lab);
      const routed = withRoutes(base, 'r1', [
        { to: '10.50.0.1/32', via: '10.0.10.2' },
        { to: '0.0.0.0/0', via: '10.0.20.2' },
      ]);
      const first = await t.engine.apply(routed);
      expect(first.failure?.kernelMessage).toBeUndefined();
      expect(first.ok).toBe(true);
      const r1 = `nc-${t.lab}.r1`;
      expect(await routesOf(r1)).toEqual(['10.50.0.1 via 10.0.10.2', 'default via 10.0.20.2']);

      const again = await t.engine.apply(routed);
      expect(again.failure?.kernelMessage).toBeUndefined();
      expect(again.ops).toEqual([]);
      expect((await t.engine.status(t.lab)).state).toBe('running');

      // The same routes written the other way round are the same routes.
      const respelled = withRoutes(base, 'r1', [
        { to: '10.50.0.1/32', via: '10.0.10.2' },
        { to: 'default', via: '10.0.20.2' },
      ]);
      expect((await t.engine.plan(respelled)).ops).toEqual([]);

      const removed = await t.engine.apply(base);
      expect(removed.failure?.kernelMessage).toBeUndefined();
      expect(removed.ok).toBe(true);
      expect(await routesOf(r1)).toEqual([]);
      expect((await t.engine.apply(base)).ops).toEqual([]);
    } finally {
      await t.cleanup();
    }
  });
});
