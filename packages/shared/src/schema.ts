/**
 * The design document: the single source of truth for what a netcanvas file
 * may contain. Structure only; meaning (dangling ids, overlaps, …) is checked
 * by validate.ts, which never throws.
 */
import { z } from 'zod';

export const API_VERSION = 'netcanvas/v1';

/** Element ids become part of namespace and interface names, so they stay small and plain. */
export const ELEMENT_ID_RE = /^[a-z][a-z0-9-]{0,30}$/;
/** Lab names are the middle of `nc-<lab>.<node>`; no dot, so the owner of a namespace is unambiguous. */
export const LAB_NAME_MAX = 24;
export const LAB_NAME_RE = new RegExp(`^[a-z][a-z0-9-]{0,${LAB_NAME_MAX - 1}}$`);
/** Interface names: IFNAMSIZ is 16 including the NUL. */
export const IFNAME_RE = /^[a-zA-Z][a-zA-Z0-9_.-]{0,14}$/;
/**
 * Names iproute2 reads as keywords (it matches keywords by prefix, so `a`
 * is `address`) or that already exist in every namespace. Rejected as
 * interface names and element ids even though we always write `dev X`.
 */
export const RESERVED_NAMES = new Set([
  'help',
  'dev',
  'name',
  'type',
  'up',
  'down',
  'all',
  'any',
  'none',
  'default',
  'master',
  'nomaster',
  'address',
  'addr',
  'broadcast',
  'brd',
  'mtu',
  'netns',
  'alias',
  'link',
  'index',
  'group',
  'peer',
  'via',
  'lo',
  'br0',
  'to',
  'table',
  'local',
  'remote',
  'dst',
  'src',
  'vf',
  'mode',
  'proto',
  'scope',
  'metric',
]);

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
/** Dotted-quad IPv4, each octet 0–255 without leading zeros. The one definition (render.ts checks argv with it too). */
export const IPV4_RE = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);
export const CIDR_RE = new RegExp(`^${OCTET}(\\.${OCTET}){3}\\/(3[0-2]|[12]?\\d)$`);
export const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
/** A link's written id, or the `<a>--<b>#n` one parse gives it. */
export const LINK_ID_RE = /^[a-z][a-z0-9#-]{0,62}$/;
/** Where point-to-point link subnets come from when a design does not say. */
export const DEFAULT_P2P_POOL = '10.255.0.0/16';
/** The IANA VXLAN port, a tunnel's default. */
export const DEFAULT_VXLAN_PORT = 4789;

export const ElementId = z
  .string()
  .regex(
    ELEMENT_ID_RE,
    'ids are 1–31 characters: lower-case letters, digits and "-", starting with a letter',
  );
export const Ipv4 = z
  .string()
  .regex(IPV4_RE, 'expected an IPv4 address in dotted decimal, e.g. 10.0.10.1');
/** A network prefix, e.g. 10.0.10.0/24 (host bits are checked semantically, with a hint). */
export const Cidr = z.string().regex(CIDR_RE, 'expected a subnet in CIDR form, e.g. 10.0.10.0/24');
/** An interface address: 10.0.10.254/24 or 10.0.10.254 (the segment's prefix length is then used). */
export const IfAddress = z
  .string()
  .regex(
    new RegExp(`^${IPV4_RE.source.slice(1, -1)}(\\/(3[0-2]|[12]?\\d))?$`),
    'expected an address such as 10.0.10.254/24',
  );
export const IfName = z
  .string()
  .regex(
    IFNAME_RE,
    'interface names are 1–15 characters: letters, digits, "_", "-", "." starting with a letter',
  );
export const Mac = z
  .string()
  .regex(MAC_RE, 'expected a MAC address such as 02:00:00:00:00:01 (lower case)');

const label = z.string().max(64).optional();

export const HostNode = z.strictObject({
  kind: z.literal('host'),
  /** bridged: containers share the uplink's segment; routed: docker0-style container subnet. */
  mode: z.enum(['bridged', 'routed']).default('bridged'),
  /** Container subnet, routed mode only. */
  subnet: Cidr.optional(),
  label,
});
export const NamespaceNode = z.strictObject({
  kind: z.literal('namespace'),
  /** The host this container runs on: it gets eth0 on the host's br0. */
  host: ElementId.optional(),
  label,
});
export const VlanNode = z.strictObject({
  kind: z.literal('vlan'),
  vid: z.number().int().min(1).max(4094),
  subnet: Cidr,
  label,
});
export const SwitchNode = z.strictObject({
  kind: z.literal('switch'),
  subnet: Cidr.optional(),
  label,
});
export const StaticRoute = z.strictObject({
  to: z.union([Cidr, z.literal('default')]),
  via: Ipv4,
});
export const RouterNode = z.strictObject({
  kind: z.literal('router'),
  /** auto: routes computed from the graph (plus `routes`); static: only `routes`. */
  routing: z.enum(['auto', 'static']).default('auto'),
  routes: z.array(StaticRoute).max(256).default([]),
  label,
});
export const VxlanNode = z.strictObject({
  kind: z.literal('vxlan'),
  vni: z.number().int().min(1).max(16777215),
  port: z.number().int().min(1).max(65535).default(DEFAULT_VXLAN_PORT),
  /** The segment (switch or vlan) that carries the encapsulated packets. */
  underlay: ElementId,
  /** The overlay subnet: members' tunnel addresses. */
  subnet: Cidr,
  label,
});

export const NODE_KINDS = ['host', 'namespace', 'vlan', 'switch', 'router', 'vxlan'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];
export type SegmentKind = 'vlan' | 'switch';
export type NamespacedKind = 'host' | 'namespace' | 'router';
/** VLANs and switches: L2 segments, each a bridge in the lab's fabric namespace. */
export const isSegmentKind = (kind: NodeKind): kind is SegmentKind =>
  kind === 'vlan' || kind === 'switch';
/** Elements realised as their own network namespace: a link between two of them is point-to-point. */
export const isNamespacedKind = (kind: NodeKind): kind is NamespacedKind =>
  kind === 'host' || kind === 'namespace' || kind === 'router';

export const DesignNode = z.discriminatedUnion('kind', [
  HostNode,
  NamespaceNode,
  VlanNode,
  SwitchNode,
  RouterNode,
  VxlanNode,
]);

export const EndpointObject = z.strictObject({
  node: ElementId,
  ifname: IfName.optional(),
  ip: IfAddress.optional(),
  mac: Mac.optional(),
});
export const Endpoint = z.union([ElementId, EndpointObject]);

export const Link = z.strictObject({
  /** Optional stable id; otherwise `<a>--<b>` (with `#2`… for parallel links). */
  id: z.string().regex(LINK_ID_RE).optional(),
  endpoints: z.tuple([Endpoint, Endpoint]),
  mtu: z.number().int().min(576).max(9000).optional(),
  state: z.enum(['up', 'down']).default('up'),
});

export const Addressing = z.strictObject({
  /** Pool for router-to-router and namespace-to-namespace links (one /30 each). */
  p2p: Cidr.default(DEFAULT_P2P_POOL),
});

export const Position = z.strictObject({ x: z.number().finite(), y: z.number().finite() });

export const Design = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  name: z
    .string()
    .regex(
      LAB_NAME_RE,
      'lab names are 1–24 characters: lower-case letters, digits and "-", starting with a letter',
    ),
  /** Free text for people (the dashboard's lists); `name` is the lab name asked for. */
  title: z.string().max(120).optional(),
  description: z.string().max(4000).optional(),
  nodes: z.record(ElementId, DesignNode),
  links: z.array(Link).max(20000).default([]),
  addressing: Addressing.default({ p2p: DEFAULT_P2P_POOL }),
  /** Canvas positions; never affects the plan. */
  layout: z.record(ElementId, Position).optional(),
});

export type DesignInput = z.input<typeof Design>;
export type Design = z.output<typeof Design>;
export type DesignNode = z.output<typeof DesignNode>;
export type HostNode = z.output<typeof HostNode>;
export type NamespaceNode = z.output<typeof NamespaceNode>;
export type VlanNode = z.output<typeof VlanNode>;
export type SwitchNode = z.output<typeof SwitchNode>;
export type RouterNode = z.output<typeof RouterNode>;
export type VxlanNode = z.output<typeof VxlanNode>;
export type Link = z.output<typeof Link>;
export type Endpoint = z.output<typeof Endpoint>;
export type EndpointObject = z.output<typeof EndpointObject>;

/** An endpoint as an object, whether written `r1` or `{ node: r1, … }`. */
export function endpointObject(endpoint: Endpoint): EndpointObject {
  return typeof endpoint === 'string' ? { node: endpoint } : endpoint;
}
export type StaticRoute = z.output<typeof StaticRoute>;
