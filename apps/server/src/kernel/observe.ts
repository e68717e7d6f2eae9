/**
 * observe — read a lab's real state back from the kernel.
 *
 *   const state = await observe('demo', runner);   // ObservedState
 *
 * Namespaces: the lab's own (`nc-<lab>`, `nc-<lab>.<x>`), from /run/netns.
 * Per namespace, through the runner's query workers (no process per call;
 * `bridge` only where a vxlan device is):
 *   -d link show   → interfaces (kind, master, mtu, mac, vxlan parameters)
 *   address show   → global IPv4 addresses
 *   route show     → routes with a gateway, and default routes
 *   bridge fdb show→ configured VXLAN entries (a dst, permanent: not the learned ones)
 *   -4 netconf show→ net.ipv4.ip_forward, conf.{all,default}.rp_filter
 * The sysctls come from netlink (RTM_GETNETCONF) rather than `sysctl`
 * processes: ip_forward is conf.all.forwarding. disable_ipv6 is not in
 * netconf and is not reported.
 *
 * A namespace deleted while it is being read is left out, not an error; a
 * half-made name (no namespace mounted on it) is listed in `halfMade` and
 * not read, so one interrupted create never hides the rest of the lab.
 */

import fs from 'node:fs';
import {
  type ObservedFdb,
  type ObservedIface,
  type ObservedRoute,
  type ObservedState,
  routeDestination,
} from '@netcanvas/shared';
import { halfMadeNetns } from './half-made.js';
import { labNetns, NETNS_DIR } from './netns.js';
import { Runner } from './runner.js';

interface IpLink {
  ifindex: number;
  ifname: string;
  flags?: string[];
  mtu?: number;
  operstate?: string;
  master?: string;
  address?: string;
  link_type?: string;
  linkinfo?: { info_kind?: string; info_data?: Record<string, unknown> };
}
interface IpAddr {
  ifname: string;
  addr_info?: { family?: string; local?: string; prefixlen?: number; scope?: string }[];
}
interface IpRoute {
  dst: string;
  gateway?: string;
  dev?: string;
}
interface FdbEntry {
  mac: string;
  ifname?: string;
  dst?: string;
  state?: string;
}
interface Netconf {
  family?: string;
  interface?: string;
  forwarding?: boolean;
  rp_filter?: string;
}

const RP_FILTER: Record<string, string> = { off: '0', strict: '1', loose: '2' };

let shared: Runner | null = null;
/** A process-wide runner for callers that do not manage one (its workers close when idle). */
export function sharedRunner(): Runner {
  shared ??= new Runner();
  return shared;
}

export function toObservedIfaces(netns: string, links: IpLink[], addrs: IpAddr[]): ObservedIface[] {
  const byName = new Map<string, string[]>();
  for (const a of addrs) {
    const list = (a.addr_info ?? [])
      .filter((i) => i.family === 'inet' && i.scope === 'global' && i.local)
      .map((i) => `${i.local}/${i.prefixlen}`);
    byName.set(a.ifname, list);
  }
  const out: ObservedIface[] = [];
  for (const l of links) {
    if (l.link_type === 'loopback') continue;
    const kind = l.linkinfo?.info_kind ?? l.link_type ?? 'unknown';
    const iface: ObservedIface = {
      netns,
      name: l.ifname,
      ifindex: l.ifindex,
      kind,
      up: (l.flags ?? []).includes('UP'),
      operstate: l.operstate ?? 'UNKNOWN',
      master: l.master ?? null,
      mtu: l.mtu ?? 0,
      mac: l.address ?? '',
      addresses: byName.get(l.ifname) ?? [],
    };
    if (kind === 'vxlan') {
      const d = l.linkinfo?.info_data ?? {};
      iface.vxlan = {
        vni: Number(d.id),
        port: Number(d.port),
        local: typeof d.local === 'string' ? d.local : null,
        underlayDev: typeof d.link === 'string' ? d.link : null,
      };
    }
    out.push(iface);
  }
  return out;
}

