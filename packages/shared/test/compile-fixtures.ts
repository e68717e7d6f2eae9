/**
 * Hand-built topologies, written the way docs/architecture.md realises the
 * designs, so the compiler can be tested apart from resolve.
 */
import type {
  DomainSpec,
  IfaceSpec,
  NetnsSpec,
  ResolvedLink,
  RouteSpec,
  Topology,
} from '../src/model.js';

function ns(
  lab: string,
  node: string | null,
  role: NetnsSpec['role'],
  forwarding = false,
): NetnsSpec {
  return { name: node === null ? `nc-${lab}` : `nc-${lab}.${node}`, node, role, forwarding };
}

type IfaceInput = Omit<
  IfaceSpec,
  'key' | 'addressOrigin' | 'up' | 'master' | 'address' | 'domain'
> &
  Partial<Pick<IfaceSpec, 'addressOrigin' | 'up' | 'master' | 'address' | 'domain'>>;

function iface(i: IfaceInput): IfaceSpec {
  return {
    key: `${i.netns}/${i.name}`,
    domain: null,
    address: null,
    master: null,
    up: true,
    ...i,
    addressOrigin: i.addressOrigin ?? (i.address ? 'auto' : null),
  };
}

/**
 * A link from element `node` (own namespace, interface `ifname`) to segment
 * `segment`: the node's end and the fabric port `<node>-<ifname>`.
 */
function segmentLink(
  lab: string,
  node: string,
  ifname: string,
  segment: string,
  nodeEnd: Partial<IfaceSpec> = {},
  portEnd: Partial<IfaceSpec> = {},
): IfaceSpec[] {
  const link = `${node}--${segment}`;
  const nodeNs = `nc-${lab}.${node}`;
  const fabric = `nc-${lab}`;
  const port = `${node}-${ifname}`;
  return [
    iface({
      netns: nodeNs,
      name: ifname,
      node,
      kind: 'veth',
      domain: segment,
      link,
      towards: segment,
      peer: { netns: fabric, name: port },
      ...nodeEnd,
    }),
    iface({
      netns: fabric,
      name: port,
      node: segment,
      kind: 'veth',
      domain: segment,
      master: segment,
      link,
      towards: node,
      peer: { netns: nodeNs, name: ifname },
      ...portEnd,
    }),
  ];
}

function link(
  id: string,
  kind: ResolvedLink['kind'],
  a: [string, string],
  b: [string, string],
  extra: Partial<ResolvedLink> = {},
): ResolvedLink {
  return {
    id,
    index: 0,
    kind,
    a: { node: a[0], ifname: a[1] },
    b: { node: b[0], ifname: b[1] },
    state: 'up',
    ...extra,
  };
}

function route(
  lab: string,
  node: string,
  to: string,
  via: string,
  dev: string,
  why: string,
  origin: RouteSpec['origin'] = 'computed',
): RouteSpec {
  return { netns: `nc-${lab}.${node}`, node, to, via, dev, origin, why };
}

/**
 * The VXLAN scenario: r1 (vlan10) and r2 (vlan20) share the public switch;
 * the tunnel tun joins them; c1 and c2 are standalone namespaces.
 */
