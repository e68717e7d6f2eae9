/**
 * diff(plan, topology, observed): what must run so that the kernel matches
 * the plan, and nothing else. The plan's own ops are reused (filtered), so
 * the compiler stays the one place where kernel operations are spelled.
 *
 * Three phases, because order matters on a live lab:
 * - `pre`: removals that must happen before creations (a device whose kind or
 *   VXLAN parameters changed is deleted and created again; a route whose
 *   gateway changed is deleted so `route add` can add the new one);
 * - `add`: creations and changes, in plan order;
 * - `remove`: what the design no longer has. It runs last so a failure while
 *   adding can be undone without having lost anything.
 */
import type { ObservedIface, ObservedState, Op, Plan, Topology } from '../model.js';

export interface LabDiff {
  pre: Op[];
  add: Op[];
  remove: Op[];
}

const key = (netns: string, dev: string) => `${netns}/${dev}`;
/** A veth made without an mtu option has the kernel's Ethernet default. */
const VETH_DEFAULT_MTU = 1500;

/**
 * Who owns a kernel name, for the `source` of removal ops: looked up in
 * maps built once, since a big lab removes hundreds of things at a time.
 */
function owners(topology: Topology) {
  const netnsOwner = new Map(topology.netns.map((n) => [n.name, n.node ?? 'fabric']));
  const deviceOwner = new Map(topology.interfaces.map((i) => [key(i.netns, i.name), i.node]));
  /** The element of a namespace: the text after the first dot, or the fabric. */
  const ofNetns = (netns: string): string => {
    const known = netnsOwner.get(netns);
    if (known !== undefined) return known;
    const dot = netns.indexOf('.');
    return dot >= 0 ? netns.slice(dot + 1) : 'fabric';
  };
  const ofDevice = (netns: string, dev: string): string =>
    deviceOwner.get(key(netns, dev)) ?? ofNetns(netns);
  return { ofNetns, ofDevice };
}

/** A lab with nothing in the kernel yet: what a first apply is diffed against. */
export function emptyObserved(lab: string): ObservedState {
  return { lab, netns: [], interfaces: [], routes: [], fdb: [], sysctls: [] };
}

/**
 * The lab as `before` showed it, with the namespaces `names` replaced whole by what `fresh`
 * (a reading of just those namespaces) shows: everything of theirs in `before` is dropped,
 * everything of theirs in `fresh` taken; a name `fresh` does not have is gone (or half-made,
 * when `fresh` says so). Every per-namespace field of ObservedState is handled alike (any array
 * of entries with a `netns`, and `nsids`), so a field added later cannot be half-merged.
 */
export function replaceNetns(
  before: ObservedState,
  fresh: ObservedState,
  names: readonly string[],
): ObservedState {
  const replaced = new Set(names);
  const kept = (ns: string) => !replaced.has(ns);
  const out: Record<string, unknown> = { ...before };
  for (const key of new Set([...Object.keys(before), ...Object.keys(fresh)])) {
    if (key === 'lab') continue;
    const old = (before as unknown as Record<string, unknown>)[key];
    const now = (fresh as unknown as Record<string, unknown>)[key];
    if (key === 'netns' || key === 'halfMade') {
      const list = [
        ...((old as string[] | undefined) ?? []).filter(kept),
        ...((now as string[] | undefined) ?? []).filter((n) => replaced.has(n)),
      ].sort();
      if (key === 'halfMade' && list.length === 0) delete out[key];
      else out[key] = list;
    } else if (key === 'nsids') {
      const ids = Object.entries((old as Record<string, number> | undefined) ?? {}).filter(([n]) =>
        kept(n),
      );
      for (const [n, id] of Object.entries((now as Record<string, number> | undefined) ?? {}))
        if (replaced.has(n)) ids.push([n, id]);
      out[key] = Object.fromEntries(ids);
    } else if (Array.isArray(old) || Array.isArray(now)) {
      const own = (e: unknown) => (e as { netns?: unknown }).netns;
      out[key] = [
        ...((old as unknown[] | undefined) ?? []).filter((e) => kept(String(own(e)))),
        ...((now as unknown[] | undefined) ?? []).filter((e) => replaced.has(String(own(e)))),
      ];
    }
  }
  return out as unknown as ObservedState;
}

