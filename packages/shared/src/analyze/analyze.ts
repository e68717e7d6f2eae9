import type {
  DomainSpec,
  Hop,
  IfaceSpec,
  Matrix,
  PairResult,
  RouteSpec,
  Topology,
} from '../model.js';
import {
  bareAddress,
  formatDestination,
  formatIpv4,
  networkOf,
  parseIfAddress,
  parseIpv4,
} from '../net/ipv4.js';
import { DEFAULT_MTU, kernelMtus, L2_SLACK, VXLAN_OVERHEAD } from '../net/mtu.js';

/**
 * Predicted ping matrix with forward/return paths and first failure reasons. Pure.
 *
 * A small model of the Linux IPv4 forwarding path over exactly what the
 * compiler realises: per namespace, connected routes of up, addressed
 * interfaces plus the RouteSpecs that the kernel would accept, longest prefix
 * wins, local addresses are delivered (weak host model: any up interface of
 * the namespace), non-forwarding namespaces drop transit packets, and a next
 * hop is reachable only if its owner sits in the same L2 component as the
 * egress interface (veth pairs, bridge ports, VXLAN members whose underlay
 * works). rp_filter is off, so the reply is simulated on its own.
 *
 * Work is shared by equivalence class: every destination whose most specific
 * covering prefix (over all routing tables) is the same gets the same routing
 * decision everywhere, so a walk is computed once per (namespace, class) and
 * only the last L2 delivery is per destination.
 */
export function analyze(
  topology: Topology,
  opts?: { endpoints?: string[]; size?: number },
): Matrix {
  if (
    opts?.size !== undefined &&
    !(Number.isInteger(opts.size) && opts.size >= 0 && opts.size <= MAX_PING_SIZE)
  )
    throw new RangeError(`a ping size is 0 to ${MAX_PING_SIZE} bytes, not ${opts.size}`);
  return new Analyzer(topology).matrix(opts?.endpoints, opts?.size);
}

/** The largest ICMP payload one IPv4 packet holds (65535 − 20 − 8), as `ping -s` takes it. */
export const MAX_PING_SIZE = 65507;
/** IPv4 and ICMP headers: a `ping -s N` packet is N + 28 bytes at the IP layer. */
const PING_HEADERS = 28;

/** Greatest number of L3 stops before the packet's TTL (64, Linux default for ping) runs out. */
const TTL = 64;
const DST = '{dst}';
const SHIFT = 4294967296;

interface Route {
  net: number;
  len: number;
  dev: number;
  /** Gateway address, or -1 for a connected (on-link) route. */
  via: number;
  spec: RouteSpec | null;
}

/** A RouteSpec the kernel would refuse (or flush), kept to explain a missing route. */
interface BrokenRoute {
  net: number;
  len: number;
  dev: number;
  spec: RouteSpec;
  problem: string;
  blame: string[];
}

interface Failure {
  /** May contain `{dst}`, replaced by the destination address of the pair. */
  reason: string;
  blame: string[];
}

interface Walk {
  hops: Hop[];
  /** Namespace at each L3 stop. */
  stops: number[];
  /** Index into hops where each stop's hop begins. */
  hopAt: number[];
  /** Interface the packet arrived on at each stop (-1 at the walk's first stop). */
  arrival: number[];
  end: { egress: number; fail?: undefined } | { egress: -1; fail: Failure };
}

interface OriginStep {
  /** The origin's own hop and the segment it sends across (or its failure hop). */
  head: Hop[];
  next: { ns: number; arrival: number } | null;
  fail: Failure | null;
}

interface PathResult {
  ok: boolean;
  hops: Hop[];
  /** Namespace where the packet was delivered. */
  at: number;
  /** Source address the originating namespace chose (-1 when it could not send). */
  src: number;
  reason?: string;
  blame?: string[];
}

type EdgeKind = 'veth' | 'port' | 'vxlan';

class Analyzer {
  private readonly ifaces: IfaceSpec[];
  private readonly ifaceIndex = new Map<string, number>();
  private readonly ifaceNs: number[] = [];
  private readonly up: boolean[] = [];
  private readonly addr: number[] = [];
  private readonly plen: number[] = [];
  /** A VXLAN device's own underlay address (`local`), or -1. */
  private readonly local: number[] = [];
  private readonly nsIndex = new Map<string, number>();
  private readonly nsElement: string[] = [];
  private readonly nsForwarding: boolean[] = [];
  private readonly nsRole: string[] = [];
  private readonly nsIfaces: number[][] = [];
  private readonly tables: Route[][] = [];
  private readonly broken: BrokenRoute[][] = [];
  private readonly nsHasComputed: boolean[] = [];
  private readonly nsHasStatic: boolean[] = [];
  private readonly domains = new Map<string, DomainSpec>();
  private readonly linkState = new Map<string, 'up' | 'down'>();
  /** Union-find parent over interfaces: the L2 components as they really are. */
  private readonly parent: number[] = [];
  /** Address → namespaces where it is local (on any interface, up or down: the weak host model). */
  private readonly localOwners = new Map<number, number[]>();
  /** Address → up interfaces that carry it. */
  private readonly upOwners = new Map<number, number[]>();
  /** Address → every interface that carries it, whatever its state (for explanations). */
  private readonly anyOwners = new Map<number, number[]>();
  /** Prefixes of every effective route, by length: the destination classes. */
  private readonly prefixSets: Set<number>[] = [];
  private readonly classOfAddr = new Map<number, number>();
  private readonly classRep: number[] = [];
  private readonly classKey = new Map<number, number>();
  private readonly lpmLens: number[][] = [];
  private readonly lpmMaps: Map<number, Route>[][] = [];
  private readonly routeMemo: (Route | null)[][] = [];
  private readonly originStepMemo = new Map<Route, OriginStep>();
  private readonly noRouteMemo: Map<number, Failure>[] = [];
  private readonly reasonMemo = new Map<Failure, Map<number, string>>();
  /** Namespace where the last successful trace() delivered. */
  private tracedAt = -1;
  private readonly transitMemo: Map<number, Walk | 'busy'>[] = [];
  private readonly nextHopMemo = new Map<Route, { ns: number; arrival: number } | Failure>();
  private readonly explainMemo = new Map<number, Failure>();
  private readonly crossHopMemo = new Map<number, Hop>();
  private readonly stopHopMemo = new Map<Route, Hop>();
  private readonly transitHopMemo = new Map<Route, Hop>();
  private readonly deliverHopMemo: Map<number, Hop>[] = [];
  /** Paths to addresses that are not endpoint targets (a reply to a secondary source address), per namespace. */
  private readonly pathMemo: Map<number, PathResult>[] = [];
  private idealAdj: { to: number; kind: EdgeKind }[][] | null = null;
  private readonly transitStack: number[] = [];
  /** The MTU the kernel gives each interface. */
  private readonly mtu: number[] = [];
  /** Where a stop hop sends from (its egress) or a delivery hop receives (its arrival, -1: locally). */
  private readonly hopAt = new Map<Hop, { ns: number; iface: number; deliver: boolean }>();
  private readonly l2PathMemo = new Map<number, number[] | null>();
  private gatewayDomains: Map<number, { d: DomainSpec; gw: number }>[] | null = null;

