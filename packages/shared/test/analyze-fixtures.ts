/**
 * Hand-built Topologies, written the way docs/architecture.md says the
 * compiler realises a design, so the analyzer can be tested on its own
 * (independently of resolve()).
 */
import type { DomainSpec, IfaceSpec, Topology } from '../src/model.js';

export class TopoBuilder {
  readonly t: Topology;
  constructor(readonly lab: string) {
    this.t = {
      lab,
      netns: [{ name: `nc-${lab}`, node: null, role: 'fabric', forwarding: false }],
      domains: [],
      interfaces: [],
      routes: [],
      links: [],
      endpoints: [],
    };
  }
  get fabric(): string {
    return `nc-${this.lab}`;
  }
  nsOf(node: string): string {
    return `nc-${this.lab}.${node}`;
  }
  node(id: string, role: 'host' | 'namespace' | 'router', forwarding = role === 'router'): this {
    this.t.netns.push({ name: this.nsOf(id), node: id, role, forwarding });
    return this;
  }
  segment(
    id: string,
    kind: 'vlan' | 'switch',
    subnet: string | null,
    gateway: { node: string; address: string } | null,
    transit = true,
  ): this {
    const d: DomainSpec = { id, kind, element: id, subnet, gateway, transit };
    this.t.domains.push(d);
    this.iface({
      netns: this.fabric,
      name: id,
      node: id,
      kind: 'bridge',
      domain: id,
      address: null,
      master: null,
      up: true,
    });
    return this;
  }
  domain(d: DomainSpec): this {
    this.t.domains.push(d);
    return this;
  }
  iface(
    f: Omit<IfaceSpec, 'key' | 'addressOrigin'> & { addressOrigin?: IfaceSpec['addressOrigin'] },
  ): IfaceSpec {
    const full: IfaceSpec = {
      key: `${f.netns}/${f.name}`,
      addressOrigin: f.address ? 'auto' : null,
      ...f,
    };
    this.t.interfaces.push(full);
    return full;
  }
  /** A node's interface on a segment: veth `<seg>` in the node, port `<node>-<seg>` on the segment bridge. */
  attach(
    node: string,
    seg: string,
    address: string | null,
    opts: { state?: 'up' | 'down'; master?: string } = {},
  ): this {
    const link = `${node}--${seg}`;
    const up = (opts.state ?? 'up') === 'up';
    const port = `${node}-${seg}`;
    this.iface({
      netns: this.nsOf(node),
      name: seg,
      node,
      kind: 'veth',
      domain: seg,
      address,
      master: opts.master ?? null,
      up,
      peer: { netns: this.fabric, name: port },
      link,
      towards: seg,
    });
    this.iface({
      netns: this.fabric,
      name: port,
      node: seg,
      kind: 'veth',
      domain: seg,
      address: null,
      master: seg,
      up,
      peer: { netns: this.nsOf(node), name: seg },
      link,
      towards: node,
    });
    this.t.links.push({
      id: link,
      index: this.t.links.length,
      kind: 'segment',
      a: { node, ifname: seg },
      b: { node: seg, ifname: port },
      state: opts.state ?? 'up',
    });
    return this;
  }
  /** A bridged host: br0 with the host's address, its uplink enslaved. */
  bridgedHost(host: string, seg: string, address: string): this {
    this.node(host, 'host', false);
    this.iface({
      netns: this.nsOf(host),
      name: 'br0',
      node: host,
      kind: 'bridge',
      domain: seg,
      address,
      master: null,
      up: true,
    });
    return this.attach(host, seg, null, { master: 'br0' });
  }
  /** A container on a host: eth0 in the container, `<id>` port on the host's br0. */
  container(id: string, host: string, domain: string, address: string): this {
    this.node(id, 'namespace', false);
    this.iface({
      netns: this.nsOf(id),
      name: 'eth0',
      node: id,
      kind: 'veth',
      domain,
      address,
      master: null,
      up: true,
      peer: { netns: this.nsOf(host), name: id },
      link: id,
      towards: host,
    });
    this.iface({
      netns: this.nsOf(host),
      name: id,
      node: host,
      kind: 'veth',
      domain,
      address: null,
      master: 'br0',
      up: true,
      peer: { netns: this.nsOf(id), name: 'eth0' },
      link: id,
      towards: id,
    });
    this.t.links.push({
      id,
      index: -1,
      kind: 'container',
      a: { node: id, ifname: 'eth0' },
      b: { node: host, ifname: id },
      state: 'up',
    });
    return this;
  }
  p2p(
    a: string,
    b: string,
    addrA: string,
    addrB: string,
    subnet: string,
    state: 'up' | 'down' = 'up',
  ): this {
    const id = `${a}--${b}`;
    const up = state === 'up';
    this.t.domains.push({ id, kind: 'p2p', element: id, subnet, gateway: null, transit: true });
    this.iface({
      netns: this.nsOf(a),
      name: b,
      node: a,
      kind: 'veth',
      domain: id,
      address: addrA,
      master: null,
      up,
      peer: { netns: this.nsOf(b), name: a },
      link: id,
      towards: b,
    });
    this.iface({
      netns: this.nsOf(b),
      name: a,
      node: b,
      kind: 'veth',
      domain: id,
      address: addrB,
      master: null,
      up,
      peer: { netns: this.nsOf(a), name: b },
      link: id,
      towards: a,
    });
    this.t.links.push({
      id,
      index: this.t.links.length,
      kind: 'p2p',
      a: { node: a, ifname: b },
      b: { node: b, ifname: a },
      state,
    });
    return this;
  }
  vxlan(
    id: string,
    vni: number,
    subnet: string,
    members: {
      node: string;
      address: string;
      underlayDev: string;
      local: string;
      state?: 'up' | 'down';
      remotes?: string[];
    }[],
  ): this {
    this.t.domains.push({ id, kind: 'overlay', element: id, subnet, gateway: null, transit: true });
    for (const m of members) {
      const link = `${m.node}--${id}`;
      const remotes = m.remotes ?? members.filter((o) => o !== m).map((o) => o.local);
      this.iface({
        netns: this.nsOf(m.node),
        name: id,
        node: m.node,
        kind: 'vxlan',
        domain: id,
        address: m.address,
        master: null,
        up: (m.state ?? 'up') === 'up',
        link,
        towards: id,
        vxlan: { vni, port: 4789, local: m.local, underlayDev: m.underlayDev, remotes },
      });
      this.t.links.push({
        id: link,
        index: this.t.links.length,
        kind: 'overlay',
        a: { node: m.node, ifname: id },
        b: { node: id, ifname: id },
        state: m.state ?? 'up',
      });
    }
    return this;
  }
  route(
    node: string,
    to: string,
    via: string,
    dev: string,
    origin: 'default' | 'computed' | 'static' = 'computed',
  ): this {
    this.t.routes.push({
      netns: this.nsOf(node),
      node,
      to,
      via,
      dev,
      origin,
      why: `${to} via ${via}`,
    });
    return this;
  }
  endpoint(node: string, address: string): this {
    this.t.endpoints.push({ node, netns: this.nsOf(node), address });
    this.t.endpoints.sort((a, b) => (a.node < b.node ? -1 : 1));
    return this;
  }
}

