import { describe, expect, it } from 'vitest';
import type { Diagnostic, Topology } from '../src/model.js';
import { hintsFrom, resolve } from '../src/resolve.js';
import { interVlan, makeDesign, sameVlan, vxlan } from './helpers/designs.js';

const addressOf = (t: Topology, key: string) => t.interfaces.find((i) => i.key === key)?.address;
const ifaceOf = (t: Topology, key: string) => {
  const found = t.interfaces.find((i) => i.key === key);
  if (!found) throw new Error(`no interface ${key}; have ${t.interfaces.map((i) => i.key).join(' ')}`);
  return found;
};
const routesOf = (t: Topology, node: string) =>
  t.routes.filter((r) => r.node === node).map((r) => `${r.to} via ${r.via} dev ${r.dev}`);
const withCode = (diagnostics: Diagnostic[], code: string) => diagnostics.filter((d) => d.code === code);

describe('scenario same-vlan', () => {
  const { topology: t, diagnostics } = resolve(sameVlan());

  it('creates the fabric and one namespace per element, forwarding nowhere', () => {
    expect(t.netns.map((n) => n.name)).toEqual([
      'nc-same-vlan',
      'nc-same-vlan.c1',
      'nc-same-vlan.c2',
      'nc-same-vlan.node-a',
      'nc-same-vlan.node-b',
    ]);
    expect(t.netns.find((n) => n.node === null)?.role).toBe('fabric');
    expect(t.netns.every((n) => !n.forwarding)).toBe(true);
  });

  it('puts both containers and both hosts in vlan10’s subnet', () => {
    expect(addressOf(t, 'nc-same-vlan.c1/eth0')).toBe('10.0.10.1/24');
    expect(addressOf(t, 'nc-same-vlan.c2/eth0')).toBe('10.0.10.2/24');
    expect(addressOf(t, 'nc-same-vlan.node-a/br0')).toBe('10.0.10.3/24');
    expect(addressOf(t, 'nc-same-vlan.node-b/br0')).toBe('10.0.10.4/24');
    expect(t.domains).toEqual([
      { id: 'vlan10', kind: 'vlan', element: 'vlan10', subnet: '10.0.10.0/24', gateway: null, transit: true, vid: 10 },
    ]);
  });

  it('bridges the uplink and the container port into the host’s br0, and the host into the vlan bridge', () => {
    const uplink = ifaceOf(t, 'nc-same-vlan.node-a/vlan10');
    expect(uplink).toMatchObject({ kind: 'veth', master: 'br0', address: null, peer: { netns: 'nc-same-vlan', name: 'node-a-vlan10' } });
    expect(ifaceOf(t, 'nc-same-vlan/node-a-vlan10')).toMatchObject({ master: 'vlan10', node: 'vlan10', towards: 'node-a' });
    expect(ifaceOf(t, 'nc-same-vlan.node-a/c1')).toMatchObject({ master: 'br0', peer: { netns: 'nc-same-vlan.c1', name: 'eth0' } });
    expect(ifaceOf(t, 'nc-same-vlan.c1/eth0')).toMatchObject({ link: 'c1', towards: 'node-a', domain: 'vlan10' });
  });

  it('installs no routes and explains why there is no gateway', () => {
    expect(t.routes).toEqual([]);
    const [info] = withCode(diagnostics, 'no-gateway');
    expect(info?.severity).toBe('info');
    expect(info?.message).toContain('vlan10, which has no router');
    expect(info?.elements).toEqual(expect.arrayContaining(['vlan10', 'c1', 'c2']));
  });

  it('lists every host and container as a pingable endpoint', () => {
    expect(t.endpoints).toEqual([
      { node: 'c1', netns: 'nc-same-vlan.c1', address: '10.0.10.1' },
      { node: 'c2', netns: 'nc-same-vlan.c2', address: '10.0.10.2' },
      { node: 'node-a', netns: 'nc-same-vlan.node-a', address: '10.0.10.3' },
      { node: 'node-b', netns: 'nc-same-vlan.node-b', address: '10.0.10.4' },
    ]);
  });
});