  constructor(private readonly topology: Topology) {
    this.ifaces = topology.interfaces;
    for (const d of topology.domains) this.domains.set(d.id, d);
    for (const l of topology.links) this.linkState.set(l.id, l.state);
    for (const ns of topology.netns)
      this.addNs(ns.name, ns.node ?? ns.name, ns.forwarding, ns.role);
    for (let l = 0; l <= 32; l++) this.prefixSets.push(new Set());
    this.indexInterfaces();
    this.buildComponents();
    this.buildTables();
    const mtus = kernelMtus(this.ifaces);
    for (const f of this.ifaces) this.mtu.push(mtus.get(f.key) ?? DEFAULT_MTU);
  }

  // ───────────── model construction ─────────────

  private ns(name: string): number {
    let i = this.nsIndex.get(name);
    // An interface in a namespace the topology does not list: still model it, as its own non-forwarder.
    if (i === undefined) i = this.addNs(name, name, false, 'namespace');
    return i;
  }

  /** One namespace more in every per-namespace array: one place, so none is missed. */
  private addNs(name: string, element: string, forwarding: boolean, role: string): number {
    const i = this.nsElement.length;
    this.nsIndex.set(name, i);
    this.nsElement.push(element);
    this.nsForwarding.push(forwarding);
    this.nsRole.push(role);
    this.nsIfaces.push([]);
    this.tables.push([]);
    this.broken.push([]);
    this.nsHasComputed.push(false);
    this.nsHasStatic.push(false);
    this.routeMemo.push([]);
    this.transitMemo.push(new Map());
    return i;
  }

  private indexInterfaces(): void {
    this.ifaces.forEach((f, i) => {
      this.ifaceIndex.set(`${f.netns}/${f.name}`, i);
      const ns = this.ns(f.netns);
      this.ifaceNs.push(ns);
      this.nsIfaces[ns]!.push(i);
      this.up.push(f.up);
      const parsed = f.address === null ? null : parseIfAddress(f.address);
      const a = parsed?.addr ?? -1;
      this.addr.push(a);
      this.plen.push(parsed?.len ?? 32);
      this.local.push(f.vxlan ? (parseIpv4(f.vxlan.local) ?? -1) : -1);
      this.parent.push(i);
      if (a >= 0) {
        push(this.anyOwners, a, i);
        if (f.up) push(this.upOwners, a, i);
        // Weak host model: the kernel keeps the local route of an address on a down
        // interface, so the namespace still accepts packets for it on any other one.
        const owners = this.localOwners.get(a);
        if (!owners) this.localOwners.set(a, [ns]);
        else if (!owners.includes(ns)) owners.push(ns);
      }
    });
  }

  private find(i: number): number {
    let root = i;
    while (this.parent[root] !== root) root = this.parent[root]!;
    while (this.parent[i] !== root) {
      const next = this.parent[i]!;
      this.parent[i] = root;
      i = next;
    }
    return root;
  }

  private union(a: number, b: number): boolean {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return false;
    if (ra < rb) this.parent[rb] = ra;
    else this.parent[ra] = rb;
    return true;
  }

  private peerOf(i: number): number {
    const p = this.ifaces[i]!.peer;
    return p ? (this.ifaceIndex.get(`${p.netns}/${p.name}`) ?? -1) : -1;
  }

  private masterOf(i: number): number {
    const f = this.ifaces[i]!;
    return f.master ? (this.ifaceIndex.get(`${f.netns}/${f.master}`) ?? -1) : -1;
  }

  private underlayOf(i: number): number {
    const f = this.ifaces[i]!;
    return f.vxlan ? (this.ifaceIndex.get(`${f.netns}/${f.vxlan.underlayDev}`) ?? -1) : -1;
  }

  /** Members of each VXLAN segment (same VNI and UDP port: anything else never meets). */
  private vxlanGroups(): number[][] {
    const groups = new Map<string, number[]>();
    this.ifaces.forEach((f, i) => {
      if (f.kind === 'vxlan' && f.vxlan) push(groups, `${f.vxlan.vni}:${f.vxlan.port}`, i);
    });
    return [...groups.values()];
  }

  private buildComponents(): void {
    for (let i = 0; i < this.ifaces.length; i++) {
      if (!this.up[i]) continue;
      const peer = this.peerOf(i);
      if (peer >= 0 && this.up[peer]) this.union(i, peer);
      const master = this.masterOf(i);
      if (master >= 0 && this.up[master]) this.union(i, master);
    }
    // A tunnel joins its members only once their underlay connects them; tunnels may
    // ride on other tunnels, so repeat until nothing new joins.
    const groups = this.vxlanGroups();
    let changed = true;
    while (changed) {
      changed = false;
      for (const g of groups) {
        for (let x = 0; x < g.length; x++) {
          for (let y = x + 1; y < g.length; y++) {
            const a = g[x]!;
            const b = g[y]!;
            if (this.find(a) === this.find(b)) continue;
            if (this.tunnelProblem(a, b) === null && this.union(a, b)) changed = true;
          }
        }
      }
    }
  }

  /** Whether an up interface carrying `address` sits in the same L2 component as `from`. */
  private ownerInComponent(from: number, address: number): number {
    const owners = this.upOwners.get(address);
    if (!owners) return -1;
    const root = this.find(from);
    for (const o of owners) if (this.find(o) === root) return o;
    // Weak host model: a namespace answers ARP for any of its local addresses on any interface.
    const nss = this.localOwners.get(address) ?? [];
    for (const ns of nss) {
      for (const i of this.nsIfaces[ns]!) if (this.up[i] && this.find(i) === root) return i;
    }
    return -1;
  }

  /** Why VXLAN members a and b cannot exchange frames right now, or null if they can. */
  private tunnelProblem(a: number, b: number): 'down' | 'fdb' | 'underlay' | null {
    if (!this.up[a] || !this.up[b]) return 'down';
    const va = this.ifaces[a]!.vxlan!;
    const vb = this.ifaces[b]!.vxlan!;
    // Head-end replication: each side floods only to the remotes it lists, and ARP needs both ways.
    if (!va.remotes.includes(vb.local) || !vb.remotes.includes(va.local)) return 'fdb';
    const ua = this.underlayOf(a);
    const ub = this.underlayOf(b);
    if (ua < 0 || ub < 0 || !this.up[ua] || !this.up[ub]) return 'underlay';
    if (this.ownerInComponent(ua, this.local[b]!) < 0) return 'underlay';
    if (this.ownerInComponent(ub, this.local[a]!) < 0) return 'underlay';
    return null;
  }

