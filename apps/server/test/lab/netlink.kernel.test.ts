/**
 * The netlink helper behind the kernel port: without python3 or pyroute2 the
 * port falls back to the `ip -batch` runner (the lab still goes up and
 * down), and the helper, root, refuses an op outside render.ts's rules
 * before anything runs.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Op } from '@netcanvas/shared';
import { expect, it } from 'vitest';
import { HELPER_SCRIPT, NetlinkEngine, PYTHON } from '../../src/kernel/netlink.js';
import { LabEngine, LabState } from '../../src/lab/index.js';
import { createKernelPort } from '../../src/lab/kernel-port.js';
import { labName, netnsOf, scenario } from './helpers.js';

async function upAndDown(netlink: NetlinkEngine) {
  const lab = labName('fb');
  const stateDir = mkdtempSync(join(tmpdir(), 'nc-fallback-'));
  const engine = new LabEngine(createKernelPort(undefined, { netlink }), new LabState(stateDir));
  try {
    const result = await engine.apply(scenario('inter-vlan', lab));
    expect(result.failure?.kernelMessage).toBeUndefined();
    expect(result.ok).toBe(true);
    expect((await engine.status(lab)).state).toBe('running');
    const ping = await engine.ping(scenario('inter-vlan', lab), 'c1', 'c2');
    expect([ping.reachable, ping.measured]).toEqual([true, true]);
  } finally {
    await engine.destroy(lab);
    rmSync(stateDir, { recursive: true, force: true });
  }
  expect(netnsOf(lab)).toEqual([]);
}

it('without python3 the lab goes up and down on the ip -batch runner', async () => {
  const netlink = new NetlinkEngine({ python: '/nonexistent/python3' });
  await upAndDown(netlink);
  expect(netlink.unavailable()).toMatch(/nonexistent\/python3 is not installed/);
  expect(netlink.pids()).toEqual([]);
});

it('without pyroute2 (the helper says so at start) the lab goes up and down on the ip -batch runner', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nc-no-pyroute2-'));
  try {
    // What netlink-helper.py prints when its import of pyroute2 fails.
    const script = join(dir, 'helper.py');
    writeFileSync(
      script,
      'import sys\nsys.stdout.write(\'{"fatal": "pyroute2 is not available: No module named pyroute2"}\\n\')\nsys.exit(3)\n',
    );
    chmodSync(script, 0o644);
    const netlink = new NetlinkEngine({ script });
    await upAndDown(netlink);
    expect(netlink.unavailable()).toMatch(/pyroute2 is not available/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('the helper, root, starts no other program: none is looked up on PATH while it imports pyroute2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nc-helper-path-'));
  try {
    // Programs pyroute2's import would run (platform's probes: `uname -p`, `file -b`), each
    // leaving a mark if started.
    for (const name of ['uname', 'file']) {
      const bin = join(dir, name);
      writeFileSync(bin, `#!/bin/sh\ntouch ${join(dir, `ran-${name}`)}\n`);
      chmodSync(bin, 0o755);
    }
    const out = execFileSync(PYTHON, ['-I', HELPER_SCRIPT], {
      input: '',
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` },
    });
    expect(JSON.parse(out.split('\n')[0]!)).toMatchObject({ ready: true });
    expect(readdirSync(dir).filter((f) => f.startsWith('ran-'))).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('the helper refuses an op outside the rules before running anything', async () => {
  const netlink = new NetlinkEngine();
  const lab = labName('rf');
  try {
    const ops = [
      { op: 'netns.add', netns: `nc-${lab}`, source: [], why: 'a fine one' },
      { op: 'netns.add', netns: '../../etc/x', source: [], why: 'a path, not a name' },
    ] as unknown as Op[];
    const res = await netlink.run(ops);
    expect(res.ok).toBe(false);
    expect(res.failed?.message).toMatch(/refused before running anything: op 1/);
    expect(res.outcomes).toEqual(['failed', 'skipped']);
    expect(netnsOf(lab)).toEqual([]);
  } finally {
    await netlink.close();
  }
});

/** Every device of the lab's namespaces but one (`ip -n NS link`), as NS/name. */
function devicesBeside(lab: string, except: string): string[] {
  return netnsOf(lab)
    .filter((ns) => ns !== except)
    .flatMap((ns) => {
      const out = execFileSync('ip', ['-n', ns, '-j', 'link', 'show'], { encoding: 'utf8' });
      return (JSON.parse(out) as { ifname: string }[]).map((l) => `${ns}/${l.ifname}`);
    })
    .sort();
}