describe('scenario inter-vlan', () => {
  const { topology: t, diagnostics } = resolve(interVlan());

  it('gives the router the first address of each vlan and makes it forward', () => {
    expect(addressOf(t, 'nc-inter-vlan.r1/vlan10')).toBe('10.0.10.1/24');
    expect(addressOf(t, 'nc-inter-vlan.r1/vlan20')).toBe('10.0.20.1/24');
    expect(t.netns.find((n) => n.node === 'r1')).toEqual({ name: 'nc-inter-vlan.r1', node: 'r1', role: 'router', forwarding: true });
    expect(t.domains.map((d) => [d.id, d.gateway])).toEqual([
      ['vlan10', { node: 'r1', address: '10.0.10.1' }],
      ['vlan20', { node: 'r1', address: '10.0.20.1' }],
    ]);
  });

  it('sends containers and hosts to r1 by default', () => {
    expect(routesOf(t, 'c1')).toEqual(['default via 10.0.10.1 dev eth0']);
    expect(routesOf(t, 'c2')).toEqual(['default via 10.0.20.1 dev eth0']);
    expect(routesOf(t, 'node-a')).toEqual(['default via 10.0.10.1 dev br0']);
    expect(t.routes.find((r) => r.node === 'c1')?.why).toBe("c1's default gateway is r1 (10.0.10.1) on vlan10");
  });

  it('needs no computed routes on a router attached to both vlans, and reports nothing', () => {
    expect(routesOf(t, 'r1')).toEqual([]);
    expect(diagnostics).toEqual([]);
  });
});

describe('scenario vxlan', () => {
  const { topology: t, diagnostics } = resolve(vxlan());

  it('addresses the tunnel and the public underlay, routers first', () => {
    expect(addressOf(t, 'nc-vxlan.r1/tun')).toBe('172.16.42.1/29');
    expect(addressOf(t, 'nc-vxlan.r2/tun')).toBe('172.16.42.2/29');
    expect(addressOf(t, 'nc-vxlan.r1/public')).toBe('203.0.113.1/24');
    expect(addressOf(t, 'nc-vxlan.r2/public')).toBe('203.0.113.2/24');
    expect(addressOf(t, 'nc-vxlan.c1/eth0')).toBe('10.0.10.2/24');
  });

  it('builds one vxlan device per member with the other member as remote', () => {
    expect(ifaceOf(t, 'nc-vxlan.r1/tun')).toMatchObject({
      kind: 'vxlan',
      domain: 'tun',
      vxlan: { vni: 42, port: 4789, local: '203.0.113.1', underlayDev: 'public', remotes: ['203.0.113.2'] },
    });
    expect(ifaceOf(t, 'nc-vxlan.r2/tun').vxlan).toEqual({
      vni: 42,
      port: 4789,
      local: '203.0.113.2',
      underlayDev: 'public',
      remotes: ['203.0.113.1'],
    });
  });

  it('routes each vlan through the tunnel, never across the public network', () => {
    expect(routesOf(t, 'r1')).toEqual(['10.0.20.0/24 via 172.16.42.2 dev tun']);
    expect(routesOf(t, 'r2')).toEqual(['10.0.10.0/24 via 172.16.42.1 dev tun']);
    expect(t.routes.find((r) => r.node === 'r1')?.why).toBe('10.0.20.0/24 (vlan20) via r2 over the tunnel tun');
    expect(routesOf(t, 'c1')).toEqual(['default via 10.0.10.1 dev eth0']);
    expect(routesOf(t, 'c2')).toEqual(['default via 10.0.20.1 dev eth0']);
    expect(t.domains.find((d) => d.id === 'public')?.transit).toBe(false);
    expect(t.domains.find((d) => d.id === 'tun')).toMatchObject({ kind: 'overlay', subnet: '172.16.42.0/29', transit: true });
  });

  it('reports nothing for the scenario as written', () => {
    expect(diagnostics).toEqual([]);
  });

  it('gives every route an explanation and creates bridges before what is enslaved to them', () => {
    expect(t.routes.every((r) => r.why.length > 0)).toBe(true);
    const position = new Map(t.interfaces.map((i, n) => [i.key, n]));
    for (const [n, iface] of t.interfaces.entries()) {
      if (iface.master !== null) expect(position.get(`${iface.netns}/${iface.master}`)).toBeLessThan(n);
      if (iface.vxlan) expect(position.get(`${iface.netns}/${iface.vxlan.underlayDev}`)).toBeLessThan(n);
      if (iface.peer) expect(ifaceOf(t, `${iface.peer.netns}/${iface.peer.name}`).peer).toEqual({ netns: iface.netns, name: iface.name });
    }
  });

  it('does not route over the underlay when the tunnel is down', () => {
    const design = vxlan();
    design.links[7] = { ...design.links[7]!, state: 'down' };
    const { topology } = resolve(design);
    expect(routesOf(topology, 'r1')).toEqual([]);
    expect(ifaceOf(topology, 'nc-vxlan.r2/tun').up).toBe(false);
  });

  it('still reaches the underlay subnet itself through a router attached to it', () => {
    const base = vxlan();
    const design = makeDesign('vxlan', { ...base.nodes, r3: { kind: 'router' } }, [...base.links, { endpoints: ['r3', 'vlan20'] }]);
    const { topology } = resolve(design);
    expect(routesOf(topology, 'r3')).toEqual([
      '203.0.113.0/24 via 10.0.20.1 dev vlan20',
      '172.16.42.0/29 via 10.0.20.1 dev vlan20',
      '10.0.10.0/24 via 10.0.20.1 dev vlan20',
    ]);
    expect(topology.routes.find((r) => r.node === 'r3' && r.to === '10.0.10.0/24')?.why).toBe(
      '10.0.10.0/24 (vlan10) via r2 on vlan20, 2 routers away',
    );
  });
});

