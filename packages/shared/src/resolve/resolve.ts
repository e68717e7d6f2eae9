/**
 * Design → Topology (docs/architecture.md): kernel names, namespaces, L2
 * domains, interfaces, addresses, routes, resolved links and endpoints.
 *
 * Total: a parsed Design never makes it throw. Elements with dangling or
 * nonsensical references are skipped (validate reports those); what only
 * shows up while allocating is reported here, as Diagnostics naming the
 * elements. Deterministic: every iteration follows the design's link order
 * or sorted ids, never Map/Set insertion order of something unordered.
 *
 * Output order: netns — the fabric, then elements by id; domains — segments,
 * overlays and hostnets by id, then p2p links in design order; interfaces —
 * every bridge, then veths (container attachments by container id, then
 * links in design order, both ends together), then vxlan devices; routes —
 * by element id, each element's default, static, then computed routes.
 */

import { diagnostic, listNames, plural } from '../diagnostics.js';
import type {
  AddressHints,
  Diagnostic,
  DomainSpec,
  IfaceSpec,
  NetnsSpec,
  ResolvedLink,
  Topology,
} from '../model.js';
import { bareAddress, formatSubnet, parseCidr, type Subnet } from '../net/ipv4.js';
import { IfnameScope, netnsName } from '../net/names.js';
import { linkIds } from '../parse/links.js';
import {
  type Design,
  type DesignNode,
  type EndpointObject,
  endpointObject,
  type HostNode,
  isNamespacedKind,
  isSegmentKind,
  type NamespacedKind,
  type VxlanNode,
} from '../parse/schema.js';
import { linkRule } from '../rules/link-rule.js';
import { allocateAddresses, type DomainState, type Member } from './addresses.js';
import { mtuDiagnostics } from './mtu.js';
import { resolveRoutes } from './routes.js';

/** One of a node's attachments in design link order, used to pick its gateway. */
export interface Attachment {
  domain: string;
  /** The interface that holds the node's address in that domain (a bridged host's br0). */
  iface: IfaceSpec;
}

/** State shared by the resolve stages. */
export interface ResolveState {
  design: Design;
  lab: string;
  diagnostics: Diagnostic[];
  domains: Map<string, DomainState>;
  /** Domain ids in output order. */
  domainOrder: string[];
  /** Per namespace-backed node: its attachments in design link order. */
  attachments: Map<string, Attachment[]>;
  /** Containers (namespace with a valid host): their eth0. */
  containerEth0: Map<string, IfaceSpec>;
  /** Routed hosts → their hostnet domain id. */
  hostnets: Map<string, string>;
  netnsOf: Map<string, string>;
}

