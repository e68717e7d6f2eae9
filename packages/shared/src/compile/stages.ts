/**
 * compile.ts's stages, each a function of the topology (a `Context` of it): `compile` runs
 * them all, `recompile` only those a link's state can change.
 */
import type {
  DomainSpec,
  IfaceSpec,
  NetnsSpec,
  Op,
  Plan,
  ResolvedLink,
  RouteSpec,
  Topology,
} from '../model.js';
import { parseIfAddress } from '../net/ipv4.js';

export type OpOf<K extends Op['op']> = Extract<Op, { op: K }>;

/** Plain code-unit comparison: locale-independent, so every machine sorts the same way. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function byNetnsDev(
  a: { netns: string; dev: string },
  b: { netns: string; dev: string },
): number {
  return cmp(a.netns, b.netns) || cmp(a.dev, b.dev);
}

function unique(ids: (string | null | undefined)[]): string[] {
  const out: string[] = [];
  for (const id of ids) if (id && !out.includes(id)) out.push(id);
  return out;
}

/** `10.0.20.0/24` → sortable number; `default` sorts first. */
function prefixKey(to: string): [number, number] {
  const parsed = to === 'default' ? null : parseIfAddress(to);
  return parsed ? [parsed.addr, parsed.len ?? 32] : [-1, -1];
}

/** Routes in a stable order; prefixes are parsed once per route, not once per comparison. */
function sortRoutes(routes: RouteSpec[]): RouteSpec[] {
  const keyed = routes.map((r) => ({ r, key: prefixKey(r.to) }));
  keyed.sort(
    (a, b) =>
      cmp(a.r.netns, b.r.netns) ||
      a.key[0] - b.key[0] ||
      a.key[1] - b.key[1] ||
      cmp(a.r.dev, b.r.dev) ||
      cmp(a.r.via, b.r.via),
  );
  return keyed.map((k) => k.r);
}

const ROLE_WORD: Record<NetnsSpec['role'], string> = {
  fabric: 'fabric',
  host: 'host',
  namespace: 'container',
  router: 'router',
};

/** Everything the explanations need, looked up once. */
export class Context {
  readonly netnsByName = new Map<string, NetnsSpec>();
  readonly domains = new Map<string, DomainSpec>();
  readonly links = new Map<string, ResolvedLink>();
  readonly ifaces = new Map<string, IfaceSpec>();
  /** Underlay address of a VXLAN member → the member, to name the peer of a flood entry. */
  readonly vxlanMembers = new Map<string, string>();

  constructor(readonly topology: Topology) {
    for (const ns of topology.netns) this.netnsByName.set(ns.name, ns);
    for (const d of topology.domains) this.domains.set(d.id, d);
    for (const l of topology.links) this.links.set(l.id, l);
    for (const i of topology.interfaces) {
      const key = `${i.netns}/${i.name}`;
      if (this.ifaces.has(key))
        throw new Error(`compile: interface ${key} appears twice in the topology`);
      if (!this.netnsByName.has(i.netns)) {
        throw new Error(
          `compile: interface ${i.name} of ${i.node} is in namespace ${i.netns}, which the topology does not create`,
        );
      }
      this.ifaces.set(key, i);
      if (i.vxlan) this.vxlanMembers.set(`${i.domain ?? ''}|${i.vxlan.local}`, i.node);
    }
  }

  isFabric(netns: string): boolean {
    return this.netnsByName.get(netns)?.role === 'fabric';
  }

  /** The netns's element, or '' for the fabric (it belongs to the lab as a whole). */
  ownerOf(netns: string): string {
    return this.netnsByName.get(netns)?.node ?? '';
  }

  /** "vlan10 (VLAN 10, 10.0.10.0/24)" — what a student sees on the canvas. */
  domainLabel(id: string | null): string {
    if (!id) return '';
    const d = this.domains.get(id);
    if (!d) return id;
    const details: string[] = [];
    if (d.kind === 'vlan' && d.vid !== undefined) details.push(`VLAN ${d.vid}`);
    if (d.kind === 'overlay') details.push('overlay');
    if (d.kind === 'p2p') details.push('point-to-point');
    if (d.subnet) details.push(d.subnet);
    const name = d.kind === 'p2p' ? `link ${d.element}` : d.element;
    return details.length > 0 ? `${name} (${details.join(', ')})` : name;
  }

