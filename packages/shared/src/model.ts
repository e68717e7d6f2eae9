/**
 * The shapes that travel between the pure stages:
 *   parse/validate (Design, Diagnostic) → resolve (Topology) → compile (Plan)
 *                                                          → analyze (Matrix)
 * Everything here is plain data: JSON-serialisable, no classes, no I/O.
 */

// ───────────────────────────── diagnostics ─────────────────────────────

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  severity: Severity;
  /** Stable machine code, e.g. `dangling-id`, `subnet-overlap`. */
  code: string;
  /** One sentence a student understands, naming the elements. */
  message: string;
  /** Element ids (node ids and link ids) the problem concerns; may be empty for document-level problems. */
  elements: string[];
  /** Where in the document, e.g. ['nodes', 'vlan10', 'vid'] or ['links', 3]. */
  path?: (string | number)[];
  /** YAML source position when the design came from YAML (1-based). */
  line?: number;
  column?: number;
}

// ───────────────────────────── topology ─────────────────────────────

/** A network namespace the lab owns. Fabric: `nc-<lab>`; element: `nc-<lab>.<id>`. */
export interface NetnsSpec {
  name: string;
  /** Element id, or null for the lab's fabric namespace (segment bridges). */
  node: string | null;
  role: 'fabric' | 'host' | 'namespace' | 'router';
  /** net.ipv4.ip_forward in this namespace. */
  forwarding: boolean;
}

/**
 * An L2 broadcast domain carrying one subnet: a VLAN or switch bridge (with
 * the bridged hosts and containers behind it), a VXLAN overlay, a routed
 * host's container bridge, or a point-to-point link.
 */
export interface DomainSpec {
  /** Unique: the segment / vxlan / host id, or the link id for p2p. */
  id: string;
  kind: 'vlan' | 'switch' | 'overlay' | 'hostnet' | 'p2p';
  /** The element the user sees for this domain (segment, vxlan, routed host, or link id). */
  element: string;
  /** Canonical CIDR or null (a switch without subnet). */
  subnet: string | null;
  /** Default gateway for non-forwarding members (router by id order; a routed host's br0). */
  gateway: { node: string; address: string } | null;
  /**
   * False for a VXLAN underlay: routers never send lab traffic across it;
   * only the tunnels it carries do (a public network does not route private
   * subnets).
   */
  transit: boolean;
  /** VLAN id for vlan domains (kept for the UI and a future tagged strategy). */
  vid?: number;
}

export interface VethPeer {
  netns: string;
  name: string;
}

export interface VxlanParams {
  vni: number;
  port: number;
  /** This member's address on the underlay (no prefix length). */
  local: string;
  /** The interface in this netns that carries the underlay address. */
  underlayDev: string;
  /** Other members' underlay addresses, one fdb flood entry each (head-end replication). */
  remotes: string[];
}

export interface IfaceSpec {
  /** Stable identity `<netns>/<name>`. */
  key: string;
  netns: string;
  /** Kernel interface name, ≤ 15 characters. */
  name: string;
  /** Element that owns the interface (for fabric ports: the segment). */
  node: string;
  kind: 'veth' | 'bridge' | 'vxlan';
  /** L2 domain the interface is part of (ports and enslaved devices included), or null. */
  domain: string | null;
  /** `a.b.c.d/len` or null. */
  address: string | null;
  addressOrigin: 'explicit' | 'auto' | null;
  /** Bridge (same netns) this device is enslaved to. */
  master: string | null;
  /** Administrative state to apply. */
  up: boolean;
  mtu?: number;
  mac?: string;
  /** veth only: the other end (created in its final netns by the same op). */
  peer?: VethPeer;
  /** Which link (or containment: the namespace id) made this interface. */
  link?: string;
  /** Element at the other end of the link, for explanations ("r1's interface to vlan10"). */
  towards?: string;
  vxlan?: VxlanParams;
}

export interface RouteSpec {
  netns: string;
  node: string;
  /** `default` (0.0.0.0/0) or a CIDR with host bits cleared: `routeDestination`'s spelling. */
  to: string;
  via: string;
  dev: string;
  origin: 'default' | 'computed' | 'static';
  /** Human explanation, e.g. "10.0.20.0/24 (vlan20) via r2 over the tunnel tun". */
  why: string;
}

export interface ResolvedLink {
  id: string;
  /** Design index in `links`, or -1 for a container's attachment to its host. */
  index: number;
  kind: 'segment' | 'p2p' | 'overlay' | 'container';
  a: { node: string; ifname: string };
  b: { node: string; ifname: string };
  state: 'up' | 'down';
  mtu?: number;
}

export interface Topology {
  lab: string;
  netns: NetnsSpec[];
  domains: DomainSpec[];
  /** Ordered for creation: bridges before the veths enslaved to them. */
  interfaces: IfaceSpec[];
  routes: RouteSpec[];
  links: ResolvedLink[];
  /**
   * Pingable elements (hosts, namespaces, routers with an address), sorted by
   * id, each with its primary address (a container's eth0, a bridged host's
   * br0, otherwise its first addressed interface in `interfaces` order that
   * is up, or the first addressed one when none is up).
   */
  endpoints: { node: string; netns: string; address: string }[];
}

/** Addresses chosen earlier (by a running lab or a previous edit), keyed by IfaceSpec.key. */
export type AddressHints = Record<string, string>;

// ───────────────────────────── plan ─────────────────────────────

interface OpBase {
  /** Element ids that produced this op. */
  source: string[];
  /** One line: why this op exists. */
  why: string;
}

