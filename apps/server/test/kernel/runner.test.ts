import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exec } from '../../src/kernel/exec.js';
import { deleteNetns, labNetns } from '../../src/kernel/netns.js';
import { type BatchLine, Runner } from '../../src/kernel/runner.js';
import { until } from '../until.js';
import { alive, cleanup, ipIn, leftovers, ping, testLab } from './helpers.js';

const lab = testLab('run');
const A = `nc-${lab}.a`;
const B = `nc-${lab}.b`;
const F = `nc-${lab}`;

describe('Runner on the real kernel', () => {
  const runner = new Runner({ idleMs: 30_000 });

  beforeAll(async () => {
    await cleanup(lab);
  });

  afterAll(async () => {
    await runner.close();
    await cleanup(lab);
    expect(await leftovers(lab)).toEqual([]);
  });

  it('applies netns, veth with its peer in another namespace, addresses and up; the two namespaces ping', async () => {
    const lines: BatchLine[] = [
      { netns: null, args: ['netns', 'add', A], stage: 'netns.add' },
      { netns: null, args: ['netns', 'add', B], stage: 'netns.add' },
      {
        netns: null,
        args: ['netns', 'exec', A, 'sysctl', '-q', '-w', 'net.ipv4.conf.all.rp_filter=0'],
        stage: 'sysctl',
      },
      {
        netns: A,
        args: ['link', 'add', 'name', 'b', 'type', 'veth', 'peer', 'name', 'a', 'netns', B],
        stage: 'veth.add',
      },
      { netns: A, args: ['address', 'add', '10.77.0.1/30', 'dev', 'b'], stage: 'addr.add' },
      { netns: B, args: ['address', 'add', '10.77.0.2/30', 'dev', 'a'], stage: 'addr.add' },
      { netns: A, args: ['link', 'set', 'dev', 'b', 'up'], stage: 'link.state' },
      { netns: B, args: ['link', 'set', 'dev', 'a', 'up'], stage: 'link.state' },
    ];
    const progress: number[] = [];
    const res = await runner.run(lines, { onProgress: (p) => progress.push(p.done) });
    expect(res).toMatchObject({ ok: true, done: lines.length });
    expect(res.outcomes.every((o) => o === 'ok')).toBe(true);
    expect(progress.at(-1)).toBe(lines.length);
    expect(
      (
        await exec(['ip', 'netns', 'exec', A, 'sysctl', '-n', 'net.ipv4.conf.all.rp_filter'])
      ).stdout.trim(),
    ).toBe('0');
    expect(await ping(A, '10.77.0.2')).toBe(true);
    expect(await ping(B, '10.77.0.1')).toBe(true);
  });

  it('attributes a failure to its line with the kernel message and runs no later stage', async () => {
    const res = await runner.run([
      { netns: A, args: ['link', 'add', 'name', 'br1', 'type', 'bridge'], stage: 'bridge.add' },
      { netns: A, args: ['link', 'add', 'name', 'b', 'type', 'bridge'], stage: 'bridge.add' }, // b exists (the veth)
      { netns: A, args: ['link', 'add', 'name', 'br2', 'type', 'bridge'], stage: 'bridge.add' },
      { netns: A, args: ['link', 'set', 'dev', 'br1', 'up'], stage: 'link.state' },
    ]);
    expect(res.ok).toBe(false);
    expect(res.failed?.index).toBe(1);
    expect(res.failed?.message).toMatch(/File exists/);
    expect(res.outcomes).toEqual(['ok', 'failed', 'ok', 'skipped']);
    const br1 = await runner.query<{ flags: string[] }[]>(A, ['link', 'show', 'dev', 'br1']);
    expect(br1[0]?.flags).not.toContain('UP');
  });

  it('reports the right line when iproute2 exits on a bad argument, and recovers', async () => {
    const res = await runner.run([
      { netns: A, args: ['link', 'set', 'dev', 'br1', 'mtu', '1400'] },
      { netns: A, args: ['link', 'set', 'dev', 'br1', 'mtu', 'lots'] },
      { netns: A, args: ['link', 'set', 'dev', 'br1', 'mtu', '1300'] },
    ]);
    expect(res.failed?.index).toBe(1);
    expect(res.failed?.message).toMatch(/"lots" is wrong/);
    expect(res.outcomes).toEqual(['ok', 'failed', 'skipped']);
    const after = await runner.query<{ mtu: number }[]>(A, ['link', 'show', 'dev', 'br1']);
    expect(after[0]?.mtu).toBe(1400);
  });

  it('sets a namespace’s sysctls and attributes a bad key to its own line', async () => {
    const sysctl = (ns: string, kv: string): BatchLine => ({
      netns: null,
      args: ['netns', 'exec', ns, 'sysctl', '-q', '-w', kv],
      stage: 'sysctl',
    });
    const res = await runner.run([
      sysctl(A, 'net.ipv4.ip_forward=1'),
      sysctl(A, 'net.ipv4.conf.nope.rp_filter=0'),
      sysctl(B, 'net.ipv4.ip_forward=1'),
      sysctl(B, 'net.ipv4.conf.default.rp_filter=2'),
      { netns: A, args: ['link', 'add', 'name', 'late', 'type', 'bridge'], stage: 'bridge.add' },
    ]);
    expect(res.failed?.index).toBe(1);
    expect(res.failed?.message).toMatch(/nope/);
    expect(res.outcomes).toEqual(['ok', 'failed', 'ok', 'ok', 'skipped']);
    const read = async (ns: string, key: string) =>
      (await exec(['ip', 'netns', 'exec', ns, 'sysctl', '-n', key])).stdout.trim();
    expect(await read(A, 'net.ipv4.ip_forward')).toBe('1');
    expect(await read(B, 'net.ipv4.conf.default.rp_filter')).toBe('2');
    expect((await ipIn(A, ['link', 'show', 'dev', 'late'])).exitCode).not.toBe(0);
    // a namespace that does not exist fails its line, and nothing runs twice
    const missing = await runner.run([sysctl(`nc-${lab}.absent`, 'net.ipv4.ip_forward=1')]);
    expect(missing.failed?.message).toMatch(/Cannot open network namespace/);
  });

  it('refuses an argument that would change the batch line before running anything', async () => {
    const sneaky = `nc-${lab}.c`;
    const res = await runner.run([
      { netns: null, args: ['netns', 'add', sneaky] },
      { netns: A, args: ['link', 'add', 'name', 'x', 'type', 'bridge', '#', 'comment'] },
    ]);
    expect(res.ok).toBe(false);
    expect(res.failed?.index).toBe(1);
    expect(res.outcomes).toEqual(['skipped', 'skipped']);
    expect(await labNetns(lab)).not.toContain(sneaky);
    await expect(
      runner.run([{ netns: A, args: ['link', 'add', 'name', 'x y', 'type', 'bridge'] }]),
    ).resolves.toMatchObject({ ok: false });
  });

  it('answers queries as parsed JSON and a failed query names the kernel message', async () => {
    const links = await runner.query<{ ifname: string; linkinfo?: { info_kind: string } }[]>(B, [
      '-d',
      'link',
      'show',
    ]);
    expect(links.find((l) => l.ifname === 'a')?.linkinfo?.info_kind).toBe('veth');
    await expect(runner.query(B, ['link', 'show', 'dev', 'nope'])).rejects.toThrow(
      /does not exist/,
    );
    // the worker is still usable after a failed query
    expect((await runner.query<unknown[]>(B, ['route', 'show'])).length).toBeGreaterThan(0);
  });

  it('replaces a worker whose namespace was deleted and re-created behind its back', async () => {
    await runner.query(F === A ? A : B, ['link', 'show']);
    await exec(['ip', 'netns', 'del', B]);
    await exec(['ip', 'netns', 'add', B]);
    const res = await runner.run([
      { netns: B, args: ['link', 'add', 'name', 'fresh', 'type', 'bridge'] },
    ]);
    expect(res.ok).toBe(true);
    expect((await ipIn(B, ['link', 'show', 'dev', 'fresh'])).exitCode).toBe(0);
  });

  it('is not fooled by a device deleted and re-created by another process', async () => {
    // A listing fills iproute2's name → index cache in the process that ran it.
    await runner.run([{ netns: A, args: ['link', 'add', 'name', 'again', 'type', 'bridge'] }]);
    expect((await runner.query<unknown[]>(A, ['link', 'show', 'dev', 'again'])).length).toBe(1);
    await runner.query(A, ['address', 'show']);
    await exec(['ip', '-n', A, 'link', 'del', 'dev', 'again']);
    await exec(['ip', '-n', A, 'link', 'add', 'name', 'again', 'type', 'bridge']);
    const res = await runner.run([
      { netns: A, args: ['address', 'add', '10.79.0.1/24', 'dev', 'again'] },
      { netns: A, args: ['link', 'set', 'dev', 'again', 'up'] },
    ]);
    expect(res.failed).toBeUndefined();
    const now = await runner.query<{ addr_info: { local: string }[] }[]>(A, [
      'address',
      'show',
      'dev',
      'again',
    ]);
    expect(now[0]?.addr_info.map((x) => x.local)).toContain('10.79.0.1');
  });

  it('closes a namespace’s workers before deleting it, so the namespace really goes', async () => {
    await runner.query(A, ['link', 'show']);
    const before = runner.workerPids();
    expect(before.length).toBeGreaterThan(0);
    const res = await runner.run([{ netns: null, args: ['netns', 'del', A] }]);
    expect(res.ok).toBe(true);
    // veth b/a had one end in A: with A truly gone, the peer in the re-created B never existed, and A's worker is gone
    for (const pid of before) {
      const stillA = runner.workerPids().includes(pid);
      if (!stillA) expect(alive(pid)).toBe(false);
    }
    expect(await labNetns(lab)).not.toContain(A);
  });

  it('runs 50 namespaces concurrently, each with its own devices', async () => {
    const names = Array.from({ length: 50 }, (_, i) => `nc-${lab}.m${i}`);
    const lines: BatchLine[] = [
      ...names.map((n) => ({ netns: null, args: ['netns', 'add', n], stage: 'netns.add' })),
      ...names.map((n) => ({
        netns: n,
        args: ['link', 'add', 'name', 'br0', 'type', 'bridge'],
        stage: 'bridge.add',
      })),
      ...names.map((n, i) => ({
        netns: n,
        args: ['address', 'add', `10.78.${i}.1/24`, 'dev', 'br0'],
        stage: 'addr.add',
      })),
      ...names.map((n) => ({
        netns: n,
        args: ['link', 'set', 'dev', 'br0', 'up'],
        stage: 'link.state',
      })),
    ];
    const t0 = performance.now();
    const res = await runner.run(lines);
    const ms = performance.now() - t0;
    expect(res).toMatchObject({ ok: true, done: lines.length });
    console.log(`50 namespaces, ${lines.length} ops: ${ms.toFixed(0)} ms`);
    const addrs = await Promise.all(
      names.map((n) =>
        runner.query<{ addr_info: { local: string }[] }[]>(n, ['address', 'show', 'dev', 'br0']),
      ),
    );
    for (const [i, a] of addrs.entries())
      expect(a[0]?.addr_info.map((x) => x.local)).toContain(`10.78.${i}.1`);
    const del = await deleteNetns(names, runner);
    expect(del.removed.sort()).toEqual([...names].sort());
    expect(del.failed).toEqual([]);
  });

  it('deleteNetns is idempotent: a name already gone is not an error', async () => {
    const gone = `nc-${lab}.gone`;
    await expect(deleteNetns([gone])).resolves.toEqual({ removed: [], failed: [] });
  });

  it('closes idle workers, and close() leaves no process behind', async () => {
    // 3 s, not 1: right after the previous tests deleted 50 namespaces, the
    // kernel's namespace cleanup can hold a listing up for about a second,
    // and the first worker would idle out before the second answered.
    const quick = new Runner({ idleMs: 3000 });
    await quick.query(B, ['link', 'show']);
    await quick.query(B, ['-s', 'link', 'show']);
    const pids = quick.workerPids();
    expect(pids).toHaveLength(2);
    expect(pids.every(alive)).toBe(true);
    // The idle timer is what is tested: wait for it to close them (3 s), however long the machine takes.
    await until(() => quick.workerPids().length === 0, 'idle workers closed', 15_000);
    expect(pids.some(alive)).toBe(false);

    const other = new Runner({ idleMs: 60_000 });
    await other.query(B, ['link', 'show']);
    await other.query(null, ['netns', 'list']);
    await other.query(B, ['fdb', 'show'], 'bridge');
    const live = other.workerPids();
    expect(live).toHaveLength(3);
    await other.close();
    expect(live.some(alive)).toBe(false);
    await quick.close();
  });
});