  /** "r1's interface vlan10", "port r1-vlan10 of bridge vlan10", "port c1 of h1's bridge br0". */
  describe(i: IfaceSpec | { netns: string; name: string }): string {
    const spec = 'kind' in i ? i : this.ifaces.get(`${i.netns}/${i.name}`);
    if (!spec) return `interface ${i.name} in ${i.netns}`;
    if (spec.kind === 'bridge') {
      return this.isFabric(spec.netns)
        ? `bridge ${spec.name}`
        : `${spec.node}'s bridge ${spec.name}`;
    }
    if (spec.master) {
      const owner = this.ownerOf(spec.netns);
      const bridge = owner ? `${owner}'s bridge ${spec.master}` : `bridge ${spec.master}`;
      return `port ${spec.name} of ${bridge}`;
    }
    return `${spec.node}'s interface ${spec.name}`;
  }

  /** "link r1--vlan10", or "the attachment of container c1 to its host h1". */
  linkLabel(id: string | undefined, fallback: string): string {
    if (!id) return fallback;
    const l = this.links.get(id);
    if (l?.kind === 'container')
      return `the attachment of container ${l.a.node} to its host ${l.b.node}`;
    return `link ${id}`;
  }
}

export function netnsStage(ctx: Context): { add: Op[]; nsid: Op[]; sysctl: Op[]; lo: Op[] } {
  const lab = ctx.topology.lab;
  const all = [...ctx.topology.netns].sort((a, b) => cmp(a.name, b.name));
  const fabricBridges = ctx.topology.interfaces
    .filter((i) => i.kind === 'bridge' && ctx.isFabric(i.netns))
    .map((i) => i.name)
    .sort(cmp);
  const add: Op[] = [];
  const nsid: Op[] = [];
  const sysctl: Op[] = [];
  const lo: Op[] = [];
  for (const ns of all) {
    const source = unique([ns.node]);
    const who = ns.node ?? 'the fabric';
    const what =
      ns.role === 'fabric'
        ? `fabric namespace of lab ${lab}: holds the segment bridges${fabricBridges.length ? ` (${fabricBridges.join(', ')})` : ''}`
        : `${ROLE_WORD[ns.role]} ${ns.node}: its own network stack, like a separate machine`;
    add.push({ op: 'netns.add', netns: ns.name, source, why: what });
    nsid.push({
      op: 'netns.nsid',
      netns: ns.name,
      source,
      why: `number ${ns.name} so one \`ip monitor\` in the root namespace reports its link changes`,
    });
    const forward =
      ns.role === 'fabric'
        ? 'the fabric routes nothing: its bridges only switch frames within each segment'
        : ns.forwarding
          ? ns.role === 'host'
            ? `${who} forwards packets: it routes its containers' subnet`
            : `${who} forwards packets between its interfaces (${ROLE_WORD[ns.role]})`
          : `${who} does not forward packets: only its own traffic leaves it`;
    const settings: [string, string, string][] = [
      ['net.ipv4.ip_forward', ns.forwarding ? '1' : '0', forward],
      [
        'net.ipv4.conf.all.rp_filter',
        '0',
        `no reverse-path filter in ${who}: asymmetric paths are part of the lessons`,
      ],
      [
        'net.ipv4.conf.default.rp_filter',
        '0',
        `interfaces created later in ${who} start without the reverse-path filter too`,
      ],
      [
        'net.ipv4.conf.all.promote_secondaries',
        '1',
        `an address deleted in ${who} leaves the others of its subnet in place, so an address changed on a running lab is replaced, not lost with its routes`,
      ],
      [
        'net.ipv6.conf.all.disable_ipv6',
        '1',
        `IPv6 off in ${who}, so idle links carry no traffic of their own`,
      ],
      [
        'net.ipv6.conf.default.disable_ipv6',
        '1',
        `interfaces created later in ${who} start with IPv6 off too`,
      ],
    ];
    for (const [key, value, why] of settings)
      sysctl.push({ op: 'sysctl', netns: ns.name, key, value, source, why });
    lo.push({
      op: 'link.state',
      netns: ns.name,
      dev: 'lo',
      state: 'up',
      source,
      why: `loopback up in ${who}, so it can reach its own addresses`,
    });
  }
  return { add, nsid, sysctl, lo };
}