export function diff(plan: Plan, topology: Topology, observed: ObservedState): LabDiff {
  const owner = owners(topology);
  const haveNetns = new Set(observed.netns);
  const haveIface = new Map<string, ObservedIface>();
  for (const i of observed.interfaces) haveIface.set(key(i.netns, i.name), i);
  const haveRoute = new Map<string, { via: string | null; dev: string }>();
  for (const r of observed.routes) haveRoute.set(`${r.netns}|${r.to}`, { via: r.via, dev: r.dev });
  const haveFdb = new Set(observed.fdb.map((f) => `${f.netns}/${f.dev}>${f.dst}`));
  const haveSysctl = new Map(observed.sysctls.map((s) => [`${s.netns}|${s.key}`, s.value]));

  const wantNetns = new Set(topology.netns.map((n) => n.name));
  const wantIface = new Map(topology.interfaces.map((i) => [i.key, i]));

  const pre: Op[] = [];
  const add: Op[] = [];
  const remove: Op[] = [];
  /** Devices created by this diff: nothing observed about them counts any more. */
  const fresh = new Set<string>();
  const isFreshNetns = (ns: string) => !haveNetns.has(ns);
  const isFresh = (ns: string, dev: string) => isFreshNetns(ns) || fresh.has(key(ns, dev));

  const recreate = (op: Op & { netns: string; dev: string }, have: ObservedIface) => {
    pre.push({
      op: 'link.del',
      netns: op.netns,
      dev: op.dev,
      source: op.source,
      why: `${op.dev} exists as a ${have.kind} with other settings; it is created again`,
    });
    fresh.add(key(op.netns, op.dev));
    add.push(op);
  };

  // A kept device keeps its MTU unless told: the design's MTU is set on it in
  // place (a veth end without one in the design is back at the kernel's 1500).
  const keepMtu = (
    op: Op,
    netns: string,
    dev: string,
    have: ObservedIface,
    mtu: number | undefined,
  ) => {
    if (mtu === undefined || have.mtu === mtu) return;
    add.push({
      op: 'link.mtu',
      netns,
      dev,
      mtu,
      source: op.source,
      why: `${dev} has MTU ${have.mtu}; the design says ${mtu}`,
    });
  };

  for (const op of plan.ops) {
    switch (op.op) {
      case 'netns.add':
        if (!haveNetns.has(op.netns)) add.push(op);
        break;
      case 'netns.nsid':
        if (isFreshNetns(op.netns) || (observed.nsids && !(op.netns in observed.nsids)))
          add.push(op);
        break;
      case 'sysctl': {
        // Keys observe() cannot read are taken as set: they were set when the namespace was made.
        const have = haveSysctl.get(`${op.netns}|${op.key}`);
        if (isFreshNetns(op.netns) || (have !== undefined && have !== op.value)) add.push(op);
        break;
      }
      case 'bridge.add': {
        const have = haveIface.get(key(op.netns, op.dev));
        if (isFreshNetns(op.netns) || !have) {
          fresh.add(key(op.netns, op.dev));
          add.push(op);
        } else if (have.kind !== 'bridge') recreate(op, have);
        else keepMtu(op, op.netns, op.dev, have, op.mtu);
        break;
      }
      case 'veth.add': {
        const a = haveIface.get(key(op.netns, op.dev));
        const b = haveIface.get(key(op.peerNetns, op.peer));
        // A MAC the design writes is part of the device: another one means make the pair again.
        const aOk =
          !isFreshNetns(op.netns) &&
          a?.kind === 'veth' &&
          (op.mac === undefined || a.mac === op.mac);
        const bOk =
          !isFreshNetns(op.peerNetns) &&
          b?.kind === 'veth' &&
          (op.peerMac === undefined || b.mac === op.peerMac);
        if (aOk && bOk) {
          keepMtu(op, op.netns, op.dev, a, op.mtu ?? VETH_DEFAULT_MTU);
          keepMtu(op, op.peerNetns, op.peer, b, op.mtu ?? VETH_DEFAULT_MTU);
          break;
        }
        // One end missing or of another kind: clear whatever holds the names, then create the pair.
        for (const [ns, dev, have] of [
          [op.netns, op.dev, a],
          [op.peerNetns, op.peer, b],
        ] as const) {
          if (have && !isFreshNetns(ns)) {
            pre.push({
              op: 'link.del',
              netns: ns,
              dev,
              source: op.source,
              why: `${dev} is not the expected veth end; it is created again`,
            });
          }
          fresh.add(key(ns, dev));
        }
        add.push(op);
        break;
      }
      case 'vxlan.add': {
        const have = haveIface.get(key(op.netns, op.dev));
        if (isFreshNetns(op.netns) || !have) {
          fresh.add(key(op.netns, op.dev));
          add.push(op);
          break;
        }
        const v = have.vxlan;
        const same =
          have.kind === 'vxlan' &&
          v !== undefined &&
          v.vni === op.vni &&
          v.port === op.port &&
          v.local === op.local &&
          (v.underlayDev === null || v.underlayDev === op.underlayDev);
        if (!same) recreate(op, have);
        else keepMtu(op, op.netns, op.dev, have, op.mtu);
        break;
      }
      case 'link.master': {
        const have = haveIface.get(key(op.netns, op.dev));
        if (isFresh(op.netns, op.dev) || have?.master !== op.master) add.push(op);
        break;
      }
      case 'link.mtu': {
        const have = haveIface.get(key(op.netns, op.dev));
        if (isFresh(op.netns, op.dev) || have?.mtu !== op.mtu) add.push(op);
        break;
      }
      case 'addr.add': {
        const have = haveIface.get(key(op.netns, op.dev));
        if (isFresh(op.netns, op.dev) || !have?.addresses.includes(op.address)) add.push(op);
        break;
      }
      case 'link.state': {
        const have = haveIface.get(key(op.netns, op.dev));
        if (isFresh(op.netns, op.dev)) add.push(op);
        else if (have) {
          if (have.up !== (op.state === 'up')) add.push(op);
        } else if (op.dev !== 'lo') add.push(op);
        // lo is not observed: it was brought up when its namespace was made.
        break;
      }
      case 'fdb.append':
        if (isFresh(op.netns, op.dev) || !haveFdb.has(`${op.netns}/${op.dev}>${op.dst}`))
          add.push(op);
        break;
      case 'route.add': {
        const have = haveRoute.get(`${op.netns}|${op.to}`);
        if (isFreshNetns(op.netns) || !have || fresh.has(key(op.netns, have.dev))) {
          add.push(op);
        } else if (have.via !== op.via || have.dev !== op.dev) {
          pre.push({
            op: 'route.del',
            netns: op.netns,
            to: op.to,
            ...(have.via ? { via: have.via } : {}),
            dev: have.dev,
            source: op.source,
            why: `the route to ${op.to} now goes via ${op.via} instead of ${have.via ?? have.dev}`,
          });
          add.push(op);
        }
        break;
      }
      default:
        // Deletions never appear in a build plan; anything else is a new op kind to handle here.
        add.push(op);
    }
  }

  // What the kernel has and the design no longer wants.
  for (const ns of observed.netns) {
    if (!wantNetns.has(ns)) {
      remove.push({
        op: 'netns.del',
        netns: ns,
        source: [owner.ofNetns(ns)],
        why: `${owner.ofNetns(ns)} is no longer in the design`,
      });
    }
  }
  const wantAddr = new Set(
    topology.interfaces.filter((i) => i.address).map((i) => `${i.key}=${i.address}`),
  );
  for (const have of observed.interfaces) {
    if (!wantNetns.has(have.netns) || have.name === 'lo') continue;
    const k = key(have.netns, have.name);
    const want = wantIface.get(k);
    if (!want) {
      remove.push({
        op: 'link.del',
        netns: have.netns,
        dev: have.name,
        source: [owner.ofDevice(have.netns, have.name)],
        why: `${have.name} is not part of the design any more`,
      });
      continue;
    }
    if (fresh.has(k)) continue;
    for (const address of have.addresses) {
      if (!wantAddr.has(`${k}=${address}`)) {
        remove.push({
          op: 'addr.del',
          netns: have.netns,
          dev: have.name,
          address,
          source: [want.node],
          why: `${address} is no longer ${want.node}'s address on ${have.name}`,
        });
      }
    }
    if (have.master && !want.master) {
      remove.push({
        op: 'link.nomaster',
        netns: have.netns,
        dev: have.name,
        source: [want.node],
        why: `${have.name} should not be a bridge port`,
      });
    }
  }
  const wantRoute = new Set(topology.routes.map((r) => `${r.netns}|${r.to}`));
  for (const r of observed.routes) {
    if (!wantNetns.has(r.netns) || wantRoute.has(`${r.netns}|${r.to}`)) continue;
    if (fresh.has(key(r.netns, r.dev))) continue;
    remove.push({
      op: 'route.del',
      netns: r.netns,
      to: r.to,
      ...(r.via ? { via: r.via } : {}),
      dev: r.dev,
      source: [owner.ofNetns(r.netns)],
      why: `the route to ${r.to} is not part of the design any more`,
    });
  }
  const wantFdb = new Set(
    plan.ops.filter((o) => o.op === 'fdb.append').map((o) => `${o.netns}/${o.dev}>${o.dst}`),
  );
  for (const f of observed.fdb) {
    const k = `${f.netns}/${f.dev}>${f.dst}`;
    if (!wantNetns.has(f.netns) || wantFdb.has(k) || fresh.has(key(f.netns, f.dev))) continue;
    if (!wantIface.has(key(f.netns, f.dev))) continue; // goes with its device
    remove.push({
      op: 'fdb.del',
      netns: f.netns,
      dev: f.dev,
      dst: f.dst,
      source: [owner.ofDevice(f.netns, f.dev)],
      why: `${f.dst} is no longer a member of this tunnel`,
    });
  }
  return { pre, add, remove };
}

