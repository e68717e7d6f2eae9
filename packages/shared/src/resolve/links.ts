/**
 * Links, in design order, realised as the link rule says: a veth from a
 * namespace to a segment's bridge, a member's VXLAN device, or a veth pair
 * with a p2p domain of its own (docs/architecture.md, "Realisation of each
 * kind"). A link the rule refuses is not built; validate explains it.
 */
import { diagnostic } from '../diagnostics.js';
import type { IfaceSpec, ResolvedLink } from '../model.js';
import { linkIds } from '../parse/links.js';
import {
  type DesignNode,
  type EndpointObject,
  endpointObject,
  isSegmentKind,
  type Link,
} from '../parse/schema.js';
import { type LinkKind, linkRule } from '../rules/link-rule.js';
import { claimName } from './interfaces.js';
import {
  addDomain,
  attach,
  makeIface,
  member,
  nodeOf,
  pushTo,
  type ResolveState,
} from './state.js';

/** One link being realised. */
interface At {
  st: ResolveState;
  link: Link;
  id: string;
  index: number;
  ends: readonly [EndpointObject, EndpointObject];
  nodes: readonly [DesignNode, DesignNode];
  up: boolean;
  path: (string | number)[];
}

export function realiseLinks(st: ResolveState): void {
  const ids = linkIds(st.design);
  const seen = new Set<string>();
  st.design.links.forEach((link, index) => {
    const id = ids[index]!;
    // Two links with the same written id (validate reports it) cannot both own a domain or an interface identity.
    if (seen.has(id)) return;
    seen.add(id);
    const ends = [endpointObject(link.endpoints[0]), endpointObject(link.endpoints[1])] as const;
    const [na, nb] = [nodeOf(st, ends[0].node), nodeOf(st, ends[1].node)];
    if (!na || !nb) return;
    const rule = linkRule({ id: ends[0].node, node: na }, { id: ends[1].node, node: nb });
    if (!rule.ok) return;
    const at: At = {
      st,
      link,
      id,
      index,
      ends,
      nodes: [na, nb],
      up: link.state !== 'down',
      path: ['links', index],
    };
    REALISE[rule.kind](at);
  });
}

const REALISE: Record<LinkKind, (at: At) => void> = {
  segment: segmentLink,
  overlay: overlayLink,
  p2p: p2pLink,
};

/** The link's MTU, an end's MAC, and which link and element an interface leads to. */
function withLinkFields(
  at: At,
  iface: IfaceSpec,
  towards: string,
  end?: EndpointObject,
): IfaceSpec {
  if (at.link.mtu !== undefined) iface.mtu = at.link.mtu;
  if (end?.mac !== undefined) iface.mac = end.mac;
  iface.link = at.id;
  iface.towards = towards;
  return iface;
}

/** Records the link as realised, with the interface name at each end. */
function realised(at: At, kind: ResolvedLink['kind'], ifA: string, ifB: string): ResolvedLink {
  const resolved: ResolvedLink = {
    id: at.id,
    index: at.index,
    kind,
    a: { node: at.ends[0].node, ifname: ifA },
    b: { node: at.ends[1].node, ifname: ifB },
    state: at.up ? 'up' : 'down',
  };
  if (at.link.mtu !== undefined) resolved.mtu = at.link.mtu;
  at.st.links.push(resolved);
  return resolved;
}

/** A namespace's end and the other, shared element (the segment or the tunnel). */
function sides(at: At, shared: (n: DesignNode) => boolean): [EndpointObject, string, DesignNode] {
  return shared(at.nodes[0])
    ? [at.ends[1], at.ends[0].node, at.nodes[1]]
    : [at.ends[0], at.ends[1].node, at.nodes[0]];
}

