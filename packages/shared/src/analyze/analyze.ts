import type { Hop, Matrix, PairResult, Topology } from '../model.js';
import { bareAddress, formatIpv4, parseIfAddress } from '../net/ipv4.js';
import { Explainer } from './explain.js';
import { Forwarding } from './forwarding.js';
import { Hops } from './hops.js';
import { NetModel } from './model.js';
import { SizeCheck } from './size.js';
import type { PathResult } from './types.js';
import { Walker } from './walk.js';

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
  checkPingSize(opts?.size);
  const run = new MatrixRun(topology, opts?.endpoints);
  const n = run.names.length;
  const results: (PairResult | null)[][] = [];
  for (let i = 0; i < n; i++) {
    const row: (PairResult | null)[] = new Array(n);
    for (let j = 0; j < n; j++) row[j] = run.cell(i, j, opts?.size);
    results.push(row);
  }
  return {
    endpoints: run.names,
    targets: run.targets,
    results,
    ...(opts?.size !== undefined ? { size: opts.size } : {}),
  };
}

export function checkPingSize(size: number | undefined): void {
  if (size !== undefined && !(Number.isInteger(size) && size >= 0 && size <= MAX_PING_SIZE))
    throw new RangeError(`a ping size is 0 to ${MAX_PING_SIZE} bytes, not ${size}`);
}

/** An address packets are sent to, with what deciding its delivery needs. */
interface Destination {
  address: number;
  /** Namespaces where it is local (weak host model: on any interface, up or down). */
  owners: number[];
  cls: number;
  /** The namespace that takes it on each L2 component (by root interface), -1 for none. */
  takerByRoot: Map<number, number>;
}

/** The largest ICMP payload one IPv4 packet holds (65535 − 20 − 8), as `ping -s` takes it. */
export const MAX_PING_SIZE = 65507;

/**
 * One analysis of a topology for a chosen list of endpoints: the model, the forwarding and the
 * walks, built once, then asked pair by pair (cell) or for reachability alone (reachable).
 */
export class MatrixRun {
  private readonly m: NetModel;
  private readonly fwd: Forwarding;
  private readonly walk: Walker;
  private readonly size: SizeCheck;
  /** Endpoint element ids, sorted. */
  readonly names: string[];
  /** The address pinged for each endpoint. */
  readonly targets: Record<string, string> = {};
  readonly nsOf: number[];
  private readonly target: number[];
  private readonly targetText: string[];
  private readonly cls: number[];
  /**
   * Paths from endpoint i's namespace to endpoint j's target: the forward path of (i, j) and,
   * whenever i sent from its primary address, the reply path of (j, i) — one array for both.
   * A plain Hop[] means "delivered to endpoint j, sent from the walk's source address": the
   * common case, kept to one allocation per pair because the matrix is n² of them.
   */
  private readonly cache: (Hop[] | PathResult | undefined)[][];

  constructor(topology: Topology, only?: string[]) {
    this.m = new NetModel(topology);
    this.fwd = new Forwarding(this.m);
    const hops = new Hops(this.m);
    const explain = new Explainer(this.m);
    this.walk = new Walker(this.m, this.fwd, hops, explain);
    this.size = new SizeCheck(this.m, hops, explain);
    let eps = topology.endpoints;
    if (only) {
      const wanted = new Set(only);
      eps = eps.filter((e) => wanted.has(e.node));
    }
    eps = [...eps].sort((x, y) => (x.node < y.node ? -1 : x.node > y.node ? 1 : 0));
    this.nsOf = eps.map((e) => this.m.ns(e.netns));
    this.target = eps.map((e) => parseIfAddress(e.address)?.addr ?? -1);
    for (const e of eps) this.targets[e.node] = bareAddress(e.address);
    this.names = eps.map((e) => e.node);
    this.targetText = this.names.map((id) => this.targets[id]!);
    this.cls = this.target.map((a) => (a >= 0 ? this.fwd.classOf(a) : -1));
    this.cache = eps.map(() => new Array(eps.length));
  }

  private endpointPath(i: number, j: number): Hop[] | PathResult {
    const row = this.cache[i]!;
    let p = row[j];
    if (!p) {
      p = this.walk.fastPath(this.nsOf[i]!, this.target[j]!, this.cls[j]!, this.nsOf[j]!);
      row[j] = p;
    }
    return p;
  }

  private asResult(i: number, j: number, p: Hop[] | PathResult): PathResult {
    return Array.isArray(p)
      ? {
          ok: true,
          hops: p,
          at: this.nsOf[j]!,
          src: this.fwd.sourceFor(this.nsOf[i]!, this.cls[j]!),
        }
      : p;
  }

  private replyPath(i: number, j: number, src: number): PathResult {
    return src === this.target[i]
      ? this.asResult(j, i, this.endpointPath(j, i))
      : this.walk.path(this.nsOf[j]!, src);
  }

