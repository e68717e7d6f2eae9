/**
 * The live poll's fast path on a real lab (same-vlan scenario under a lab
 * name of its own, removed at the end): counters read from /proc equal the
 * `-s link show` listing, and the kernel sources report a link cut from
 * outside through the monitor's events, not a stale cached state. Needs root.
 */
import { execFileSync } from 'node:child_process';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNetDev, readCounters, readTraffic } from '../../src/kernel/counters.js';
import { sharedRunner } from '../../src/kernel/observe.js';
import { createKernelSources } from '../../src/live/kernel-sources.js';
import type { InterfaceObservation } from '../../src/live/sources.js';
import { scenario, type TestLab, testLab } from '../lab/helpers.js';
import { until, untilAsync } from '../until.js';

describe('parseNetDev', () => {
  it('reads names and 64-bit counters, skips lo and headers', () => {
    const text = [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      '    lo:     100       2    0    0    0     0          0         0      100       2    0    0    0     0       0          0',
      'vlan10: 9007199254740000 7 0 0 0 0 0 0 1500 3 0 0 0 0 0 0',
    ].join('\n');
    expect(parseNetDev('nc-x.c1', text)).toEqual([
      {
        netns: 'nc-x.c1',
        ifname: 'vlan10',
        rxBytes: 9007199254740000,
        rxPackets: 7,
        txBytes: 1500,
        txPackets: 3,
      },
    ]);
  });

  it('reads a counter with no space after the colon and a 15-character name; skips a short line', () => {
    const text = [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      'eth0:123456789    5    0    0    0     0          0         0      100       2    0    0    0     0       0          0',
      'veth-15-chars-x:       1       2    0    0    0     0          0         0        3       4    0    0    0     0       0          0',
      'cut:       1       2    0    0',
    ].join('\n');
    expect(parseNetDev('nc-x.c1', text)).toEqual([
      {
        netns: 'nc-x.c1',
        ifname: 'eth0',
        rxBytes: 123456789,
        rxPackets: 5,
        txBytes: 100,
        txPackets: 2,
      },
      {
        netns: 'nc-x.c1',
        ifname: 'veth-15-chars-x',
        rxBytes: 1,
        rxPackets: 2,
        txBytes: 3,
        txPackets: 4,
      },
    ]);
  });
});

describe('counters and state of a running lab', { timeout: 90_000 }, () => {
  let t: TestLab;
  let c1 = '';
  beforeAll(async () => {
    t = testLab('traffic');
    const r = await t.engine.apply(scenario('same-vlan', t.lab));
    expect(r.ok, JSON.stringify(r)).toBe(true);
    c1 = `nc-${t.lab}.c1`;
  }, 60_000);
  afterAll(async () => {
    await t?.cleanup();
  });

  it('/proc counters match the listing, and grow with traffic', async () => {
    const runner = sharedRunner();
    const listed = await readCounters([c1], runner);
    const fast = (await readTraffic([c1], runner)).get(c1);
    expect(fast).not.toBeNull();
    expect(fast!.map((r) => r.ifname).sort()).toEqual(listed.map((r) => r.ifname).sort());
    for (const l of listed) {
      const f = fast!.find((r) => r.ifname === l.ifname)!;
      expect(f.rxPackets).toBeGreaterThanOrEqual(l.rxPackets);
      expect(f.txPackets).toBeGreaterThanOrEqual(l.txPackets);
    }
    const addrs = JSON.parse(
      execFileSync('ip', ['-n', `nc-${t.lab}.c2`, '-j', '-4', 'addr', 'show'], {
        encoding: 'utf8',
      }),
    ) as { ifname: string; addr_info: { local: string }[] }[];
    const target = addrs.find((a) => a.ifname !== 'lo')!.addr_info[0]!.local;
    const before = fast!.reduce((n, r) => n + r.txPackets, 0);
    execFileSync('ip', ['netns', 'exec', c1, 'ping', '-c', '3', '-i', '0.2', '-W', '1', target], {
      stdio: 'ignore',
    });
    const after = (await readTraffic([c1], runner)).get(c1)!;
    expect(after.reduce((n, r) => n + r.txPackets, 0)).toBeGreaterThanOrEqual(before + 3);
    expect((await readTraffic([`nc-${t.lab}-none`], runner)).size).toBe(0);
  });

  it('a link cut from outside shows in the next sample through the monitor', async () => {
    const sources = createKernelSources({
      logger: pino({ level: 'silent' }),
      runner: sharedRunner(),
    });
    const events: InterfaceObservation[] = [];
    const stop = sources.watchLinks!((o) => events.push(o));
    try {
      // The monitor is live once it reports a change: a probe veth goes up and down until an event of it arrives.
      execFileSync('ip', [
        '-n',
        c1,
        'link',
        'add',
        'name',
        'probe',
        'type',
        'veth',
        'peer',
        'name',
        'probe-p',
      ]);
      let up = false;
      await untilAsync(async () => {
        up = !up;
        execFileSync('ip', ['-n', c1, 'link', 'set', 'dev', 'probe', up ? 'up' : 'down']);
        return events.some((e) => e.netns === c1 && e.dev === 'probe');
      }, 'the monitor live');
      execFileSync('ip', ['-n', c1, 'link', 'del', 'dev', 'probe']);
      const dev = (await sources.sample([c1]))[0]!;
      expect(dev.up).toBe(true);
      await sources.sample([c1]); // now from /proc with cached state
      execFileSync('ip', ['-n', c1, 'link', 'set', 'dev', dev.dev, 'down']);
      await until(
        () => events.some((e) => e.netns === c1 && e.dev === dev.dev && !e.up),
        'the down event',
      );
      const after = (await sources.sample([c1])).find((s) => s.dev === dev.dev)!;
      expect(after.up).toBe(false);
      execFileSync('ip', ['-n', c1, 'link', 'set', 'dev', dev.dev, 'up']);
    } finally {
      stop();
      await sources.close?.();
    }
  });
});
