import type { Hop, Matrix, PairResult, Topology } from '../model.js';
import { bareAddress, formatIpv4, parseIfAddress } from '../net/ipv4.js';
import { type Decided, newDecided, PairDecider } from './decide.js';
import { Explainer } from './explain.js';
import { Forwarding } from './forwarding.js';
import { Hops } from './hops.js';
import type { Ledger } from './ledger.js';
import { NetModel } from './model.js';
import { SizeCheck } from './size.js';
import type { PathResult } from './types.js';
import { Walker } from './walk.js';

// The decision tables' types stay importable from here, as they were before the split.
export { type Decided, newDecided } from './decide.js';

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

/** The largest ICMP payload one IPv4 packet holds (65535 − 20 − 8), as `ping -s` takes it. */
export const MAX_PING_SIZE = 65507;

/**
 * One analysis of a topology for a chosen list of endpoints: the model, the forwarding and the
 * walks, built once, then asked pair by pair (cell) or for reachability alone (reachable).
 */
export class MatrixRun {
  readonly m: NetModel;
  private readonly fwd: Forwarding;
  private readonly walk: Walker;
  private readonly size: SizeCheck;
  /** Endpoint element ids, sorted. */
  readonly names: string[];
  /** The address pinged for each endpoint. */
  readonly targets: Record<string, string> = {};
  readonly nsOf: number[];
  /** Each endpoint's target address (-1: none). */
  readonly target: number[];
  private readonly targetText: string[];
  private readonly cls: number[];
  /**
   * Paths from endpoint i's namespace to endpoint j's target: the forward path of (i, j) and,
   * whenever i sent from its primary address, the reply path of (j, i) — one array for both.
   * A plain Hop[] means "delivered to endpoint j, sent from the walk's source address": the
   * common case, kept to one allocation per pair because the matrix is n² of them.
   */
  private readonly cache: (Hop[] | PathResult | undefined)[][] = [];

  /** `reuse`: the model before an edit and the namespaces it changed (see NetModel). */
  constructor(
    topology: Topology,
    only?: string[],
    reuse?: { model: NetModel; changed: Set<string> },
  ) {
    this.m = new NetModel(topology, reuse);
    this.fwd = new Forwarding(this.m, reuse !== undefined);
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
  }

  private endpointPath(i: number, j: number): Hop[] | PathResult {
    // Rows are made on first use: reachability() asks paths of a few pairs only, and n empty
    // rows of n slots were a tenth of its run.
    let row = this.cache[i];
    if (!row) {
      row = new Array(this.names.length);
      this.cache[i] = row;
    }
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
   * cell(i, j).reachable), without building paths, and what each answer was decided from (see
   * Ledger). With a ping size every pair is answered by its cell.
   */
  reachAll(ledger: Ledger, size?: number): Decided {
    const n = this.names.length;
    const out = newDecided(n);
    if (size !== undefined) {
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) if (this.cell(i, j, size)?.reachable) out.reach[i * n + j] = 1;
      return out;
    }
    // Every pair: a run made with a model before (a re-analysis that fell back) memoises densely
    // and reads each address's owners from one map.
    this.fwd.dense();
    this.m.flattenOwners();
    this.attach(ledger);
    this.decider!.decideAll(out);
    return out;
  }

  /** The decision tables of the attached ledger (null until attach). */
  private decider: PairDecider | null = null;

  /**
   * Sets up the per-pair tables and the ledger that records what each answer depends on.
   * `segmentAt`: per root interface, the ledger's segment its component already is (Ledger.dirty).
   */
  attach(ledger: Ledger, segmentAt?: Int32Array): void {
    this.decider = new PairDecider(
      {
        m: this.m,
        fwd: this.fwd,
        walk: this.walk,
        nsOf: this.nsOf,
        target: this.target,
        cls: this.cls,
        cellReachable: (i, j) => this.cell(i, j)!.reachable,
      },
      ledger,
      segmentAt,
    );
  }

  /**
   * Decides the pair (i, j) into `out` (see PairDecider.decide): whether it answers, exactly as
   * cell(i, j).reachable, and the ledger records of its request and reply. Needs attach first.
   */
  decide(i: number, j: number, out: Decided): void {
    this.decider!.decide(i, j, out);
  }

  /** Hands the attached decider's tables back (scratch.ts): decide() is not called after this. */
  detach(): void {
    this.decider?.release();
    this.decider = null;
  }

  /** Whether some transit walk was cut by TTL (its answers then depend on the order asked). */
  get ttlCut(): boolean {
    return this.walk.ttlCut;
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
