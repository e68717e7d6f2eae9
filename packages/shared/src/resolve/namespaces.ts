/**
 * The first stage: a namespace for the fabric and for every
 * namespace-backed element, and the L2 domains the design names itself
 * (segments, tunnels' overlays, routed hosts' container networks). P2p
 * links' domains come with the links.
 */
import type { DomainSpec } from '../model.js';
import { parseCidr } from '../net/ipv4.js';
import { netnsName } from '../net/names.js';
import { isNamespacedKind, isSegmentKind } from '../parse/schema.js';
import { addDomain, nodeOf, type ResolveState } from './state.js';

export function namespaces(st: ResolveState): void {
  const nodes = st.design.nodes;
  if (st.ids.some((id) => isSegmentKind(nodes[id]!.kind)))
    st.netns.push({ name: st.fabric, node: null, role: 'fabric', forwarding: false });
  for (const id of st.ids) {
    const node = nodes[id]!;
    if (!isNamespacedKind(node.kind)) continue;
    const name = netnsName(st.lab, id);
    st.netnsOf.set(id, name);
    const forwarding = node.kind === 'router' || (node.kind === 'host' && node.mode === 'routed');
    st.netns.push({ name, node: id, role: node.kind, forwarding });
  }
}

export function namedDomains(st: ResolveState): void {
  const nodes = st.design.nodes;
  const underlays = new Set<string>();
  for (const id of st.ids) {
    const node = nodes[id]!;
    if (node.kind === 'vxlan') {
      const underlay = nodeOf(st, node.underlay);
      if (underlay && isSegmentKind(underlay.kind)) underlays.add(node.underlay);
    }
  }
  for (const id of st.ids) {
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
      addDomain(st, spec, subnet);
    } else if (node.kind === 'vxlan') {
      addDomain(
        st,
        { id, kind: 'overlay', element: id, subnet: null, gateway: null, transit: true },
        parseCidr(node.subnet),
      );
    } else if (node.kind === 'host' && node.mode === 'routed') {
      st.hostnets.set(id, id);
      addDomain(
        st,
        { id, kind: 'hostnet', element: id, subnet: null, gateway: null, transit: true },
        node.subnet === undefined ? null : parseCidr(node.subnet),
      );
    }
  }
}
