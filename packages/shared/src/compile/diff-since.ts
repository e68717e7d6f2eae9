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
  const compare = <T>(
    a: readonly T[],
    b: readonly T[],
    nsOf: (x: T) => string,
    same: (x: T, y: T) => boolean,
  ) => {
    const before = new Map<string, T[]>();
    for (const x of a) {
      const ns = nsOf(x);
      const list = before.get(ns);
      if (list) list.push(x);
      else before.set(ns, [x]);
    }
    const at = new Map<string, number>();
    for (const y of b) {
      const ns = nsOf(y);
      if (changed.has(ns)) continue;
      const i = at.get(ns) ?? 0;
      at.set(ns, i + 1);
      const x = before.get(ns)?.[i];
      if (x === undefined || !same(x, y)) changed.add(ns);
    }
    for (const [ns, list] of before) if ((at.get(ns) ?? 0) !== list.length) changed.add(ns);
  };
  const byNetns = (x: { netns: string }) => x.netns;
  const identical = <T>(x: T, y: T) => x === y;
  compare(was.interfaces, observed.interfaces, byNetns, identical);
  compare(was.routes, observed.routes, byNetns, identical);
  compare(was.fdb, observed.fdb, byNetns, identical);
  compare(was.sysctls, observed.sysctls, byNetns, identical);
  const opNetns = (o: Op) => ('netns' in o ? o.netns : '');
  compare(last.plan.ops, plan.ops, opNetns, (x, y) => x === y || sameJson(x, y));
  // A veth's op is judged on both its ends' readings: diffWithin reads the far end too.
  compare(last.topology.interfaces, topology.interfaces, byNetns, (x, y) => sameJson(x, y));
  compare(last.topology.routes, topology.routes, byNetns, (x, y) => sameJson(x, y));
  compare(
    last.topology.netns,
    topology.netns,
    (n) => n.name,
    (x, y) => sameJson(x, y),
  );
  if (changed.size === 0) return { pre: [], add: [], remove: [] };
  return diffWithin(plan, topology, observed, changed);
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
