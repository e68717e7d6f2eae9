import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exec } from '../../src/kernel/exec.js';
import { type LinkEvent, LinkMonitor, parseMonitorLine } from '../../src/kernel/monitor.js';
import { type BatchLine, Runner } from '../../src/kernel/runner.js';
import { until } from '../until.js';
import { alive, cleanup, leftovers, testLab } from './helpers.js';

const lab = testLab('mon');
const A = `nc-${lab}.a`;
const B = `nc-${lab}.b`;

describe('link monitor', () => {
  const runner = new Runner({ idleMs: 30_000 });
  const events: LinkEvent[] = [];
  const mine = (n: string) => n === A || n === B;
  const monitor = new LinkMonitor({ onEvent: (e) => events.push(e), filter: mine });

  beforeAll(async () => {
    await cleanup(lab);
    await monitor.start(); // before the namespaces exist: their nsids are learnt on the fly
    const lines: BatchLine[] = [
      { netns: null, args: ['netns', 'add', A] },
      { netns: null, args: ['netns', 'add', B] },
      { netns: null, args: ['netns', 'set', A, 'auto'] },
      { netns: null, args: ['netns', 'set', B, 'auto'] },
      {
        netns: A,
        args: ['link', 'add', 'name', 'b', 'type', 'veth', 'peer', 'name', 'a', 'netns', B],
      },
      { netns: A, args: ['link', 'set', 'dev', 'b', 'up'] },
      { netns: B, args: ['link', 'set', 'dev', 'a', 'up'] },
    ];
    expect(await runner.run(lines)).toMatchObject({ ok: true });
  });

  afterAll(async () => {
    const pid = monitor.pid;
    await monitor.close();
    if (pid) expect(alive(pid)).toBe(false);
    await runner.close();
    await cleanup(lab);
    expect(await leftovers(lab)).toEqual([]);
  });

  it('sees a link set down by someone else within a second, with both ends’ states', async () => {
    await waitFor(
      () => events.some((e) => e.netns === B && e.ifname === 'a' && e.up && e.operstate === 'UP'),
      2000,
    );
    events.length = 0;
    const t0 = performance.now();
    await exec(['ip', '-n', A, 'link', 'set', 'dev', 'b', 'down']);
    await waitFor(() => events.some((e) => e.netns === A && e.ifname === 'b' && !e.up), 1000);
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(1000);
    // the peer stays administratively up but loses its carrier: the canvas can colour the far end too.
    // The kernel's linkwatch batches carrier changes (at most one run a second), so this one may
    // trail the administrative event by up to a second, more on a loaded machine.
    await waitFor(
      () => events.some((e) => e.netns === B && e.ifname === 'a' && e.up && e.operstate !== 'UP'),
      3000,
    );
  });

  it('reports deletions', async () => {
    events.length = 0;
    await exec(['ip', '-n', B, 'link', 'del', 'dev', 'a']);
    await waitFor(() => events.some((e) => e.netns === B && e.ifname === 'a' && e.deleted), 1000);
  });

  it('parses the one-line form of iproute2 6.1', () => {
    expect(
      parseMonitorLine(
        '[nsid 3]7: eth0@if8: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state LOWERLAYERDOWN group default \\    link/ether 5a:a1',
      ),
    ).toEqual({ nsid: 3, ifname: 'eth0', up: true, operstate: 'LOWERLAYERDOWN', deleted: false });
    expect(parseMonitorLine('2: eth0: <BROADCAST> mtu 1500 state DOWN')).toBeNull(); // root namespace: ignored
  });
});

const waitFor = (cond: () => boolean, ms: number) => until(cond, 'the monitor event', ms);

describe('link monitor with many namespaces', () => {
  const crowd = testLab('crowd');
  const names = Array.from({ length: 150 }, (_, i) => `nc-${crowd}.n${i}`);
  const last = names[names.length - 1]!;

  afterAll(async () => {
    await cleanup(crowd);
    expect(await leftovers(crowd)).toEqual([]);
  });

  it('still names the namespace after 150 others have ids (list-id stops at the first batch)', async () => {
    await cleanup(crowd);
    const runner = new Runner();
    const events: LinkEvent[] = [];
    const monitor = new LinkMonitor({ onEvent: (e) => events.push(e), filter: (n) => n === last });
    try {
      await monitor.start();
      const lines: BatchLine[] = names.flatMap((n) => [
        { netns: null, args: ['netns', 'add', n] },
        { netns: null, args: ['netns', 'set', n, 'auto'], stage: 'nsid' },
      ]);
      // netns add for all, then ids for all, then one veth in the last one.
      lines.sort((a, b) => (a.stage ? 1 : 0) - (b.stage ? 1 : 0));
      lines.push({
        netns: last,
        args: ['link', 'add', 'name', 'x', 'type', 'veth', 'peer', 'name', 'y'],
      });
      expect(await runner.run(lines)).toMatchObject({ ok: true });
      await exec(['ip', '-n', last, 'link', 'set', 'dev', 'x', 'up']);
      await waitFor(() => events.some((e) => e.netns === last && e.ifname === 'x' && e.up), 3000);
    } finally {
      await monitor.close();
      await runner.close();
    }
  });
});