export function bridgeOp(ctx: Context, i: IfaceSpec): OpOf<'bridge.add'> {
  const domain = ctx.domainLabel(i.domain);
  const why = ctx.isFabric(i.netns)
    ? `bridge ${i.name}: the L2 segment ${domain || i.node}, one broadcast domain`
    : `bridge ${i.name} of host ${i.node}: joins its containers${domain ? ` into ${domain}` : ''}`;
  const op: OpOf<'bridge.add'> = {
    op: 'bridge.add',
    netns: i.netns,
    dev: i.name,
    source: unique([i.node, i.domain && ctx.domains.get(i.domain)?.element]),
    why,
  };
  if (i.mtu !== undefined) op.mtu = i.mtu;
  return op;
}

/**
 * The end a veth pair is created from. Any end would do for the kernel; the
 * element's own end reads best ("r1's interface vlan10, port r1-vlan10 of
 * bridge vlan10"), so prefer an end outside the fabric, then an end that is
 * not a bridge port, then the smaller name.
 */
function primaryEnd(ctx: Context, a: IfaceSpec, b: IfaceSpec | undefined): boolean {
  if (!b) return true;
  const rank = (i: IfaceSpec) => (ctx.isFabric(i.netns) ? 2 : 0) + (i.master ? 1 : 0);
  return (
    rank(a) - rank(b) < 0 ||
    (rank(a) === rank(b) &&
      byNetnsDev({ netns: a.netns, dev: a.name }, { netns: b.netns, dev: b.name }) < 0)
  );
}

export function vethOps(ctx: Context): OpOf<'veth.add'>[] {
  const ops: OpOf<'veth.add'>[] = [];
  for (const i of ctx.topology.interfaces) {
    if (i.kind !== 'veth') continue;
    if (!i.peer) throw new Error(`compile: veth ${i.name} of ${i.node} (${i.netns}) has no peer`);
    const other = ctx.ifaces.get(`${i.peer.netns}/${i.peer.name}`);
    if (other?.peer && (other.peer.netns !== i.netns || other.peer.name !== i.name)) {
      throw new Error(
        `compile: veth ${i.netns}/${i.name} and ${i.peer.netns}/${i.peer.name} disagree about their peers`,
      );
    }
    if (!primaryEnd(ctx, i, other)) continue;
    const link = i.link ?? other?.link;
    const why = `veth for ${ctx.linkLabel(link, `${i.node}'s ${i.name}`)}: ${ctx.describe(i)}, ${ctx.describe(other ?? i.peer)}`;
    const op: OpOf<'veth.add'> = {
      op: 'veth.add',
      netns: i.netns,
      dev: i.name,
      peerNetns: i.peer.netns,
      peer: i.peer.name,
      source: unique([i.node, link, other?.node ?? i.towards]),
      why,
    };
    // A link's MTU is the same on both ends; an end-only MTU still applies to the pair.
    const mtu = i.mtu ?? other?.mtu;
    if (mtu !== undefined) op.mtu = mtu;
    if (i.mac !== undefined) op.mac = i.mac;
    if (other?.mac !== undefined) op.peerMac = other.mac;
    ops.push(op);
  }
  return ops.sort(byNetnsDev);
}