export function vxlanTopology(lab = 'hand'): Topology {
  const fabric = `nc-${lab}`;
  const domains: DomainSpec[] = [
    {
      id: 'public',
      kind: 'switch',
      element: 'public',
      subnet: '172.16.0.0/24',
      gateway: null,
      transit: false,
    },
    {
      id: 'vlan10',
      kind: 'vlan',
      element: 'vlan10',
      subnet: '10.0.10.0/24',
      gateway: { node: 'r1', address: '10.0.10.1' },
      transit: true,
      vid: 10,
    },
    {
      id: 'vlan20',
      kind: 'vlan',
      element: 'vlan20',
      subnet: '10.0.20.0/24',
      gateway: { node: 'r2', address: '10.0.20.1' },
      transit: true,
      vid: 20,
    },
    {
      id: 'tun',
      kind: 'overlay',
      element: 'tun',
      subnet: '192.168.100.0/24',
      gateway: { node: 'r1', address: '192.168.100.1' },
      transit: true,
    },
  ];
  const bridge = (name: string) =>
    iface({ netns: fabric, name, node: name, kind: 'bridge', domain: name });
  const tunEnd = (node: string, local: string, remote: string, address: string) =>
    iface({
      netns: `nc-${lab}.${node}`,
      name: 'tun',
      node,
      kind: 'vxlan',
      domain: 'tun',
      address,
      link: `${node}--tun`,
      towards: 'tun',
      vxlan: { vni: 42, port: 4789, local, underlayDev: 'public', remotes: [remote] },
    });
  return {
    lab,
    netns: [
      ns(lab, null, 'fabric'),
      ns(lab, 'c1', 'namespace'),
      ns(lab, 'c2', 'namespace'),
      ns(lab, 'r1', 'router', true),
      ns(lab, 'r2', 'router', true),
    ],
    domains,
    interfaces: [
      bridge('public'),
      bridge('vlan10'),
      bridge('vlan20'),
      ...segmentLink(lab, 'r1', 'public', 'public', { address: '172.16.0.1/24' }),
      ...segmentLink(lab, 'r2', 'public', 'public', { address: '172.16.0.2/24' }),
      ...segmentLink(lab, 'r1', 'vlan10', 'vlan10', { address: '10.0.10.1/24' }),
      ...segmentLink(lab, 'r2', 'vlan20', 'vlan20', { address: '10.0.20.1/24' }),
      ...segmentLink(lab, 'c1', 'vlan10', 'vlan10', { address: '10.0.10.2/24' }),
      ...segmentLink(lab, 'c2', 'vlan20', 'vlan20', { address: '10.0.20.2/24' }),
      tunEnd('r1', '172.16.0.1', '172.16.0.2', '192.168.100.1/24'),
      tunEnd('r2', '172.16.0.2', '172.16.0.1', '192.168.100.2/24'),
    ],
    routes: [
      route(
        lab,
        'c1',
        'default',
        '10.0.10.1',
        'vlan10',
        'default via r1 (gateway of vlan10)',
        'default',
      ),
      route(
        lab,
        'c2',
        'default',
        '10.0.20.1',
        'vlan20',
        'default via r2 (gateway of vlan20)',
        'default',
      ),
      route(
        lab,
        'r1',
        '10.0.20.0/24',
        '192.168.100.2',
        'tun',
        '10.0.20.0/24 (vlan20) via r2 over the tunnel tun',
      ),
      route(
        lab,
        'r2',
        '10.0.10.0/24',
        '192.168.100.1',
        'tun',
        '10.0.10.0/24 (vlan10) via r1 over the tunnel tun',
      ),
    ],
    links: [
      link('r1--public', 'segment', ['r1', 'public'], ['public', 'r1-public']),
      link('r2--public', 'segment', ['r2', 'public'], ['public', 'r2-public']),
      link('r1--vlan10', 'segment', ['r1', 'vlan10'], ['vlan10', 'r1-vlan10']),
      link('r2--vlan20', 'segment', ['r2', 'vlan20'], ['vlan20', 'r2-vlan20']),
      link('c1--vlan10', 'segment', ['c1', 'vlan10'], ['vlan10', 'c1-vlan10']),
      link('c2--vlan20', 'segment', ['c2', 'vlan20'], ['vlan20', 'c2-vlan20']),
      link('r1--tun', 'overlay', ['r1', 'tun'], ['tun', 'tun']),
      link('r2--tun', 'overlay', ['r2', 'tun'], ['tun', 'tun']),
    ],
    endpoints: [
      { node: 'c1', netns: `nc-${lab}.c1`, address: '10.0.10.2' },
      { node: 'c2', netns: `nc-${lab}.c2`, address: '10.0.20.2' },
      { node: 'r1', netns: `nc-${lab}.r1`, address: '172.16.0.1' },
      { node: 'r2', netns: `nc-${lab}.r2`, address: '172.16.0.2' },
    ],
  };
}