  private buildTables(): void {
    const connected: Route[][] = this.tables.map(() => []);
    for (let i = 0; i < this.ifaces.length; i++) {
      if (!this.up[i] || this.addr[i]! < 0) continue;
      const len = this.plen[i]!;
      connected[this.ifaceNs[i]!]!.push({
        net: networkOf(this.addr[i]!, len),
        len,
        dev: i,
        via: -1,
        spec: null,
      });
    }
    const written: Route[][] = this.tables.map(() => []);
    for (const spec of this.topology.routes) {
      const ns = this.ns(spec.netns);
      if (spec.origin === 'computed') this.nsHasComputed[ns] = true;
      if (spec.origin === 'static') this.nsHasStatic[ns] = true;
      const to = spec.to === 'default' ? { addr: 0, len: 0 } : parseIfAddress(spec.to);
      const len = to?.len ?? 32;
      const net = networkOf(to?.addr ?? -1, len);
      const dev = this.ifaceIndex.get(`${spec.netns}/${spec.dev}`) ?? -1;
      const via = parseIpv4(spec.via) ?? -1;
      const problem = this.routeProblem(ns, dev, via, spec);
      if (problem) {
        this.broken[ns]!.push({
          net,
          len,
          dev,
          spec,
          problem: problem.reason,
          blame: problem.blame,
        });
        continue;
      }
      // A written route for a prefix that is already connected is refused by the kernel (File exists).
      if (connected[ns]!.some((r) => r.net === net && r.len === len)) continue;
      written[ns]!.push({ net, len, dev, via, spec });
    }
    for (let ns = 0; ns < this.tables.length; ns++) {
      const table = [...connected[ns]!, ...written[ns]!];
      // Longest prefix first; Array.prototype.sort is stable, so ties keep kernel insertion order.
      table.sort((x, y) => y.len - x.len);
      this.tables[ns] = table;
      const lens: number[] = [];
      const maps: Map<number, Route>[] = [];
      for (const r of table) {
        this.prefixSets[r.len]!.add(r.net);
        if (lens[lens.length - 1] !== r.len) {
          lens.push(r.len);
          maps.push(new Map());
        }
        const map = maps[maps.length - 1]!;
        // `| 0`: small-integer keys; the first route of a prefix wins, as in the kernel's table.
        if (!map.has(r.net | 0)) map.set(r.net | 0, r);
      }
      this.lpmLens[ns] = lens;
      this.lpmMaps[ns] = maps;
    }
  }

  /** The kernel refuses `route add … via G dev D` when D is missing or down, or G is not on D's subnet. */
  private routeProblem(ns: number, dev: number, via: number, spec: RouteSpec): Failure | null {
    const el = this.nsElement[ns]!;
    if (dev < 0)
      return {
        reason: `${el} has no interface ${spec.dev} for its route to ${spec.to}`,
        blame: [el],
      };
    if (!this.up[dev]) {
      const link = this.ifaces[dev]!.link;
      const cut =
        link && this.linkState.get(link) === 'down'
          ? `the link ${link} is down`
          : `${el}'s interface ${spec.dev} is down`;
      return { reason: `${cut}, so ${el} has no route to ${DST}`, blame: link ? [link, el] : [el] };
    }
    if (
      this.addr[dev]! < 0 ||
      networkOf(via, this.plen[dev]!) !== networkOf(this.addr[dev]!, this.plen[dev]!)
    ) {
      return {
        reason: `${el}'s route to ${spec.to} via ${spec.via} is unusable: ${spec.via} is not on the subnet of ${spec.dev}`,
        blame: [el],
      };
    }
    return null;
  }

  // ───────────── destination classes ─────────────

  /** Class of an address: its most specific covering prefix over every routing table. */
  private classOf(address: number): number {
    const known = this.classOfAddr.get(address);
    if (known !== undefined) return known;
    let key = -1;
    for (let len = 32; len >= 0; len--) {
      const net = networkOf(address, len);
      if (this.prefixSets[len]!.has(net)) {
        key = net * 64 + len;
        break;
      }
    }
    let cls = this.classKey.get(key);
    if (cls === undefined) {
      cls = this.classRep.length;
      this.classKey.set(key, cls);
      this.classRep.push(address);
    }
    this.classOfAddr.set(address, cls);
    return cls;
  }

  private lookup(ns: number, address: number): Route | undefined {
    const lens = this.lpmLens[ns]!;
    const maps = this.lpmMaps[ns]!;
    for (let k = 0; k < lens.length; k++) {
      const r = maps[k]!.get(networkOf(address, lens[k]!) | 0);
      if (r) return r;
    }
    return undefined;
  }

  /** The route a namespace uses for a destination class (null: none). */
  private routeFor(ns: number, cls: number): Route | null {
    const memo = this.routeMemo[ns]!;
    let r = memo[cls];
    if (r === undefined) {
      r = this.lookup(ns, this.classRep[cls]!) ?? null;
      memo[cls] = r;
    }
    return r;
  }

  /** Source address a namespace picks for destinations of a class: the primary address of the egress. */
  private sourceFor(ns: number, cls: number): number {
    const r = this.routeFor(ns, cls);
    return r && this.addr[r.dev]! >= 0 ? this.addr[r.dev]! : this.anyLocalAddress(ns);
  }

  /** What the originating namespace does with a route: the same for every destination that uses it. */
  private originStep(ns: number, route: Route): OriginStep {
    let step = this.originStepMemo.get(route);
    if (!step) {
      const stop = this.stopHop(ns, route, true);
      if (route.via < 0) step = { head: [stop, this.crossHop(route.dev)], next: null, fail: null };
      else {
        const next = this.nextHop(ns, route);
        step =
          'reason' in next
            ? {
                head: [
                  stop,
                  this.failHop(ns, `cannot reach its next hop ${formatIpv4(route.via)}`),
                ],
                next: null,
                fail: next,
              }
            : { head: [stop, this.crossHop(route.dev)], next, fail: null };
      }
      this.originStepMemo.set(route, step);
    }
    return step;
  }

  private noRouteFor(ns: number, cls: number): Failure {
    let memo = this.noRouteMemo[ns];
    if (!memo) {
      memo = new Map();
      this.noRouteMemo[ns] = memo;
    }
    let f = memo.get(cls);
    if (!f) {
      f = this.noRoute(ns, this.classRep[cls]!);
      memo.set(cls, f);
    }
    return f;
  }

  // ───────────── walks ─────────────

