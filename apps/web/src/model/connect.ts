import { type Design, type DesignNode, linkRule } from '@netcanvas/shared';
import { endpointNode, linksOf, otherEnd } from './endpoints';

const isSegment = (n: DesignNode) => n.kind === 'vlan' || n.kind === 'switch';

/**
 * Why a link between `a` and `b` cannot exist, or null when it can. The
 * core's link rule (`linkRule`, what validate reports and resolve builds
 * from) decides first, so a drag is refused at once with the reason the
 * validator would give; the rest are slips of the mouse the canvas catches
 * on its own. A namespace may join a tunnel like a router or host: resolve
 * says so when it has no address on the tunnel's underlay.
 */
export function connectionProblem(design: Design, a: string, b: string): string | null {
  const nodeOf = (id: string) => (Object.hasOwn(design.nodes, id) ? design.nodes[id] : undefined);
  const rule = linkRule({ id: a, node: nodeOf(a) }, { id: b, node: nodeOf(b) });
  if (!rule.ok) return `this link ${rule.reason}`;
  const na = nodeOf(a)!;
  const nb = nodeOf(b)!;
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