  /** The ping from endpoint i to endpoint j, with its paths and first failure; null on the diagonal. */
  cell(i: number, j: number, size?: number): PairResult | null {
    // A namespace pinging itself is not a question the matrix answers.
    if (i === j) return null;
    const names = this.names;
    const from = names[i]!;
    if (this.target[j]! < 0) {
      return {
        from,
        to: names[j]!,
        target: this.targetText[j]!,
        reachable: false,
        forward: [],
        back: [],
        reason: `${names[j]} has no valid address`,
        blame: [names[j]!],
      };
    }
    let result: PairResult | undefined;
    const fwd = this.endpointPath(i, j);
    if (Array.isArray(fwd) && this.fwd.sourceFor(this.nsOf[i]!, this.cls[j]!) === this.target[i]) {
      const back = this.endpointPath(j, i);
      if (Array.isArray(back)) {
        result = {
          from,
          to: names[j]!,
          target: this.targetText[j]!,
          reachable: true,
          forward: fwd,
          back,
        };
      }
    }
    result ??= this.pair(from, names[j]!, this.targetText[j]!, this.asResult(i, j, fwd), i, j);
    return size === undefined ? result : this.size.atSize(result, size);
  }

  /**
   * Whether the ping from endpoint i to endpoint j is answered, exactly as cell(i, j).reachable,
   * without building paths: the common cases from where each packet is delivered, anything
   * else (a reply to a secondary address, a pair inside one namespace, a ping size) from the
   * cell itself.
   */
  reachable(i: number, j: number, size?: number): boolean {
    if (i === j || size !== undefined) return this.cell(i, j, size)?.reachable ?? false;
    if (this.target[j]! < 0) return false;
    const si = this.nsOf[i]!;
    const sj = this.nsOf[j]!;
    // A pair inside one namespace is delivered locally, with its own source address: rare, in full.
    if (si === sj) return this.cell(i, j)!.reachable;
    let to = this.dest[j];
    if (!to) {
      to = this.destination(this.target[j]!);
      this.dest[j] = to;
    }
    if (this.deliveredAt(si, to) !== sj) return false;
    const src = this.fwd.sourceFor(si, this.cls[j]!);
    if (src < 0) return false;
    // The reply is a new packet from j back to the source address i chose.
    let back = src === this.target[i] ? this.dest[i] : undefined;
    if (!back) {
      back = this.destination(src);
      if (src === this.target[i]) this.dest[i] = back;
    }
    return this.deliveredAt(sj, back) === si;
  }

  /** Per endpoint, its target as a destination. */
  private readonly dest: (Destination | undefined)[] = [];
  /** Every address asked for as a destination (endpoint targets and the source addresses replies go to). */
  private readonly destinations = new Map<number, Destination>();
  /** Per namespace and class, where its packets stop and leave (Walker.reach). */
  private readonly reaches: { stops: number[]; egress: number }[][] = [];

  private destination(address: number): Destination {
    let d = this.destinations.get(address | 0);
    if (!d) {
      d = {
        address,
        owners: this.m.localOwners.get(address) ?? [],
        cls: this.fwd.classOf(address),
        takerByRoot: new Map(),
      };
      this.destinations.set(address | 0, d);
    }
    return d;
  }

  /** Where the packet from namespace `ns` to `to` is delivered (-1: nowhere), as Walker.path() says. */
  private deliveredAt(ns: number, to: Destination): number {
    const owners = to.owners;
    if (owners.includes(ns)) return ns;
    let byCls = this.reaches[ns];
    if (!byCls) {
      byCls = [];
      this.reaches[ns] = byCls;
    }
    let r = byCls[to.cls];
    if (!r) {
      r = this.walk.reach(ns, to.cls);
      byCls[to.cls] = r;
    }
    const stops = r.stops;
    for (let k = 0; k < stops.length; k++) if (owners.includes(stops[k]!)) return stops[k]!;
    if (r.egress < 0) return -1;
    const root = this.m.find(r.egress);
    let at = to.takerByRoot.get(root);
    if (at === undefined) {
      const arrival = this.m.ownerInComponent(r.egress, to.address);
      at = arrival >= 0 ? this.m.ifaceNs[arrival]! : -1;
      to.takerByRoot.set(root, at);
    }
    return at;
  }

  private pair(
    from: string,
    to: string,
    targetText: string,
    fwd: PathResult,
    i: number,
    j: number,
  ): PairResult {
    const srcNs = this.nsOf[i]!;
    const dstNs = this.nsOf[j]!;
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
      const holder = this.m.nsElement[fwd.at]!;
      return unreachable(
        [],
        `${holder} also has the address ${targetText}, so the ping to ${to} ends at ${holder}`,
        [holder, to],
      );
    }
    if (fwd.src < 0) return unreachable([], `${from} has no address to send from`, [from]);
    // The reply is a new packet from the target back to the source address the sender chose.
    // fwd.at is dstNs here (the other case returned above).
    const back = this.replyPath(i, j, fwd.src);
    const srcText = formatIpv4(fwd.src);
    if (!back.ok)
      return unreachable(
        back.hops,
        `the reply from ${to} to ${srcText} is lost: ${back.reason}`,
        back.blame!,
      );
    if (back.at !== srcNs) {
      const holder = this.m.nsElement[back.at]!;
      return unreachable(
        back.hops,
        `the reply from ${to} goes to ${holder}, which also has ${from}'s address ${srcText}`,
        [holder, from],
      );
    }
    return { from, to, target: targetText, reachable: true, forward: fwd.hops, back: back.hops };
  }
}