export function resolve(
  design: Design,
  hints: AddressHints = {},
): { topology: Topology; diagnostics: Diagnostic[] } {
  const lab = design.name;
  const nodes = design.nodes;
  const ids = Object.keys(nodes).sort();
  const nodeOf = (id: string): DesignNode | undefined =>
    Object.hasOwn(nodes, id) ? nodes[id] : undefined;
  const diagnostics: Diagnostic[] = [];

  // ── namespaces ──
  const fabric = netnsName(lab, null);
  const hasFabric = ids.some((id) => isSegmentKind(nodes[id]!.kind));
  const netns: NetnsSpec[] = [];
  const netnsOf = new Map<string, string>();
  if (hasFabric) netns.push({ name: fabric, node: null, role: 'fabric', forwarding: false });
  for (const id of ids) {
    const node = nodes[id]!;
    if (!isNamespacedKind(node.kind)) continue;
    const name = netnsName(lab, id);
    netnsOf.set(id, name);
    const forwarding = node.kind === 'router' || (node.kind === 'host' && node.mode === 'routed');
    netns.push({ name, node: id, role: node.kind, forwarding });
  }

  // ── domains of segments, overlays and routed hosts ──
  const domains = new Map<string, DomainState>();
  const domainOrder: string[] = [];
  const underlays = new Set<string>();
  for (const id of ids) {
    const node = nodes[id]!;
    if (node.kind === 'vxlan') {
      const underlay = nodeOf(node.underlay);
      if (underlay && isSegmentKind(underlay.kind)) underlays.add(node.underlay);
    }
  }
  const addDomain = (spec: DomainSpec, subnet: Subnet | null): DomainState => {
    const state: DomainState = { spec, subnet, members: [] };
    domains.set(spec.id, state);
    domainOrder.push(spec.id);
    return state;
  };
  const hostnets = new Map<string, string>();
  for (const id of ids) {
    const node = nodes[id]!;
    if (node.kind === 'vlan' || node.kind === 'switch') {
      const subnet = node.subnet === undefined ? null : parseCidr(node.subnet);
      const spec: DomainSpec = {
        id,
        kind: node.kind,
        element: id,
        subnet: null,
        gateway: null,
        transit: !underlays.has(id),
      };
      if (node.kind === 'vlan') spec.vid = node.vid;
      addDomain(spec, subnet);
    } else if (node.kind === 'vxlan') {
      addDomain(
        { id, kind: 'overlay', element: id, subnet: null, gateway: null, transit: true },
        parseCidr(node.subnet),
      );
    } else if (node.kind === 'host' && node.mode === 'routed') {
      hostnets.set(id, id);
      addDomain(
        { id, kind: 'hostnet', element: id, subnet: null, gateway: null, transit: true },
        node.subnet === undefined ? null : parseCidr(node.subnet),
      );
    }
  }

  // ── interfaces and their names ──
  interface Claimant {
    explicit: boolean;
    /** What the interface is ("its link to v1"), built only when two names clash. */
    purpose: () => string;
  }
  const scopes = new Map<string, IfnameScope<Claimant>>();
  /** A kernel name for an interface of `owner` in namespace `ns`; a clash involving a name the user wrote is an error. */
  const claimName = (
    ns: string,
    readable: string,
    identity: string,
    explicit: boolean,
    owner: string,
    purpose: () => string,
    path?: (string | number)[],
  ): string => {
    let scope = scopes.get(ns);
    if (!scope) {
      scope = new IfnameScope<Claimant>();
      scopes.set(ns, scope);
    }
    const { name, clashed, first } = scope.claim(readable, identity, { explicit, purpose });
    if (clashed && first && (explicit || first.explicit)) {
      diagnostics.push(
        diagnostic(
          'error',
          'ifname-duplicate',
          `${owner} has two interfaces named ${readable} (${first.purpose()} and ${purpose()}); interface names must be unique within ${owner}, so the second one becomes ${name}`,
          [owner],
          path,
        ),
      );
    }
    return name;
  };

  const bridges: IfaceSpec[] = [];
  const veths: IfaceSpec[] = [];
  const vxlans: IfaceSpec[] = [];
  const links: ResolvedLink[] = [];
  const attachments = new Map<string, Attachment[]>();
  const attach = (node: string, domain: string, iface: IfaceSpec): void => {
    let list = attachments.get(node);
    if (!list) {
      list = [];
      attachments.set(node, list);
    }
    list.push({ domain, iface });
  };

  const makeIface = (
    fields: Pick<IfaceSpec, 'netns' | 'name' | 'node' | 'kind' | 'domain' | 'master' | 'up'>,
  ): IfaceSpec => ({
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
  });

  // Bridges first: they exist before anything is enslaved to them, and they claim their names first.
  const segmentBridge = new Map<string, string>();
  for (const id of ids) {
    const node = nodes[id]!;
    if (isSegmentKind(node.kind)) {
      const name = claimName(fabric, id, id, false, id, () => `the bridge of ${id}`);
      segmentBridge.set(id, name);
      bridges.push(
        makeIface({
          netns: fabric,
          name,
          node: id,
          kind: 'bridge',
          domain: id,
          master: null,
          up: true,
        }),
      );
    }
  }
  const hostBridge = new Map<string, IfaceSpec>();
  for (const id of ids) {
    const node = nodes[id]!;
    if (node.kind !== 'host') continue;
    const ns = netnsOf.get(id)!;
    const name = claimName(ns, 'br0', 'br0', false, id, () => 'its container bridge');
    const br0 = makeIface({
      netns: ns,
      name,
      node: id,
      kind: 'bridge',
      domain: node.mode === 'routed' ? id : null,
      master: null,
      up: true,
    });
    hostBridge.set(id, br0);
    bridges.push(br0);
  }

  // Containers: eth0 in the container, a port named after it on the host's br0.
  const containerEth0 = new Map<string, IfaceSpec>();
  const containerPort = new Map<string, IfaceSpec>();
  const containersOf = new Map<string, string[]>();
  for (const id of ids) {
    const node = nodes[id]!;
    if (node.kind !== 'namespace' || node.host === undefined) continue;
    const host = nodeOf(node.host);
    if (host?.kind !== 'host') continue;
    const ns = netnsOf.get(id)!;
    const hostNs = netnsOf.get(node.host)!;
    const br0 = hostBridge.get(node.host)!;
    const eth0 = makeIface({
      netns: ns,
      name: claimName(ns, 'eth0', 'eth0', false, id, () => `its attachment to ${node.host}`),
      node: id,
      kind: 'veth',
      domain: null,
      master: null,
      up: true,
    });
    const port = makeIface({
      netns: hostNs,
      name: claimName(hostNs, id, id, false, node.host, () => `the port of container ${id}`),
      node: node.host,
      kind: 'veth',
      domain: null,
      master: br0.name,
      up: true,
    });
    eth0.peer = { netns: hostNs, name: port.name };
    eth0.link = id;
    eth0.towards = node.host;
    port.peer = { netns: ns, name: eth0.name };
    port.link = id;
    port.towards = id;
    veths.push(eth0, port);
    containerEth0.set(id, eth0);
    containerPort.set(id, port);
    let list = containersOf.get(node.host);
    if (!list) {
      list = [];
      containersOf.set(node.host, list);
    }
    list.push(id);
    links.push({
      id,
      index: -1,
      kind: 'container',
      a: { node: id, ifname: eth0.name },
      b: { node: node.host, ifname: port.name },
      state: 'up',
    });
  }

  // Links, in design order.
  const memberPending: { domain: string; member: Member }[] = [];
  const uplinks = new Map<
    string,
    { iface: IfaceSpec; segment: string; linkId: string; index: number; ip?: string }[]
  >();
  const vxlanMembers = new Map<string, { node: string; iface: IfaceSpec }[]>();
  const p2pLinks: { id: string; index: number }[] = [];
  const overlayLinkOf = new Map<IfaceSpec, ResolvedLink>();
  const ids4links = linkIds(design);
  const seenLinkIds = new Set<string>();
  design.links.forEach((link, index) => {
    const linkId = ids4links[index]!;
    // Two links with the same written id (validate reports it) cannot both own a domain or an interface identity.
    if (seenLinkIds.has(linkId)) return;
    seenLinkIds.add(linkId);
    const ends = [endpointObject(link.endpoints[0]), endpointObject(link.endpoints[1])] as const;
    const [na, nb] = [nodeOf(ends[0].node), nodeOf(ends[1].node)];
    if (!na || !nb) return;
    const up = link.state !== 'down';
    const path = ['links', index];
    const withLinkFields = (iface: IfaceSpec, towards: string, end?: EndpointObject): IfaceSpec => {
      if (link.mtu !== undefined) iface.mtu = link.mtu;
      if (end?.mac !== undefined) iface.mac = end.mac;
      iface.link = linkId;
      iface.towards = towards;
      return iface;
    };
    /** Records the link as realised, with the interface name at each end. */
    const realised = (kind: ResolvedLink['kind'], ifA: string, ifB: string): ResolvedLink => {
      const resolved: ResolvedLink = {
        id: linkId,
        index,
        kind,
        a: { node: ends[0].node, ifname: ifA },
        b: { node: ends[1].node, ifname: ifB },
        state: up ? 'up' : 'down',
      };
      if (link.mtu !== undefined) resolved.mtu = link.mtu;
      links.push(resolved);
      return resolved;
    };

    const rule = linkRule({ id: ends[0].node, node: na }, { id: ends[1].node, node: nb });
    // A refused link (segment–segment, a tunnel to a segment, …) is not built; validate explains it.
    if (!rule.ok) return;

    if (rule.kind === 'segment') {
      const [end, segment] = isSegmentKind(na.kind)
        ? [ends[1], ends[0].node]
        : [ends[0], ends[1].node];
      const node = nodeOf(end.node)!;
      const ns = netnsOf.get(end.node)!;
      const requested = end.ifname ?? segment;
      const name = claimName(
        ns,
        requested,
        linkId,
        end.ifname !== undefined,
        end.node,
        () => `its link to ${segment}`,
        path,
      );
      const portName = claimName(
        fabric,
        `${end.node}-${requested}`,
        linkId,
        false,
        segment,
        () => `the port of ${end.node}`,
        path,
      );
      const nodeEnd = withLinkFields(
        makeIface({
          netns: ns,
          name,
          node: end.node,
          kind: 'veth',
          domain: segment,
          master: null,
          up,
        }),
        segment,
        end,
      );
      const port = withLinkFields(
        makeIface({
          netns: fabric,
          name: portName,
          node: segment,
          kind: 'veth',
          domain: segment,
          master: segmentBridge.get(segment)!,
          up,
        }),
        end.node,
      );
      nodeEnd.peer = { netns: fabric, name: portName };
      port.peer = { netns: ns, name };
      veths.push(nodeEnd, port);
      const ifnameOf = (e: EndpointObject): string => (e.node === segment ? portName : name);
      realised('segment', ifnameOf(ends[0]), ifnameOf(ends[1]));
      if (node.kind === 'host' && node.mode === 'bridged') {
        let list = uplinks.get(end.node);
        if (!list) {
          list = [];
          uplinks.set(end.node, list);
        }
        const entry: {
          iface: IfaceSpec;
          segment: string;
          linkId: string;
          index: number;
          ip?: string;
        } = {
          iface: nodeEnd,
          segment,
          linkId,
          index,
        };
        if (end.ip !== undefined) entry.ip = end.ip;
        list.push(entry);
        // Attachment is recorded once uplinks are known: the first one's address lives on br0.
        attach(end.node, segment, nodeEnd);
      } else {
        attach(end.node, segment, nodeEnd);
        memberPending.push({
          domain: segment,
          member: member(nodeEnd, end.node, node.kind === 'router' ? 0 : 1, end.ip, path),
        });
      }
      return;
    }

    if (rule.kind === 'overlay') {
      const [end, vxlan] = na.kind === 'vxlan' ? [ends[1], ends[0].node] : [ends[0], ends[1].node];
      const node = nodeOf(end.node)!;
      // The kernel allows one device per VNI and port in a namespace: a second link to the same tunnel cannot be realised.
      if (vxlanMembers.get(vxlan)?.some((m) => m.node === end.node)) {
        diagnostics.push(
          diagnostic(
            'error',
            'vxlan-member-twice',
            `${end.node} is linked to the tunnel ${vxlan} more than once; a member joins a tunnel with one device, so remove the extra link ${linkId}`,
            [end.node, vxlan, linkId],
            path,
          ),
        );
        return;
      }
      const ns = netnsOf.get(end.node)!;
      const requested = end.ifname ?? vxlan;
      const name = claimName(
        ns,
        requested,
        linkId,
        end.ifname !== undefined,
        end.node,
        () => `its tunnel ${vxlan}`,
        path,
      );
      const device = withLinkFields(
        makeIface({
          netns: ns,
          name,
          node: end.node,
          kind: 'vxlan',
          domain: vxlan,
          master: null,
          up,
        }),
        vxlan,
        end,
      );
      vxlans.push(device);
      let list = vxlanMembers.get(vxlan);
      if (!list) {
        list = [];
        vxlanMembers.set(vxlan, list);
      }
      list.push({ node: end.node, iface: device });
      attach(end.node, vxlan, device);
      memberPending.push({
        domain: vxlan,
        member: member(device, end.node, node.kind === 'router' ? 0 : 1, end.ip, path),
      });
      overlayLinkOf.set(device, realised('overlay', name, name));
      return;
    }

    {
      const nsA = netnsOf.get(ends[0].node)!;
      const nsB = netnsOf.get(ends[1].node)!;
      const nameA = claimName(
        nsA,
        ends[0].ifname ?? ends[1].node,
        linkId,
        ends[0].ifname !== undefined,
        ends[0].node,
        () => `its link to ${ends[1].node}`,
        path,
      );
      const nameB = claimName(
        nsB,
        ends[1].ifname ?? ends[0].node,
        linkId,
        ends[1].ifname !== undefined,
        ends[1].node,
        () => `its link to ${ends[0].node}`,
        path,
      );
      const a = withLinkFields(
        makeIface({
          netns: nsA,
          name: nameA,
          node: ends[0].node,
          kind: 'veth',
          domain: linkId,
          master: null,
          up,
        }),
        ends[1].node,
        ends[0],
      );
      const b = withLinkFields(
        makeIface({
          netns: nsB,
          name: nameB,
          node: ends[1].node,
          kind: 'veth',
          domain: linkId,
          master: null,
          up,
        }),
        ends[0].node,
        ends[1],
      );
      a.peer = { netns: nsB, name: nameB };
      b.peer = { netns: nsA, name: nameA };
      veths.push(a, b);
      const forwards = (kind: NamespacedKind, id: string): boolean =>
        kind === 'router' || (kind === 'host' && (nodes[id] as HostNode).mode === 'routed');
      addDomain(
        { id: linkId, kind: 'p2p', element: linkId, subnet: null, gateway: null, transit: true },
        null,
      );
      p2pLinks.push({ id: linkId, index });
      attach(ends[0].node, linkId, a);
      attach(ends[1].node, linkId, b);
      memberPending.push(
        {
          domain: linkId,
          member: member(
            a,
            ends[0].node,
            forwards(na.kind as NamespacedKind, ends[0].node) ? 0 : 1,
            ends[0].ip,
            path,
          ),
        },
        {
          domain: linkId,
          member: member(
            b,
            ends[1].node,
            forwards(nb.kind as NamespacedKind, ends[1].node) ? 0 : 1,
            ends[1].ip,
            path,
          ),
        },
      );
      realised('p2p', nameA, nameB);
    }
  });

  // ── hosts: uplinks, br0 and containers' domains ──
  for (const id of ids) {
    const node = nodes[id]!;
    if (node.kind !== 'host') continue;
    const br0 = hostBridge.get(id)!;
    const containers = containersOf.get(id) ?? [];
    if (node.mode === 'routed') {
      memberPending.push({ domain: id, member: member(br0, id, 0, undefined, ['nodes', id]) });
      for (const c of containers) {
        containerPort.get(c)!.domain = id;
        const eth0 = containerEth0.get(c)!;
        eth0.domain = id;
        attach(c, id, eth0);
        memberPending.push({ domain: id, member: member(eth0, c, 1, undefined, ['nodes', c]) });
      }
      continue;
    }
    const mine = uplinks.get(id) ?? [];
    const first = mine[0];
    if (first) {
      first.iface.master = br0.name;
      br0.domain = first.segment;
      memberPending.push({
        domain: first.segment,
        member: member(br0, id, 1, first.ip, ['links', first.index]),
      });
      // The host's address is on br0: its attachment for gateway choice is br0.
      const list = attachments.get(id)!;
      const at = list.findIndex((a) => a.iface === first.iface);
      if (at !== -1) list[at] = { domain: first.segment, iface: br0 };
      for (const extra of mine.slice(1)) {
        memberPending.push({
          domain: extra.segment,
          member: member(extra.iface, id, 1, extra.ip, ['links', extra.index]),
        });
      }
      if (mine.length > 1) {
        diagnostics.push(
          diagnostic(
            'error',
            'bridged-host-uplinks',
            `${id} is a bridged host with ${mine.length} uplinks (${listNames(mine.map((u) => u.segment))}); a bridged host joins exactly one segment, so only ${first.segment} is bridged to its containers (use mode: routed, or a router, to join several)`,
            [id, ...mine.map((u) => u.linkId)],
            ['nodes', id],
          ),
        );
      }
      for (const c of containers) {
        containerPort.get(c)!.domain = first.segment;
        const eth0 = containerEth0.get(c)!;
        eth0.domain = first.segment;
        // A container sits on its host's segment: its eth0 is its address there (a tunnel's underlay too).
        attach(c, first.segment, eth0);
        memberPending.push({
          domain: first.segment,
          member: member(eth0, c, 1, undefined, ['nodes', c]),
        });
      }
    } else if (containers.length > 0) {
      diagnostics.push(
        diagnostic(
          'warning',
          'host-no-uplink',
          `${id} has no uplink to a vlan or switch, so its ${plural(containers.length, 'container', 'containers')} ${listNames(containers)} ${plural(containers.length, 'has', 'have')} no subnet and ${plural(containers.length, 'gets', 'get')} no address (link ${id} to a segment, or make it mode: routed with a subnet)`,
          [id, ...containers],
          ['nodes', id],
        ),
      );
    }
  }
  for (const { domain, member: m } of memberPending) domains.get(domain)?.members.push(m);

  const state: ResolveState = {
    design,
    lab,
    diagnostics,
    domains,
    domainOrder,
    attachments,
    containerEth0,
    hostnets,
    netnsOf,
  };

  // ── addresses ──
  allocateAddresses(state, hints, p2pLinks);

  // ── VXLAN parameters (need the underlay addresses) ──
  const containerHostOf = new Map<string, string>();
  for (const [host, list] of containersOf) for (const c of list) containerHostOf.set(c, host);
  const droppedVxlan = new Set<IfaceSpec>();
  for (const id of ids) {
    const node = nodes[id]!;
    if (node.kind !== 'vxlan') continue;
    resolveVxlan(
      id,
      node,
      vxlanMembers.get(id) ?? [],
      containerHostOf,
      attachments,
      domains,
      diagnostics,
      droppedVxlan,
    );
  }
  const droppedLinks = new Set<ResolvedLink>();
  for (const device of droppedVxlan) {
    // Without a device the member holds no overlay address, so no gateway or route may rely on it.
    device.address = null;
    device.addressOrigin = null;
    const resolved = overlayLinkOf.get(device);
    if (resolved) droppedLinks.add(resolved);
  }

  // ── gateways ──
  for (const id of domainOrder) {
    const d = domains.get(id)!;
    d.spec.subnet = d.subnet === null ? null : formatSubnet(d.subnet);
    d.spec.gateway = chooseGateway(d, nodes);
  }

  const interfaces = [...bridges, ...veths, ...vxlans.filter((v) => !droppedVxlan.has(v))];

  // ── routes ──
  const routes = resolveRoutes(state);

  // ── endpoints ──
  // The address pinged for an element: on an interface that is up when there is one. A down
  // port's address still answers from the other ports (the weak host model), but not on its own link.
  const firstAddressed = new Map<string, IfaceSpec>();
  for (const iface of interfaces) {
    if (iface.address === null || iface.netns === fabric) continue;
    const had = firstAddressed.get(iface.node);
    if (!had || (!had.up && iface.up)) firstAddressed.set(iface.node, iface);
  }
  const endpoints: Topology['endpoints'] = [];
  for (const id of ids) {
    const node = nodes[id]!;
    if (!isNamespacedKind(node.kind)) continue;
    let preferred: IfaceSpec | undefined;
    if (containerEth0.has(id)) preferred = containerEth0.get(id);
    else if (node.kind === 'host' && node.mode === 'bridged') preferred = hostBridge.get(id);
    const chosen = preferred?.address ? preferred : firstAddressed.get(id);
    if (chosen?.address)
      endpoints.push({ node: id, netns: netnsOf.get(id)!, address: bareAddress(chosen.address) });
  }

  const topology: Topology = {
    lab,
    netns,
    domains: domainOrder.map((id) => domains.get(id)!.spec),
    interfaces,
    routes,
    links: droppedLinks.size === 0 ? links : links.filter((l) => !droppedLinks.has(l)),
    endpoints,
  };
  diagnostics.push(...mtuDiagnostics(topology));
  return { topology, diagnostics };
}

