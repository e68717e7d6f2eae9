/**
 * A moved route (a change's `route.del` of a destination and its `route.add` through another
 * gateway, two lines of the plan) runs in the helper as one replace: the destination is never
 * without a route, and the kernel and every line's outcome end as the lines run one request
 * each (nothing to fuse) leave them, a refused move included; an apply the kernel refuses
 * halfway through moving a router's routes is undone to the routes it found.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { type Design, generateDesign, type Op } from '@netcanvas/shared';
import { expect, it } from 'vitest';
import { exec } from '../../src/kernel/exec.js';
import { NetlinkEngine } from '../../src/kernel/netlink.js';
import type { RunResult } from '../../src/kernel/runner.js';
import { labName, netnsOf, testLab } from './helpers.js';

const routesIn = async (ns: string) =>
  (await exec(['ip', '-n', ns, 'route', 'show'])).stdout
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .sort();

/**
 * As routesIn, without `linkdown`: a link an undo set up again shows its carrier up to a second
 * later (the kernel's linkwatch), the route is the same.
 */
const routesOf = async (ns: string) =>
  (await routesIn(ns)).map((r) => r.replace(/ linkdown\b/, ''));

/** Two namespaces joined by two veth pairs, a with three routes through b. */
function twoRouters(lab: string): Op[] {
  const a = `nc-${lab}.a`;
  const b = `nc-${lab}.b`;
  const o = (x: object) => ({ source: ['t'], why: 'test', ...x }) as Op;
  return [
    o({ op: 'netns.add', netns: a }),
    o({ op: 'netns.add', netns: b }),
    o({ op: 'veth.add', netns: a, dev: 'a1', peer: 'b1', peerNetns: b }),
    o({ op: 'veth.add', netns: a, dev: 'a2', peer: 'b2', peerNetns: b }),
    o({ op: 'addr.add', netns: a, dev: 'a1', address: '10.1.0.1/24' }),
    o({ op: 'addr.add', netns: a, dev: 'a2', address: '10.2.0.1/24' }),
    o({ op: 'addr.add', netns: b, dev: 'b1', address: '10.1.0.2/24' }),
    o({ op: 'addr.add', netns: b, dev: 'b2', address: '10.2.0.2/24' }),
    o({ op: 'addr.add', netns: b, dev: 'b2', address: '10.2.0.3/24' }),
    ...['a1', 'a2'].map((dev) => o({ op: 'link.state', netns: a, dev, state: 'up' })),
    ...['b1', 'b2'].map((dev) => o({ op: 'link.state', netns: b, dev, state: 'up' })),
    o({ op: 'route.add', netns: a, to: '10.9.0.0/16', via: '10.1.0.2', dev: 'a1' }),
    o({ op: 'route.add', netns: a, to: '10.8.0.0/16', via: '10.1.0.2', dev: 'a1' }),
    o({ op: 'route.add', netns: a, to: '10.7.0.0/16', via: '10.2.0.2', dev: 'a2' }),
  ];
}

/**
 * A change as diff spells it: each moved route's deletion, then a link cut, then the adds: two
 * routes move off the cut link, one to another gateway on its own link.
 */
function cutA1(lab: string): Op[] {
  const a = `nc-${lab}.a`;
  const o = (x: object) => ({ source: ['t'], why: 'test', ...x }) as Op;
  return [
    o({ op: 'route.del', netns: a, to: '10.9.0.0/16', via: '10.1.0.2', dev: 'a1' }),
    o({ op: 'route.del', netns: a, to: '10.8.0.0/16', via: '10.1.0.2', dev: 'a1' }),
    o({ op: 'route.del', netns: a, to: '10.7.0.0/16', via: '10.2.0.2', dev: 'a2' }),
    o({ op: 'link.state', netns: a, dev: 'a1', state: 'down' }),
    o({ op: 'route.add', netns: a, to: '10.9.0.0/16', via: '10.2.0.2', dev: 'a2' }),
    o({ op: 'route.add', netns: a, to: '10.8.0.0/16', via: '10.2.0.2', dev: 'a2' }),
    o({ op: 'route.add', netns: a, to: '10.7.0.0/16', via: '10.2.0.3', dev: 'a2' }),
  ];
}

/**
 * The ops one request each, stopping at the first failure: what the helper did with a plan's
 * lines before it fused them (one namespace: its ops run in plan order).
 */