describe('hosts in routed mode', () => {
  const design = makeDesign(
    'routed',
    {
      vlan10: { kind: 'vlan', vid: 10, subnet: '10.0.10.0/24' },
      r1: { kind: 'router' },
      r2: { kind: 'router' },
      'node-c': { kind: 'host', mode: 'routed', subnet: '172.17.1.0/24' },
      c3: { kind: 'namespace', host: 'node-c' },
      c4: { kind: 'namespace', host: 'node-c' },
    },
    [{ endpoints: ['node-c', 'vlan10'] }, { endpoints: ['r1', 'vlan10'] }, { endpoints: ['r1', 'r2'] }],
  );
  const { topology: t, diagnostics } = resolve(design);

  it('gives br0 the first address of the container subnet and the uplink its own address on the vlan', () => {
    expect(ifaceOf(t, 'nc-routed.node-c/br0')).toMatchObject({ address: '172.17.1.1/24', domain: 'node-c' });
    expect(ifaceOf(t, 'nc-routed.node-c/vlan10')).toMatchObject({ address: '10.0.10.2/24', master: null });
    expect(addressOf(t, 'nc-routed.c3/eth0')).toBe('172.17.1.2/24');
    expect(addressOf(t, 'nc-routed.c4/eth0')).toBe('172.17.1.3/24');
    expect(t.netns.find((n) => n.node === 'node-c')?.forwarding).toBe(true);
    expect(t.domains.find((d) => d.id === 'node-c')).toMatchObject({
      kind: 'hostnet',
      subnet: '172.17.1.0/24',
      gateway: { node: 'node-c', address: '172.17.1.1' },
    });
  });

  it('sends the containers to the host and the host to the vlan’s router', () => {
    expect(routesOf(t, 'c3')).toEqual(['default via 172.17.1.1 dev eth0']);
    expect(routesOf(t, 'node-c')).toEqual(['default via 10.0.10.1 dev vlan10']);
  });

  it('lets routers reach the container subnet through the host’s uplink address', () => {
    expect(routesOf(t, 'r1')).toEqual(['172.17.1.0/24 via 10.0.10.2 dev vlan10']);
    expect(t.routes.find((r) => r.node === 'r1')?.why).toBe("172.17.1.0/24 (node-c's containers) via node-c on vlan10");
    expect(routesOf(t, 'r2')).toEqual(['172.17.1.0/24 via 10.255.0.1 dev r1', '10.0.10.0/24 via 10.255.0.1 dev r1']);
    expect(diagnostics).toEqual([]);
  });
});