/**
 * The addresses a topology gave its interfaces, as hints for the next
 * resolve: with them, adding or removing an element never renumbers others.
 */
export function hintsFrom(topology: Pick<Topology, 'interfaces'>): AddressHints {
  const hints: AddressHints = {};
  for (const iface of topology.interfaces)
    if (iface.address !== null) hints[iface.key] = iface.address;
  return hints;
}

function member(
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

/**
 * The first router by id with an address in the domain; a routed host's
 * br0 in its hostnet; on a p2p link the forwarding end (routers first).
 */
function chooseGateway(d: DomainState, nodes: Design['nodes']): DomainSpec['gateway'] {
  const addressed = d.members.filter((m) => m.iface.address !== null);
  const byNode = (a: Member, b: Member): number => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0);
  const routers = addressed.filter((m) => nodes[m.node]?.kind === 'router').sort(byNode);
  let chosen: Member | undefined;
  if (d.spec.kind === 'hostnet')
    chosen = addressed.find((m) => m.node === d.spec.id && m.iface.kind === 'bridge');
  else if (d.spec.kind === 'p2p') {
    chosen =
      routers[0] ??
      addressed
        .filter((m) => {
          const n = nodes[m.node];
          return n?.kind === 'host' && n.mode === 'routed';
        })
        .sort(byNode)[0];
  } else chosen = routers[0];
  if (!chosen) return null;
  return { node: chosen.node, address: bareAddress(chosen.iface.address!) };
}

