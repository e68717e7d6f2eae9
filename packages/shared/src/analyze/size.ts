/**
 * Packet size (docs/architecture.md, "MTU"): a path that delivers, checked
 * again for a ping of a given size, with don't-fragment set on the request
 * (`ping -M do`) and not on the reply.
 */
import type { Hop, PairResult } from '../model.js';
import { L2_SLACK, VXLAN_OVERHEAD } from '../net/mtu.js';
import type { Explainer } from './explain.js';
import type { Hops } from './hops.js';
import type { NetModel } from './model.js';
import { type Failure, SHIFT } from './types.js';

/** IPv4 and ICMP headers: a `ping -s N` packet is N + 28 bytes at the IP layer. */
const PING_HEADERS = 28;

export class SizeCheck {
  constructor(
    private readonly m: NetModel,
    private readonly hops: Hops,
    private readonly explain: Explainer,
  ) {}

  private readonly l2PathMemo = new Map<number, number[] | null>();

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
      const at = this.hops.hopAt.get(hop);
      if (!at) continue;
      if (egress >= 0) {
        const arrival = at.deliver ? at.iface : this.m.arrivalIn(egress, at.ns);
        const drop = arrival < 0 ? null : this.crossingFailure(egress, arrival, size, 0);
        if (drop) return drop;
      }
      if (at.deliver) return null;
      const m = this.m.mtu[at.iface]!;
      if (size > m) {
        const el = this.m.nsElement[at.ns]!;
        const dev = this.m.ifaces[at.iface]!.name;
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

  /** A frame of `size` bytes (its IP packet) from interface `from` to `to`, on the wire between them. */
  private crossingFailure(from: number, to: number, size: number, depth: number): Failure | null {
    const path = this.l2Path(from, to);
    if (!path) return null;
    for (let k = 1; k < path.length; k++) {
      const x = path[k - 1]!;
      const y = path[k]!;
      const fy = this.m.ifaces[y]!;
      if (this.m.ifaces[x]!.kind === 'vxlan' && fy.kind === 'vxlan') {
        // The tunnel adds its headers and sends over the underlay without don't-fragment.
        const ux = this.m.underlayOf(x);
        const uy = this.m.underlayOf(y);
        if (ux < 0 || uy < 0 || depth > 8) continue;
        const outer = Math.min(size + VXLAN_OVERHEAD, this.m.mtu[ux]!);
        const drop = this.crossingFailure(ux, uy, outer, depth + 1);
        if (drop) return drop;
        continue;
      }
      if (fy.kind !== 'veth' || size <= this.m.mtu[y]! + L2_SLACK) continue;
      const dom = fy.domain ? this.m.domains.get(fy.domain) : undefined;
      const where = dom
        ? ` on ${dom.kind === 'p2p' ? `the link ${dom.element}` : dom.element}`
        : '';
      const whose = fy.master ? `the port ${fy.name} of ${fy.master}` : `${fy.node}'s ${fy.name}`;
      return {
        reason: `a ${size}-byte packet is dropped without an error at ${whose}${where}: its MTU is ${this.m.mtu[y]}`,
        blame: [fy.node, ...(fy.link ? [fy.link] : [])],
      };
    }
    return null;
  }

  /** Interfaces a frame crosses from `from` to `to` over up veths, bridge ports and tunnels. */
  private l2Path(from: number, to: number): number[] | null {
    const key = from * SHIFT + to;
    if (this.l2PathMemo.has(key)) return this.l2PathMemo.get(key)!;
    const prev = new Map<number, number>([[from, -1]]);
    const queue = [from];
    for (let q = 0; q < queue.length && !prev.has(to); q++) {
      const cur = queue[q]!;
      for (const e of this.explain.ideal()[cur]!) {
        if (prev.has(e.to) || !this.m.up[e.to] || this.m.find(e.to) !== this.m.find(from)) continue;
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
  atSize(r: PairResult, payload: number): PairResult {
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
}
