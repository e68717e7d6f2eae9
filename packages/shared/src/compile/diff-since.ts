import type { ObservedState, Op, Plan, Topology } from '../model.js';
import { sameJson } from '../same-json.js';
import { diff, diffWithin, type LabDiff } from './diff.js';

/**
 * diff(plan, topology, observed), given a diff of `last` (an earlier plan, its topology and a
 * reading) that found nothing to do: an apply's verified end. Only namespaces where something
 * differs from `last` can differ from it (the plan's ops there, what the topology wants there,
 * or the reading: a namespace the kernel reader printed the same text for is the same frozen
 * objects), so the diff is `diffWithin` those. A different list of namespaces (made, deleted
 * or half-made since) diffs whole. Same answer, same order (test: replan.test.ts).
 */
export function diffSince(
  last: { plan: Plan; topology: Topology; observed: ObservedState },
  plan: Plan,
  topology: Topology,
  observed: ObservedState,
): LabDiff {
  const was = last.observed;
  if (
    !sameList(was.netns, observed.netns) ||
    !sameList(was.halfMade ?? [], observed.halfMade ?? []) ||
    !sameNsids(was.nsids, observed.nsids) ||
    !sameList(
      last.topology.netns.map((n) => n.name),
      topology.netns.map((n) => n.name),
    )
  )
    return diff(plan, topology, observed);
  const changed = new Set<string>();
  /** Marks the namespaces whose entries in `a` and `b` differ (`same`), in order. */
  const compare = <T>(
    a: readonly T[],
    b: readonly T[],
    nsOf: (x: T) => string,
    same: (x: T, y: T) => boolean,
  ) => {
    const before = spans(a, nsOf);
    const after = spans(b, nsOf);
    for (const [ns, xs] of before) {
      if (changed.has(ns)) continue;
      const ys = after.get(ns);
      if (!ys || !sameSpans(a, xs, b, ys, same)) changed.add(ns);
    }
    for (const ns of after.keys()) if (!before.has(ns)) changed.add(ns);
  };
  const byNetns = (x: { netns: string }) => x.netns;
  const identical = <T>(x: T, y: T) => x === y;
  compare(was.interfaces, observed.interfaces, byNetns, identical);
  compare(was.routes, observed.routes, byNetns, identical);
  compare(was.fdb, observed.fdb, byNetns, identical);
  compare(was.sysctls, observed.sysctls, byNetns, identical);
  // The plan's ops (recompile hands back the last plan's op objects where they are the same).
  compare(last.plan.ops, plan.ops, opNetns, (x, y) => x === y || sameJson(x, y));
  // What diff reads of the topology (diff.ts: owners, wantNetns, wantIface, wantAddr, wantRoute).
  compare(
    last.topology.interfaces,
    topology.interfaces,
    byNetns,
    (x, y) =>
      x.key === y.key &&
      x.name === y.name &&
      x.node === y.node &&
      x.master === y.master &&
      x.address === y.address,
  );
  compare(last.topology.routes, topology.routes, byNetns, (x, y) => x.to === y.to);
  compare(
    last.topology.netns,
    topology.netns,
    (n) => n.name,
    (x, y) => x.node === y.node,
  );
  if (changed.size === 0) return { pre: [], add: [], remove: [] };
  return diffWithin(plan, topology, observed, changed);
}

const opNetns = (o: Op) => ('netns' in o ? o.netns : '');

/** Per namespace, the index ranges of its entries (a reading or a plan holds few runs of each). */
function spans<T>(xs: readonly T[], nsOf: (x: T) => string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  let i = 0;
  while (i < xs.length) {
    const ns = nsOf(xs[i]!);
    let j = i + 1;
    while (j < xs.length && nsOf(xs[j]!) === ns) j++;
    const list = out.get(ns);
    if (list) list.push(i, j);
    else out.set(ns, [i, j]);
    i = j;
  }
  return out;
}

/** The entries of `a` in ranges `xs` and of `b` in ranges `ys`, pairwise `same`, in order. */
function sameSpans<T>(
  a: readonly T[],
  xs: number[],
  b: readonly T[],
  ys: number[],
  same: (x: T, y: T) => boolean,
): boolean {
  let n = 0;
  for (let k = 0; k < xs.length; k += 2) n += xs[k + 1]! - xs[k]!;
  for (let k = 0; k < ys.length; k += 2) n -= ys[k + 1]! - ys[k]!;
  if (n !== 0) return false;
  let kx = 0;
  let ix = xs[0] ?? 0;
  let ky = 0;
  let iy = ys[0] ?? 0;
  for (;;) {
    while (kx < xs.length && ix >= xs[kx + 1]!) {
      kx += 2;
      ix = xs[kx] ?? 0;
    }
    while (ky < ys.length && iy >= ys[ky + 1]!) {
      ky += 2;
      iy = ys[ky] ?? 0;
    }
    if (kx >= xs.length || ky >= ys.length) return kx >= xs.length && ky >= ys.length;
    if (!same(a[ix]!, b[iy]!)) return false;
    ix++;
    iy++;
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameNsids(a?: Record<string, number>, b?: Record<string, number>): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return sameJson(a, b);
}
