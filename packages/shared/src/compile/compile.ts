import type { Op, Plan, Topology } from '../model.js';
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
  // Loopback's ops (netnsStage's) are the last plan's: every other state op is an interface's.
  const lo = (ops.slice(first, end) as OpOf<'link.state'>[]).filter(
    (o) => !ctx.ifaces.has(`${o.netns}/${o.dev}`),
  );
  return {
    lab: plan.lab,
    ops: [
      ...ops.slice(0, first),
      ...stateOps(ctx, lo),
      ...ops.slice(end, fdbEnd),
      ...routeOps(ctx),
    ],
    teardown: plan.teardown,
    names: plan.names,
  };
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
