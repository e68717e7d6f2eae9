/**
 * The netlink helper keeps a namespace's devices between readings and applies the link events
 * it hears since (ports that only came up are not dumped again), and keeps its routes unless a
 * device went down or away (then its IPv4 routes went without a route event): after devices are
 * changed by hand (MTU, taken from their bridge, set down and up, made and deleted), what it
 * reports is exactly what iproute2 lists, and apply puts the design back.
 */
import { generateDesign, type ObservedState } from '@netcanvas/shared';
import { expect, it } from 'vitest';
import { exec } from '../../src/kernel/exec.js';
import { sharedNetlink } from '../../src/kernel/netlink.js';
import { observe } from '../../src/kernel/observe.js';
import { Runner } from '../../src/kernel/runner.js';
import { testLab } from '../lab/helpers.js';

/** One namespace's devices and routes, in an order that does not depend on the reader. */
const shown = (s: ObservedState, ns: string) => ({
  interfaces: s.interfaces
    .filter((i) => i.netns === ns)
    .map((i) => JSON.stringify(i, Object.keys(i).sort()))
    .sort(),
  routes: s.routes
    .filter((r) => r.netns === ns)
    .map((r) => `${r.to} via ${r.via} dev ${r.dev}`)
    .sort(),
});

it('devices changed by hand are reported as iproute2 lists them, routes too, and apply restores them', async () => {
  const t = testLab('links');
  const runner = new Runner();
  const netlink = sharedNetlink();
  try {
    const design = generateDesign({ seed: 7, namespaces: 12, name: t.lab, downLinkChance: 0 });
    expect((await t.engine.apply(design)).ok).toBe(true);
    const first = await netlink.observe(t.lab);
    // A router with a gateway route, and a bridge port of the fabric.
    const route = first.routes.find((r) => r.via && r.netns !== `nc-${t.lab}`);
    expect(route, 'the design has a router with a gateway route').toBeDefined();
    const router = route!.netns;
    const port = first.interfaces.find((i) => i.netns === `nc-${t.lab}` && i.master);
    expect(port, 'the fabric has a bridge port').toBeDefined();
    const fabric = port!.netns;
    // Read again: this reading is the one the events are applied to.
    await netlink.observe(t.lab);

    const same = async (ns: string, what: string) => {
      const heard = shown(await netlink.observe(t.lab, [ns]), ns);
      const truth = shown(await observe(t.lab, runner, [ns]), ns);
      expect(heard, what).toEqual(truth);
      return heard;
    };
    const ip = (ns: string, ...args: string[]) => exec(['ip', '-n', ns, ...args]);

    await ip(router, 'link', 'set', 'dev', route!.dev, 'mtu', '1400');
    expect((await same(router, 'an MTU set')).routes).toContain(
      `${route!.to} via ${route!.via} dev ${route!.dev}`,
    );
    await ip(router, 'link', 'set', 'dev', route!.dev, 'down');
    expect((await same(router, 'a device set down')).routes).not.toContain(
      `${route!.to} via ${route!.via} dev ${route!.dev}`,
    );
    await ip(router, 'link', 'set', 'dev', route!.dev, 'up');
    await same(router, 'the device up again (its gateway routes stay gone)');

    await ip(fabric, 'link', 'set', 'dev', port!.name, 'nomaster');
    await same(fabric, 'a port taken from its bridge');
    await ip(fabric, 'link', 'add', 'ncx0', 'type', 'bridge');
    await ip(fabric, 'link', 'set', 'dev', 'ncx0', 'up');
    expect((await same(fabric, 'a device made')).interfaces.join()).toContain('"ncx0"');
    await ip(fabric, 'link', 'set', 'dev', 'ncx0', 'name', 'ncx1');
    await same(fabric, 'a device renamed');
    await ip(fabric, 'link', 'del', 'ncx1');
    expect((await same(fabric, 'a device deleted')).interfaces.join()).not.toContain('ncx');

    const again = await t.engine.apply(design);
    expect(again.failure?.kernelMessage).toBeUndefined();
    expect(again.ok).toBe(true);
    const restored = await same(router, 'after apply');
    expect(restored.routes).toContain(`${route!.to} via ${route!.via} dev ${route!.dev}`);
    await same(fabric, 'after apply');
  } finally {
    await runner.close();
    await t.cleanup();
  }
});