  private transitWalk(ns: number, cls: number): Walk | 'busy' {
    const memo = this.transitMemo[ns]!;
    const known = memo.get(cls);
    if (known) return known;
    if (this.transitStack.length >= TTL) {
      return failWalk(ns, this.failHop(ns, 'drops the packet: its TTL ran out'), {
        reason: `the packet to ${DST} needs more than ${TTL} router hops, so its TTL runs out at ${this.nsElement[ns]}`,
        blame: [this.nsElement[ns]!],
      });
    }
    memo.set(cls, 'busy');
    this.transitStack.push(ns);
    const w = this.step(ns, cls);
    this.transitStack.pop();
    memo.set(cls, w);
    return w;
  }

  private step(ns: number, cls: number): Walk {
    const el = this.nsElement[ns]!;
    if (!this.nsForwarding[ns]) {
      return failWalk(ns, this.failHop(ns, `drops the packet: ${el} does not forward`), {
        reason: `${el} does not forward (ip_forward is off), so it drops the packet to ${DST}`,
        blame: [el],
      });
    }
    const rep = this.classRep[cls]!;
    const route = this.lookup(ns, rep);
    if (!route)
      return failWalk(ns, this.failHop(ns, `drops the packet: no route`), this.noRoute(ns, rep));
    const head = [this.stopHop(ns, route, false), this.crossHop(route.dev)];
    if (route.via < 0) {
      return {
        hops: head,
        stops: [ns],
        hopAt: [0],
        arrival: [-1],
        end: { egress: route.dev },
      };
    }
    const next = this.nextHop(ns, route);
    if ('reason' in next) {
      return {
        // The frame never crosses the segment, so the path stops at the router that could not send it.
        hops: [head[0]!, this.failHop(ns, `cannot reach its next hop ${route.spec!.via}`)],
        stops: [ns],
        hopAt: [0],
        arrival: [-1],
        end: { egress: -1, fail: next },
      };
    }
    const rest = this.transitWalk(next.ns, cls);
    if (rest === 'busy') {
      const from = this.transitStack.indexOf(next.ns);
      const cycle = [
        ...new Set(
          [...this.transitStack.slice(Math.max(from, 0)), ns].map((n) => this.nsElement[n]!),
        ),
      ];
      const names =
        cycle.length === 1
          ? cycle[0]!
          : `${cycle.slice(0, -1).join(', ')} and ${cycle[cycle.length - 1]}`;
      return {
        hops: [...head, this.failHop(next.ns, `gets the packet back: routing loop`)],
        stops: [ns, next.ns],
        hopAt: [0, 2],
        arrival: [-1, next.arrival],
        end: {
          egress: -1,
          fail: {
            reason: `routing loop between ${names}: the packet to ${DST} circles until its TTL runs out`,
            blame: cycle,
          },
        },
      };
    }
    const hops = head.concat(rest.hops);
    const stops = [ns, ...rest.stops];
    const hopAt = [0, ...rest.hopAt.map((h) => h + head.length)];
    const arrival = [-1, next.arrival, ...rest.arrival.slice(1)];
    return { hops, stops, hopAt, arrival, end: rest.end };
  }

  /** The first reason a namespace has no route, in the words of the element that lacks it. */
  private noRoute(ns: number, rep: number): Failure {
    const el = this.nsElement[ns]!;
    let best: BrokenRoute | undefined;
    for (const b of this.broken[ns]!) {
      if (networkOf(rep, b.len) === b.net && (!best || b.len > best.len)) best = b;
    }
    if (best)
      return {
        reason: best.problem.includes(DST)
          ? best.problem
          : `${best.problem}, so ${el} has no route to ${DST}`,
        blame: best.blame,
      };
    if (!this.nsForwarding[ns]) {
      for (const i of this.nsIfaces[ns]!) {
        const dom = this.ifaces[i]!.domain ? this.domains.get(this.ifaces[i]!.domain!) : undefined;
        if (!dom) continue;
        if (!this.up[i]) {
          const link = this.ifaces[i]!.link;
          if (link && this.linkState.get(link) === 'down') {
            return {
              reason: `the link ${link} is down, so ${el} has no route to ${DST}`,
              blame: [link, el],
            };
          }
          continue;
        }
        if (!dom.gateway) {
          return {
            reason: `${el} has no route to ${DST} (no default gateway: ${dom.element} has no router)`,
            blame: [el, dom.element],
          };
        }
        break;
      }
      return { reason: `${el} has no route to ${DST}`, blame: [el] };
    }
    if (!this.nsHasComputed[ns] && this.nsHasStatic[ns] && this.nsRole[ns] === 'router') {
      return {
        reason: `${el} has no route to ${DST}: none of the routes written for it covers that address`,
        blame: [el],
      };
    }
    return this.acrossUnderlay(ns, rep) ?? { reason: `${el} has no route to ${DST}`, blame: [el] };
  }

  /**
   * The rule that leaves a router without a route to a subnet whose gateway it
   * meets only on a VXLAN underlay: an underlay is no transit network. Null when
   * that is not why.
   */
  private acrossUnderlay(ns: number, rep: number): Failure | null {
    const el = this.nsElement[ns]!;
    this.gatewayDomains ??= this.indexGatewayDomains();
    let found: { d: DomainSpec; gw: number } | undefined;
    for (let len = 32; len >= 0 && !found; len--)
      found = this.gatewayDomains[len]?.get(networkOf(rep, len));
    if (!found || found.d.gateway!.node === el) return null;
    const { d, gw } = found;
    const on = (at: number, transit: boolean) =>
      new Set(
        this.nsIfaces[at]!.filter((i) => this.up[i])
          .map((i) => this.ifaces[i]!.domain)
          .filter((id): id is string => !!id && this.domains.get(id)?.transit === transit),
      );
    // Sharing a transit domain too (a tunnel, a segment), the underlay is not why.
    const transit = on(ns, true);
    if ([...on(gw, true)].some((t) => transit.has(t))) return null;
    const mine = on(ns, false);
    const shared = [...on(gw, false)].find((u) => mine.has(u));
    if (!shared) return null;
    const u = this.domains.get(shared)!.element;
    const g = d.gateway!.node;
    return {
      reason: `${el} has no route to ${DST}: ${d.element} is behind ${g}, which ${el} meets only on ${u}, and ${u} carries a VXLAN tunnel, so it is no transit network (join ${el} and ${g} to one tunnel)`,
      blame: [el, g, u],
    };
  }

  /** Domains with a subnet and a gateway, by prefix length and network, with the gateway's namespace. */
  private indexGatewayDomains(): Map<number, { d: DomainSpec; gw: number }>[] {
    const nsOfNode = new Map<string, number>();
    for (const n of this.topology.netns)
      if (n.node !== null) nsOfNode.set(n.node, this.nsIndex.get(n.name)!);
    const byPrefix: Map<number, { d: DomainSpec; gw: number }>[] = [];
    for (const d of this.domains.values()) {
      const gw = d.gateway ? nsOfNode.get(d.gateway.node) : undefined;
      if (!d.subnet || gw === undefined) continue;
      const subnet = parseIfAddress(d.subnet);
      const len = subnet?.len ?? 32;
      const net = networkOf(subnet?.addr ?? -1, len);
      byPrefix[len] ??= new Map();
      if (!byPrefix[len]!.has(net)) byPrefix[len]!.set(net, { d, gw });
    }
    return byPrefix;
  }