export function vxlanOps(ctx: Context): OpOf<'vxlan.add'>[] {
  const ops: OpOf<'vxlan.add'>[] = [];
  for (const i of ctx.topology.interfaces) {
    if (i.kind !== 'vxlan') continue;
    if (!i.vxlan)
      throw new Error(
        `compile: vxlan device ${i.name} of ${i.node} (${i.netns}) has no VXLAN parameters`,
      );
    const x = i.vxlan;
    const element = i.domain ? (ctx.domains.get(i.domain)?.element ?? i.domain) : undefined;
    const op: OpOf<'vxlan.add'> = {
      op: 'vxlan.add',
      netns: i.netns,
      dev: i.name,
      vni: x.vni,
      port: x.port,
      local: x.local,
      underlayDev: x.underlayDev,
      source: unique([i.node, element, i.link]),
      why: `${i.node}'s tunnel end ${i.name} of ${element ? `overlay ${element}` : 'an overlay'} (VNI ${x.vni}, UDP ${x.port}): wraps frames in UDP from ${x.local} over ${ctx.describe({ netns: i.netns, name: x.underlayDev })}`,
    };
    if (i.mtu !== undefined) op.mtu = i.mtu;
    ops.push(op);
  }
  return ops.sort(byNetnsDev);
}

export function masterOps(ctx: Context): OpOf<'link.master'>[] {
  const ops: OpOf<'link.master'>[] = [];
  for (const i of ctx.topology.interfaces) {
    if (!i.master) continue;
    const bridge = ctx.ifaces.get(`${i.netns}/${i.master}`);
    const domain = ctx.domainLabel(bridge?.domain ?? i.domain) || `bridge ${i.master}`;
    const link = i.link ? ctx.links.get(i.link) : undefined;
    const via = i.link ? ` (${ctx.linkLabel(i.link, '')})` : '';
    let why: string;
    if (ctx.isFabric(i.netns)) {
      why = `port ${i.name} joins bridge ${i.master}${via}: ${i.towards ?? 'the other end'} is now on ${domain}`;
    } else if (link?.kind === 'container') {
      const container = link.a.node === i.node ? link.b.node : link.a.node;
      why = `port ${i.name} joins ${i.node}'s bridge ${i.master}: container ${container} is now on ${domain}`;
    } else {
      why = `${i.node}'s uplink ${i.name} joins its bridge ${i.master}${via}: ${i.node} and its containers share ${domain}`;
    }
    ops.push({
      op: 'link.master',
      netns: i.netns,
      dev: i.name,
      master: i.master,
      source: unique([i.node, i.link, i.towards]),
      why,
    });
  }
  return ops.sort(byNetnsDev);
}

export function addressOps(ctx: Context): OpOf<'addr.add'>[] {
  const ops: OpOf<'addr.add'>[] = [];
  for (const i of ctx.topology.interfaces) {
    if (!i.address) continue;
    const origin =
      i.addressOrigin === 'explicit'
        ? 'as written in the design'
        : i.addressOrigin === 'auto'
          ? 'allocated automatically'
          : '';
    const domain = ctx.domainLabel(i.domain);
    ops.push({
      op: 'addr.add',
      netns: i.netns,
      dev: i.name,
      address: i.address,
      source: unique([i.node, i.domain && ctx.domains.get(i.domain)?.element, i.link]),
      why: `${i.node}'s address ${i.address}${domain ? ` on ${domain}` : ''}${origin ? `, ${origin}` : ''}`,
    });
  }
  return ops.sort(byNetnsDev);
}

/** Loopback's ops (`lo`) and a state op per interface (of `interfaces`: all by default), sorted. */
export function stateOps(
  ctx: Context,
  lo: Op[],
  interfaces: readonly IfaceSpec[] = ctx.topology.interfaces,
): Op[] {
  const ops = [...lo] as OpOf<'link.state'>[];
  for (const i of interfaces) {
    const what = ctx.describe(i);
    let why: string;
    if (i.up) why = `bring up ${what}`;
    else if (i.link)
      why = `${what} stays down: ${ctx.linkLabel(i.link, '')} is set down in the design (no routes through it)`;
    else why = `${what} stays down, as the design says`;
    ops.push({
      op: 'link.state',
      netns: i.netns,
      dev: i.name,
      state: i.up ? 'up' : 'down',
      source: unique([i.node, i.link, i.towards]),
      why,
    });
  }
  // Loopback first in each namespace, then devices by name.
  return ops.sort(
    (a, b) =>
      cmp(a.netns, b.netns) || Number(a.dev !== 'lo') - Number(b.dev !== 'lo') || cmp(a.dev, b.dev),
  );
}

