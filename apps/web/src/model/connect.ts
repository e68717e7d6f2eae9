import { type Design, type DesignNode, linkRuleProblem } from '@netcanvas/shared';
import { endpointNode, linksOf, otherEnd } from './endpoints';

const isSegment = (n: DesignNode) => n.kind === 'vlan' || n.kind === 'switch';

/**
 * Why a link between `a` and `b` cannot exist, or null when it can. The
 * core's link rules (`linkRuleProblem`, what validate reports) decide first,
 * so a drag is refused at once with the reason the validator would give; the
 * rest are slips of the mouse the canvas catches on its own. A namespace may
 * join a tunnel like a router or host: resolve says so when it has no address
 * on the tunnel's underlay.
 */
export function connectionProblem(design: Design, a: string, b: string): string | null {
  const na = Object.hasOwn(design.nodes, a) ? design.nodes[a] : undefined;
  const nb = Object.hasOwn(design.nodes, b) ? design.nodes[b] : undefined;
  if (!na || !nb) return `${na ? b : a} is not in the design`;
  if (a === b) return 'a link needs two different elements';
  // The core's own rule, in its own words: what validate would say about this link.
  const rule = linkRuleProblem(new Map(Object.entries(design.nodes)), a, b);
  if (rule) return `this link ${rule.what}`;
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
