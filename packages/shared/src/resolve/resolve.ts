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

import type { AddressHints, Diagnostic, Topology } from '../model.js';
import type { Design } from '../parse/schema.js';
import { allocateAddresses } from './addresses.js';
import { endpoints, gateways } from './gateways.js';
import { hosts } from './hosts.js';
import { bridges, containers } from './interfaces.js';
import { realiseLinks } from './links.js';
import { mtuDiagnostics } from './mtu.js';
import { namedDomains, namespaces } from './namespaces.js';
import { resolveRoutes } from './routes.js';
import { createState } from './state.js';
import { tunnels } from './vxlan.js';

export function resolve(
  design: Design,
  hints: AddressHints = {},
): { topology: Topology; diagnostics: Diagnostic[] } {
  const st = createState(design);
  namespaces(st);
  namedDomains(st);
  bridges(st);
  containers(st);
  realiseLinks(st);
  hosts(st);
  allocateAddresses(st, hints, st.p2pLinks);
  // Tunnels need the members' underlay addresses.
  const dropped = tunnels(st);
  gateways(st);
  const interfaces = [
    ...st.bridges,
    ...st.veths,
    ...st.vxlans.filter((v) => !dropped.devices.has(v)),
  ];
  const routes = resolveRoutes(st);
  const topology: Topology = {
    lab: st.lab,
    netns: st.netns,
    domains: st.domainOrder.map((id) => st.domains.get(id)!.spec),
    interfaces,
    routes,
    links: dropped.links.size === 0 ? st.links : st.links.filter((l) => !dropped.links.has(l)),
    endpoints: endpoints(st, interfaces),
  };
  st.diagnostics.push(...mtuDiagnostics(topology));
  return { topology, diagnostics: st.diagnostics };
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
