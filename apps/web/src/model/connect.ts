import type { Design, DesignNode } from '@netcanvas/shared';
import { endpointNode, linksOf, otherEnd } from './endpoints';

const isSegment = (n: DesignNode) => n.kind === 'vlan' || n.kind === 'switch';

/**
 * Why a link between `a` and `b` cannot exist, or null when it can. Mirrors
 * the core's link rules so a drag is refused at once, with the reason the
 * validator would give later.
 */
export function connectionProblem(design: Design, a: string, b: string): string | null {
  const na = design.nodes[a];
  const nb = design.nodes[b];
  if (!na || !nb) return `${na ? b : a} is not in the design`;
  if (a === b) return 'a link needs two different elements';
  if (isSegment(na) && isSegment(nb)) {
    return `${a} and ${b} are both L2 segments: join them through a router`;
  }
  if (na.kind === 'vxlan' || nb.kind === 'vxlan') {
    const [tun, other, otherId] = na.kind === 'vxlan' ? [a, nb, b] : [b, na, a];
    if (other.kind === 'vxlan')
      return 'two VXLAN tunnels cannot be linked: link routers or hosts to one tunnel';
    if (isSegment(other)) {
      return `set ${tun}'s underlay to ${otherId} in the inspector; links to ${tun} are its members (routers or hosts)`;
    }
    if (other.kind === 'namespace')
      return `VXLAN members are routers or hosts; put ${otherId} behind a router`;
  }
  for (const [id, node, peer] of [
    [a, na, nb],
    [b, nb, na],
  ] as const) {
    if (node.kind === 'host' && node.mode === 'bridged' && isSegment(peer)) {
      const hasUplink = linksOf(design, id).some((i) => {
        const other = design.nodes[otherEnd(design.links[i]!, id)];
        return other !== undefined && isSegment(other);
      });
      if (hasUplink) {
        return `${id} is a bridged host and already has an uplink; switch it to routed mode or add a router`;
      }
    }
  }
  const already = design.links.some((l) => {
    const x = endpointNode(l.endpoints[0]);
    const y = endpointNode(l.endpoints[1]);
    return (x === a && y === b) || (x === b && y === a);
  });
  // Parallel point-to-point links are legitimate (two router links); a second
  // port on the same segment is almost always a slip of the mouse.
  if (already && (isSegment(na) || isSegment(nb) || na.kind === 'vxlan' || nb.kind === 'vxlan')) {
    return `${a} and ${b} are already linked`;
  }
  return null;
}