it('the helper keeps its sockets warm, but never a namespace someone deleted or made again by hand', async () => {
  const netlink = new NetlinkEngine();
  const lab = labName('warm');
  const stateDir = mkdtempSync(join(tmpdir(), 'nc-warm-'));
  const engine = new LabEngine(createKernelPort(undefined, { netlink }), new LabState(stateDir));
  try {
    const design = scenario('inter-vlan', lab);
    expect((await engine.apply(design)).ok).toBe(true);
    expect((await engine.status(lab)).state).toBe('running'); // both helper processes read c1
    const c1 = `nc-${lab}.c1`;
    const before = devicesBeside(lab, c1);

    // Deleted by hand: the namespace really goes (its veth's other end goes with it), though
    // the helper held a socket inside it.
    execFileSync('ip', ['netns', 'del', c1]);
    const deadline = Date.now() + 10_000;
    while (devicesBeside(lab, c1).length >= before.length && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(devicesBeside(lab, c1).length).toBeLessThan(before.length);
    expect((await engine.status(lab)).elements.c1?.state).toBe('missing');

    // Made again by hand under the same name, empty: apply builds the new one, not the old.
    execFileSync('ip', ['netns', 'add', c1]);
    const again = await engine.apply(design);
    expect(again.failure?.kernelMessage).toBeUndefined();
    expect(again.ok).toBe(true);
    expect((await engine.status(lab)).state).toBe('running');
    expect(devicesBeside(lab, c1)).toEqual(before);
    const ping = await engine.ping(design, 'c1', 'c2');
    expect([ping.reachable, ping.measured]).toEqual([true, true]);
  } finally {
    await engine.destroy(lab);
    await netlink.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
  expect(netnsOf(lab)).toEqual([]);
});

it('a reading of named namespaces (a verification) leaves out the gone ones and says which are half-made, as a full reading does', async () => {
  const netlink = new NetlinkEngine();
  const lab = labName('named');
  const stateDir = mkdtempSync(join(tmpdir(), 'nc-named-'));
  const engine = new LabEngine(createKernelPort(undefined, { netlink }), new LabState(stateDir));
  try {
    expect((await engine.apply(scenario('inter-vlan', lab))).ok).toBe(true);
    const [c1, c2, r1] = ['c1', 'c2', 'r1'].map((n) => `nc-${lab}.${n}`) as [
      string,
      string,
      string,
    ];
    execFileSync('ip', ['netns', 'del', c2]);
    // What an `ip netns add` killed between its two steps leaves: the name, nothing mounted.
    writeFileSync(`/run/netns/${c2}`, '');
    const gone = `nc-${lab}.c9`;
    const full = await netlink.observe(lab);
    const named = await netlink.observe(lab, [r1, c2, gone, c1, `nc-other.c1`]);
    expect(named.netns).toEqual([c1, r1]);
    expect(named.halfMade).toEqual([c2]);
    expect(full.halfMade).toEqual([c2]);
    const of = (o: typeof full, ns: string) => o.interfaces.filter((i) => i.netns === ns);
    expect(of(named, c1)).toEqual(of(full, c1));
    expect(named.routes).toEqual(full.routes.filter((r) => r.netns === c1 || r.netns === r1));
  } finally {
    await engine.destroy(lab);
    await netlink.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
  expect(netnsOf(lab)).toEqual([]);
});

it('a long run of namespaces made and their addresses, shared by the two helpers, reports the namespace that failed and exactly what ran', async () => {
  const netlink = new NetlinkEngine();
  const lab = labName('shn');
  const names = Array.from({ length: 100 }, (_, n) => `nc-${lab}.n${n}`);
  try {
    // One name is taken already (made by hand): its namespace cannot be made.
    execFileSync('ip', ['netns', 'add', names[37]!]);
    // Both helpers running, as in a server: the reader reads, the writer is kept for the run.
    await netlink.observe(lab);
    (await netlink.reserve())();
    expect(netlink.pids()).toHaveLength(2);
    const ops = longRun(lab, 100, 4);
    const res = await netlink.run(ops);
    expect(res.ok).toBe(false);
    expect(res.failed?.index).toBe(37);
    expect(res.failed?.message).toMatch(/Cannot create namespace file .*n37.*File exists/);
    expect(res.done).toBe(res.outcomes.filter((o) => o === 'ok').length);
    // Every namespace reported as made is there, and no other (the taken one was there before).
    const made = names.filter((_, i) => res.outcomes[i] === 'ok');
    expect(
      netnsOf(lab)
        .filter((n) => n !== names[37])
        .sort(),
    ).toEqual([...made].sort());
    // Every address reported as added is on its namespace's lo, and no other; none in the
    // namespace that failed (the process it was in stopped there).
    for (const netns of made) {
      expectLoAsReported(ops, res.outcomes, netns);
    }
    expect(ops.some((o, i) => o.netns === names[37] && i > 37 && res.outcomes[i] === 'ok')).toBe(
      false,
    );
    // The other helper made its share, past the failure's place in plan order.
    expect(made.some((n) => names.indexOf(n) > 37)).toBe(true);
  } finally {
    await netlink.deleteNetns(netnsOf(lab));
    await netlink.close();
  }
  expect(netnsOf(lab)).toEqual([]);
});

/** A long run: `count` namespaces `nc-<lab>.n<i>`, then `addresses` addresses on each one's lo
 * (a segment both helpers share). */
function longRun(lab: string, count = 40, addresses = 10): Op[] {
  const names = Array.from({ length: count }, (_, n) => `nc-${lab}.n${n}`);
  const ops: Op[] = names.map((netns) => ({ op: 'netns.add', netns, source: [], why: 'test' }));
  for (const [n, netns] of names.entries())
    for (let k = 0; k < addresses; k++)
      ops.push({
        op: 'addr.add',
        netns,
        dev: 'lo',
        address: `10.${n}.${k}.1/32`,
        source: [`n${n}`],
        why: 'test',
      } as Op);
  return ops;
}

/** A namespace's lo holds exactly the addresses the run reported as added there. */
function expectLoAsReported(ops: Op[], outcomes: readonly string[], netns: string): void {
  const reported = ops
    .flatMap((o, i) =>
      o.netns === netns && o.op === 'addr.add' && outcomes[i] === 'ok'
        ? [(o as { address: string }).address]
        : [],
    )
    .sort();
  expect(loAddresses(netns).sort(), netns).toEqual(reported);
}

/** The addresses on lo of a namespace, as the kernel lists them. */
function loAddresses(netns: string): string[] {
  const out = execFileSync('ip', ['-n', netns, '-j', '-4', 'addr', 'show', 'dev', 'lo'], {
    encoding: 'utf8',
  });
  return (JSON.parse(out) as { addr_info: { local: string; prefixlen: number }[] }[])
    .flatMap((l) => l.addr_info.map((a) => `${a.local}/${a.prefixlen}`))
    .filter((a) => a !== '127.0.0.1/8');
}

it('a long run the two helpers share is refused whole for one bad op, before anything runs', async () => {
  const netlink = new NetlinkEngine();
  const lab = labName('shr');
  try {
    const ops = longRun(lab);
    ops.push({ op: 'addr.add', netns: `nc-${lab}.n3`, dev: 'lo', address: '10.0.0.1/33' } as Op);
    const res = await netlink.run(ops);
    expect(res.ok).toBe(false);
    expect(res.failed?.message).toMatch(/refused before running anything: op 440/);
    expect(res.outcomes.filter((o) => o !== 'skipped')).toEqual(['failed']);
    expect(netnsOf(lab)).toEqual([]);
  } finally {
    await netlink.close();
  }
});

it('a long run the two helpers share reports its first failure and exactly what ran', async () => {
  const netlink = new NetlinkEngine();
  const lab = labName('shf');
  try {
    const ops = longRun(lab);
    // The kernel refuses one address of one namespace, halfway through its ops.
    const bad = ops.findIndex((o) => o.op === 'addr.add' && o.netns === `nc-${lab}.n7`) + 5;
    ops[bad] = { ...ops[bad]!, dev: 'nosuch' } as Op;
    const res = await netlink.run(ops);
    expect(res.ok).toBe(false);
    expect(res.failed?.index).toBe(bad);
    expect(res.failed?.message).toMatch(/Cannot find device "nosuch"/);
    expect(res.outcomes[bad]).toBe('failed');
    // Every op reported as run is in the kernel, and no other: the failing namespace's ops
    // after the failure did not run.
    for (let n = 0; n < 40; n++) {
      const netns = `nc-${lab}.n${n}`;
      expectLoAsReported(ops, res.outcomes, netns);
    }
    const after = ops.slice(bad + 1).filter((o) => o.netns === `nc-${lab}.n7`);
    expect(after.length).toBeGreaterThan(0);
    expect(res.outcomes.slice(bad + 1, bad + 1 + after.length).every((o) => o === 'skipped')).toBe(
      true,
    );
    expect(res.done).toBe(res.outcomes.filter((o) => o === 'ok').length);
    // Both processes ran ops: each holds sockets inside namespaces of its share (beyond its
    // three stdio sockets and its root socket; about 20 namespaces each).
    const sockets = (pid: number) =>
      readdirSync(`/proc/${pid}/fd`).filter((f) => {
        try {
          return readlinkSync(`/proc/${pid}/fd/${f}`).startsWith('socket:');
        } catch {
          return false;
        }
      }).length;
    expect(netlink.pids()).toHaveLength(2);
    for (const pid of netlink.pids()) expect(sockets(pid)).toBeGreaterThan(8);
  } finally {
    await netlink.deleteNetns(netnsOf(lab));
    await netlink.close();
  }
  expect(netnsOf(lab)).toEqual([]);
});
