/**
 * The design document: the single source of truth for what a netcanvas file
 * may contain. Structure only; meaning (dangling ids, overlaps, …) is checked
 * by validate.ts, which never throws.
 */
import { z } from 'zod';
import {
  CIDR_PATTERN,
  IF_ADDRESS_PATTERN,
  IPV4_PATTERN,
  isCidr,
  isIfAddress,
  isIpv4,
} from '../net/ipv4.js';
import { ELEMENT_ID_RE, IFNAME_RE, LAB_NAME_RE } from '../net/names.js';

export const API_VERSION = 'netcanvas/v1';

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
/**
 * A string field read by one of net/ipv4.ts's parsers. A refusal is an
 * `invalid_format` issue, like a regex's; the JSON Schema for editors gets
 * the same format as a pattern.
 */
function ipv4Field(valid: (text: string) => boolean, pattern: string, message: string) {
  return z
    .string()
    .superRefine((text, ctx) => {
      if (!valid(text))
        ctx.addIssue({ code: 'invalid_format', format: 'regex', message, input: text });
    })
    .meta({ pattern });
}
export const Ipv4 = ipv4Field(
  isIpv4,
  IPV4_PATTERN,
  'expected an IPv4 address in dotted decimal, e.g. 10.0.10.1',
);
/** A network prefix, e.g. 10.0.10.0/24 (host bits are checked semantically, with a hint). */
export const Cidr = ipv4Field(
  isCidr,
  CIDR_PATTERN,
  'expected a subnet in CIDR form, e.g. 10.0.10.0/24',
);
/** An interface address: 10.0.10.254/24 or 10.0.10.254 (the segment's prefix length is then used). */
export const IfAddress = ipv4Field(
  isIfAddress,
  IF_ADDRESS_PATTERN,
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

/**
 * How strictly a field is read. The strict rules are the model: what
 * `diagnose` parses and what may be deployed. The draft rules keep only
 * what storage and edit operations need (the JSON types, the element-id
 * keys, the enums the canvas draws, the size limits), so a half-drawn
 * design always saves and its mistakes are diagnostics, not refusals.
 */
interface FieldRules {
  /** An element id used as a reference (a link end, a container's host, a tunnel's underlay). */
  ref: z.ZodString;
  cidr: z.ZodType<string, string>;
  ipv4: z.ZodType<string, string>;
  ifAddress: z.ZodType<string, string>;
  ifName: z.ZodString;
  mac: z.ZodString;
  int(min: number, max: number): z.ZodNumber;
}

const STRICT: FieldRules = {
  ref: ElementId,
  cidr: Cidr,
  ipv4: Ipv4,
  ifAddress: IfAddress,
  ifName: IfName,
  mac: Mac,
  int: (min, max) => z.number().int().min(min).max(max),
};

/** Any string up to a size a field could sensibly hold; any JSON number. */
const loose = () => z.string().max(64);
const DRAFT: FieldRules = {
  ref: loose(),
  cidr: loose(),
  ipv4: loose(),
  ifAddress: loose(),
  ifName: loose(),
  mac: loose(),
  int: () => z.number(),
};

function designSchemas(r: FieldRules) {
  const HostNode = z.strictObject({
    kind: z.literal('host'),
    /** bridged: containers share the uplink's segment; routed: docker0-style container subnet. */
    mode: z.enum(['bridged', 'routed']).default('bridged'),
    /** Container subnet, routed mode only. */
    subnet: r.cidr.optional(),
    label,
  });
  const NamespaceNode = z.strictObject({
    kind: z.literal('namespace'),
    /** The host this container runs on: it gets eth0 on the host's br0. */
    host: r.ref.optional(),
    label,
  });
  const VlanNode = z.strictObject({
    kind: z.literal('vlan'),
    vid: r.int(1, 4094),
    subnet: r.cidr,
    label,
  });
  const SwitchNode = z.strictObject({
    kind: z.literal('switch'),
    subnet: r.cidr.optional(),
    label,
  });
  const StaticRoute = z.strictObject({
    to: z.union([r.cidr, z.literal('default')]),
    via: r.ipv4,
  });
  const RouterNode = z.strictObject({
    kind: z.literal('router'),
    /** auto: routes computed from the graph (plus `routes`); static: only `routes`. */
    routing: z.enum(['auto', 'static']).default('auto'),
    routes: z.array(StaticRoute).max(256).default([]),
    label,
  });
  const VxlanNode = z.strictObject({
    kind: z.literal('vxlan'),
    vni: r.int(1, 16777215),
    port: r.int(1, 65535).default(DEFAULT_VXLAN_PORT),
    /** The segment (switch or vlan) that carries the encapsulated packets. */
    underlay: r.ref,
    /** The overlay subnet: members' tunnel addresses. */
    subnet: r.cidr,
    label,
  });
  const DesignNode = z.discriminatedUnion('kind', [
    HostNode,
    NamespaceNode,
    VlanNode,
    SwitchNode,
    RouterNode,
    VxlanNode,
  ]);
  const EndpointObject = z.strictObject({
    node: r.ref,
    ifname: r.ifName.optional(),
    ip: r.ifAddress.optional(),
    mac: r.mac.optional(),
  });
  const Endpoint = z.union([r.ref, EndpointObject]);
  const Link = z.strictObject({
    /** Optional stable id; otherwise `<a>--<b>` (with `#2`… for parallel links). */
    id: z.string().regex(LINK_ID_RE).optional(),
    endpoints: z.tuple([Endpoint, Endpoint]),
    mtu: r.int(576, 9000).optional(),
    state: z.enum(['up', 'down']).default('up'),
  });
  const Addressing = z.strictObject({
    /** Pool for router-to-router and namespace-to-namespace links (one /30 each). */
    p2p: r.cidr.default(DEFAULT_P2P_POOL),
  });
  const Design = z.strictObject({
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
  return {
    HostNode,
    NamespaceNode,
    VlanNode,
    SwitchNode,
    StaticRoute,
    RouterNode,
    VxlanNode,
    DesignNode,
    EndpointObject,
    Endpoint,
    Link,
    Addressing,
    Design,
  };
}

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

export const Position = z.strictObject({ x: z.number().finite(), y: z.number().finite() });

const strict = designSchemas(STRICT);
export const HostNode = strict.HostNode;
export const NamespaceNode = strict.NamespaceNode;
export const VlanNode = strict.VlanNode;
export const SwitchNode = strict.SwitchNode;
export const StaticRoute = strict.StaticRoute;
export const RouterNode = strict.RouterNode;
export const VxlanNode = strict.VxlanNode;
export const DesignNode = strict.DesignNode;
export const EndpointObject = strict.EndpointObject;
export const Endpoint = strict.Endpoint;
export const Link = strict.Link;
export const Addressing = strict.Addressing;
export const Design = strict.Design;

/**
 * The draft form: what the store keeps and edit operations carry. Its
 * output type is `Design`'s; only formats and ranges are not checked.
 */
const draft = designSchemas(DRAFT);
export const DraftDesign = draft.Design;
export const DraftNode = draft.DesignNode;
export const DraftLink = draft.Link;

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

/**
 * An endpoint in its shortest form: a bare id when it carries nothing else,
 * so a saved file stays as terse as a hand-written one.
 */
export function compactEndpoint(ep: EndpointObject): Endpoint {
  const out: EndpointObject = { node: ep.node };
  if (ep.ifname) out.ifname = ep.ifname;
  if (ep.ip) out.ip = ep.ip;
  if (ep.mac) out.mac = ep.mac;
  return Object.keys(out).length === 1 ? ep.node : out;
}