describe('point-to-point links', () => {
  const chain = (extra: Record<string, unknown> = {}) =>
    makeDesign(
      'p2p',
      { r1: { kind: 'router' }, r2: { kind: 'router' }, r3: { kind: 'router' }, n1: { kind: 'namespace' } },
      [{ endpoints: ['r1', 'r2'] }, { endpoints: ['r2', 'r3'] }, { endpoints: ['n1', 'r3'] }],
      extra,
    );

  it('take consecutive /30s from the pool in link id order, routers first, with interfaces named after the peer', () => {
    const { topology: t } = resolve(chain());
    expect(addressOf(t, 'nc-p2p.r3/n1')).toBe('10.255.0.1/30');
    expect(addressOf(t, 'nc-p2p.n1/r3')).toBe('10.255.0.2/30');
    expect(addressOf(t, 'nc-p2p.r1/r2')).toBe('10.255.0.5/30');
    expect(addressOf(t, 'nc-p2p.r2/r1')).toBe('10.255.0.6/30');
    expect(addressOf(t, 'nc-p2p.r2/r3')).toBe('10.255.0.9/30');
    expect(addressOf(t, 'nc-p2p.r3/r2')).toBe('10.255.0.10/30');
    expect(t.domains.map((d) => [d.id, d.kind, d.subnet])).toEqual([
      ['r1--r2', 'p2p', '10.255.0.4/30'],
      ['r2--r3', 'p2p', '10.255.0.8/30'],
      ['n1--r3', 'p2p', '10.255.0.0/30'],
    ]);
    expect(t.links.map((l) => [l.id, l.kind])).toEqual([
      ['r1--r2', 'p2p'],
      ['r2--r3', 'p2p'],
      ['n1--r3', 'p2p'],
    ]);
  });

  it('need no fabric namespace when the design has no vlan or switch', () => {
    expect(resolve(chain()).topology.netns.map((n) => n.name)).toEqual(['nc-p2p.n1', 'nc-p2p.r1', 'nc-p2p.r2', 'nc-p2p.r3']);
  });

  it('are routed hop by hop, and a namespace uses its router end as gateway', () => {
    const { topology: t } = resolve(chain());
    expect(routesOf(t, 'n1')).toEqual(['default via 10.255.0.1 dev r3']);
    expect(routesOf(t, 'r1')).toEqual(['10.255.0.8/30 via 10.255.0.6 dev r2', '10.255.0.0/30 via 10.255.0.6 dev r2']);
    expect(t.routes.find((r) => r.node === 'r1' && r.to === '10.255.0.0/30')?.why).toBe(
      '10.255.0.0/30 (link n1--r3) via r2 over the link r1--r2, 2 routers away',
    );
  });

  it('use the design’s pool and skip subnets other domains already use', () => {
    const design = makeDesign(
      'p2p',
      { lan: { kind: 'switch', subnet: '192.168.0.0/29' }, r1: { kind: 'router' }, r2: { kind: 'router' } },
      [{ endpoints: ['r1', 'lan'] }, { endpoints: ['r1', 'r2'] }],
      { addressing: { p2p: '192.168.0.0/24' } },
    );
    expect(resolve(design).topology.domains.find((d) => d.kind === 'p2p')?.subnet).toBe('192.168.0.8/30');
  });

  it('live in the subnet of an explicit address instead of the pool', () => {
    const design = makeDesign('p2p', { r1: { kind: 'router' }, r2: { kind: 'router' } }, [
      { endpoints: [{ node: 'r1', ip: '192.0.2.6/30' }, 'r2'] },
    ]);
    const { topology: t } = resolve(design);
    expect(addressOf(t, 'nc-p2p.r1/r2')).toBe('192.0.2.6/30');
    expect(addressOf(t, 'nc-p2p.r2/r1')).toBe('192.0.2.5/30');
    expect(ifaceOf(t, 'nc-p2p.r1/r2').addressOrigin).toBe('explicit');
  });

  it('keep their /30 through hints when an earlier link is removed', () => {
    const before = resolve(chain()).topology;
    const design = chain();
    design.links.splice(0, 1);
    const after = resolve(design, hintsFrom(before)).topology;
    expect(addressOf(after, 'nc-p2p.r2/r3')).toBe('10.255.0.9/30');
    expect(addressOf(after, 'nc-p2p.r3/n1')).toBe('10.255.0.1/30');
    // Without hints the freed block is reused: that is what hints are for.
    expect(addressOf(resolve(design).topology, 'nc-p2p.r2/r3')).toBe('10.255.0.5/30');
  });
});

