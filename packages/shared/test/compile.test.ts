import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/compile/compile.js';
import { render } from '../src/compile/render.js';
import { renderScript, renderText } from '../src/compile/script.js';
import type { Op, Plan, Topology } from '../src/model.js';
import type { DesignInput } from '../src/parse/schema.js';
import { resolve } from '../src/resolve/resolve.js';
import { hostTopology, vxlanTopology } from './compile-fixtures.js';
import { makeDesign } from './helpers/designs.js';

const STAGES: Op['op'][] = [
  'netns.add',
  'netns.nsid',
  'sysctl',
  'bridge.add',
  'veth.add',
  'vxlan.add',
  'link.master',
  'addr.add',
  'link.state',
  'fdb.append',
  'route.add',
];

function ofKind<K extends Op['op']>(plan: Plan, kind: K): Extract<Op, { op: K }>[] {
  return plan.ops.filter((o): o is Extract<Op, { op: K }> => o.op === kind);
}

/** Every namespace and device exists before an op uses it; sysctls precede every device. */
function expectCreatedBeforeUse(plan: Plan): void {
  const namespaces = new Set<string>();
  const devices = new Set<string>();
  const bridges = new Set<string>();
  const need = (ns: string, dev: string | undefined, op: Op) => {
    expect(namespaces.has(ns), `${render(op).join(' ')}: namespace ${ns} not created yet`).toBe(
      true,
    );
    if (dev !== undefined && dev !== 'lo') {
      expect(devices.has(`${ns}/${dev}`), `${render(op).join(' ')}: ${dev} not created yet`).toBe(
        true,
      );
    }
  };
  for (const op of plan.ops) {
    switch (op.op) {
      case 'netns.add':
        namespaces.add(op.netns);
        break;
      case 'bridge.add':
        need(op.netns, undefined, op);
        devices.add(`${op.netns}/${op.dev}`);
        bridges.add(`${op.netns}/${op.dev}`);
        break;
      case 'veth.add':
        need(op.netns, undefined, op);
        need(op.peerNetns, undefined, op);
        devices.add(`${op.netns}/${op.dev}`);
        devices.add(`${op.peerNetns}/${op.peer}`);
        break;
      case 'vxlan.add':
        need(op.netns, op.underlayDev, op);
        devices.add(`${op.netns}/${op.dev}`);
        break;
      case 'link.master':
        need(op.netns, op.dev, op);
        expect(
          bridges.has(`${op.netns}/${op.master}`),
          `${op.master} is a bridge in ${op.netns}`,
        ).toBe(true);
        break;
      case 'netns.nsid':
      case 'sysctl':
        need(op.netns, undefined, op);
        break;
      case 'addr.add':
      case 'link.state':
      case 'fdb.append':
      case 'route.add':
        need(op.netns, op.dev, op);
        break;
      default:
        throw new Error(`unexpected op in a build plan: ${op.op}`);
    }
  }
  // Every namespace gets its settings before the first device appears.
  const firstDevice = plan.ops.findIndex((o) => o.op === 'bridge.add' || o.op === 'veth.add');
  const lastSysctl = plan.ops.map((o) => o.op).lastIndexOf('sysctl');
  if (firstDevice >= 0) expect(lastSysctl).toBeLessThan(firstDevice);
}