  private nextHop(ns: number, route: Route): { ns: number; arrival: number } | Failure {
    let known = this.nextHopMemo.get(route);
    if (!known) {
      const owner = this.ownerInComponent(route.dev, route.via);
      if (owner >= 0) known = { ns: this.ifaceNs[owner]!, arrival: owner };
      else {
        const why = this.explainL2(route.dev, route.via);
        const el = this.nsElement[ns]!;
        known = {
          reason: `${el} cannot reach its gateway ${formatIpv4(route.via)}: ${why.reason}`,
          blame: why.blame,
        };
      }
      this.nextHopMemo.set(route, known);
    }
    return known;
  }

  // ───────────── hops ─────────────

  private stopHop(ns: number, route: Route, origin: boolean): Hop {
    // Origin and transit differ only in the verb.
    const memo = origin ? this.stopHopMemo : this.transitHopMemo;
    let hop = memo.get(route);
    if (!hop) {
      const el = this.nsElement[ns]!;
      const dev = this.ifaces[route.dev]!.name;
      const verb = origin ? 'sends' : 'forwards';
      const what =
        route.len === 0
          ? 'by its default route'
          : `by its route ${formatDestination({ base: route.net, len: route.len })}`;
      const note =
        route.via < 0
          ? `${verb} on ${dev}: ${formatDestination({ base: route.net, len: route.len })} is directly connected`
          : `${verb} ${what} via ${formatIpv4(route.via)} on ${dev}`;
      hop = { element: el, dev, note };
      this.hopAt.set(hop, { ns, iface: route.dev, deliver: false });
      memo.set(route, hop);
    }
    return hop;
  }

  private crossHop(dev: number): Hop {
    let hop = this.crossHopMemo.get(dev);
    if (!hop) {
      const f = this.ifaces[dev]!;
      const dom = f.domain ? this.domains.get(f.domain) : undefined;
      const element = dom?.element ?? f.towards ?? f.name;
      let note: string;
      if (dom?.kind === 'overlay' && f.vxlan) {
        const under = this.underlayOf(dev);
        const underDom =
          under >= 0 && this.ifaces[under]!.domain
            ? this.domains.get(this.ifaces[under]!.domain!)
            : undefined;
        note = `through the VXLAN tunnel ${element} (VNI ${f.vxlan.vni}${underDom ? `, over ${underDom.element}` : ''})`;
      } else if (dom?.kind === 'p2p') note = `over the point-to-point link ${element}`;
      else if (dom?.kind === 'hostnet') note = `across ${element}'s container bridge`;
      else note = `across ${element} (L2)`;
      hop = { element, note };
      this.crossHopMemo.set(dev, hop);
    }
    return hop;
  }

  private deliverHop(ns: number, arrival: number, address: number): Hop {
    // The arrival interface fixes the namespace; local delivery (no arrival) is per namespace and rare.
    let memo: Map<number, Hop> | undefined;
    if (arrival >= 0) {
      memo = this.deliverHopMemo[arrival];
      if (!memo) {
        memo = new Map();
        this.deliverHopMemo[arrival] = memo;
      }
    }
    let hop = memo?.get(address | 0);
    if (!hop) {
      const el = this.nsElement[ns]!;
      const own = `${formatIpv4(address)} is its own address${this.weakHost(ns, arrival, address)}`;
      hop =
        arrival >= 0
          ? { element: el, dev: this.ifaces[arrival]!.name, note: `receives it: ${own}` }
          : { element: el, note: `delivers it locally: ${own}` };
      this.hopAt.set(hop, { ns, iface: arrival, deliver: true });
      memo?.set(address | 0, hop);
    }
    return hop;
  }

  /**
   * The rule that delivers `address` in `ns` when it is not on the interface the packet
   * arrived on: "", or the interface that holds it and, when that one is down, the weak host model.
   */
  private weakHost(ns: number, arrival: number, address: number): string {
    const holders = (this.anyOwners.get(address) ?? []).filter((i) => this.ifaceNs[i] === ns);
    if (holders.length === 0 || holders.includes(arrival)) return '';
    const up = holders.find((i) => this.up[i]);
    if (up !== undefined) return arrival >= 0 ? ` (on ${this.ifaces[up]!.name})` : '';
    const dev = this.ifaces[holders[0]!]!.name;
    return ` on ${dev}, which is down: Linux keeps the address local and accepts it on any interface (weak host model)`;
  }

  private failHop(ns: number, note: string): Hop {
    return { element: this.nsElement[ns]!, note };
  }

  // ───────────── explanations of L2 failures ─────────────

  private buildIdeal(): { to: number; kind: EdgeKind }[][] {
    const adj: { to: number; kind: EdgeKind }[][] = this.ifaces.map(() => []);
    const add = (a: number, b: number, kind: EdgeKind) => {
      if (a < 0 || b < 0 || a === b) return;
      if (adj[a]!.some((e) => e.to === b && e.kind === kind)) return;
      adj[a]!.push({ to: b, kind });
      adj[b]!.push({ to: a, kind });
    };
    for (let i = 0; i < this.ifaces.length; i++) {
      add(i, this.peerOf(i), 'veth');
      add(i, this.masterOf(i), 'port');
    }
    for (const g of this.vxlanGroups())
      for (const a of g) for (const b of g) if (a < b) add(a, b, 'vxlan');
    return adj;
  }

  /** Why `address` cannot be reached at L2 from interface `from`: the first cut on the path the design intends. */
  private explainL2(from: number, address: number, depth = 0): Failure {
    const key = from * SHIFT + address;
    const known = this.explainMemo.get(key);
    if (known) return known;
    const result = this.explainL2Uncached(from, address, depth);
    this.explainMemo.set(key, result);
    return result;
  }

