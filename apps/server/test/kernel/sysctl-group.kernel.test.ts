/**
 * Sysctls on the netlink engine: the helper writes a namespace's sysctls together (its
 * /proc/sys/net opened once), and a sysctl that fails in the middle of such a group is that
 * op's failure: the error names it (and so its element), the ones before it ran and are
 * reported as run, the ones after it did not run, and an apply that meets it undoes all it made.
 */

import { readFileSync } from 'node:fs';
import { type Design, generateDesign, type Op } from '@netcanvas/shared';
import { afterAll, expect, it } from 'vitest';
import { exec } from '../../src/kernel/exec.js';
import { NetlinkEngine } from '../../src/kernel/netlink.js';
import { applyDesign } from '../../src/lab/apply.js';
import { createKernelPort } from '../../src/lab/kernel-port.js';
import { labName, netnsOf } from '../lab/helpers.js';

const netlink = new NetlinkEngine();
afterAll(() => netlink.close());

/** A sysctl's value inside a namespace, as the kernel shows it. */
async function sysctl(netns: string, key: string): Promise<string> {
  const res = await exec([
    'ip',
    'netns',
    'exec',
    netns,
    'cat',
    `/proc/sys/${key.replaceAll('.', '/')}`,
  ]);
  return res.stdout.trim();
}

const set = (netns: string, key: string, value: string, element: string): Op => ({
  op: 'sysctl',
  netns,
  key,
  value,
  source: [element],
  why: 'test',
});

it('a sysctl failing in the middle of a namespace group is named, those before it ran, those after did not', async () => {
  const lab = labName('sysctl');
  const ns = `nc-${lab}.a`;
  const port = createKernelPort(undefined, { netlink });
  try {
    const made = await port.run([{ op: 'netns.add', netns: ns, source: ['a'], why: 'test' }]);
    expect(made.ok).toBe(true);
    const defaultBefore = await sysctl(ns, 'net.ipv4.conf.default.rp_filter');
    const ops: Op[] = [
      set(ns, 'net.ipv4.ip_forward', '1', 'a'),
      set(ns, 'net.ipv4.conf.all.rp_filter', '2', 'a'),
      // No device `nosuch`: the kernel has no such setting.
      set(ns, 'net.ipv4.conf.nosuch.rp_filter', '1', 'b'),
      set(ns, 'net.ipv4.conf.default.rp_filter', defaultBefore === '2' ? '1' : '2', 'a'),
    ];
    const res = await port.run(ops);
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.index).toBe(2);
    expect(ops[res.index]!.source).toEqual(['b']);
    expect(res.message).toMatch(/net\.ipv4\.conf\.nosuch\.rp_filter.*No such file or directory/);
    expect(res.ran).toEqual([0, 1]);
    // What is reported as run is in the kernel; what came after the failure is not.
    expect(await sysctl(ns, 'net.ipv4.ip_forward')).toBe('1');
    expect(await sysctl(ns, 'net.ipv4.conf.all.rp_filter')).toBe('2');
    expect(await sysctl(ns, 'net.ipv4.conf.default.rp_filter')).toBe(defaultBefore);
  } finally {
    await netlink.deleteNetns(netnsOf(lab));
  }
  expect(netnsOf(lab)).toEqual([]);
});

