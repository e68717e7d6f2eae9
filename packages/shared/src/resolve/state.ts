/**
 * What the stages of resolve share while they turn a design into a
 * topology: the namespaces, domains and interfaces made so far, each
 * node's attachments, and the members each domain gives addresses to.
 * Every stage reads and extends one `ResolveState`; resolve.ts runs them
 * in order.
 */
import type { Diagnostic, DomainSpec, IfaceSpec, NetnsSpec, ResolvedLink } from '../model.js';
import type { Subnet } from '../net/ipv4.js';
import { type IfnameScope, netnsName } from '../net/names.js';
import type { Design, DesignNode } from '../parse/schema.js';

/** One of a node's attachments in design link order, used to pick its gateway. */
export interface Attachment {
  domain: string;
  /** The interface that holds the node's address in that domain (a bridged host's br0). */
  iface: IfaceSpec;
}

/** An interface that takes an address in a domain. */
export interface Member {
  /** The interface that holds the member's address in this domain. */
  iface: IfaceSpec;
  node: string;
  /** 0: takes the lowest addresses (routers; a routed host's br0 in its hostnet); 1: everyone else. */
  rank: number;
  /** The `ip` the design wrote for this member. */
  explicit?: string;
  /** Where the member comes from in the document, for diagnostics. */
  path: (string | number)[];
}

export interface DomainState {
  spec: DomainSpec;
  subnet: Subnet | null;
  members: Member[];
}

/** A bridged host's link to a segment: the first one is bridged to its containers. */
export interface Uplink {
  iface: IfaceSpec;
  segment: string;
  linkId: string;
  index: number;
  ip?: string;
}

/** Who asked for an interface name, to say so when two names clash. */
export interface Claimant {
  explicit: boolean;
  /** What the interface is ("its link to v1"), built only when two names clash. */
  purpose: () => string;
}

export interface ResolveState {
  design: Design;
  lab: string;
  /** Node ids, sorted: every loop over nodes follows this order. */
  ids: string[];
  diagnostics: Diagnostic[];
  /** The lab's fabric namespace (every segment bridge). */
  fabric: string;
  netns: NetnsSpec[];
  /** Namespace-backed node → its namespace. */
  netnsOf: Map<string, string>;
  domains: Map<string, DomainState>;
  /** Domain ids in output order. */
  domainOrder: string[];
  /** Routed hosts → their hostnet domain id. */
  hostnets: Map<string, string>;
  /** Interface names taken so far, per namespace. */
  scopes: Map<string, IfnameScope<Claimant>>;
  bridges: IfaceSpec[];
  veths: IfaceSpec[];
  vxlans: IfaceSpec[];
  links: ResolvedLink[];
  /** Per namespace-backed node: its attachments in design link order. */
  attachments: Map<string, Attachment[]>;
  /** Segment → the kernel name of its bridge. */
  segmentBridge: Map<string, string>;
  /** Host → its br0. */
  hostBridge: Map<string, IfaceSpec>;
  /** Containers (namespace with a valid host): their eth0 and its port on the host's br0. */
  containerEth0: Map<string, IfaceSpec>;
  containerPort: Map<string, IfaceSpec>;
  /** Host → its containers, by id. */
  containersOf: Map<string, string[]>;
  /** Members found while walking the links and hosts, added to their domains in this order. */
  memberPending: { domain: string; member: Member }[];
  uplinks: Map<string, Uplink[]>;
  /** Tunnel → its members' devices. */
  vxlanMembers: Map<string, { node: string; iface: IfaceSpec }[]>;
  p2pLinks: { id: string; index: number }[];
  /** A member's VXLAN device → the link it realises. */
  overlayLinkOf: Map<IfaceSpec, ResolvedLink>;
}

export function createState(design: Design): ResolveState {
  return {
    design,
    lab: design.name,
    ids: Object.keys(design.nodes).sort(),
    diagnostics: [],
    fabric: netnsName(design.name, null),
    netns: [],
    netnsOf: new Map(),
    domains: new Map(),
    domainOrder: [],
    hostnets: new Map(),
    scopes: new Map(),
    bridges: [],
    veths: [],
    vxlans: [],
    links: [],
    attachments: new Map(),
    segmentBridge: new Map(),
    hostBridge: new Map(),
    containerEth0: new Map(),
    containerPort: new Map(),
    containersOf: new Map(),
    memberPending: [],
    uplinks: new Map(),
    vxlanMembers: new Map(),
    p2pLinks: [],
    overlayLinkOf: new Map(),
  };
}

/** The node with this id; undefined for an id no node has (or a built-in name such as `constructor`). */
export function nodeOf(st: ResolveState, id: string): DesignNode | undefined {
  return Object.hasOwn(st.design.nodes, id) ? st.design.nodes[id] : undefined;
}

/** Appends `value` to the list under `key`, making the list on first use. */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function addDomain(st: ResolveState, spec: DomainSpec, subnet: Subnet | null): DomainState {
  const state: DomainState = { spec, subnet, members: [] };
  st.domains.set(spec.id, state);
  st.domainOrder.push(spec.id);
  return state;
}

export function attach(st: ResolveState, node: string, domain: string, iface: IfaceSpec): void {
  pushTo(st.attachments, node, { domain, iface });
}

export function makeIface(
  fields: Pick<IfaceSpec, 'netns' | 'name' | 'node' | 'kind' | 'domain' | 'master' | 'up'>,
): IfaceSpec {
  return {
    key: `${fields.netns}/${fields.name}`,
    netns: fields.netns,
    name: fields.name,
    node: fields.node,
    kind: fields.kind,
    domain: fields.domain,
    address: null,
    addressOrigin: null,
    master: fields.master,
    up: fields.up,
  };
}

export function member(
  iface: IfaceSpec,
  node: string,
  rank: number,
  explicit: string | undefined,
  path: (string | number)[],
): Member {
  const m: Member = { iface, node, rank, path };
  if (explicit !== undefined) m.explicit = explicit;
  return m;
}

/** How a domain is called in a sentence. */
export function domainLabel(spec: DomainSpec): string {
  switch (spec.kind) {
    case 'hostnet':
      return `${spec.element}'s container network`;
    case 'p2p':
      return `the link ${spec.element}`;
    case 'overlay':
      return `the tunnel ${spec.element}`;
    default:
      return spec.element;
  }
}
