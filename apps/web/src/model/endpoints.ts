import type { Design, Endpoint, Link } from '@netcanvas/shared';
import { linkIds as coreLinkIds } from '@netcanvas/shared';

// The core's own, so the web and the compiler read and write endpoints the same way.
export { compactEndpoint, endpointObject } from '@netcanvas/shared';

/** The element an endpoint refers to, whether written as `r1` or `{node: r1, …}`. */
export function endpointNode(ep: Endpoint): string {
  return typeof ep === 'string' ? ep : ep.node;
}

/**
 * Link ids exactly as the core names them (the server keys live link state
 * by these): the explicit `id`, else `<a>--<b>`, with `#2`, `#3` … when that
 * is taken. One implementation, in @netcanvas/shared.
 */
export function linkIds(links: readonly Link[]): string[] {
  return coreLinkIds({ links });
}

export function linksOf(design: Design, nodeId: string): number[] {
  const out: number[] = [];
  design.links.forEach((l, i) => {
    if (endpointNode(l.endpoints[0]) === nodeId || endpointNode(l.endpoints[1]) === nodeId)
      out.push(i);
  });
  return out;
}

export function otherEnd(link: Link, nodeId: string): string {
  const a = endpointNode(link.endpoints[0]);
  return a === nodeId ? endpointNode(link.endpoints[1]) : a;
}