/**
 * diff(plan, topology, observed) when only the namespaces `changed` can differ from what an
 * earlier diff of this plan found nothing to do in: an apply's verification, where every op of
 * the diff ran (each in namespaces of `changed`) and only those namespaces were read again.
 * Each of diff's decisions reads the namespaces of its op (a veth: both ends), so the plan and
 * the reading (and the topology diff looks things up in) are cut down to `changed` and the far
 * ends of their veths; the namespaces left out would give what they gave before, nothing. Same
 * answer, same order, without diffing the rest of a big lab.
 */
export function diffWithin(
  plan: Plan,
  topology: Topology,
  observed: ObservedState,
  changed: ReadonlySet<string>,
): LabDiff {
  const read = new Set(changed);
  for (const op of plan.ops)
    if (op.op === 'veth.add' && (changed.has(op.netns) || changed.has(op.peerNetns)))
      read.add(op.netns).add(op.peerNetns);
  // A veth between two namespaces out of `changed` is judged on readings that did not change.
  const ops = plan.ops.filter((op) =>
    op.op === 'veth.add'
      ? changed.has(op.netns) || changed.has(op.peerNetns)
      : 'netns' in op && read.has(op.netns),
  );
  const mine = <T extends { netns: string }>(xs: T[]) => xs.filter((x) => read.has(x.netns));
  const cut: ObservedState = {
    ...observed,
    netns: observed.netns.filter((n) => read.has(n)),
    interfaces: mine(observed.interfaces),
    routes: mine(observed.routes),
    fdb: mine(observed.fdb),
    sysctls: mine(observed.sysctls),
  };
  if (observed.nsids)
    cut.nsids = Object.fromEntries(Object.entries(observed.nsids).filter(([n]) => read.has(n)));
  // diff looks the topology up only for namespaces of the reading (what is wanted there, who
  // owns it), so it is cut alike: its maps are built for a few namespaces, not the whole lab.
  const within: Topology = {
    ...topology,
    netns: topology.netns.filter((n) => read.has(n.name)),
    interfaces: topology.interfaces.filter((i) => read.has(i.netns)),
    routes: topology.routes.filter((r) => read.has(r.netns)),
  };
  return diff({ ...plan, ops }, within, cut);
}

