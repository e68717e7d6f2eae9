/**
 * Packet sizes (docs/architecture.md, "MTU"): the MTU the kernel gives each
 * interface of a topology, and the design mistakes that make large packets
 * vanish. Pure.
 *
 * The kernel's rules, measured on these machines:
 * - a veth has its link's MTU, else 1500;
 * - a bridge has the smallest MTU of its ports (1500 without ports);
 * - a VXLAN device has its link's MTU, else its underlay device's MTU minus
 *   the 50 bytes of encapsulation, read when it is created. The plan creates
 *   VXLAN devices before it enslaves any bridge port, so a bridge underlay
 *   counts as 1500 then. A larger MTU than underlay − 50 is cut to that size
 *   without an error, so the design may not ask for it;
 * - a frame leaving a bridge port or entering a veth end may exceed that
 *   interface's MTU by 4 bytes (room for a VLAN tag); a larger one is dropped
 *   without an error or an ICMP message.
 */

import { diagnostic, listNames, plural } from '../diagnostics.js';
import type { Diagnostic, IfaceSpec, Topology } from '../model.js';
import { domainLabel } from './addresses.js';

/** The Ethernet MTU a device has when nobody sets one. */
export const DEFAULT_MTU = 1500;
/** Outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8: what a tunnel adds to every frame. */
export const VXLAN_OVERHEAD = 50;
/** How far a frame may exceed the MTU of a bridge port or a veth end it crosses (VLAN_HLEN). */
export const L2_SLACK = 4;

/** Interface key → the MTU `ip link` shows once the plan has run. */
export function kernelMtus(interfaces: readonly IfaceSpec[]): Map<string, number> {
  const mtus = new Map<string, number>();
  /** Bridge key → the smallest MTU among its ports. */
  const smallestPort = new Map<string, number>();
  for (const i of interfaces) {
    if (i.kind !== 'veth') continue;
    const mtu = i.mtu ?? DEFAULT_MTU;
    mtus.set(i.key, mtu);
    if (i.master) {
      const key = `${i.netns}/${i.master}`;
      smallestPort.set(key, Math.min(mtu, smallestPort.get(key) ?? mtu));
    }
  }
  for (const i of interfaces)
    if (i.kind === 'bridge') mtus.set(i.key, smallestPort.get(i.key) ?? DEFAULT_MTU);
  const byKey = new Map(interfaces.map((i) => [i.key, i]));
  for (const i of interfaces)
    if (i.kind === 'vxlan') mtus.set(i.key, i.mtu ?? vxlanCeiling(i, byKey));
  return mtus;
}

/** The largest MTU a VXLAN device may have: its underlay's MTU when the device is made, minus 50. */
function vxlanCeiling(i: IfaceSpec, byKey: ReadonlyMap<string, IfaceSpec>): number {
  const under = i.vxlan ? byKey.get(`${i.netns}/${i.vxlan.underlayDev}`) : undefined;
  const base = under?.kind === 'veth' ? (under.mtu ?? DEFAULT_MTU) : DEFAULT_MTU;
  return base - VXLAN_OVERHEAD;
}

/**
 * MTU mistakes, each naming its elements:
 * - a tunnel end whose MTU is larger than its underlay allows (error: the kernel
 *   silently makes it smaller, so the lab would never match the design);
 * - a segment whose attachments differ in MTU (warning): a frame larger than
 *   the smallest is dropped, without an error, where it reaches that port.
 */
export function mtuDiagnostics(
  topology: Pick<Topology, 'interfaces' | 'domains' | 'links'>,
): Diagnostic[] {
  const { interfaces, domains, links } = topology;
  const out: Diagnostic[] = [];
  const linkById = new Map(links.map((l) => [l.id, l]));
  const byKey = new Map(interfaces.map((i) => [i.key, i]));
  for (const i of interfaces) {
    if (i.kind !== 'vxlan' || i.mtu === undefined || !i.vxlan) continue;
    const ceiling = vxlanCeiling(i, byKey);
    if (i.mtu <= ceiling) continue;
    const tunnel = i.domain ?? i.name;
    const link = i.link ? linkById.get(i.link) : undefined;
    out.push(
      diagnostic(
        'error',
        'vxlan-mtu',
        `${i.node}'s end of the tunnel ${tunnel} asks for MTU ${i.mtu}, but its underlay interface ${i.vxlan.underlayDev} has ${ceiling + VXLAN_OVERHEAD} and VXLAN needs ${VXLAN_OVERHEAD} bytes of it: at most ${ceiling} (the kernel would cut it to that without a word)`,
        [i.node, tunnel, ...(i.link ? [i.link] : [])],
        link && link.index >= 0 ? ['links', link.index, 'mtu'] : ['nodes', tunnel],
      ),
    );
  }

  // Each attachment to a bridged domain (a segment link, a container's eth0) and its MTU.
  const domainOfLink = new Map<string, string>();
  for (const i of interfaces)
    if (i.kind === 'veth' && i.link && i.domain) domainOfLink.set(i.link, i.domain);
  const members = new Map<string, { node: string; link: string; mtu: number }[]>();
  for (const l of links) {
    if (l.kind !== 'segment' && l.kind !== 'container') continue;
    const domain = domainOfLink.get(l.id);
    if (!domain) continue;
    const node = l.kind === 'container' ? l.a.node : l.a.node === domain ? l.b.node : l.a.node;
    const list = members.get(domain) ?? [];
    list.push({ node, link: l.id, mtu: l.mtu ?? DEFAULT_MTU });
    members.set(domain, list);
  }
  for (const d of domains) {
    if (d.kind !== 'vlan' && d.kind !== 'switch' && d.kind !== 'hostnet') continue;
    const list = members.get(d.id) ?? [];
    if (list.length < 2) continue;
    const largest = list.reduce((max, m) => Math.max(max, m.mtu), 0);
    const small = list
      .filter((m) => m.mtu < largest)
      .sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
    if (small.length === 0) continue;
    const where = domainLabel(d);
    const smallest = small.reduce((min, m) => Math.min(min, m.mtu), largest);
    out.push(
      diagnostic(
        'warning',
        'mtu-mismatch',
        `${listNames(small.map((m) => `${m.node} (MTU ${m.mtu})`))} ${plural(small.length, 'is', 'are')} on ${where} with a smaller MTU than the ${largest} of the rest: a packet larger than ${smallest + L2_SLACK} bytes sent to ${plural(small.length, 'it', 'them')} across ${where} is dropped without an error (give every link of ${where} the same MTU)`,
        [d.element, ...small.map((m) => m.node), ...small.map((m) => m.link)],
        ['nodes', d.element],
      ),
    );
  }
  return out;
}