export type Op =
  | (OpBase & { op: 'netns.add'; netns: string })
  | (OpBase & { op: 'netns.del'; netns: string })
  /** `ip netns set NS auto`: gives the namespace an nsid so one root `ip monitor all-nsid` sees its links. */
  | (OpBase & { op: 'netns.nsid'; netns: string })
  | (OpBase & { op: 'sysctl'; netns: string; key: string; value: string })
  | (OpBase & { op: 'bridge.add'; netns: string; dev: string; mtu?: number })
  | (OpBase & {
      op: 'veth.add';
      netns: string;
      dev: string;
      peerNetns: string;
      peer: string;
      mtu?: number;
      mac?: string;
      peerMac?: string;
    })
  | (OpBase & {
      op: 'vxlan.add';
      netns: string;
      dev: string;
      vni: number;
      port: number;
      local: string;
      underlayDev: string;
      mtu?: number;
    })
  | (OpBase & { op: 'link.del'; netns: string; dev: string })
  | (OpBase & { op: 'link.master'; netns: string; dev: string; master: string })
  | (OpBase & { op: 'link.nomaster'; netns: string; dev: string })
  | (OpBase & { op: 'link.mtu'; netns: string; dev: string; mtu: number })
  | (OpBase & { op: 'link.state'; netns: string; dev: string; state: 'up' | 'down' })
  | (OpBase & { op: 'addr.add'; netns: string; dev: string; address: string })
  | (OpBase & { op: 'addr.del'; netns: string; dev: string; address: string })
  | (OpBase & { op: 'fdb.append'; netns: string; dev: string; dst: string })
  | (OpBase & { op: 'fdb.del'; netns: string; dev: string; dst: string })
  | (OpBase & { op: 'route.add'; netns: string; to: string; via: string; dev: string })
  | (OpBase & { op: 'route.del'; netns: string; to: string; via?: string; dev?: string });

export type OpKind = Op['op'];

export interface Plan {
  lab: string;
  /** Build order: netns → sysctls → bridges → veths → vxlans → masters → addresses → up → fdb → routes. */
  ops: Op[];
  /** Teardown: one `netns del` per namespace of the lab. */
  teardown: Op[];
  /** Kernel name → element id, so a user can see which element owns `nc-lab.r1/vlan10`. */
  names: { netns: string; dev: string | null; element: string }[];
}

// ───────────────────────────── analysis ─────────────────────────────

export interface Hop {
  /** Element where the packet is (node id, or segment/vxlan id for L2 crossings). */
  element: string;
  /** Kernel interface name when relevant. */
  dev?: string;
  /** What happens here, e.g. "routes 10.0.20.0/24 via 172.16.42.2 (tun)". */
  note: string;
}

export interface PairResult {
  from: string;
  to: string;
  /** The address that is pinged. */
  target: string;
  reachable: boolean;
  forward: Hop[];
  /** Return path of the reply (empty when the forward path already fails). */
  back: Hop[];
  /** First reason the ping fails, e.g. "vlan20 has no router, so c3 has no gateway". */
  reason?: string;
  /** Elements to highlight for the failure (the cut link, the router without a route, …). */
  blame?: string[];
}

export interface Matrix {
  /** Endpoint element ids (hosts, namespaces, routers that have an address), sorted. */
  endpoints: string[];
  /** The address pinged for each endpoint. */
  targets: Record<string, string>;
  /** results[i][j] = ping from endpoints[i] to endpoints[j]; null on the diagonal (a node pinging itself is not predicted). */
  results: (PairResult | null)[][];
  /** The ICMP payload the pings carry (`ping -s`, don't-fragment set) when not the default 56 bytes. */
  size?: number;
}

// ───────────────────────────── observed state ─────────────────────────────

/** What the kernel really has for a lab, read back with `ip -j` (kernel/observe.ts). */
export interface ObservedIface {
  netns: string;
  name: string;
  ifindex: number;
  /** linkinfo kind: 'veth' | 'bridge' | 'vxlan' | … ; 'loopback' for lo. */
  kind: string;
  /** Administrative state (IFF_UP). */
  up: boolean;
  /** Operational state as the kernel reports it ('UP', 'DOWN', 'LOWERLAYERDOWN', 'UNKNOWN'). */
  operstate: string;
  master: string | null;
  mtu: number;
  mac: string;
  /** IPv4 addresses with prefix length, scope global. */
  addresses: string[];
  vxlan?: { vni: number; port: number; local: string | null; underlayDev: string | null };
}

export interface ObservedRoute {
  netns: string;
  /** `default` or a CIDR (a /32 with its length): `routeDestination`'s spelling, not iproute2's. */
  to: string;
  via: string | null;
  dev: string;
}

export interface ObservedFdb {
  netns: string;
  dev: string;
  mac: string;
  dst: string;
}

export interface ObservedState {
  lab: string;
  /** Namespace names owned by the lab (`nc-<lab>` and `nc-<lab>.*`), sorted. */
  netns: string[];
  /** Every interface except lo. */
  interfaces: ObservedIface[];
  /** Only routes with a gateway (the kernel's own connected routes are left out). */
  routes: ObservedRoute[];
  /** Only the vxlan flood entries (dst set). */
  fdb: ObservedFdb[];
  sysctls: { netns: string; key: string; value: string }[];
  /** Namespaces that already have an nsid (`ip netns set NS auto` fails a second time). */
  nsids?: Record<string, number>;
  /**
   * Names of the lab in /run/netns with no namespace behind them (an `ip netns
   * add` killed between creating the name and mounting the namespace). They are
   * not in `netns`: nothing can be read or run inside them; they can only be deleted.
   */
  halfMade?: string[];
}