  private explainL2Uncached(from: number, address: number, depth: number): Failure {
    this.idealAdj ??= this.buildIdeal();
    const adj = this.idealAdj;
    const f = this.ifaces[from]!;
    const dom = f.domain ? this.domains.get(f.domain) : undefined;
    const where = dom?.element ?? f.towards ?? f.name;
    const ip = formatIpv4(address);
    const targets = new Set(this.anyOwners.get(address) ?? []);
    const prev = new Map<number, { from: number; kind: EdgeKind }>([
      [from, { from: -1, kind: 'veth' }],
    ]);
    const queue = [from];
    let found = -1;
    for (let q = 0; q < queue.length && found < 0; q++) {
      const cur = queue[q]!;
      if (targets.has(cur)) {
        found = cur;
        break;
      }
      for (const e of adj[cur]!) {
        if (prev.has(e.to)) continue;
        prev.set(e.to, { from: cur, kind: e.kind });
        queue.push(e.to);
      }
    }
    if (found < 0) {
      return { reason: `nothing on ${where} has the address ${ip}`, blame: [where] };
    }
    const path: { a: number; b: number; kind: EdgeKind }[] = [];
    for (let cur = found; cur !== from; ) {
      const p = prev.get(cur)!;
      path.push({ a: p.from, b: cur, kind: p.kind });
      cur = p.from;
    }
    path.reverse();
    if (!this.up[from]) return this.downIface(from);
    for (const e of path) {
      if (e.kind === 'vxlan') {
        const problem = this.tunnelProblem(e.a, e.b);
        if (problem === null) continue;
        const tunnel = this.ifaces[e.a]!.domain
          ? (this.domains.get(this.ifaces[e.a]!.domain!)?.element ?? this.ifaces[e.a]!.name)
          : this.ifaces[e.a]!.name;
        const far = this.nsElement[this.ifaceNs[e.b]!]!;
        const near = this.nsElement[this.ifaceNs[e.a]!]!;
        if (problem === 'down') return this.downIface(this.up[e.a] ? e.b : e.a);
        if (problem === 'fdb') {
          const [x, y] = this.ifaces[e.a]!.vxlan!.remotes.includes(this.ifaces[e.b]!.vxlan!.local)
            ? [e.b, e.a]
            : [e.a, e.b];
          return {
            reason: `the tunnel ${tunnel} on ${this.nsElement[this.ifaceNs[x]!]} has no flood entry for ${this.nsElement[this.ifaceNs[y]!]} (${this.ifaces[y]!.vxlan!.local})`,
            blame: [tunnel, this.nsElement[this.ifaceNs[x]!]!],
          };
        }
        // The underlay fails in one direction at least; explain the first.
        for (const [x, y] of [
          [e.a, e.b],
          [e.b, e.a],
        ] as const) {
          const ux = this.underlayOf(x);
          const target = this.local[y]!;
          if (ux >= 0 && this.ownerInComponent(ux, target) >= 0) continue;
          const sub: Failure =
            ux < 0
              ? {
                  reason: `${this.nsElement[this.ifaceNs[x]!]} has no underlay interface ${this.ifaces[x]!.vxlan!.underlayDev}`,
                  blame: [this.nsElement[this.ifaceNs[x]!]!],
                }
              : depth > 8
                ? { reason: `the underlay of ${tunnel} is broken`, blame: [tunnel] }
                : this.explainL2(ux, target, depth + 1);
          const other = x === e.a ? far : near;
          return {
            reason: `${sub.reason}, so the tunnel ${tunnel} cannot reach ${other}`,
            blame: [...sub.blame, tunnel],
          };
        }
        continue;
      }
      if (!this.up[e.a]) return this.downIface(e.a);
      if (!this.up[e.b]) return this.downIface(e.b);
    }
    return { reason: `${ip} does not answer on ${where}`, blame: [where] };
  }

  private downIface(i: number): Failure {
    const f = this.ifaces[i]!;
    const link = f.link;
    if (link && this.linkState.get(link) === 'down')
      return { reason: `the link ${link} is down`, blame: [link] };
    const el = this.nsElement[this.ifaceNs[i]!]!;
    return {
      reason: `${el}'s interface ${f.name} is down`,
      blame: link ? [link, f.node] : [f.node],
    };
  }

  // ───────────── pairs ─────────────

  /** Packet from namespace `ns` (originated there) to `address`, to delivery or the first failure. */
  private path(ns: number, address: number): PathResult {
    let memo = this.pathMemo[ns];
    if (!memo) {
      memo = new Map();
      this.pathMemo[ns] = memo;
    }
    // `| 0` keeps the key a small integer: doubles as Map keys are boxed and slow.
    let result = memo.get(address | 0);
    if (!result) {
      result = this.computePath(ns, address);
      memo.set(address | 0, result);
    }
    return result;
  }

  private computePath(ns: number, address: number): PathResult {
    const owners = this.localOwners.get(address);
    if (owners?.includes(ns)) {
      return { ok: true, hops: [this.deliverHop(ns, -1, address)], at: ns, src: address };
    }
    const cls = this.classOf(address);
    return this.asPathResult(ns, address, cls, this.trace(ns, address, cls, owners));
  }

  private asPathResult(
    ns: number,
    address: number,
    cls: number,
    traced: Hop[] | { hops: Hop[]; fail: Failure },
  ): PathResult {
    const src = this.sourceFor(ns, cls);
    if (Array.isArray(traced)) return { ok: true, hops: traced, at: this.tracedAt, src };
    return {
      ok: false,
      hops: traced.hops,
      at: -1,
      src,
      reason: this.reasonFor(traced.fail, address),
      blame: traced.fail.blame,
    };
  }

  /** A failure's words for one destination; many sources share the same failure and target, so share the string. */
  private reasonFor(fail: Failure, address: number): string {
    if (!fail.reason.includes(DST)) return fail.reason;
    let memo = this.reasonMemo.get(fail);
    if (!memo) {
      memo = new Map();
      this.reasonMemo.set(fail, memo);
    }
    let text = memo.get(address | 0);
    if (text === undefined) {
      text = fail.reason.replaceAll(DST, formatIpv4(address));
      memo.set(address | 0, text);
    }
    return text;
  }

  /**
   * The common case without intermediate objects: the packet from `ns` reaches `dstNs`, which owns
   * `address`, and the hops are the result. Anything else becomes a full PathResult.
   */
  private fastPath(ns: number, address: number, cls: number, dstNs: number): Hop[] | PathResult {
    const owners = this.localOwners.get(address);
    if (ns === dstNs || !owners || owners.includes(ns)) return this.computePath(ns, address);
    const traced = this.trace(ns, address, cls, owners);
    if (Array.isArray(traced) && this.tracedAt === dstNs) return traced;
    return this.asPathResult(ns, address, cls, traced);
  }

