import type { Hop, Matrix, PairResult, Topology } from '../model.js';
import { bareAddress, formatIpv4, parseIfAddress } from '../net/ipv4.js';
import { Explainer } from './explain.js';
import { Forwarding } from './forwarding.js';
import { Hops } from './hops.js';
import { NetModel } from './model.js';
import { SizeCheck } from './size.js';
import { type PathResult, SHIFT } from './types.js';
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
  if (
    opts?.size !== undefined &&
    !(Number.isInteger(opts.size) && opts.size >= 0 && opts.size <= MAX_PING_SIZE)
  )
    throw new RangeError(`a ping size is 0 to ${MAX_PING_SIZE} bytes, not ${opts.size}`);
  return new Analyzer(topology).matrix(opts?.endpoints, opts?.size);
}

/** The largest ICMP payload one IPv4 packet holds (65535 − 20 − 8), as `ping -s` takes it. */
export const MAX_PING_SIZE = 65507;

/** The matrix over every pair of endpoints, from the model, the forwarding and the walks. */
class Analyzer {
  private readonly m: NetModel;
  private readonly fwd: Forwarding;
  private readonly walk: Walker;
  private readonly size: SizeCheck;

  constructor(topology: Topology) {
    this.m = new NetModel(topology);
    this.fwd = new Forwarding(this.m);
    const hops = new Hops(this.m);
    const explain = new Explainer(this.m);
    this.walk = new Walker(this.m, this.fwd, hops, explain);
    this.size = new SizeCheck(this.m, hops, explain);
  }

  matrix(only?: string[], size?: number): Matrix {
    let eps = this.m.topology.endpoints;
    if (only) {
      const wanted = new Set(only);
      eps = eps.filter((e) => wanted.has(e.node));
    }
    eps = [...eps].sort((x, y) => (x.node < y.node ? -1 : x.node > y.node ? 1 : 0));
    const n = eps.length;
    const nsOf = eps.map((e) => this.m.ns(e.netns));
    const target = eps.map((e) => parseIfAddress(e.address)?.addr ?? -1);
    const targets: Record<string, string> = {};
    for (const e of eps) targets[e.node] = bareAddress(e.address);
    const endpointByAddrNs = new Map<number, number>();
    for (let j = 0; j < eps.length; j++) endpointByAddrNs.set(nsOf[j]! * SHIFT + target[j]!, j);

    const names = eps.map((e) => e.node);
    const targetText = names.map((id) => targets[id]!);
    const cls = target.map((a) => (a >= 0 ? this.fwd.classOf(a) : -1));
    // Paths from endpoint i's namespace to endpoint j's target: the forward path of (i, j) and,
    // whenever i sent from its primary address, the reply path of (j, i) — one array for both.
    // A plain Hop[] means "delivered to endpoint j, sent from the walk's source address": the
    // common case, kept to one allocation per pair because the matrix is n² of them.
    const cache: (Hop[] | PathResult | undefined)[][] = eps.map(() => new Array(n));
    const endpointPath = (i: number, j: number): Hop[] | PathResult => {
      const row = cache[i]!;
      let p = row[j];
      if (!p) {
        p = this.walk.fastPath(nsOf[i]!, target[j]!, cls[j]!, nsOf[j]!);
        row[j] = p;
      }
      return p;
    };
    const asResult = (i: number, j: number, p: Hop[] | PathResult): PathResult =>
      Array.isArray(p)
        ? { ok: true, hops: p, at: nsOf[j]!, src: this.fwd.sourceFor(nsOf[i]!, cls[j]!) }
        : p;
    const replyPath = (i: number, j: number, src: number): PathResult =>
      src === target[i] ? asResult(j, i, endpointPath(j, i)) : this.walk.path(nsOf[j]!, src);
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
        if (Array.isArray(fwd) && this.fwd.sourceFor(nsOf[i]!, cls[j]!) === target[i]) {
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
        for (let j = 0; j < row.length; j++) if (row[j]) row[j] = this.size.atSize(row[j]!, size);
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
    const back = reply(i, j, fwd.src);
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