async function observeNetns(
  netns: string,
  runner: Runner,
): Promise<Omit<ObservedState, 'lab' | 'netns'>> {
  // One flag set for every `ip` query, so a namespace costs one query
  // process rather than one per flag combination.
  const [links, addrs, routes, netconf] = await Promise.all([
    runner.query<IpLink[]>(netns, ['-d', 'link', 'show']),
    runner.query<IpAddr[]>(netns, ['-d', 'address', 'show']),
    runner.query<IpRoute[]>(netns, ['-d', 'route', 'show']),
    runner.query<Netconf[]>(netns, ['-d', 'netconf', 'show']),
  ]);
  // Only a vxlan device has entries with a dst: `bridge` (a second process)
  // is asked only in a namespace that has one. Starting processes is most
  // of what reading a lab costs a command that runs once.
  const hasVxlan = links.some((l) => l.linkinfo?.info_kind === 'vxlan');
  const fdb = hasVxlan ? await runner.query<FdbEntry[]>(netns, ['fdb', 'show'], 'bridge') : [];
  const observedRoutes: ObservedRoute[] = routes
    .filter((r) => r.gateway !== undefined || r.dst === 'default')
    // iproute2 prints a /32 as the bare address and 0.0.0.0/0 as `default`: back to the model's spelling.
    .map((r) => ({
      netns,
      to: routeDestination(r.dst) ?? r.dst,
      via: r.gateway ?? null,
      dev: r.dev ?? '',
    }));
  const observedFdb: ObservedFdb[] = fdb
    // Only configured entries: a vxlan device also learns the MAC of every
    // remote sender (with its dst), and those come and go with traffic.
    .filter((f) => f.dst !== undefined && f.ifname !== undefined && f.state === 'permanent')
    .map((f) => ({ netns, dev: f.ifname!, mac: f.mac, dst: f.dst! }));
  const sysctls: ObservedState['sysctls'] = [];
  const conf = (name: string) => netconf.find((c) => c.family === 'inet' && c.interface === name);
  const all = conf('all');
  const dflt = conf('default');
  if (all?.forwarding !== undefined)
    sysctls.push({ netns, key: 'net.ipv4.ip_forward', value: all.forwarding ? '1' : '0' });
  if (all?.rp_filter !== undefined)
    sysctls.push({
      netns,
      key: 'net.ipv4.conf.all.rp_filter',
      value: RP_FILTER[all.rp_filter] ?? all.rp_filter,
    });
  if (dflt?.rp_filter !== undefined) {
    sysctls.push({
      netns,
      key: 'net.ipv4.conf.default.rp_filter',
      value: RP_FILTER[dflt.rp_filter] ?? dflt.rp_filter,
    });
  }
  return {
    interfaces: toObservedIfaces(netns, links, addrs),
    routes: observedRoutes,
    fdb: observedFdb,
    sysctls,
  };
}

const OBSERVE_LANES = 16;

export async function observe(
  lab: string,
  runner: Runner = sharedRunner(),
  only?: readonly string[],
): Promise<ObservedState> {
  const wanted = only ? new Set(only) : null;
  const all = (await labNetns(lab)).filter((n) => !wanted || wanted.has(n));
  // A half-made name has no namespace to read: it is reported, never asked.
  const halfMade = halfMadeNetns(all);
  const names = all.filter((n) => !halfMade.includes(n));
  const state: ObservedState = { lab, netns: [], interfaces: [], routes: [], fdb: [], sysctls: [] };
  // Bounded: a 1000-namespace lab must not start 2000 query processes at once.
  const parts: ({ netns: string; part: Omit<ObservedState, 'lab' | 'netns'> } | null)[] = new Array(
    names.length,
  );
  let next = 0;
  const lane = async () => {
    while (next < names.length) {
      const i = next++;
      const netns = names[i]!;
      try {
        parts[i] = { netns, part: await observeNetns(netns, runner) };
      } catch (e) {
        if (!fs.existsSync(`${NETNS_DIR}/${netns}`)) parts[i] = null;
        else if (halfMadeNetns([netns]).length > 0) {
          // Deleted and its name made again while it was read, and that create was interrupted.
          parts[i] = null;
          halfMade.push(netns);
        } else throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(OBSERVE_LANES, names.length) }, lane));
  if (halfMade.length > 0) state.halfMade = halfMade.sort();
  for (const p of parts) {
    if (!p) continue;
    state.netns.push(p.netns);
    state.interfaces.push(...p.part.interfaces);
    state.routes.push(...p.part.routes);
    state.fdb.push(...p.part.fdb);
    state.sysctls.push(...p.part.sysctls);
  }
  return state;
}
