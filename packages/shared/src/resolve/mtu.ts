/**
 * The design mistakes that make large packets vanish (docs/architecture.md,
 * "MTU"), from the MTUs the kernel gives each interface (net/mtu.ts).
 */
import { diagnostic, listNames, plural } from '../diagnostics.js';
import type { Diagnostic, Topology } from '../model.js';
import { DEFAULT_MTU, L2_SLACK, VXLAN_OVERHEAD, vxlanCeiling } from '../net/mtu.js';
import { domainLabel } from './state.js';

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