  /**
   * A packet originated in `ns` (which does not own `address`): the origin's step for its route,
   * then the shared transit walk for the destination class, then the delivery. On success the
   * hops are returned and `tracedAt` says where it was delivered.
   */
  private trace(
    ns: number,
    address: number,
    cls: number,
    owners: number[] | undefined,
  ): Hop[] | { hops: Hop[]; fail: Failure } {
    const route = this.routeFor(ns, cls);
    if (!route)
      return {
        hops: [this.failHop(ns, 'drops the packet: no route')],
        fail: this.noRouteFor(ns, cls),
      };
    const step = this.originStep(ns, route);
    if (step.fail) return { hops: step.head, fail: step.fail };
    const head = step.head;
    if (!step.next) {
      const arrival = this.ownerInComponent(route.dev, address);
      if (arrival >= 0) {
        this.tracedAt = this.ifaceNs[arrival]!;
        return join(head, EMPTY, 0, this.deliverHop(this.tracedAt, arrival, address));
      }
      return {
        hops: join(head, EMPTY, 0, this.failHop(ns, `cannot deliver to ${formatIpv4(address)}`)),
        fail: this.explainL2(route.dev, address),
      };
    }
    const nextNs = step.next.ns;
    if (owners?.includes(nextNs)) {
      this.tracedAt = nextNs;
      return join(head, EMPTY, 0, this.deliverHop(nextNs, step.next.arrival, address));
    }
    // Nothing is in progress at the top of a trace, so the transit walk is never 'busy' here.
    const w = this.transitWalk(nextNs, cls) as Walk;
    if (owners) {
      for (let k = 1; k < w.stops.length; k++) {
        if (!owners.includes(w.stops[k]!)) continue;
        this.tracedAt = w.stops[k]!;
        return join(
          head,
          w.hops,
          w.hopAt[k]!,
          this.deliverHop(w.stops[k]!, w.arrival[k]!, address),
        );
      }
    }
    if (w.end.fail) return { hops: join(head, w.hops, w.hops.length, null), fail: w.end.fail };
    const arrival = this.ownerInComponent(w.end.egress, address);
    if (arrival >= 0) {
      this.tracedAt = this.ifaceNs[arrival]!;
      return join(head, w.hops, w.hops.length, this.deliverHop(this.tracedAt, arrival, address));
    }
    const lastNs = w.stops[w.stops.length - 1]!;
    return {
      hops: join(
        head,
        w.hops,
        w.hops.length,
        this.failHop(lastNs, `cannot deliver to ${formatIpv4(address)}`),
      ),
      fail: this.explainL2(w.end.egress, address),
    };
  }

  private anyLocalAddress(ns: number): number {
    for (const i of this.nsIfaces[ns]!) if (this.up[i] && this.addr[i]! >= 0) return this.addr[i]!;
    return -1;
  }

  // ───────────── packet size ─────────────

  /**
   * Why a packet of `bytes` (IP size) does not make it along `hops`, a path that
   * delivers; null when it fits. With don't-fragment set (the request of
   * `ping -M do`) a sender whose egress MTU is smaller refuses it; without (the
   * reply) the sender fragments. On the wire, a frame larger than the MTU of a
   * bridge port or veth end it reaches (plus 4 bytes) is dropped without a word.
   */
  private sizeFailure(hops: Hop[], bytes: number, df: boolean): Failure | null {
    let size = bytes;
    let egress = -1;
    for (const hop of hops) {
      const at = this.hopAt.get(hop);
      if (!at) continue;
      if (egress >= 0) {
        const arrival = at.deliver ? at.iface : this.arrivalIn(egress, at.ns);
        const drop = arrival < 0 ? null : this.crossingFailure(egress, arrival, size, 0);
        if (drop) return drop;
      }
      if (at.deliver) return null;
      const m = this.mtu[at.iface]!;
      if (size > m) {
        const el = this.nsElement[at.ns]!;
        const dev = this.ifaces[at.iface]!.name;
        if (df) {
          return egress < 0
            ? {
                reason: `${el} cannot send a ${size}-byte packet with don't-fragment set: its interface ${dev} has MTU ${m} (ping: "message too long")`,
                blame: [el],
              }
            : {
                reason: `${el} cannot forward a ${size}-byte packet with don't-fragment set over ${dev} (MTU ${m}), so it answers "fragmentation needed"`,
                blame: [el],
              };
        }
        // Fragments carry a multiple of 8 bytes after their 20-byte header.
        size = 20 + Math.floor((m - 20) / 8) * 8;
      }
      egress = at.iface;
    }
    return null;
  }

  /** The interface of namespace `ns` that a frame sent on `from` reaches, or -1. */
  private arrivalIn(from: number, ns: number): number {
    for (const i of this.nsIfaces[ns]!)
      if (this.up[i] && this.find(i) === this.find(from)) return i;
    return -1;
  }

  /** A frame of `size` bytes (its IP packet) from interface `from` to `to`, on the wire between them. */
  private crossingFailure(from: number, to: number, size: number, depth: number): Failure | null {
    const path = this.l2Path(from, to);
    if (!path) return null;
    for (let k = 1; k < path.length; k++) {
      const x = path[k - 1]!;
      const y = path[k]!;
      const fy = this.ifaces[y]!;
      if (this.ifaces[x]!.kind === 'vxlan' && fy.kind === 'vxlan') {
        // The tunnel adds its headers and sends over the underlay without don't-fragment.
        const ux = this.underlayOf(x);
        const uy = this.underlayOf(y);
        if (ux < 0 || uy < 0 || depth > 8) continue;
        const outer = Math.min(size + VXLAN_OVERHEAD, this.mtu[ux]!);
        const drop = this.crossingFailure(ux, uy, outer, depth + 1);
        if (drop) return drop;
        continue;
      }
      if (fy.kind !== 'veth' || size <= this.mtu[y]! + L2_SLACK) continue;
      const dom = fy.domain ? this.domains.get(fy.domain) : undefined;
      const where = dom
        ? ` on ${dom.kind === 'p2p' ? `the link ${dom.element}` : dom.element}`
        : '';
      const whose = fy.master ? `the port ${fy.name} of ${fy.master}` : `${fy.node}'s ${fy.name}`;
      return {
        reason: `a ${size}-byte packet is dropped without an error at ${whose}${where}: its MTU is ${this.mtu[y]}`,
        blame: [fy.node, ...(fy.link ? [fy.link] : [])],
      };
    }
    return null;
  }

  /** Interfaces a frame crosses from `from` to `to` over up veths, bridge ports and tunnels. */
  private l2Path(from: number, to: number): number[] | null {
    const key = from * SHIFT + to;
    if (this.l2PathMemo.has(key)) return this.l2PathMemo.get(key)!;
    this.idealAdj ??= this.buildIdeal();
    const prev = new Map<number, number>([[from, -1]]);
    const queue = [from];
    for (let q = 0; q < queue.length && !prev.has(to); q++) {
      const cur = queue[q]!;
      for (const e of this.idealAdj[cur]!) {
        if (prev.has(e.to) || !this.up[e.to] || this.find(e.to) !== this.find(from)) continue;
        prev.set(e.to, cur);
        queue.push(e.to);
      }
    }
    let path: number[] | null = null;
    if (prev.has(to)) {
      path = [];
      for (let cur = to; cur !== -1; cur = prev.get(cur)!) path.push(cur);
      path.reverse();
    }
    this.l2PathMemo.set(key, path);
    return path;
  }

