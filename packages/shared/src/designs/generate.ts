import { formatIpv4, parseIpv4 } from '../net/ipv4.js';
import {
  API_VERSION,
  DEFAULT_P2P_POOL,
  DEFAULT_VXLAN_PORT,
  type Design,
  type DesignNode,
  type Endpoint,
  type Link,
} from '../parse/schema.js';

/**
 * Seeded design generator for kernel tests and benchmarks. Deterministic: the
 * same options give the same design, byte for byte (mulberry32, no clock, no
 * Math.random).
 *
 * Shape: routers joined by point-to-point links into one or two "sites"; a
 * public switch with one or two VXLAN overlays between routers (the only way
 * between two sites); VLANs and switches each behind a router with their own
 * /24; bridged hosts with containers, routed hosts with their own container
 * subnet, standalone namespaces; occasionally a leaf router with
 * `routing: static` and written routes, and occasionally one link down.
 *
 * Address plan (disjoint, so distinct L2 domains never overlap):
 *   segments 10.<k/256>.<k%256>.0/24 (k < 254·256), routed hosts' container
 *   subnets 172.16.0.0/12 by /24, overlays 100.64.<k>.0/24, public
 *   198.18.0.0/16, hand-addressed /30s of static routers 10.254.0.0/16, and the
 *   default p2p pool 10.255.0.0/16 for the rest.
 */