describe('routing', () => {
  const nodes = {
    va: { kind: 'switch', subnet: '10.1.0.0/24' },
    vb: { kind: 'switch', subnet: '10.2.0.0/24' },
    dst: { kind: 'switch', subnet: '10.9.0.0/24' },
    r1: { kind: 'router' },
    r2: { kind: 'router' },
    r3: { kind: 'router' },
  } as const;

  it('breaks ties between equal paths by the next hop’s domain id first', () => {
    const design = makeDesign('tie', { ...nodes }, [
      { endpoints: ['r1', 'vb'] },
      { endpoints: ['r1', 'va'] },
      { endpoints: ['r2', 'vb'] },
      { endpoints: ['r3', 'va'] },
      { endpoints: ['r2', 'dst'] },
      { endpoints: ['r3', 'dst'] },
    ]);
    const { topology: t } = resolve(design);
    expect(t.routes.find((r) => r.node === 'r1' && r.to === '10.9.0.0/24')).toMatchObject({ via: '10.1.0.2', dev: 'va' });
  });

  it('breaks ties on the same domain by the next router’s id', () => {
    const design = makeDesign('tie', { ...nodes }, [
      { endpoints: ['r1', 'va'] },
      { endpoints: ['r3', 'va'] },
      { endpoints: ['r2', 'va'] },
      { endpoints: ['r3', 'dst'] },
      { endpoints: ['r2', 'dst'] },
    ]);
    const { topology: t } = resolve(design);
    const r2 = addressOf(t, 'nc-tie.r2/va')!.split('/')[0];
    expect(t.routes.find((r) => r.node === 'r1' && r.to === '10.9.0.0/24')?.via).toBe(r2);
  });

  it('prefers fewer hops over a lower domain id', () => {
    const design = makeDesign('hops', { ...nodes, r4: { kind: 'router' } }, [
      { endpoints: ['r1', 'va'] },
      { endpoints: ['r1', 'vb'] },
      { endpoints: ['r2', 'va'] },
      { endpoints: ['r2', 'r4'] },
      { endpoints: ['r4', 'dst'] },
      { endpoints: ['r3', 'vb'] },
      { endpoints: ['r3', 'dst'] },
    ]);
    const { topology: t } = resolve(design);
    expect(t.routes.find((r) => r.node === 'r1' && r.to === '10.9.0.0/24')).toMatchObject({ dev: 'vb' });
  });

  it('installs static routes as written; they win over a computed route to the same prefix', () => {
    const design = makeDesign(
      'static',
      {
        ...nodes,
        r1: { kind: 'router', routes: [{ to: '10.9.0.0/24', via: '10.1.0.3' }] },
      },
      [
        { endpoints: ['r1', 'va'] },
        { endpoints: ['r2', 'va'] },
        { endpoints: ['r3', 'va'] },
        { endpoints: ['r2', 'dst'] },
        { endpoints: ['r2', 'vb'] },
      ],
    );
    const { topology: t } = resolve(design);
    expect(t.routes.filter((r) => r.node === 'r1')).toEqual([
      { netns: 'nc-static.r1', node: 'r1', to: '10.9.0.0/24', via: '10.1.0.3', dev: 'va', origin: 'static', why: "10.9.0.0/24 via 10.1.0.3: written in r1's routes" },
      expect.objectContaining({ to: '10.2.0.0/24', via: '10.1.0.2', origin: 'computed' }),
    ]);
  });

  it('installs only the written routes on a router with routing: static', () => {
    const design = makeDesign(
      'static',
      { ...nodes, r1: { kind: 'router', routing: 'static', routes: [{ to: 'default', via: '10.1.0.2' }] } },
      [
        { endpoints: ['r1', 'va'] },
        { endpoints: ['r2', 'va'] },
        { endpoints: ['r2', 'dst'] },
      ],
    );
    expect(routesOf(resolve(design).topology, 'r1')).toEqual(['default via 10.1.0.2 dev va']);
  });

  it('warns when a static next hop is in the p2p pool but on none of the router’s links', () => {
    const design = makeDesign(
      'static',
      { r1: { kind: 'router', routes: [{ to: '10.9.0.0/24', via: '10.255.0.6' }] }, r2: { kind: 'router' } },
      [{ endpoints: ['r1', 'r2'] }],
    );
    const { topology, diagnostics } = resolve(design);
    expect(routesOf(topology, 'r1')).toEqual([]);
    expect(withCode(diagnostics, 'route-via-unreachable')[0]).toMatchObject({ elements: ['r1'], path: ['nodes', 'r1', 'routes', 0, 'via'] });
  });
});
