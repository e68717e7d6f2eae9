/**
 * Why a packet does not get through: the first cut on the path the design
 * intends (a link down, a tunnel without a flood entry or a working
 * underlay), or the rule that leaves a namespace without a route.
 */
import type { DomainSpec } from '../model.js';
import { formatIpv4, networkOf, parseIfAddress } from '../net/ipv4.js';
import type { NetModel } from './model.js';
import { type BrokenRoute, DST, type EdgeKind, type Failure, SHIFT } from './types.js';

export class Explainer {
  constructor(private readonly m: NetModel) {}

  private readonly explainMemo = new Map<number, Failure>();
  idealAdj: { to: number; kind: EdgeKind }[][] | null = null;
  private gatewayDomains: Map<number, { d: DomainSpec; gw: number }>[] | null = null;

  /** The first reason a namespace has no route, in the words of the element that lacks it. */
  noRoute(ns: number, rep: number): Failure {
    const el = this.m.nsElement[ns]!;
    let best: BrokenRoute | undefined;
    for (const b of this.m.broken[ns]!) {
      if (networkOf(rep, b.len) === b.net && (!best || b.len > best.len)) best = b;
    }
    if (best)
      return {
        reason: best.problem.includes(DST)
          ? best.problem
          : `${best.problem}, so ${el} has no route to ${DST}`,
        blame: best.blame,
      };
    if (!this.m.nsForwarding[ns]) {
      for (const i of this.m.nsIfaces[ns]!) {
        const dom = this.m.ifaces[i]!.domain
          ? this.m.domains.get(this.m.ifaces[i]!.domain!)
          : undefined;
        if (!dom) continue;
        if (!this.m.up[i]) {
          const link = this.m.ifaces[i]!.link;
          if (link && this.m.linkState.get(link) === 'down') {
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
    if (!this.m.nsHasComputed[ns] && this.m.nsHasStatic[ns] && this.m.nsRole[ns] === 'router') {
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
    const el = this.m.nsElement[ns]!;
    this.gatewayDomains ??= this.indexGatewayDomains();
    let found: { d: DomainSpec; gw: number } | undefined;
    for (let len = 32; len >= 0 && !found; len--)
      found = this.gatewayDomains[len]?.get(networkOf(rep, len));
    if (!found || found.d.gateway!.node === el) return null;
    const { d, gw } = found;
    const on = (at: number, transit: boolean) =>
      new Set(
        this.m.nsIfaces[at]!.filter((i) => this.m.up[i])
          .map((i) => this.m.ifaces[i]!.domain)
          .filter((id): id is string => !!id && this.m.domains.get(id)?.transit === transit),
      );
    // Sharing a transit domain too (a tunnel, a segment), the underlay is not why.
    const transit = on(ns, true);
    if ([...on(gw, true)].some((t) => transit.has(t))) return null;
    const mine = on(ns, false);
    const shared = [...on(gw, false)].find((u) => mine.has(u));
    if (!shared) return null;
    const u = this.m.domains.get(shared)!.element;
    const g = d.gateway!.node;
    return {
      reason: `${el} has no route to ${DST}: ${d.element} is behind ${g}, which ${el} meets only on ${u}, and ${u} carries a VXLAN tunnel, so it is no transit network (join ${el} and ${g} to one tunnel)`,
      blame: [el, g, u],
    };
  }

  /** Domains with a subnet and a gateway, by prefix length and network, with the gateway's namespace. */
  private indexGatewayDomains(): Map<number, { d: DomainSpec; gw: number }>[] {
    const nsOfNode = new Map<string, number>();
    for (const n of this.m.topology.netns)
      if (n.node !== null) nsOfNode.set(n.node, this.m.nsIndex.get(n.name)!);
    const byPrefix: Map<number, { d: DomainSpec; gw: number }>[] = [];
    for (const d of this.m.domains.values()) {
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

  buildIdeal(): { to: number; kind: EdgeKind }[][] {
    const adj: { to: number; kind: EdgeKind }[][] = this.m.ifaces.map(() => []);
    const add = (a: number, b: number, kind: EdgeKind) => {
      if (a < 0 || b < 0 || a === b) return;
      if (adj[a]!.some((e) => e.to === b && e.kind === kind)) return;
      adj[a]!.push({ to: b, kind });
      adj[b]!.push({ to: a, kind });
    };
    for (let i = 0; i < this.m.ifaces.length; i++) {
      add(i, this.m.peerOf(i), 'veth');
      add(i, this.m.masterOf(i), 'port');
    }
    for (const g of this.m.vxlanGroups())
      for (const a of g) for (const b of g) if (a < b) add(a, b, 'vxlan');
    return adj;
  }

  /** Why `address` cannot be reached at L2 from interface `from`: the first cut on the path the design intends. */
  explainL2(from: number, address: number, depth = 0): Failure {
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
    const f = this.m.ifaces[from]!;
    const dom = f.domain ? this.m.domains.get(f.domain) : undefined;
    const where = dom?.element ?? f.towards ?? f.name;
    const ip = formatIpv4(address);
    const targets = new Set(this.m.anyOwners.get(address) ?? []);
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
    if (!this.m.up[from]) return this.downIface(from);
    for (const e of path) {
      if (e.kind === 'vxlan') {
        const problem = this.m.tunnelProblem(e.a, e.b);
        if (problem === null) continue;
        const tunnel = this.m.ifaces[e.a]!.domain
          ? (this.m.domains.get(this.m.ifaces[e.a]!.domain!)?.element ?? this.m.ifaces[e.a]!.name)
          : this.m.ifaces[e.a]!.name;
        const far = this.m.nsElement[this.m.ifaceNs[e.b]!]!;
        const near = this.m.nsElement[this.m.ifaceNs[e.a]!]!;
        if (problem === 'down') return this.downIface(this.m.up[e.a] ? e.b : e.a);
        if (problem === 'fdb') {
          const [x, y] = this.m.ifaces[e.a]!.vxlan!.remotes.includes(
            this.m.ifaces[e.b]!.vxlan!.local,
          )
            ? [e.b, e.a]
            : [e.a, e.b];
          return {
            reason: `the tunnel ${tunnel} on ${this.m.nsElement[this.m.ifaceNs[x]!]} has no flood entry for ${this.m.nsElement[this.m.ifaceNs[y]!]} (${this.m.ifaces[y]!.vxlan!.local})`,
            blame: [tunnel, this.m.nsElement[this.m.ifaceNs[x]!]!],
          };
        }
        // The underlay fails in one direction at least; explain the first.
        for (const [x, y] of [
          [e.a, e.b],
          [e.b, e.a],
        ] as const) {
          const ux = this.m.underlayOf(x);
          const target = this.m.local[y]!;
          if (ux >= 0 && this.m.ownerInComponent(ux, target) >= 0) continue;
          const sub: Failure =
            ux < 0
              ? {
                  reason: `${this.m.nsElement[this.m.ifaceNs[x]!]} has no underlay interface ${this.m.ifaces[x]!.vxlan!.underlayDev}`,
                  blame: [this.m.nsElement[this.m.ifaceNs[x]!]!],
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
      if (!this.m.up[e.a]) return this.downIface(e.a);
      if (!this.m.up[e.b]) return this.downIface(e.b);
    }
    return { reason: `${ip} does not answer on ${where}`, blame: [where] };
  }

  private downIface(i: number): Failure {
    const f = this.m.ifaces[i]!;
    const link = f.link;
    if (link && this.m.linkState.get(link) === 'down')
      return { reason: `the link ${link} is down`, blame: [link] };
    const el = this.m.nsElement[this.m.ifaceNs[i]!]!;
    return {
      reason: `${el}'s interface ${f.name} is down`,
      blame: link ? [link, f.node] : [f.node],
    };
  }

  /** The links the design intends (veth peers, bridge ports, tunnels), whatever their state. */
  ideal(): { to: number; kind: EdgeKind }[][] {
    this.idealAdj ??= this.buildIdeal();
    return this.idealAdj;
  }
}