export interface GenerateOptions {
  seed: number;
  /** Target number of elements (nodes + links); the result is within a few elements of it. */
  elements?: number;
  /** Target number of kernel namespaces (routers, hosts, namespaces); stops at whichever target comes first. */
  namespaces?: number;
  /** Lab name (default `gen-<seed>`). */
  name?: string;
  /** Probability that one link is generated administratively down (default 0.2). */
  downLinkChance?: number;
  /** Probability that a leaf router uses `routing: static` (default 0.3). */
  staticRouterChance?: number;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MAX_SEGMENTS = 254 * 256;
/** The hand-addressed /30s of static routers: 10.254.0.0/16, 64 to a /24. */
const STATIC_BLOCKS = parseIpv4('10.254.0.0')!;
const MAX_HOSTNETS = 16 * 256;

export function generateDesign(opts: GenerateOptions): Design {
  if (!Number.isInteger(opts.seed))
    throw new Error(`generateDesign: seed must be an integer, got ${opts.seed}`);
  const elementTarget =
    opts.elements ?? (opts.namespaces === undefined ? 30 : Number.POSITIVE_INFINITY);
  const nsTarget = opts.namespaces ?? Number.POSITIVE_INFINITY;
  if (!(elementTarget >= 2) || !(nsTarget >= 2))
    throw new Error('generateDesign: elements and namespaces must be at least 2');
  const name = opts.name ?? `gen-${opts.seed >>> 0}`.slice(0, 24);
  const rand = mulberry32(opts.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const chance = (p: number) => rand() < p;

  const nodes: Record<string, DesignNode> = {};
  const links: Link[] = [];
  let namespaceCount = 0;
  let nodeCount = 0;
  const count = () => nodeCount + links.length;
  const full = () => count() >= elementTarget || namespaceCount >= nsTarget;
  const addNode = (id: string, node: DesignNode) => {
    if (!(id in nodes)) nodeCount++;
    nodes[id] = node;
    if (node.kind === 'router' || node.kind === 'host' || node.kind === 'namespace')
      namespaceCount++;
  };
  const link = (a: Endpoint, b: Endpoint) => {
    links.push({ endpoints: [a, b], state: 'up' });
  };

  // Routers: about one per 20 elements (or 15 namespaces), in one or two sites.
  const scale = Math.min(elementTarget / 20, nsTarget / 15);
  const routerCount = Math.max(1, Math.min(400, Math.round(scale)));
  const routers: string[] = [];
  const parentOf = new Map<string, string>();
  const twoSites = routerCount >= 4 && chance(0.5);
  const siteBStart = twoSites ? Math.floor(routerCount / 2) : routerCount;
  for (let i = 1; i <= routerCount; i++) {
    const id = `r${i}`;
    addNode(id, { kind: 'router', routing: 'auto', routes: [] });
    routers.push(id);
  }
  // A random tree per site keeps every router reachable with a shallow depth (≈ ln n).
  for (let i = 1; i < routerCount; i++) {
    if (i === siteBStart) continue;
    const lo = i < siteBStart ? 0 : siteBStart;
    const parent = routers[int(lo, i - 1)]!;
    parentOf.set(routers[i]!, parent);
  }

  // A leaf router (no children, not on the public switch) may route statically over a hand-addressed /30.
  const hasChildren = new Set(parentOf.values());
  const publicMembers = new Set<string>();
  if (routerCount >= 2) {
    publicMembers.add(routers[0]!);
    publicMembers.add(twoSites ? routers[siteBStart]! : routers[1]!);
    const extra = int(0, Math.min(2, routerCount - 2));
    for (let k = 0; k < extra; k++) publicMembers.add(routers[int(0, routerCount - 1)]!);
  }
  let staticCount = 0;
  for (const r of routers) {
    const parent = parentOf.get(r);
    if (!parent) continue;
    const isStatic =
      !hasChildren.has(r) &&
      !publicMembers.has(r) &&
      routerCount >= 3 &&
      staticCount < 64 * 250 &&
      chance(opts.staticRouterChance ?? 0.3);
    if (isStatic) {
      const k = staticCount++;
      const block = STATIC_BLOCKS + k * 4;
      const mine = formatIpv4(block + 1);
      const theirs = formatIpv4(block + 2);
      nodes[r] = { kind: 'router', routing: 'static', routes: [{ to: 'default', via: theirs }] };
      link({ node: r, ip: `${mine}/30` }, { node: parent, ip: `${theirs}/30` });
    } else {
      link(r, parent);
    }
  }

  if (publicMembers.size >= 2) {
    addNode('public', { kind: 'switch', subnet: '198.18.0.0/16' });
    for (const r of publicMembers) link(r, 'public');
    const members = [...publicMembers];
    const overlays = members.length >= 3 && chance(0.5) ? 2 : 1;
    for (let k = 0; k < overlays; k++) {
      const id = `tun${k + 1}`;
      addNode(id, {
        kind: 'vxlan',
        vni: 100 + k,
        port: DEFAULT_VXLAN_PORT,
        underlay: 'public',
        subnet: `100.64.${k}.0/24`,
      });
      // The first overlay joins the two sites; a second one joins a random pair or more.
      const chosen =
        k === 0
          ? members.slice(0, Math.max(2, members.length - int(0, 1)))
          : members.filter(() => chance(0.7));
      const tunnelMembers = chosen.length >= 2 ? chosen : members.slice(0, 2);
      for (const r of tunnelMembers) link(r, id);
    }
  }

  // Segments with their members until the target is reached.
  let segmentIndex = 0;
  let hostnetIndex = 0;
  let hostIndex = 0;
  let nsIndex = 0;
  let containerIndex = 0;
  let vid = 10;
  while (!full() && segmentIndex < MAX_SEGMENTS) {
    const k = segmentIndex++;
    const subnet = `10.${Math.floor(k / 256)}.${k % 256}.0/24`;
    const asSwitch = vid > 4094 || chance(0.2);
    const seg = asSwitch ? `s${k + 1}` : `v${k + 1}`;
    addNode(seg, asSwitch ? { kind: 'switch', subnet } : { kind: 'vlan', vid: vid++, subnet });
    // Most segments have one router; a few have two; rarely none (no gateway: a lesson of its own).
    const roll = rand();
    const segRouters =
      roll < 0.05 && k > 0
        ? []
        : roll < 0.15 && routerCount >= 2
          ? [routers[int(0, routerCount - 1)]!, routers[int(0, routerCount - 1)]!]
          : [routers[int(0, routerCount - 1)]!];
    for (const r of new Set(segRouters)) link(r, seg);
    const members = int(2, 10);
    let used = 0;
    while (used < members && !full()) {
      const kind = rand();
      if (kind < 0.45) {
        const host = `h${++hostIndex}`;
        addNode(host, { kind: 'host', mode: 'bridged' });
        link(host, seg);
        const containers = int(0, 3);
        for (let c = 0; c < containers && !full(); c++)
          addNode(`c${++containerIndex}`, { kind: 'namespace', host });
        used += 1 + containers;
      } else if (kind < 0.65 && hostnetIndex < MAX_HOSTNETS) {
        const h = hostnetIndex++;
        const host = `h${++hostIndex}`;
        addNode(host, {
          kind: 'host',
          mode: 'routed',
          subnet: `172.${16 + Math.floor(h / 256)}.${h % 256}.0/24`,
        });
        link(host, seg);
        const containers = int(1, 3);
        for (let c = 0; c < containers && !full(); c++)
          addNode(`c${++containerIndex}`, { kind: 'namespace', host });
        used += 1;
      } else {
        const ns = `n${++nsIndex}`;
        addNode(ns, { kind: 'namespace' });
        link(ns, seg);
        used += 1;
      }
    }
  }

  if (links.length > 0 && chance(opts.downLinkChance ?? 0.2)) {
    const victim = links[int(0, links.length - 1)]!;
    victim.state = 'down';
  }

  const layout: Record<string, { x: number; y: number }> = {};
  const ids = Object.keys(nodes);
  const columns = Math.max(1, Math.ceil(Math.sqrt(ids.length)));
  ids.forEach((id, i) => {
    layout[id] = { x: (i % columns) * 160, y: Math.floor(i / columns) * 120 };
  });

  return {
    apiVersion: API_VERSION,
    name,
    description: `generated: seed ${opts.seed}, ${ids.length} nodes, ${links.length} links`,
    nodes,
    links,
    addressing: { p2p: DEFAULT_P2P_POOL },
    layout,
  };
}
