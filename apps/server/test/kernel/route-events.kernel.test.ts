/**
 * The netlink helper keeps a namespace's routes between readings and applies the route events
 * it hears since (a one-link change re-reads no route table): after routes are deleted, added,
 * replaced and added again with another metric by hand, what it reports is exactly what
 * iproute2 lists, and apply puts the design's routes back.
 */
import { type Design, generateDesign } from '@netcanvas/shared';
import { expect, it } from 'vitest';
import { exec } from '../../src/kernel/exec.js';
import { sharedNetlink } from '../../src/kernel/netlink.js';
import { observe } from '../../src/kernel/observe.js';
import { Runner } from '../../src/kernel/runner.js';
import { testLab } from '../lab/helpers.js';

const shown = (
  routes: { netns: string; to: string; via: string | null; dev: string }[],
  ns: string,
) =>
  routes
    .filter((r) => r.netns === ns)
    .map((r) => `${r.to} via ${r.via} dev ${r.dev}`)
    .sort();

it('routes changed by hand in a router are reported as iproute2 lists them, and apply restores them', async () => {
  const t = testLab('routes');
  const runner = new Runner();
  const netlink = sharedNetlink();
  try {
    const design: Design = generateDesign({
      seed: 7,
      namespaces: 12,
      name: t.lab,
      downLinkChance: 0,
    });
    expect((await t.engine.apply(design)).ok).toBe(true);
    const first = await netlink.observe(t.lab);
    // A router with at least two gateway routes.
    const router = [...new Set(first.routes.map((r) => r.netns))].find(
      (ns) => first.routes.filter((r) => r.netns === ns && r.via).length >= 2,
    );
    expect(router, 'the design has a router with two routes').toBeDefined();
    const ns = router!;
    const [a, b] = first.routes.filter((r) => r.netns === ns && r.via);
    // Read again: this reading is the one the events are applied to.
    await netlink.observe(t.lab);
    const ip = (...args: string[]) => exec(['ip', '-n', ns, 'route', ...args]);
    await ip('del', a!.to, 'via', a!.via!);
    await ip('add', '203.0.113.0/24', 'via', b!.via!);
    await ip('add', '198.51.100.0/24', 'via', b!.via!);
    await ip('replace', '198.51.100.0/24', 'via', a!.via!);
    await ip('add', b!.to, 'via', a!.via!, 'metric', '50');

    const truth = await observe(t.lab, runner, [ns]);
    const heard = await netlink.observe(t.lab, [ns]);
    expect(shown(heard.routes, ns)).toEqual(shown(truth.routes, ns));
    expect(shown(heard.routes, ns)).toContain(`198.51.100.0/24 via ${a!.via} dev ${a!.dev}`);
    expect(shown(heard.routes, ns)).not.toContain(`${a!.to} via ${a!.via} dev ${a!.dev}`);

    // (A second route to one destination, told apart by its metric, is more than apply mends.)
    await ip('del', b!.to, 'via', a!.via!, 'metric', '50');
    expect(shown((await netlink.observe(t.lab, [ns])).routes, ns)).toEqual(
      shown((await observe(t.lab, runner, [ns])).routes, ns),
    );

    const status = await t.engine.status(t.lab, design);
    expect(status.state).toBe('partial');
    const again = await t.engine.apply(design);
    expect(again.failure?.kernelMessage).toBeUndefined();
    expect(again.ok).toBe(true);
    expect(again.ops.some((o) => o.op === 'route.add')).toBe(true);
    const restored = await netlink.observe(t.lab, [ns]);
    expect(shown(restored.routes, ns)).toEqual(
      shown((await observe(t.lab, runner, [ns])).routes, ns),
    );
    expect(shown(restored.routes, ns)).toContain(`${a!.to} via ${a!.via} dev ${a!.dev}`);
  } finally {
    await runner.close();
    await t.cleanup();
  }
});

it('a device of a router set down and up by hand, routes through it and others added meanwhile: the helper reports iproute2’s routes', async () => {
  const t = testLab('rdown');
  const runner = new Runner();
  const netlink = sharedNetlink();
  try {
    const design: Design = generateDesign({
      seed: 7,
      namespaces: 30,
      name: t.lab,
      downLinkChance: 0,
    });
    expect((await t.engine.apply(design)).ok).toBe(true);
    const first = await netlink.observe(t.lab);
    // A router with gateway routes through two devices.
    const ns = [...new Set(first.routes.map((r) => r.netns))].find(
      (n) =>
        new Set(first.routes.filter((r) => r.netns === n && r.via).map((r) => r.dev)).size >= 2,
    );
    expect(ns, 'the design has a router routing through two devices').toBeDefined();
    const mine = first.routes.filter((r) => r.netns === ns && r.via);
    const a = mine[0]!;
    const b = mine.find((r) => r.dev !== a.dev)!;
    await netlink.observe(t.lab, [ns!]);
    const ip = (...args: string[]) => exec(['ip', '-n', ns!, ...args]);
    // Between two readings: a route through a's device, the device down (the kernel flushes its
    // routes, without a route event) and up again, a route through it afterwards, one through b's.
    await ip('route', 'add', '203.0.113.0/24', 'via', a.via!, 'dev', a.dev);
    await ip('link', 'set', 'dev', a.dev, 'down');
    await ip('route', 'add', '192.0.2.0/24', 'via', b.via!, 'dev', b.dev);
    await ip('link', 'set', 'dev', a.dev, 'up');
    await ip('route', 'add', '198.51.100.0/24', 'via', a.via!, 'dev', a.dev);

    const heard = shown((await netlink.observe(t.lab, [ns!])).routes, ns!);
    expect(heard).toEqual(shown((await observe(t.lab, runner, [ns!])).routes, ns!));
    expect(heard).toContain(`198.51.100.0/24 via ${a.via} dev ${a.dev}`);
    expect(heard).toContain(`192.0.2.0/24 via ${b.via} dev ${b.dev}`);
    expect(heard.some((r) => r.startsWith('203.0.113.0/24'))).toBe(false);
    expect(heard).not.toContain(`${a.to} via ${a.via} dev ${a.dev}`);
    expect(heard).toContain(`${b.to} via ${b.via} dev ${b.dev}`);

    // The device down again and deleted with its peer: its routes go, the others stay.
    await ip('link', 'set', 'dev', a.dev, 'down');
    await ip('link', 'del', 'dev', a.dev);
    const after = shown((await netlink.observe(t.lab, [ns!])).routes, ns!);
    expect(after).toEqual(shown((await observe(t.lab, runner, [ns!])).routes, ns!));
    expect(after).toContain(`192.0.2.0/24 via ${b.via} dev ${b.dev}`);
    expect(after.some((r) => r.includes(` dev ${a.dev}`))).toBe(false);
  } finally {
    await runner.close();
    await t.cleanup();
  }
});