/** same-vlan: c1 on n1 and c2 on n2, both bridged on vlan10; no router. */
export function sameVlan(): Topology {
  return new TopoBuilder('same')
    .segment('vlan10', 'vlan', '10.0.10.0/24', null)
    .bridgedHost('n1', 'vlan10', '10.0.10.1/24')
    .bridgedHost('n2', 'vlan10', '10.0.10.2/24')
    .container('c1', 'n1', 'vlan10', '10.0.10.3/24')
    .container('c2', 'n2', 'vlan10', '10.0.10.4/24')
    .endpoint('c1', '10.0.10.3/24')
    .endpoint('c2', '10.0.10.4/24')
    .endpoint('n1', '10.0.10.1/24')
    .endpoint('n2', '10.0.10.2/24').t;
}

/** inter-vlan: c1 (vlan10 via n1) and c2 (vlan20 via n2), r1 routes between them. */
export function interVlan(opts: { withRouter?: boolean; n2Forwarding?: boolean } = {}): Topology {
  const withRouter = opts.withRouter ?? true;
  const gw10 = withRouter ? { node: 'r1', address: '10.0.10.1' } : null;
  const gw20 = withRouter ? { node: 'r1', address: '10.0.20.1' } : null;
  const b = new TopoBuilder('inter')
    .segment('vlan10', 'vlan', '10.0.10.0/24', gw10)
    .segment('vlan20', 'vlan', '10.0.20.0/24', gw20)
    .bridgedHost('n1', 'vlan10', '10.0.10.2/24')
    .bridgedHost('n2', 'vlan20', '10.0.20.2/24')
    .container('c1', 'n1', 'vlan10', '10.0.10.3/24')
    .container('c2', 'n2', 'vlan20', '10.0.20.3/24');
  if (withRouter) {
    b.node('r1', 'router')
      .attach('r1', 'vlan10', '10.0.10.1/24')
      .attach('r1', 'vlan20', '10.0.20.1/24')
      .endpoint('r1', '10.0.10.1/24');
    for (const [n, v] of [
      ['n1', '10.0.10.1'],
      ['c1', '10.0.10.1'],
      ['n2', '10.0.20.1'],
      ['c2', '10.0.20.1'],
    ] as const) {
      b.route(n, 'default', v, n.startsWith('c') ? 'eth0' : 'br0', 'default');
    }
  }
  return b
    .endpoint('c1', '10.0.10.3/24')
    .endpoint('c2', '10.0.20.3/24')
    .endpoint('n1', '10.0.10.2/24')
    .endpoint('n2', '10.0.20.2/24').t;
}