/**
 * A bridged host h1 (uplink to vlan10 enslaved to br0, address on br0) with
 * container c3; r1 on vlan10 with MTU 1400 and a fixed MAC; c4 on vlan10
 * behind a link that is administratively down.
 */
export function hostTopology(lab = 'hosts'): Topology {
  const fabric = `nc-${lab}`;
  const h1 = `nc-${lab}.h1`;
  const c3 = `nc-${lab}.c3`;
  return {
    lab,
    netns: [
      ns(lab, null, 'fabric'),
      ns(lab, 'c3', 'namespace'),
      ns(lab, 'c4', 'namespace'),
      ns(lab, 'h1', 'host'),
      ns(lab, 'r1', 'router', true),
    ],
    domains: [
      {
        id: 'vlan10',
        kind: 'vlan',
        element: 'vlan10',
        subnet: '10.0.10.0/24',
        gateway: { node: 'r1', address: '10.0.10.1' },
        transit: true,
        vid: 10,
      },
    ],
    interfaces: [
      iface({ netns: fabric, name: 'vlan10', node: 'vlan10', kind: 'bridge', domain: 'vlan10' }),
      iface({
        netns: h1,
        name: 'br0',
        node: 'h1',
        kind: 'bridge',
        domain: 'vlan10',
        address: '10.0.10.2/24',
      }),
      ...segmentLink(
        lab,
        'r1',
        'vlan10',
        'vlan10',
        { address: '10.0.10.1/24', addressOrigin: 'explicit', mtu: 1400, mac: '02:00:00:00:00:01' },
        { mtu: 1400 },
      ),
      ...segmentLink(lab, 'h1', 'vlan10', 'vlan10', { master: 'br0' }),
      ...segmentLink(
        lab,
        'c4',
        'vlan10',
        'vlan10',
        { address: '10.0.10.4/24', up: false },
        { up: false },
      ),
      iface({
        netns: c3,
        name: 'eth0',
        node: 'c3',
        kind: 'veth',
        domain: 'vlan10',
        address: '10.0.10.3/24',
        link: 'c3',
        towards: 'h1',
        peer: { netns: h1, name: 'c3' },
      }),
      iface({
        netns: h1,
        name: 'c3',
        node: 'h1',
        kind: 'veth',
        domain: 'vlan10',
        master: 'br0',
        link: 'c3',
        towards: 'c3',
        peer: { netns: c3, name: 'eth0' },
      }),
    ],
    routes: [
      route(
        lab,
        'c3',
        'default',
        '10.0.10.1',
        'eth0',
        'default via r1 (gateway of vlan10)',
        'default',
      ),
      route(
        lab,
        'h1',
        'default',
        '10.0.10.1',
        'br0',
        'default via r1 (gateway of vlan10)',
        'default',
      ),
      route(
        lab,
        'c4',
        'default',
        '10.0.10.1',
        'vlan10',
        'default via r1 (gateway of vlan10)',
        'default',
      ),
    ],
    links: [
      link('r1--vlan10', 'segment', ['r1', 'vlan10'], ['vlan10', 'r1-vlan10'], { mtu: 1400 }),
      link('h1--vlan10', 'segment', ['h1', 'vlan10'], ['vlan10', 'h1-vlan10']),
      link('c4--vlan10', 'segment', ['c4', 'vlan10'], ['vlan10', 'c4-vlan10'], { state: 'down' }),
      {
        id: 'c3',
        index: -1,
        kind: 'container',
        a: { node: 'c3', ifname: 'eth0' },
        b: { node: 'h1', ifname: 'c3' },
        state: 'up',
      },
    ],
    endpoints: [
      { node: 'c3', netns: c3, address: '10.0.10.3' },
      { node: 'c4', netns: `nc-${lab}.c4`, address: '10.0.10.4' },
      { node: 'h1', netns: h1, address: '10.0.10.2' },
      { node: 'r1', netns: `nc-${lab}.r1`, address: '10.0.10.1' },
    ],
  };
}