describe('compile: plan order', () => {
  for (const [name, topo] of [
    ['vxlan', vxlanTopology()],
    ['hosts', hostTopology()],
  ] as const) {
    it(`${name}: stages follow the contract order and each stage is sorted by namespace then device`, () => {
      const plan = compile(topo);
      const stageIndex = plan.ops.map((o) => STAGES.indexOf(o.op));
      expect(stageIndex).not.toContain(-1);
      expect(stageIndex).toEqual([...stageIndex].sort((a, b) => a - b));
      for (const kind of [
        'bridge.add',
        'veth.add',
        'vxlan.add',
        'link.master',
        'addr.add',
        'fdb.append',
      ] as const) {
        const keys = ofKind(plan, kind).map((o) => [o.netns, o.dev] as const);
        const sorted = [...keys].sort((a, b) =>
          a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0,
        );
        expect(keys, kind).toEqual(sorted);
      }
    });

    it(`${name}: every namespace and device is created before anything uses it`, () => {
      expectCreatedBeforeUse(compile(topo));
    });

    it(`${name}: every op says where it comes from and why, in one line`, () => {
      const plan = compile(topo);
      const fabric = topo.netns.find((n) => n.role === 'fabric')?.name;
      const elements = new Set([
        ...topo.netns.flatMap((n) => (n.node ? [n.node] : [])),
        ...topo.domains.map((d) => d.element),
        ...topo.links.map((l) => l.id),
      ]);
      for (const op of [...plan.ops, ...plan.teardown]) {
        expect(op.why.length, render(op).join(' ')).toBeGreaterThan(10);
        expect(op.why).not.toMatch(/\n|undefined|null|\[object/);
        for (const id of op.source) expect(elements.has(id), `${id} in ${op.op}`).toBe(true);
        // Only the lab's own fabric namespace belongs to no single element.
        if (op.source.length === 0) expect(op.netns).toBe(fabric);
      }
    });
  }
});

describe('compile: namespaces and settings', () => {
  it('creates, numbers and configures every namespace, with loopback up in each', () => {
    const topo = vxlanTopology();
    const plan = compile(topo);
    const names = topo.netns.map((n) => n.name).sort();
    expect(ofKind(plan, 'netns.add').map((o) => o.netns)).toEqual(names);
    expect(ofKind(plan, 'netns.nsid').map((o) => o.netns)).toEqual(names);
    expect(
      ofKind(plan, 'link.state')
        .filter((o) => o.dev === 'lo' && o.state === 'up')
        .map((o) => o.netns),
    ).toEqual(names);
    for (const ns of topo.netns) {
      const settings = Object.fromEntries(
        ofKind(plan, 'sysctl')
          .filter((o) => o.netns === ns.name)
          .map((o) => [o.key, o.value]),
      );
      expect(settings).toEqual({
        'net.ipv4.ip_forward': ns.role === 'router' ? '1' : '0',
        'net.ipv4.conf.all.rp_filter': '0',
        'net.ipv4.conf.default.rp_filter': '0',
        'net.ipv4.conf.all.promote_secondaries': '1',
        'net.ipv6.conf.all.disable_ipv6': '1',
        'net.ipv6.conf.default.disable_ipv6': '1',
      });
    }
  });

  it('tears down one namespace each, the fabric last', () => {
    const plan = compile(vxlanTopology('lab1'));
    expect(plan.teardown.map((o) => o.op)).toEqual(Array(5).fill('netns.del'));
    expect(plan.teardown.map((o) => (o.op === 'netns.del' ? o.netns : ''))).toEqual([
      'nc-lab1.c1',
      'nc-lab1.c2',
      'nc-lab1.r1',
      'nc-lab1.r2',
      'nc-lab1',
    ]);
  });
});

describe('compile: devices', () => {
  it('creates each veth pair once, from the element end, with the peer born in its final namespace', () => {
    const plan = compile(vxlanTopology('lab1'));
    const veths = ofKind(plan, 'veth.add');
    expect(veths).toHaveLength(6);
    const r1vlan10 = veths.find((o) => o.netns === 'nc-lab1.r1' && o.dev === 'vlan10');
    expect(r1vlan10).toMatchObject({ peerNetns: 'nc-lab1', peer: 'r1-vlan10' });
    expect(r1vlan10?.why).toBe(
      "veth for link r1--vlan10: r1's interface vlan10, port r1-vlan10 of bridge vlan10",
    );
    expect(r1vlan10?.source).toEqual(['r1', 'r1--vlan10', 'vlan10']);
    // Nothing is ever moved between namespaces.
    for (const op of plan.ops) expect(render(op).slice(3, 5)).not.toEqual(['set', 'netns']);
  });

  it('attaches a container to its host bridge and a bridged host uplink to br0', () => {
    const plan = compile(hostTopology('lab2'));
    expect(ofKind(plan, 'veth.add').find((o) => o.dev === 'eth0')).toMatchObject({
      netns: 'nc-lab2.c3',
      peerNetns: 'nc-lab2.h1',
      peer: 'c3',
      why: "veth for the attachment of container c3 to its host h1: c3's interface eth0, port c3 of h1's bridge br0",
    });
    const masters = ofKind(plan, 'link.master').map((o) => `${o.netns}/${o.dev}>${o.master}`);
    expect(masters).toEqual([
      'nc-lab2/c4-vlan10>vlan10',
      'nc-lab2/h1-vlan10>vlan10',
      'nc-lab2/r1-vlan10>vlan10',
      'nc-lab2.h1/c3>br0',
      'nc-lab2.h1/vlan10>br0',
    ]);
    expect(ofKind(plan, 'addr.add').find((o) => o.netns === 'nc-lab2.h1')).toMatchObject({
      dev: 'br0',
      address: '10.0.10.2/24',
    });
  });

  it('puts a link MTU on both veth ends and keeps a fixed MAC', () => {
    const plan = compile(hostTopology('lab2'));
    const op = ofKind(plan, 'veth.add').find((o) => o.netns === 'nc-lab2.r1');
    expect(render(op as Op)).toEqual([
      'ip',
      '-n',
      'nc-lab2.r1',
      'link',
      'add',
      'name',
      'vlan10',
      'mtu',
      '1400',
      'address',
      '02:00:00:00:00:01',
      'type',
      'veth',
      'peer',
      'name',
      'r1-vlan10',
      'mtu',
      '1400',
      'netns',
      'nc-lab2',
    ]);
  });

  it('leaves a down link down on both ends and installs no route through it', () => {
    const plan = compile(hostTopology('lab2'));
    const states = ofKind(plan, 'link.state');
    expect(states.find((o) => o.netns === 'nc-lab2.c4' && o.dev === 'vlan10')?.state).toBe('down');
    expect(states.find((o) => o.netns === 'nc-lab2' && o.dev === 'c4-vlan10')?.state).toBe('down');
    expect(states.find((o) => o.netns === 'nc-lab2' && o.dev === 'vlan10')?.state).toBe('up');
    expect(states.find((o) => o.netns === 'nc-lab2.h1' && o.dev === 'br0')?.state).toBe('up');
    const routes = ofKind(plan, 'route.add').map((o) => o.netns);
    expect(routes).toEqual(['nc-lab2.c3', 'nc-lab2.h1']);
  });

  it('realises a VXLAN member with its underlay address and interface, a flood entry per peer, routes through the tunnel', () => {
    const plan = compile(vxlanTopology('lab1'));
    expect(ofKind(plan, 'vxlan.add').map(render)).toEqual([
      [
        'ip',
        '-n',
        'nc-lab1.r1',
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
      ],
      [
        'ip',
        '-n',
        'nc-lab1.r2',
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
      ],
    ]);
    const fdb = ofKind(plan, 'fdb.append');
    expect(fdb.map(render)).toEqual([
      [
        'bridge',
        '-n',
        'nc-lab1.r1',
        'fdb',
        'append',
        '00:00:00:00:00:00',
        'dev',
        'tun',
        'dst',
        '172.16.0.2',
      ],
      [
        'bridge',
        '-n',
        'nc-lab1.r2',
        'fdb',
        'append',
        '00:00:00:00:00:00',
        'dev',
        'tun',
        'dst',
        '172.16.0.1',
      ],
    ]);
    expect(fdb[0]?.source).toEqual(['r1', 'tun', 'r2']);
    expect(
      ofKind(plan, 'route.add')
        .filter((o) => o.dev === 'tun')
        .map((o) => `${o.netns} ${o.to} via ${o.via}`),
    ).toEqual([
      'nc-lab1.r1 10.0.20.0/24 via 192.168.100.2',
      'nc-lab1.r2 10.0.10.0/24 via 192.168.100.1',
    ]);
  });

  it('orders routes with the default first, then by prefix', () => {
    const topo = vxlanTopology('lab1');
    const r = (to: string) => ({
      netns: 'nc-lab1.r1',
      node: 'r1',
      to,
      via: '10.0.10.9',
      dev: 'vlan10',
      origin: 'static' as const,
      why: `static ${to}`,
    });
    topo.routes.push(r('10.9.0.0/16'), r('default'), r('10.9.0.0/24'), r('9.0.0.0/8'));
    const tos = ofKind(compile(topo), 'route.add')
      .filter((o) => o.netns === 'nc-lab1.r1')
      .map((o) => o.to);
    expect(tos).toEqual(['default', '9.0.0.0/8', '10.0.20.0/24', '10.9.0.0/16', '10.9.0.0/24']);
  });
});

describe('compile: names', () => {
  it('maps every kernel name in the plan to its element', () => {
    const plan = compile(vxlanTopology('lab1'));
    const named = new Map(plan.names.map((n) => [`${n.netns}/${n.dev ?? ''}`, n.element]));
    for (const op of plan.ops) {
      if (op.op === 'netns.add') expect(named.has(`${op.netns}/`)).toBe(true);
      if (op.op === 'veth.add') expect(named.has(`${op.peerNetns}/${op.peer}`)).toBe(true);
      if ('dev' in op && op.dev !== 'lo')
        expect(named.has(`${op.netns}/${op.dev}`), `${op.netns}/${op.dev}`).toBe(true);
    }
    expect(named.get('nc-lab1.r1/')).toBe('r1');
    expect(named.get('nc-lab1.r1/tun')).toBe('r1');
    expect(named.get('nc-lab1/r1-vlan10')).toBe('vlan10');
    expect(named.get('nc-lab1/vlan10')).toBe('vlan10');
    // The fabric namespace belongs to the lab as a whole.
    expect(named.get('nc-lab1/')).toBe('');
  });

  it('names a peer that the topology does not list by its namespace or segment', () => {
    const topo = vxlanTopology('lab1');
    topo.interfaces = topo.interfaces.filter((i) => i.key !== 'nc-lab1/r1-vlan10');
    const plan = compile(topo);
    expect(plan.names.find((n) => n.netns === 'nc-lab1' && n.dev === 'r1-vlan10')?.element).toBe(
      'vlan10',
    );
    expect(ofKind(plan, 'veth.add').filter((o) => o.peer === 'r1-vlan10')).toHaveLength(1);
  });
});

describe('compile: determinism and consistency', () => {
  const shuffled = (topo: Topology, seed: number): Topology => {
    // Fisher–Yates with a tiny LCG: the same seed, the same permutation.
    let s = seed >>> 0;
    const rnd = () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
    const mix = <T>(xs: T[]): T[] => {
      const out = [...xs];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [out[i], out[j]] = [out[j] as T, out[i] as T];
      }
      return out;
    };
    return {
      ...topo,
      netns: mix(topo.netns),
      interfaces: mix(topo.interfaces),
      routes: mix(topo.routes),
      links: mix(topo.links),
      domains: mix(topo.domains),
    };
  };

  it('gives the same plan, byte for byte, whatever order the topology lists things in', () => {
    for (const make of [vxlanTopology, hostTopology]) {
      const reference = JSON.stringify(compile(make()));
      fc.assert(
        fc.property(fc.integer(), (seed) => {
          expect(JSON.stringify(compile(shuffled(make(), seed)))).toBe(reference);
        }),
        { numRuns: 50 },
      );
    }
  });

  it('does not modify the topology it is given', () => {
    const topo = hostTopology();
    const before = JSON.stringify(topo);
    compile(topo);
    expect(JSON.stringify(topo)).toBe(before);
  });

  it('refuses a topology that cannot be realised, naming the interface', () => {
    const orphan = vxlanTopology('lab1');
    const first = orphan.interfaces.find((i) => i.kind === 'veth');
    if (first) delete first.peer;
    expect(() => compile(orphan)).toThrow(/veth .* of .* has no peer/);

    const stray = vxlanTopology('lab1');
    stray.interfaces.push({
      ...stray.interfaces[0]!,
      key: 'nc-lab1.zz/x',
      netns: 'nc-lab1.zz',
      name: 'x',
    });
    expect(() => compile(stray)).toThrow(/nc-lab1\.zz, which the topology does not create/);

    const twice = vxlanTopology('lab1');
    twice.interfaces.push({ ...twice.interfaces[0]! });
    expect(() => compile(twice)).toThrow(/appears twice/);
  });
});