/**
 * vxlan: c1 on vlan10 behind r1, c2 on vlan20 behind r2; r1 and r2 share the
 * switch `public` (not a transit domain) and the tunnel `tun` over it.
 */
export function vxlanScenario(
  opts: { publicLinkR2?: 'up' | 'down'; withTunLinkR2?: boolean } = {},
): Topology {
  const withTun = opts.withTunLinkR2 ?? true;
  const b = new TopoBuilder('vx')
    .segment('public', 'switch', '192.168.100.0/24', null, false)
    .segment('vlan10', 'vlan', '10.0.10.0/24', { node: 'r1', address: '10.0.10.1' })
    .segment('vlan20', 'vlan', '10.0.20.0/24', { node: 'r2', address: '10.0.20.1' })
    .node('r1', 'router')
    .node('r2', 'router')
    .attach('r1', 'vlan10', '10.0.10.1/24')
    .attach('r1', 'public', '192.168.100.1/24')
    .attach('r2', 'vlan20', '10.0.20.1/24')
    .attach('r2', 'public', '192.168.100.2/24', { state: opts.publicLinkR2 ?? 'up' })
    .node('c1', 'namespace')
    .attach('c1', 'vlan10', '10.0.10.2/24')
    .node('c2', 'namespace')
    .attach('c2', 'vlan20', '10.0.20.2/24')
    .route('c1', 'default', '10.0.10.1', 'vlan10', 'default')
    .route('c2', 'default', '10.0.20.1', 'vlan20', 'default');
  const members = [
    { node: 'r1', address: '172.16.0.1/24', underlayDev: 'public', local: '192.168.100.1' },
  ];
  if (withTun)
    members.push({
      node: 'r2',
      address: '172.16.0.2/24',
      underlayDev: 'public',
      local: '192.168.100.2',
    });
  b.vxlan(
    'tun',
    100,
    '172.16.0.0/24',
    members.map((m) => ({ ...m, remotes: withTun ? undefined : ['192.168.100.2'] })),
  );
  if (withTun) {
    b.route('r1', '10.0.20.0/24', '172.16.0.2', 'tun').route(
      'r2',
      '10.0.10.0/24',
      '172.16.0.1',
      'tun',
    );
  }
  return b
    .endpoint('c1', '10.0.10.2/24')
    .endpoint('c2', '10.0.20.2/24')
    .endpoint('r1', '10.0.10.1/24')
    .endpoint('r2', '10.0.20.1/24').t;
}

/**
 * A large routed topology without resolve(): `segments` VLANs of `perSegment`
 * namespaces each, one router per 4 VLANs, routers in a chain with routes
 * computed by hand (every router knows every other router's VLANs).
 */
export function synthetic(segments: number, perSegment: number): Topology {
  const b = new TopoBuilder('syn');
  const routerOf = (s: number) => `r${Math.floor(s / 4) + 1}`;
  const routers = Math.ceil(segments / 4);
  for (let r = 1; r <= routers; r++) b.node(`r${r}`, 'router');
  for (let r = 1; r < routers; r++)
    b.p2p(
      `r${r}`,
      `r${r + 1}`,
      `10.255.${r >> 6}.${(r & 63) * 4 + 1}/30`,
      `10.255.${r >> 6}.${(r & 63) * 4 + 2}/30`,
      `10.255.${r >> 6}.${(r & 63) * 4}/30`,
    );
  for (let s = 0; s < segments; s++) {
    const seg = `v${s}`;
    const net = `10.${s >> 8}.${s & 255}`;
    const r = routerOf(s);
    b.segment(seg, 'vlan', `${net}.0/24`, { node: r, address: `${net}.1` }).attach(
      r,
      seg,
      `${net}.1/24`,
    );
    for (let m = 0; m < perSegment; m++) {
      const id = `n${s}-${m}`;
      b.node(id, 'namespace')
        .attach(id, seg, `${net}.${m + 2}/24`)
        .route(id, 'default', `${net}.1`, seg, 'default')
        .endpoint(id, `${net}.${m + 2}/24`);
    }
  }
  for (let r = 1; r <= routers; r++) {
    for (let s = 0; s < segments; s++) {
      const owner = Math.floor(s / 4) + 1;
      if (owner === r) continue;
      const next = owner > r ? r + 1 : r - 1;
      const link = Math.min(r, next);
      const via = `10.255.${link >> 6}.${(link & 63) * 4 + (next > r ? 2 : 1)}`;
      b.route(`r${r}`, `10.${s >> 8}.${s & 255}.0/24`, via, `r${next}`);
    }
  }
  return b.t;
}