it('an apply whose sysctl fails in the middle of a namespace group names the element and undoes everything it made', async () => {
  const lab = labName('sysctl-apply');
  const design: Design = generateDesign({ seed: 7, namespaces: 12, name: lab, downLinkChance: 0 });
  const real = createKernelPort(undefined, { netlink });
  // The kernel refuses one setting of one router halfway through its group: the plan's own
  // key in that router, spelled for a device that does not exist.
  let target: Op | undefined;
  const port = {
    ...real,
    run: (ops: Op[], opts?: Parameters<typeof real.run>[1]) =>
      real.run(
        ops.map((op) => {
          if (op.op !== 'sysctl' || op.key !== 'net.ipv4.conf.all.promote_secondaries') return op;
          if (target && target.netns !== op.netns) return op;
          if (!op.netns.includes('.r')) return op;
          target = { ...op, key: 'net.ipv4.conf.nosuch.promote_secondaries' };
          return target;
        }),
        opts,
      ),
  };
  try {
    const result = await applyDesign(port, design);
    expect(target, 'the design has a router').toBeDefined();
    expect(result.ok).toBe(false);
    expect(result.failure?.op.op).toBe('sysctl');
    expect(result.failure?.elements).toEqual(target!.source);
    expect(result.failure?.kernelMessage).toMatch(/nosuch\.promote_secondaries/);
    // The sysctls of that namespace before the failing one ran (and were undone with their
    // namespace); none after it is reported as run.
    const ranThere = result.ops.filter((o) => o.op === 'sysctl' && o.netns === target!.netns);
    expect(ranThere.map((o) => (o as { key: string }).key)).toEqual([
      'net.ipv4.ip_forward',
      'net.ipv4.conf.all.rp_filter',
      'net.ipv4.conf.default.rp_filter',
    ]);
    expect(result.rollback?.state).toBe('done');
    expect(netnsOf(lab)).toEqual([]);
  } finally {
    await netlink.deleteNetns(netnsOf(lab));
  }
});

it('each sysctl lands in its own namespace, between devices, addresses and other namespaces, never in the server’s', async () => {
  const lab = labName('sysctl-where');
  const [a, b] = [`nc-${lab}.a`, `nc-${lab}.b`];
  const port = createKernelPort(undefined, { netlink });
  const own = (key: string) => readFileSync(`/proc/sys/${key.replaceAll('.', '/')}`, 'utf8').trim();
  const forwardBefore = own('net.ipv4.ip_forward');
  const rpBefore = own('net.ipv4.conf.all.rp_filter');
  const flip = (v: string) => (v === '1' ? '0' : '1');
  try {
    // One run: the helper stays inside a namespace across its sysctls, and must leave it for a
    // device's index (read inside), for another namespace and for the next request.
    const ops: Op[] = [
      { op: 'netns.add', netns: a, source: ['a'], why: 'test' },
      { op: 'netns.add', netns: b, source: ['b'], why: 'test' },
      set(a, 'net.ipv4.ip_forward', flip(forwardBefore), 'a'),
      { op: 'bridge.add', netns: a, dev: 'br0', source: ['a'], why: 'test' },
      { op: 'addr.add', netns: a, dev: 'br0', address: '10.9.0.1/24', source: ['a'], why: 'test' },
      set(a, 'net.ipv4.conf.all.rp_filter', '2', 'a'),
      set(b, 'net.ipv4.ip_forward', flip(forwardBefore), 'b'),
      { op: 'link.state', netns: b, dev: 'lo', state: 'up', source: ['b'], why: 'test' },
      set(b, 'net.ipv4.conf.all.rp_filter', '2', 'b'),
    ] as Op[];
    const res = await port.run(ops);
    expect(res).toMatchObject({ ok: true });
    for (const ns of [a, b]) {
      expect(await sysctl(ns, 'net.ipv4.ip_forward')).toBe(flip(forwardBefore));
      expect(await sysctl(ns, 'net.ipv4.conf.all.rp_filter')).toBe('2');
    }
    const after = await port.run([set(b, 'net.ipv4.conf.all.rp_filter', '1', 'b')]);
    expect(after).toMatchObject({ ok: true });
    expect(await sysctl(b, 'net.ipv4.conf.all.rp_filter')).toBe('1');
    expect(await sysctl(a, 'net.ipv4.conf.all.rp_filter')).toBe('2');
    expect(own('net.ipv4.ip_forward')).toBe(forwardBefore);
    expect(own('net.ipv4.conf.all.rp_filter')).toBe(rpBefore);
  } finally {
    await netlink.deleteNetns(netnsOf(lab));
  }
  expect(netnsOf(lab)).toEqual([]);
});
