import type { Hop, Matrix, PairResult, Topology } from '../model.js';
import { bareAddress, formatIpv4, parseIfAddress } from '../net/ipv4.js';
import { Explainer } from './explain.js';
import { Forwarding } from './forwarding.js';
import { Hops } from './hops.js';
import { NetModel } from './model.js';
import { SizeCheck } from './size.js';
import type { PathResult, Walk } from './types.js';
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
  /** The one namespace where it is local, or -1 (none, or several: see owners). */
  owner: number;
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
   * Whether each ping is answered, for every pair at once (reach[i × n + j], exactly as
   * cell(i, j).reachable), without building paths: first where the packet from each endpoint's
   * namespace to each target is delivered, then each pair from its request and its reply.
   * Anything rarer (a reply to a secondary address, a pair inside one namespace, a ping size)
   * is answered by the cell itself.
   */
  reachAll(size?: number): Uint8Array {
    const n = this.names.length;
    const reach = new Uint8Array(n * n);
    if (size !== undefined) {
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) if (this.cell(i, j, size)?.reachable) reach[i * n + j] = 1;
      return reach;
    }
    const dest = this.target.map((a) => (a >= 0 ? this.destination(a) : null));
    // at[i × n + j]: the namespace where the packet from i's namespace to j's target is delivered.
    const at = new Int32Array(n * n).fill(-1);
    for (let i = 0; i < n; i++) {
      const si = this.nsOf[i]!;
      for (let j = 0; j < n; j++) {
        const d = dest[j];
        if (d && i !== j) at[i * n + j] = this.deliveredAt(si, d);
      }
    }
    for (let i = 0; i < n; i++) {
      const si = this.nsOf[i]!;
      for (let j = 0; j < n; j++) {
        const sj = this.nsOf[j]!;
        if (i === j || at[i * n + j] !== sj) continue;
        if (si === sj) {
          // Delivered locally, from its own address: rare, answered in full.
          if (this.cell(i, j)!.reachable) reach[i * n + j] = 1;
          continue;
        }
        const src = this.fwd.sourceFor(si, this.cls[j]!);
        if (src < 0) continue;
        // The reply is a new packet from j back to the source address i chose.
        const back =
          src === this.target[i] ? at[j * n + i] : this.deliveredAt(sj, this.destination(src));
        if (back === si) reach[i * n + j] = 1;
      }
    }
    return reach;
  }

  /** Every address asked for as a destination (endpoint targets and the source addresses replies go to). */
  private readonly destinations = new Map<number, Destination>();
  /** Per namespace and class, where its packets stop and leave (Walker.reach). */
  private readonly reaches: { walk: Walk | null; egress: number }[][] = [];

  private destination(address: number): Destination {
    let d = this.destinations.get(address | 0);
    if (!d) {
      const owners = this.m.localOwners.get(address) ?? [];
      d = {
        address,
        owners,
        owner: owners.length === 1 ? owners[0]! : -1,
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
    const one = to.owner;
    if (one >= 0 ? one === ns : owners.includes(ns)) return ns;
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
    let egress = r.egress;
    if (r.walk) {
      for (let at: Walk | null = r.walk; at; at = at.next)
        if (one >= 0 ? one === at.ns : owners.includes(at.ns)) return at.ns;
      egress = r.walk.end.egress;
    }
    if (egress < 0) return -1;
    const root = this.m.find(egress);
    let at = to.takerByRoot.get(root);
    if (at === undefined) {
      const arrival = this.m.ownerInComponent(egress, to.address);
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