async function oneByOne(netlink: NetlinkEngine, ops: Op[]): Promise<RunResult> {
  const outcomes: RunResult['outcomes'] = ops.map(() => 'skipped');
  for (const [i, op] of ops.entries()) {
    const r = await netlink.run([op]);
    outcomes[i] = r.ok ? 'ok' : 'failed';
    if (!r.ok)
      return {
        ok: false,
        done: i,
        failed: { index: i, message: r.failed!.message },
        outcomes,
      };
  }
  return { ok: true, done: ops.length, outcomes };
}

/** `ip monitor route` in NS, told apart from what came before and after by marker routes. */
async function watchRoutes(ns: string) {
  const child: ChildProcess = spawn('ip', ['-n', ns, 'monitor', 'route'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => (out += d));
  const mark = async (net: string) => {
    await exec(['ip', '-n', ns, 'route', 'add', net, 'via', '10.2.0.2']);
    await exec(['ip', '-n', ns, 'route', 'del', net, 'via', '10.2.0.2']);
    const seen = `Deleted ${net.replace('/16', '')}`;
    for (let i = 0; i < 200 && !out.includes(seen); i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(out).toContain(seen);
  };
  await mark('10.250.0.0/16'); // listening from here
  return {
    async stop(): Promise<string[]> {
      await mark('10.251.0.0/16'); // everything before it was printed
      child.kill();
      const lines = out.split('\n');
      const from = lines.findIndex((l) => l.startsWith('Deleted 10.250.'));
      const to = lines.findIndex((l) => l.includes('10.251.'));
      return lines.slice(from + 1, to);
    },
  };
}

it('a moved route runs as one replace, and leaves the kernel and each line as the lines run apart do', async () => {
  const netlink = new NetlinkEngine();
  const fused = labName('mvf');
  const apart = labName('mva');
  try {
    for (const lab of [fused, apart]) expect((await netlink.run(twoRouters(lab))).ok).toBe(true);
    const a = (lab: string) => `nc-${lab}.a`;
    const watch = await watchRoutes(a(fused));
    const res = await netlink.run(cutA1(fused));
    const events = await watch.stop();
    const lines = await oneByOne(netlink, cutA1(apart));
    expect(res).toMatchObject({ ok: true, done: 7 });
    expect(lines.ok).toBe(true);
    expect(await routesIn(a(fused))).toEqual(await routesIn(a(apart)));
    expect(await routesIn(a(fused))).toContain('10.7.0.0/16 via 10.2.0.3 dev a2');
    // No moved destination was ever without a route: each replaced (or made again after the
    // cut flushed it), never deleted and then added.
    expect(events.some((l) => l.startsWith('10.7.0.0/16 via 10.2.0.3 dev a2'))).toBe(true);
    expect(events.filter((l) => /^Deleted 10\.[789]\.0\.0\/16/.test(l))).toEqual([]);
  } finally {
    await netlink.deleteNetns([...netnsOf(fused), ...netnsOf(apart)]);
    await netlink.close();
  }
  expect([...netnsOf(fused), ...netnsOf(apart)]).toEqual([]);
});

it('a moved route the kernel refuses: the add is the failing line, its deletion ran, and the kernel is as after the lines run apart', async () => {
  const netlink = new NetlinkEngine();
  const fused = labName('mrf');
  const apart = labName('mra');
  try {
    for (const lab of [fused, apart]) {
      expect((await netlink.run(twoRouters(lab))).ok).toBe(true);
      // Someone makes 10.2.0.2 unusable as a gateway in a (only the kernel's nexthop check sees it).
      await exec([
        'ip',
        '-n',
        `nc-${lab}.a`,
        'route',
        'add',
        'unreachable',
        '10.2.0.2/32',
        'scope',
        'link',
      ]);
    }
    const res = await netlink.run(cutA1(fused));
    const lines = await oneByOne(netlink, cutA1(apart));
    expect(res.ok).toBe(false);
    expect(res.failed?.index).toBe(4);
    expect(res.failed?.message).toMatch(/Nexthop has invalid gateway/);
    // The deletions ran (10.9 and 10.8 went with a1's link, 10.7 was deleted), the cut ran,
    // the first add failed, nothing after it ran.
    expect(res.outcomes).toEqual(['ok', 'ok', 'ok', 'ok', 'failed', 'skipped', 'skipped']);
    expect(res.outcomes).toEqual(lines.outcomes);
    expect(res.done).toBe(4);
    expect(await routesIn(`nc-${fused}.a`)).toEqual(await routesIn(`nc-${apart}.a`));
    expect((await routesIn(`nc-${fused}.a`)).some((r) => r.startsWith('10.7.0.0/16'))).toBe(false);

    // A failure between a deletion and its add (a device that is not there): the deletion
    // ran, as it would have before the failing line; the add did not.
    const a = `nc-${fused}.a`;
    await exec(['ip', '-n', a, 'route', 'del', 'unreachable', '10.2.0.2/32', 'scope', 'link']);
    await exec(['ip', '-n', a, 'route', 'add', '10.6.0.0/16', 'via', '10.2.0.2', 'dev', 'a2']);
    const o = (x: object) => ({ source: ['t'], why: 'test', ...x }) as Op;
    const between = await netlink.run([
      o({ op: 'route.del', netns: a, to: '10.6.0.0/16', via: '10.2.0.2', dev: 'a2' }),
      o({ op: 'link.state', netns: a, dev: 'nosuch', state: 'up' }),
      o({ op: 'route.add', netns: a, to: '10.6.0.0/16', via: '10.2.0.2', dev: 'a2' }),
    ]);
    expect(between.failed?.index).toBe(1);
    expect(between.outcomes).toEqual(['ok', 'failed', 'skipped']);
    expect((await routesIn(a)).some((r) => r.startsWith('10.6.0.0/16'))).toBe(false);
  } finally {
    await netlink.deleteNetns([...netnsOf(fused), ...netnsOf(apart)]);
    await netlink.close();
  }
  expect([...netnsOf(fused), ...netnsOf(apart)]).toEqual([]);
});

const endsOf = (d: Design, i: number) =>
  d.links[i]!.endpoints.map((e) => (typeof e === 'string' ? e : e.node));

it('a change the kernel refuses while moving a router’s routes is undone to the routes it found', async () => {
  const t = testLab('mvu');
  try {
    const design = generateDesign({ seed: 7, namespaces: 30, name: t.lab, downLinkChance: 0 });
    const up = await t.engine.apply(design);
    expect(up.ok, up.failure?.kernelMessage).toBe(true);
    // A router's link whose cut moves routes of that router (they went through the link).
    let found: { next: Design; ns: string; add: Op & { op: 'route.add' } } | undefined;
    for (let i = 0; i < design.links.length && !found; i++) {
      const routers = endsOf(design, i).filter((e) => design.nodes[e]?.kind === 'router');
      if (routers.length === 0) continue;
      const next: Design = {
        ...design,
        links: design.links.map((l, j) => (j === i ? { ...l, state: 'down' } : l)),
      };
      const { ops } = await t.engine.plan(next);
      for (const r of routers) {
        const ns = `nc-${t.lab}.${r}`;
        const moved = ops.filter(
          (o): o is Op & { op: 'route.add' } =>
            o.op === 'route.add' &&
            o.netns === ns &&
            ops.some((d) => d.op === 'route.del' && d.netns === ns && d.to === o.to),
        );
        if (moved.length >= 2 && ops.some((o) => o.op === 'link.state' && o.netns === ns)) {
          // The first route through the moved routes' new gateway fails.
          const via = moved[0]!.via;
          const add = ops.find(
            (o): o is Op & { op: 'route.add' } =>
              o.op === 'route.add' && o.netns === ns && o.via === via,
          )!;
          found = { next, ns, add };
          break;
        }
      }
    }
    expect(found, 'a link cut that moves a router’s routes').toBeDefined();
    const { next, ns, add } = found!;
    const before = new Map<string, string[]>();
    for (const n of netnsOf(t.lab)) before.set(n, await routesOf(n));

    const block = ['route', 'unreachable', `${add.via}/32`, 'scope', 'link'];
    await exec(['ip', '-n', ns, ...block.slice(0, 1), 'add', ...block.slice(1)]);
    const result = await t.engine.apply(next);
    await exec(['ip', '-n', ns, 'route', 'del', ...block.slice(1)]);
    expect(result.ok).toBe(false);
    expect(result.failure?.op).toEqual(add);
    expect(result.failure?.kernelMessage).toMatch(/Nexthop has invalid gateway/);
    expect(result.rollback?.state, result.rollback?.message).toBe('done');
    // Its deletion is among what ran (and was undone), the add is not.
    expect(result.ops.some((o) => o.op === 'route.del' && o.netns === ns && o.to === add.to)).toBe(
      true,
    );
    expect(result.ops).not.toContainEqual(add);
    for (const n of netnsOf(t.lab)) expect(await routesOf(n), n).toEqual(before.get(n));

    // Nothing is in the way any more: the change goes through.
    const again = await t.engine.apply(next);
    expect(again.ok, again.failure?.kernelMessage).toBe(true);
    expect((await t.engine.plan(next)).ops).toEqual([]);
  } finally {
    await t.cleanup();
  }
}, 120_000);