function segmentLink(at: At): void {
  const { st, path, up } = at;
  const [end, segment, node] = sides(at, (n) => isSegmentKind(n.kind));
  const ns = st.netnsOf.get(end.node)!;
  const requested = end.ifname ?? segment;
  const name = claimName(
    st,
    ns,
    requested,
    at.id,
    end.ifname !== undefined,
    end.node,
    () => `its link to ${segment}`,
    path,
  );
  const portName = claimName(
    st,
    st.fabric,
    `${end.node}-${requested}`,
    at.id,
    false,
    segment,
    () => `the port of ${end.node}`,
    path,
  );
  const nodeEnd = withLinkFields(
    at,
    makeIface({ netns: ns, name, node: end.node, kind: 'veth', domain: segment, master: null, up }),
    segment,
    end,
  );
  const port = withLinkFields(
    at,
    makeIface({
      netns: st.fabric,
      name: portName,
      node: segment,
      kind: 'veth',
      domain: segment,
      master: st.segmentBridge.get(segment)!,
      up,
    }),
    end.node,
  );
  nodeEnd.peer = { netns: st.fabric, name: portName };
  port.peer = { netns: ns, name };
  st.veths.push(nodeEnd, port);
  const ifnameOf = (e: EndpointObject): string => (e.node === segment ? portName : name);
  realised(at, 'segment', ifnameOf(at.ends[0]), ifnameOf(at.ends[1]));
  attach(st, end.node, segment, nodeEnd);
  if (node.kind === 'host' && node.mode === 'bridged') {
    // Its address is decided with the host's uplinks: the first one's lives on br0 (hosts.ts).
    pushTo(st.uplinks, end.node, {
      iface: nodeEnd,
      segment,
      linkId: at.id,
      index: at.index,
      ...(end.ip !== undefined ? { ip: end.ip } : {}),
    });
  } else {
    st.memberPending.push({
      domain: segment,
      member: member(nodeEnd, end.node, node.kind === 'router' ? 0 : 1, end.ip, path),
    });
  }
}

function overlayLink(at: At): void {
  const { st, path } = at;
  const [end, vxlan, node] = sides(at, (n) => n.kind === 'vxlan');
  // The kernel allows one device per VNI and port in a namespace: a second link to the same tunnel cannot be realised.
  if (st.vxlanMembers.get(vxlan)?.some((m) => m.node === end.node)) {
    st.diagnostics.push(
      diagnostic(
        'error',
        'vxlan-member-twice',
        `${end.node} is linked to the tunnel ${vxlan} more than once; a member joins a tunnel with one device, so remove the extra link ${at.id}`,
        [end.node, vxlan, at.id],
        path,
      ),
    );
    return;
  }
  const ns = st.netnsOf.get(end.node)!;
  const name = claimName(
    st,
    ns,
    end.ifname ?? vxlan,
    at.id,
    end.ifname !== undefined,
    end.node,
    () => `its tunnel ${vxlan}`,
    path,
  );
  const device = withLinkFields(
    at,
    makeIface({
      netns: ns,
      name,
      node: end.node,
      kind: 'vxlan',
      domain: vxlan,
      master: null,
      up: at.up,
    }),
    vxlan,
    end,
  );
  st.vxlans.push(device);
  pushTo(st.vxlanMembers, vxlan, { node: end.node, iface: device });
  attach(st, end.node, vxlan, device);
  st.memberPending.push({
    domain: vxlan,
    member: member(device, end.node, node.kind === 'router' ? 0 : 1, end.ip, path),
  });
  st.overlayLinkOf.set(device, realised(at, 'overlay', name, name));
}

/** Routers and routed hosts forward: they take a p2p link's lowest address and are its gateway. */
const forwards = (n: DesignNode): boolean =>
  n.kind === 'router' || (n.kind === 'host' && n.mode === 'routed');

function p2pLink(at: At): void {
  const { st, ends, path, up } = at;
  const nsOf = ends.map((e) => st.netnsOf.get(e.node)!);
  const names = ends.map((e, i) => {
    const other = ends[1 - i]!.node;
    return claimName(
      st,
      nsOf[i]!,
      e.ifname ?? other,
      at.id,
      e.ifname !== undefined,
      e.node,
      () => `its link to ${other}`,
      path,
    );
  });
  const veths = ends.map((e, i) =>
    withLinkFields(
      at,
      makeIface({
        netns: nsOf[i]!,
        name: names[i]!,
        node: e.node,
        kind: 'veth',
        domain: at.id,
        master: null,
        up,
      }),
      ends[1 - i]!.node,
      e,
    ),
  );
  veths[0]!.peer = { netns: nsOf[1]!, name: names[1]! };
  veths[1]!.peer = { netns: nsOf[0]!, name: names[0]! };
  st.veths.push(...veths);
  addDomain(
    st,
    { id: at.id, kind: 'p2p', element: at.id, subnet: null, gateway: null, transit: true },
    null,
  );
  st.p2pLinks.push({ id: at.id, index: at.index });
  ends.forEach((e, i) => {
    attach(st, e.node, at.id, veths[i]!);
  });
  ends.forEach((e, i) => {
    st.memberPending.push({
      domain: at.id,
      member: member(veths[i]!, e.node, forwards(at.nodes[i]!) ? 0 : 1, e.ip, path),
    });
  });
  realised(at, 'p2p', names[0]!, names[1]!);
}