  /** A reachable pair checked again at a packet size: the request with don't-fragment, the reply without. */
  private atSize(r: PairResult, payload: number): PairResult {
    if (!r.reachable) return r;
    const bytes = payload + PING_HEADERS;
    const fwd = this.sizeFailure(r.forward, bytes, true);
    if (fwd) return { ...r, reachable: false, back: [], reason: fwd.reason, blame: fwd.blame };
    const back = this.sizeFailure(r.back, bytes, false);
    if (back)
      return {
        ...r,
        reachable: false,
        reason: `the reply from ${r.to} to ${r.from} is lost: ${back.reason}`,
        blame: back.blame,
      };
    return r;
  }

  matrix(only?: string[], size?: number): Matrix {
    let eps = this.topology.endpoints;
    if (only) {
      const wanted = new Set(only);
      eps = eps.filter((e) => wanted.has(e.node));
    }
    eps = [...eps].sort((x, y) => (x.node < y.node ? -1 : x.node > y.node ? 1 : 0));
    const n = eps.length;
    const nsOf = eps.map((e) => this.ns(e.netns));
    const target = eps.map((e) => parseIfAddress(e.address)?.addr ?? -1);
    const targets: Record<string, string> = {};
    for (const e of eps) targets[e.node] = bareAddress(e.address);
    const endpointByAddrNs = new Map<number, number>();
    for (let j = 0; j < eps.length; j++) endpointByAddrNs.set(nsOf[j]! * SHIFT + target[j]!, j);

    const names = eps.map((e) => e.node);
    const targetText = names.map((id) => targets[id]!);
    const cls = target.map((a) => (a >= 0 ? this.classOf(a) : -1));
    // Paths from endpoint i's namespace to endpoint j's target: the forward path of (i, j) and,
    // whenever i sent from its primary address, the reply path of (j, i) — one array for both.
    // A plain Hop[] means "delivered to endpoint j, sent from the walk's source address": the
    // common case, kept to one allocation per pair because the matrix is n² of them.
    const cache: (Hop[] | PathResult | undefined)[][] = eps.map(() => new Array(n));
    const endpointPath = (i: number, j: number): Hop[] | PathResult => {
      const row = cache[i]!;
      let p = row[j];
      if (!p) {
        p = this.fastPath(nsOf[i]!, target[j]!, cls[j]!, nsOf[j]!);
        row[j] = p;
      }
      return p;
    };
    const asResult = (i: number, j: number, p: Hop[] | PathResult): PathResult =>
      Array.isArray(p)
        ? { ok: true, hops: p, at: nsOf[j]!, src: this.sourceFor(nsOf[i]!, cls[j]!) }
        : p;
    const replyPath = (i: number, j: number, src: number): PathResult =>
      src === target[i] ? asResult(j, i, endpointPath(j, i)) : this.path(nsOf[j]!, src);
    const results: (PairResult | null)[][] = [];
    for (let i = 0; i < n; i++) {
      const row: (PairResult | null)[] = new Array(n);
      const from = names[i]!;
      for (let j = 0; j < n; j++) {
        if (i === j) {
          // A namespace pinging itself is not a question the matrix answers.
          row[j] = null;
          continue;
        }
        if (target[j]! < 0) {
          row[j] = {
            from,
            to: names[j]!,
            target: targetText[j]!,
            reachable: false,
            forward: [],
            back: [],
            reason: `${names[j]} has no valid address`,
            blame: [names[j]!],
          };
          continue;
        }
        const fwd = endpointPath(i, j);
        if (Array.isArray(fwd) && this.sourceFor(nsOf[i]!, cls[j]!) === target[i]) {
          const back = endpointPath(j, i);
          if (Array.isArray(back)) {
            row[j] = {
              from,
              to: names[j]!,
              target: targetText[j]!,
              reachable: true,
              forward: fwd,
              back,
            };
            continue;
          }
        }
        row[j] = this.pair(
          from,
          names[j]!,
          targetText[j]!,
          nsOf[i]!,
          nsOf[j]!,
          asResult(i, j, fwd),
          replyPath,
          i,
          j,
        );
      }
      results.push(row);
    }
    if (size !== undefined) {
      for (const row of results)
        for (let j = 0; j < row.length; j++) if (row[j]) row[j] = this.atSize(row[j]!, size);
    }
    return {
      endpoints: eps.map((e) => e.node),
      targets,
      results,
      ...(size !== undefined ? { size } : {}),
    };
  }

  private pair(
    from: string,
    to: string,
    targetText: string,
    srcNs: number,
    dstNs: number,
    fwd: PathResult,
    reply: (i: number, j: number, src: number) => PathResult,
    i: number,
    j: number,
  ): PairResult {
    const unreachable = (back: Hop[], reason: string, blame: string[]): PairResult => ({
      from,
      to,
      target: targetText,
      reachable: false,
      forward: fwd.hops,
      back,
      reason,
      blame,
    });
    if (!fwd.ok) return unreachable([], fwd.reason!, fwd.blame!);
    if (fwd.at !== dstNs) {
      const holder = this.nsElement[fwd.at]!;
      return unreachable(
        [],
        `${holder} also has the address ${targetText}, so the ping to ${to} ends at ${holder}`,
        [holder, to],
      );
    }
    if (fwd.src < 0) return unreachable([], `${from} has no address to send from`, [from]);
    // The reply is a new packet from the target back to the source address the sender chose.
    // fwd.at is dstNs here (the other case returned above).
    const back = reply(i, j, fwd.src);
    const srcText = formatIpv4(fwd.src);
    if (!back.ok)
      return unreachable(
        back.hops,
        `the reply from ${to} to ${srcText} is lost: ${back.reason}`,
        back.blame!,
      );
    if (back.at !== srcNs) {
      const holder = this.nsElement[back.at]!;
      return unreachable(
        back.hops,
        `the reply from ${to} goes to ${holder}, which also has ${from}'s address ${srcText}`,
        [holder, from],
      );
    }
    return { from, to, target: targetText, reachable: true, forward: fwd.hops, back: back.hops };
  }
}

const EMPTY: Hop[] = [];

/** `head`, the first `length` hops of `rest`, then `last` if any: one array of exactly that size. */
function join(head: Hop[], rest: Hop[], length: number, last: Hop | null): Hop[] {
  const out = new Array<Hop>(head.length + length + (last ? 1 : 0));
  let o = 0;
  for (let i = 0; i < head.length; i++) out[o++] = head[i]!;
  for (let i = 0; i < length; i++) out[o++] = rest[i]!;
  if (last) out[o] = last;
  return out;
}

function failWalk(ns: number, hop: Hop, fail: Failure): Walk {
  return {
    hops: [hop],
    stops: [ns],
    hopAt: [0],
    arrival: [-1],
    end: { egress: -1, fail },
  };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
