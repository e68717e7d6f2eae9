import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCounters } from '../../src/kernel/counters.js';
import { deleteNetns, labNetns, listLabs } from '../../src/kernel/netns.js';
import { observe } from '../../src/kernel/observe.js';
import { type BatchLine, Runner } from '../../src/kernel/runner.js';
import { cleanup, leftovers, ping, testLab } from './helpers.js';

const lab = testLab('obs');
const F = `nc-${lab}`;
const R1 = `nc-${lab}.r1`;
const R2 = `nc-${lab}.r2`;
// A lab whose name starts with ours: observe(lab) must not see it.
const NEIGHBOUR = `nc-${lab}-vlan.c1`;

const L = (netns: string | null, stage: string, ...args: string[]): BatchLine => ({
  netns,
  args,
  stage,
});

describe('observe and counters on a small real lab', () => {
  const runner = new Runner({ idleMs: 30_000 });

  beforeAll(async () => {
    await cleanup(lab);
    const res = await runner.run([
      L(null, 'netns.add', 'netns', 'add', F),
      L(null, 'netns.add', 'netns', 'add', R1),
      L(null, 'netns.add', 'netns', 'add', R2),
      L(null, 'netns.add', 'netns', 'add', NEIGHBOUR),
      L(
        null,
        'sysctl',
        'netns',
        'exec',
        R1,
        'sysctl',
        '-q',
        '-w',
        'net.ipv4.ip_forward=1',
        'net.ipv4.conf.all.rp_filter=0',
      ),
      L(null, 'sysctl', 'netns', 'exec', R2, 'sysctl', '-q', '-w', 'net.ipv4.conf.all.rp_filter=2'),
      L(F, 'bridge.add', 'link', 'add', 'name', 'public', 'type', 'bridge'),
      L(
        F,
        'veth.add',
        'link',
        'add',
        'name',
        'r1-public',
        'type',
        'veth',
        'peer',
        'name',
        'public',
        'netns',
        R1,
      ),
      L(
        F,
        'veth.add',
        'link',
        'add',
        'name',
        'r2-public',
        'type',
        'veth',
        'peer',
        'name',
        'public',
        'netns',
        R2,
      ),
      L(
        R1,
        'vxlan.add',
        'link',
        'add',
        'name',
        'tun',
        'type',
        'vxlan',
        'id',
        '42',
        'dstport',
        '4789',
        'local',
        '172.16.0.1',
        'dev',
        'public',
      ),
      L(
        R2,
        'vxlan.add',
        'link',
        'add',
        'name',
        'tun',
        'type',
        'vxlan',
        'id',
        '42',
        'dstport',
        '4789',
        'local',
        '172.16.0.2',
        'dev',
        'public',
      ),
      L(F, 'link.master', 'link', 'set', 'dev', 'r1-public', 'master', 'public'),
      L(F, 'link.master', 'link', 'set', 'dev', 'r2-public', 'master', 'public'),
      L(R1, 'addr.add', 'address', 'add', '172.16.0.1/24', 'dev', 'public'),
      L(R2, 'addr.add', 'address', 'add', '172.16.0.2/24', 'dev', 'public'),
      L(R1, 'addr.add', 'address', 'add', '10.42.0.1/24', 'dev', 'tun'),
      L(R2, 'addr.add', 'address', 'add', '10.42.0.2/24', 'dev', 'tun'),
      ...[F].flatMap((n) =>
        ['public', 'r1-public', 'r2-public'].map((d) =>
          L(n, 'link.state', 'link', 'set', 'dev', d, 'up'),
        ),
      ),
      ...[R1, R2].flatMap((n) =>
        ['public', 'tun'].map((d) => L(n, 'link.state', 'link', 'set', 'dev', d, 'up')),
      ),
      {
        tool: 'bridge',
        ...L(
          R1,
          'fdb.append',
          'fdb',
          'append',
          '00:00:00:00:00:00',
          'dev',
          'tun',
          'dst',
          '172.16.0.2',
        ),
      },
      {
        tool: 'bridge',
        ...L(
          R2,
          'fdb.append',
          'fdb',
          'append',
          '00:00:00:00:00:00',
          'dev',
          'tun',
          'dst',
          '172.16.0.1',
        ),
      },
      L(R1, 'route.add', 'route', 'add', '10.9.0.0/16', 'via', '10.42.0.2', 'dev', 'tun'),
      L(R2, 'route.add', 'route', 'add', 'default', 'via', '10.42.0.1', 'dev', 'tun'),
    ]);
    expect(res).toMatchObject({ ok: true });
  });

  afterAll(async () => {
    await runner.close();
    await cleanup(lab);
    expect(await leftovers(lab)).toEqual([]);
  });

  it('lists the lab by its own namespaces only', async () => {
    expect(await labNetns(lab)).toEqual([F, R1, R2].sort());
    const labs = await listLabs();
    expect(labs).toContain(lab);
    expect(labs).toContain(`${lab}-vlan`);
  });

  it('reads back names, addresses, masters, vxlan parameters, routes, fdb and sysctls', async () => {
    const s = await observe(lab, runner);
    expect(s.lab).toBe(lab);
    expect(s.netns).toEqual([F, R1, R2].sort());
    expect(s.interfaces.some((i) => i.netns === NEIGHBOUR)).toBe(false);

    const iface = (netns: string, name: string) =>
      s.interfaces.find((i) => i.netns === netns && i.name === name);
    expect(s.interfaces.some((i) => i.name === 'lo')).toBe(false);
    expect(iface(F, 'public')).toMatchObject({ kind: 'bridge', up: true, master: null });
    expect(iface(F, 'r1-public')).toMatchObject({ kind: 'veth', master: 'public', up: true });
    expect(iface(R1, 'public')).toMatchObject({
      kind: 'veth',
      addresses: ['172.16.0.1/24'],
      up: true,
      operstate: 'UP',
    });
    expect(iface(R1, 'public')?.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(iface(R1, 'tun')).toMatchObject({
      kind: 'vxlan',
      addresses: ['10.42.0.1/24'],
      vxlan: { vni: 42, port: 4789, local: '172.16.0.1', underlayDev: 'public' },
    });
    expect(iface(R2, 'tun')?.mtu).toBe(1450);

    expect(s.routes.filter((r) => r.netns === R1)).toEqual([
      { netns: R1, to: '10.9.0.0/16', via: '10.42.0.2', dev: 'tun' },
    ]);
    expect(s.routes.filter((r) => r.netns === R2)).toEqual([
      { netns: R2, to: 'default', via: '10.42.0.1', dev: 'tun' },
    ]);
    expect(s.fdb.sort((a, b) => a.netns.localeCompare(b.netns))).toEqual([
      { netns: R1, dev: 'tun', mac: '00:00:00:00:00:00', dst: '172.16.0.2' },
      { netns: R2, dev: 'tun', mac: '00:00:00:00:00:00', dst: '172.16.0.1' },
    ]);
    const sysctl = (netns: string, key: string) =>
      s.sysctls.find((x) => x.netns === netns && x.key === key)?.value;
    expect(sysctl(R1, 'net.ipv4.ip_forward')).toBe('1');
    expect(sysctl(R2, 'net.ipv4.ip_forward')).toBe('0');
    expect(sysctl(R1, 'net.ipv4.conf.all.rp_filter')).toBe('0');
    expect(sysctl(R2, 'net.ipv4.conf.all.rp_filter')).toBe('2');
  });

  it('counts traffic: counters grow after pings through the tunnel', async () => {
    const before = await readCounters([R1, R2], runner);
    const tunBefore = before.find((c) => c.netns === R1 && c.ifname === 'tun');
    expect(tunBefore).toBeDefined();
    expect(await ping(R1, '10.42.0.2')).toBe(true);
    const after = await readCounters([R1, R2], runner);
    const tunAfter = after.find((c) => c.netns === R1 && c.ifname === 'tun')!;
    const underAfter = after.find((c) => c.netns === R2 && c.ifname === 'public')!;
    const underBefore = before.find((c) => c.netns === R2 && c.ifname === 'public')!;
    expect(tunAfter.txPackets).toBeGreaterThan(tunBefore!.txPackets);
    expect(tunAfter.rxPackets).toBeGreaterThan(tunBefore!.rxPackets);
    expect(underAfter.rxBytes).toBeGreaterThan(underBefore.rxBytes);
    // the tunnel has now learnt the peer's MAC; observe still reports only the configured flood entries
    expect((await observe(lab, runner)).fdb.map((f) => f.mac)).toEqual([
      '00:00:00:00:00:00',
      '00:00:00:00:00:00',
    ]);
  });

  it('an absent lab observes as empty', async () => {
    const s = await observe(`${lab}-none`, runner);
    expect(s).toEqual({
      lab: `${lab}-none`,
      netns: [],
      interfaces: [],
      routes: [],
      fdb: [],
      sysctls: [],
    });
  });

  it('deleting the namespaces removes the lab from the kernel view', async () => {
    const del = await deleteNetns([F, R1, R2, NEIGHBOUR], runner);
    expect(del.failed).toEqual([]);
    expect((await observe(lab, runner)).netns).toEqual([]);
    expect(await listLabs()).not.toContain(lab);
  });
});
