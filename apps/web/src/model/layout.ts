import type { Design } from '@netcanvas/shared';
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import { endpointNode } from './endpoints';
import { containerSlot, hostSizes, NODE_SIZE } from './flow';

/**
 * Lays out a design with ELK (layered, top to bottom): segments and routers
 * in bands, hosts sized to their containers. Containers keep a grid inside
 * their host. Returns a new design; only `layout` changes.
 */
export async function autoLayout(design: Design): Promise<Design> {
  const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
  const elk = new ELK();
  // Containers first get slots in their host, so the host's size is known to ELK.
  let withSlots: Design = { ...design, layout: {} };
  for (const [id, n] of Object.entries(design.nodes)) {
    if (n.kind === 'namespace' && n.host && design.nodes[n.host]) {
      const slot = containerSlot(withSlots, n.host);
      withSlots = { ...withSlots, layout: { ...withSlots.layout, [id]: slot } };
    }
  }
  const containerOf = new Map<string, string>();
  for (const [id, n] of Object.entries(design.nodes))
    if (n.kind === 'namespace' && n.host && design.nodes[n.host]) containerOf.set(id, n.host);
  const hostSize = hostSizes(withSlots);
  const children: ElkNode[] = [];
  for (const id of Object.keys(design.nodes)) {
    if (containerOf.has(id)) continue;
    children.push({ id, ...(hostSize.get(id) ?? NODE_SIZE) });
  }
  // A link from a container is laid out as a link from its host.
  const top = (id: string) => containerOf.get(id) ?? id;
  const edges = design.links
    .map((l, i) => ({
      id: `e${i}`,
      sources: [top(endpointNode(l.endpoints[0]))],
      targets: [top(endpointNode(l.endpoints[1]))],
    }))
    .filter(
      (e) =>
        e.sources[0] !== e.targets[0] && design.nodes[e.sources[0]!] && design.nodes[e.targets[0]!],
    );
  const graph = await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.spacing.nodeNode': '48',
      'elk.layered.spacing.nodeNodeBetweenLayers': '72',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.edgeRouting': 'POLYLINE',
      // Keep the file's order (node-a left of node-b): the drawing then matches the YAML a teacher reads.
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
    },
    children,
    edges,
  });
  const layout = { ...withSlots.layout };
  for (const c of graph.children ?? [])
    layout[c.id] = { x: Math.round(c.x ?? 0), y: Math.round(c.y ?? 0) };
  return { ...design, layout };
}