/** A short phrase for a difference, as `status` shows it: "missing: address 10.0.10.1/24 on vlan10". */
export function describeDifference(op: Op): string {
  switch (op.op) {
    case 'netns.add':
      return `missing: namespace ${op.netns}`;
    case 'netns.nsid':
      return `missing: namespace id of ${op.netns}`;
    case 'sysctl':
      return `setting ${op.key} should be ${op.value}`;
    case 'bridge.add':
      return `missing: bridge ${op.dev}`;
    case 'veth.add':
      return `missing: veth ${op.dev} (peer ${op.peer})`;
    case 'vxlan.add':
      return `missing or changed: vxlan ${op.dev} (vni ${op.vni})`;
    case 'link.master':
      return `${op.dev} should be a port of ${op.master}`;
    case 'link.nomaster':
      return `${op.dev} should not be a bridge port`;
    case 'link.mtu':
      return `${op.dev} should have mtu ${op.mtu}`;
    case 'addr.add':
      return `missing: address ${op.address} on ${op.dev}`;
    case 'addr.del':
      return `unexpected: address ${op.address} on ${op.dev}`;
    case 'link.state':
      return `${op.dev} should be ${op.state}`;
    case 'fdb.append':
      return `missing: tunnel flood entry to ${op.dst} on ${op.dev}`;
    case 'fdb.del':
      return `unexpected: tunnel flood entry to ${op.dst} on ${op.dev}`;
    case 'route.add':
      return `missing: route to ${op.to} via ${op.via}`;
    case 'route.del':
      return `unexpected: route to ${op.to}${op.via ? ` via ${op.via}` : ''}`;
    case 'link.del':
      return `unexpected or wrong: interface ${op.dev}`;
    case 'netns.del':
      return `unexpected: namespace ${op.netns}`;
  }
}

