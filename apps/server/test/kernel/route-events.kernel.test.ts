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
