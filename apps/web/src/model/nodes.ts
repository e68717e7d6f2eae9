import type { Design } from '@netcanvas/shared';

/** The element lists inspectors and cards choose from, in design order. */
export interface NodeIndex {
  hosts: string[];
  /** Switches and VLANs: what a VXLAN can run over. */
  segments: string[];
  /** The namespaces on each host; a host without any has no entry. */
  namespacesOf: Map<string, string[]>;
}

// Zustand runs a selector on every render and every store change (a live
// tick, a selection): scanning design.nodes there costs O(design) each time.
// One scan per design.nodes identity instead; moving elements keeps it.
const cache = new WeakMap<Design['nodes'], NodeIndex>();

export function nodeIndex(nodes: Design['nodes']): NodeIndex {
  let index = cache.get(nodes);
  if (!index) {
    index = { hosts: [], segments: [], namespacesOf: new Map() };
    for (const [id, n] of Object.entries(nodes)) {
      if (n.kind === 'host') index.hosts.push(id);
      else if (n.kind === 'switch' || n.kind === 'vlan') index.segments.push(id);
      else if (n.kind === 'namespace' && n.host) {
        const list = index.namespacesOf.get(n.host);
        if (list) list.push(id);
        else index.namespacesOf.set(n.host, [id]);
      }
    }
    cache.set(nodes, index);
  }
  return index;
}
