import type { IfaceSpec, Op, Plan, Topology } from '../model.js';
import { sameJson } from '../same-json.js';
import {
  addressOps,
  bridgeOp,
  byNetnsDev,
  Context,
  fdbOps,
  masterOps,
  names,
  netnsStage,
  type OpOf,
  routeOps,
  stateOps,
  teardown,
  vethOps,
  vxlanOps,
} from './stages.js';

/**
 * Topology → Plan. Pure and deterministic: the order of every stage is
 * fixed by sorting on kernel names, never on object identity or input
 * accidents, so the same topology always gives the same plan byte for byte.
 *
 * Stage order (docs/architecture.md, "Plan order"):
 *   netns add → nsid → sysctls → bridges → veths → vxlans → masters →
 *   addresses → link up/down → fdb → routes
 * Sysctls come before any device because a new device copies rp_filter from
 * `default` when it is created.
 */
export function compile(topology: Topology): Plan {
  const ctx = new Context(topology);
  const ns = netnsStage(ctx);
  const bridges = topology.interfaces
    .filter((i) => i.kind === 'bridge')
    .map((i) => bridgeOp(ctx, i))
    .sort(byNetnsDev);
  const ops: Op[] = [
    ...ns.add,
    ...ns.nsid,
    ...ns.sysctl,
    ...bridges,
    ...vethOps(ctx),
    ...vxlanOps(ctx),
    ...masterOps(ctx),
    ...addressOps(ctx),
    ...stateOps(ctx, ns.lo),
    ...fdbOps(ctx),
    ...routeOps(ctx),
  ];
  return { lab: topology.lab, ops, teardown: teardown(ctx), names: names(ctx) };
}

/**
 * compile(topology) made from the plan of `last.topology`, when the two differ only in which
 * interfaces are up, which links are down, their routes and endpoints (a link cut or
 * restored): only the link states and the routes are compiled again, every other stage (none
 * of which reads an interface's state) is the last plan's. Otherwise compile(topology). Same
 * plan, value for value (test: replan.test.ts).
 */
export function recompile(last: { topology: Topology; plan?: Plan }, topology: Topology): Plan {
  const plan = last.plan;
  if (!plan || !sameButStates(last.topology, topology)) return compile(topology);
  const ops = plan.ops;
  const first = ops.findIndex((o) => o.op === 'link.state');
  if (first < 0) return compile(topology);
  let end = first;
  while (end < ops.length && ops[end]!.op === 'link.state') end++;
  let fdbEnd = end;
  while (fdbEnd < ops.length && ops[fdbEnd]!.op === 'fdb.append') fdbEnd++;
  const ctx = new Context(topology);
  return {
    lab: plan.lab,
    ops: [
      ...ops.slice(0, first),
      ...statesAgain(ctx, last.topology, ops.slice(first, end) as OpOf<'link.state'>[]),
      ...ops.slice(end, fdbEnd),
      ...routeOps(ctx),
    ],
    teardown: plan.teardown,
    names: plan.names,
  };
}

/**
 * stateOps(ctx, loopback's ops) for a topology that is `before` but for states (sameButStates),
 * from `last`, the plan's state ops of `before`: an interface whose `up` did not change has the
 * same op (what it says reads nothing else that a state changes), in the same place (the order
 * is by namespace and name); only the others are made again. A one-link change makes two.
 */
function statesAgain(ctx: Context, before: Topology, last: OpOf<'link.state'>[]): Op[] {
  const changed = new Map<string, IfaceSpec>();
  const now = ctx.topology.interfaces;
  for (let i = 0; i < now.length; i++)
    if (now[i]!.up !== before.interfaces[i]!.up)
      changed.set(`${now[i]!.netns}/${now[i]!.name}`, now[i]!);
  if (changed.size === 0) return last;
  const made = new Map<string, Op>();
  for (const op of stateOps(ctx, [], [...changed.values()]) as OpOf<'link.state'>[])
    made.set(`${op.netns}/${op.dev}`, op);
  return last.map((op) => made.get(`${op.netns}/${op.dev}`) ?? op);
}

/** The same topology but for interfaces' `up`, links' `state`, routes and endpoints. */
function sameButStates(a: Topology, b: Topology): boolean {
  if (a.lab !== b.lab || a.interfaces.length !== b.interfaces.length) return false;
  if (a.links.length !== b.links.length) return false;
  if (!sameJson(a.netns, b.netns) || !sameJson(a.domains, b.domains)) return false;
  for (let i = 0; i < a.interfaces.length; i++)
    if (!sameJson(a.interfaces[i], b.interfaces[i], 'up')) return false;
  for (let i = 0; i < a.links.length; i++)
    if (!sameJson(a.links[i], b.links[i], 'state')) return false;
  return true;
}