function resolveVxlan(
  id: string,
  node: VxlanNode,
  members: { node: string; iface: IfaceSpec }[],
  /** Containers and their hosts, to say how a container gets onto the underlay. */
  containerHost: ReadonlyMap<string, string>,
  attachments: Map<string, Attachment[]>,
  domains: Map<string, DomainState>,
  diagnostics: Diagnostic[],
  dropped: Set<IfaceSpec>,
): void {
  const memberNodes = [...new Set(members.map((m) => m.node))].sort();
  if (memberNodes.length < 2) {
    diagnostics.push(
      diagnostic(
        'warning',
        'vxlan-members',
        memberNodes.length === 0
          ? `${id} has no members, so the tunnel carries nothing (link two routers or hosts to ${id})`
          : `${id} has only one member (${memberNodes[0]}), so the tunnel leads nowhere (link a second router or host to ${id})`,
        [id, ...memberNodes],
        ['nodes', id],
      ),
    );
  }
  const underlay = domains.get(node.underlay);
  const locals = new Map<string, { address: string; dev: string }>();
  for (const m of memberNodes) {
    const at = underlay
      ? attachments.get(m)?.find((a) => a.domain === node.underlay && a.iface.address !== null)
      : undefined;
    if (at) locals.set(m, { address: bareAddress(at.iface.address!), dev: at.iface.name });
    else if (underlay) {
      const fix = containerHost.has(m)
        ? `put ${m} on a bridged host linked to ${node.underlay}; its host ${containerHost.get(m)} is not`
        : `link ${m} to ${node.underlay}`;
      diagnostics.push(
        diagnostic(
          'error',
          'vxlan-no-underlay',
          `${m} is a member of the tunnel ${id} but has no address on its underlay ${node.underlay}, so it cannot send or receive the tunnel's packets (${fix})`,
          [m, id, node.underlay],
          ['nodes', id],
        ),
      );
    }
  }
  // Underlay missing or not a segment: validate reports it; no device can be created without one.
  for (const m of members) {
    const local = locals.get(m.node);
    if (!local) {
      dropped.add(m.iface);
      continue;
    }
    const remotes = memberNodes
      .filter((other) => other !== m.node && locals.has(other))
      .map((other) => locals.get(other)!.address);
    m.iface.vxlan = {
      vni: node.vni,
      port: node.port,
      local: local.address,
      underlayDev: local.dev,
      remotes,
    };
  }
}