/** The inverse of a creation op, to undo a failed apply (null: nothing to undo, or covered by netns.del). */
export function inverseOf(op: Op): Op | null {
  const base = { source: op.source, why: `undo: ${op.why}` };
  switch (op.op) {
    case 'netns.add':
      return { op: 'netns.del', netns: op.netns, ...base };
    case 'bridge.add':
    case 'vxlan.add':
    case 'veth.add':
      return { op: 'link.del', netns: op.netns, dev: op.dev, ...base };
    case 'addr.add':
      return { op: 'addr.del', netns: op.netns, dev: op.dev, address: op.address, ...base };
    case 'fdb.append':
      return { op: 'fdb.del', netns: op.netns, dev: op.dev, dst: op.dst, ...base };
    case 'route.add':
      return { op: 'route.del', netns: op.netns, to: op.to, via: op.via, dev: op.dev, ...base };
    case 'route.del':
      // A route `pre` deleted to move it (diff names its gateway and device): put back. An undo
      // runs newest first, so the moved route's new one is deleted and its link is up again
      // before this runs; a route without a gateway is not one apply makes.
      return op.via && op.dev
        ? { op: 'route.add', netns: op.netns, to: op.to, via: op.via, dev: op.dev, ...base }
        : null;
    case 'link.master':
      return { op: 'link.nomaster', netns: op.netns, dev: op.dev, ...base };
    case 'link.state':
      return {
        op: 'link.state',
        netns: op.netns,
        dev: op.dev,
        state: op.state === 'up' ? 'down' : 'up',
        ...base,
      };
    default:
      return null;
  }
}