export function fdbOps(ctx: Context): OpOf<'fdb.append'>[] {
  const ops: OpOf<'fdb.append'>[] = [];
  for (const i of ctx.topology.interfaces) {
    if (!i.vxlan) continue;
    const element = i.domain ? (ctx.domains.get(i.domain)?.element ?? i.domain) : undefined;
    for (const dst of i.vxlan.remotes) {
      const peer = ctx.vxlanMembers.get(`${i.domain ?? ''}|${dst}`);
      ops.push({
        op: 'fdb.append',
        netns: i.netns,
        dev: i.name,
        dst,
        source: unique([i.node, element, peer]),
        why: `${i.node} sends broadcast and unknown frames of ${i.name} to ${peer ? `${peer} at ` : ''}${dst} (one copy per peer: head-end replication)`,
      });
    }
  }
  // Stable sort: within one device the remotes keep the topology's order.
  return ops.sort(byNetnsDev);
}

/**
 * The kernel refuses a route through an interface that is administratively
 * down ("Nexthop device is not up") and flushes IPv4 routes from a device
 * when it goes down, so a down link's routes cannot exist while it is down:
 * they are left out, exactly as the kernel would have it.
 */
export function routeOps(ctx: Context): OpOf<'route.add'>[] {
  const down = new Set(
    ctx.topology.interfaces.filter((i) => !i.up).map((i) => `${i.netns}/${i.name}`),
  );
  return sortRoutes(ctx.topology.routes.filter((r) => !down.has(`${r.netns}/${r.dev}`))).map(
    (r) => ({
      op: 'route.add' as const,
      netns: r.netns,
      to: r.to,
      via: r.via,
      dev: r.dev,
      source: [r.node],
      why: r.why,
    }),
  );
}

export function names(ctx: Context): Plan['names'] {
  const out: Plan['names'] = [];
  const seen = new Set<string>();
  const add = (netns: string, dev: string | null, element: string) => {
    const key = `${netns}/${dev ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ netns, dev, element });
  };
  for (const ns of ctx.topology.netns) add(ns.name, null, ns.node ?? '');
  for (const i of ctx.topology.interfaces) add(i.netns, i.name, i.node);
  // A peer the topology does not list separately still exists in the kernel:
  // a fabric port belongs to its segment, any other end to its namespace's element.
  for (const i of ctx.topology.interfaces) {
    if (!i.peer) continue;
    const owner = ctx.isFabric(i.peer.netns)
      ? (i.towards ?? i.node)
      : ctx.ownerOf(i.peer.netns) || i.node;
    add(i.peer.netns, i.peer.name, owner);
  }
  return out.sort((a, b) => cmp(a.netns, b.netns) || cmp(a.dev ?? '', b.dev ?? ''));
}

export function teardown(ctx: Context): Op[] {
  // Element namespaces first, the fabric last: deleting a namespace takes its
  // veth ends with it, so the fabric's ports are gone before its bridges.
  const elements = ctx.topology.netns
    .filter((n) => n.role !== 'fabric')
    .sort((a, b) => cmp(a.name, b.name));
  const fabric = ctx.topology.netns
    .filter((n) => n.role === 'fabric')
    .sort((a, b) => cmp(a.name, b.name));
  return [...elements, ...fabric].map((ns) => ({
    op: 'netns.del' as const,
    netns: ns.name,
    source: unique([ns.node]),
    why:
      ns.role === 'fabric'
        ? `remove the fabric namespace of lab ${ctx.topology.lab} and its segment bridges`
        : `remove ${ROLE_WORD[ns.role]} ${ns.node} and everything inside its namespace`,
  }));
}
