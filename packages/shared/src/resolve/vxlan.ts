/**
 * Tunnels, once addresses are decided: each member's VXLAN device gets its
 * VNI, port, its own address on the underlay and every other member's as a
 * flood entry (head-end replication). A member with no address on the
 * underlay gets no device, and says how to give it one.
 */
import { diagnostic } from '../diagnostics.js';
import type { IfaceSpec, ResolvedLink } from '../model.js';
import { bareAddress } from '../net/ipv4.js';
import type { VxlanNode } from '../parse/schema.js';
import type { ResolveState } from './state.js';

/** Gives every member's device its parameters; answers the devices (and their links) that cannot be made. */
export function tunnels(st: ResolveState): {
  devices: Set<IfaceSpec>;
  links: Set<ResolvedLink>;
} {
  const containerHost = new Map<string, string>();
  for (const [host, list] of st.containersOf) for (const c of list) containerHost.set(c, host);
  const devices = new Set<IfaceSpec>();
  for (const id of st.ids) {
    const node = st.design.nodes[id]!;
    if (node.kind !== 'vxlan') continue;
    tunnel(st, id, node, st.vxlanMembers.get(id) ?? [], containerHost, devices);
  }
  const links = new Set<ResolvedLink>();
  for (const device of devices) {
    // Without a device the member holds no overlay address, so no gateway or route may rely on it.
    device.address = null;
    device.addressOrigin = null;
    const resolved = st.overlayLinkOf.get(device);
    if (resolved) links.add(resolved);
  }
  return { devices, links };
}

function tunnel(
  st: ResolveState,
  id: string,
  node: VxlanNode,
  members: { node: string; iface: IfaceSpec }[],
  /** Containers and their hosts, to say how a container gets onto the underlay. */
  containerHost: ReadonlyMap<string, string>,
  dropped: Set<IfaceSpec>,
): void {
  const memberNodes = [...new Set(members.map((m) => m.node))].sort();
  if (memberNodes.length < 2) {
    st.diagnostics.push(
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
  const underlay = st.domains.get(node.underlay);
  const locals = new Map<string, { address: string; dev: string }>();
  for (const m of memberNodes) {
    const at = underlay
      ? st.attachments.get(m)?.find((a) => a.domain === node.underlay && a.iface.address !== null)
      : undefined;
    if (at) locals.set(m, { address: bareAddress(at.iface.address!), dev: at.iface.name });
    else if (underlay) {
      const fix = containerHost.has(m)
        ? `put ${m} on a bridged host linked to ${node.underlay}; its host ${containerHost.get(m)} is not`
        : `link ${m} to ${node.underlay}`;
      st.diagnostics.push(
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