/**
 * A small seeded design: VLANs with routers, bridged and routed hosts with
 * containers, standalone namespaces, sometimes a VXLAN between two routers
 * over a public switch, a router-to-router link, a down link, an MTU.
 */
function randomDesign(seed: number) {
  let state = seed >>> 0;
  const rnd = () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return state / 2 ** 32;
  };
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: T[]): T => xs[int(xs.length)] as T;
  const nodes: DesignInput['nodes'] = {};
  const links: NonNullable<DesignInput['links']> = [];
  const linkOpts = () => ({
    ...(rnd() < 0.1 ? { state: 'down' as const } : {}),
    ...(rnd() < 0.1 ? { mtu: 1400 } : {}),
  });
  const vlans = Array.from({ length: 1 + int(3) }, (_, i) => `vlan${10 * (i + 1)}`);
  vlans.forEach((v, i) => {
    nodes[v] = { kind: 'vlan', vid: 10 * (i + 1), subnet: `10.0.${10 * (i + 1)}.0/24` };
  });
  const routers = Array.from({ length: int(3) }, (_, i) => `r${i + 1}`);
  for (const r of routers) {
    nodes[r] = { kind: 'router' };
    for (const v of vlans) if (rnd() < 0.5) links.push({ endpoints: [r, v], ...linkOpts() });
  }
  if (routers.length >= 2 && rnd() < 0.5) {
    nodes.public = { kind: 'switch', subnet: '203.0.113.0/24' };
    nodes.tun = { kind: 'vxlan', vni: 1 + int(1000), underlay: 'public', subnet: '172.16.42.0/29' };
    for (const r of routers.slice(0, 2))
      links.push({ endpoints: [r, 'public'] }, { endpoints: [r, 'tun'], ...linkOpts() });
  } else if (routers.length >= 2) {
    links.push({ endpoints: ['r1', 'r2'], ...linkOpts() });
  }
  const hosts = int(3);
  for (let h = 1; h <= hosts; h++) {
    const routed = rnd() < 0.3;
    nodes[`h${h}`] = routed
      ? { kind: 'host', mode: 'routed', subnet: `172.20.${h}.0/24` }
      : { kind: 'host' };
    links.push({ endpoints: [`h${h}`, pick(vlans)], ...linkOpts() });
    const containers = int(3);
    for (let c = 1; c <= containers; c++)
      nodes[`c${h}x${c}`] = { kind: 'namespace', host: `h${h}` };
  }
  const standalone = int(3);
  for (let n = 1; n <= standalone; n++) {
    nodes[`n${n}`] = { kind: 'namespace' };
    links.push({ endpoints: [`n${n}`, pick(vlans)], ...linkOpts() });
  }
  return makeDesign(`rand-${seed >>> 20}`, nodes, links);
}

describe('compile: resolved random designs', () => {
  it('are compiled deterministically into plans that create everything before use', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const design = randomDesign(seed);
        const first = compile(resolve(design).topology);
        const again = compile(resolve(structuredClone(design)).topology);
        expect(JSON.stringify(again)).toBe(JSON.stringify(first));
        expect(renderScript(again)).toBe(renderScript(first));
        expect(renderScript(again, { teardown: true })).toBe(
          renderScript(first, { teardown: true }),
        );
        expect(renderText(again)).toBe(renderText(first));
        expectCreatedBeforeUse(first);
        const stageIndex = first.ops.map((o) => STAGES.indexOf(o.op));
        expect(stageIndex).toEqual([...stageIndex].sort((a, b) => a - b));
        // Each namespace is torn down exactly once.
        const created = ofKind(first, 'netns.add')
          .map((o) => o.netns)
          .sort();
        expect(first.teardown.map((o) => (o.op === 'netns.del' ? o.netns : '?')).sort()).toEqual(
          created,
        );
      }),
      { numRuns: 80 },
    );
    // resolve runs twice per design; leave room for a machine shared with kernel tests.
  }, 60_000);
});
