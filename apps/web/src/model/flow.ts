import type { Design, DesignNode, Link, NodeKind } from '@netcanvas/shared';
import type { Edge, Node, XYPosition } from '@xyflow/react';
import { endpointNode, linkIds } from './endpoints';
import { pipeToLayout, type Rect, tunnelMembers, tunnelRect } from './tunnel';

export type ElementData<K extends NodeKind> = { node: Extract<DesignNode, { kind: K }> };

export type HostFlowNode = Node<ElementData<'host'>, 'host'>;
export type NamespaceFlowNode = Node<ElementData<'namespace'>, 'namespace'>;
export type VlanFlowNode = Node<ElementData<'vlan'>, 'vlan'>;
export type SwitchFlowNode = Node<ElementData<'switch'>, 'switch'>;
export type RouterFlowNode = Node<ElementData<'router'>, 'router'>;
/**
 * A tunnel with two members or more is drawn as a pipe between them
 * (model/tunnel.ts); `over` names its underlay segment for the pipe's label.
 */
export type VxlanFlowNode = Node<ElementData<'vxlan'> & { pipe?: { over: string } }, 'vxlan'>;

export type AppNode =
  | HostFlowNode
  | NamespaceFlowNode
  | VlanFlowNode
  | SwitchFlowNode
  | RouterFlowNode
  | VxlanFlowNode;

export type LinkEdgeData = { link: Link; index: number };
export type LinkEdge = Edge<LinkEdgeData, 'link'>;
/** Drawn, not a link: which segment carries a VXLAN tunnel. */
export type UnderlayEdge = Edge<Record<string, never>, 'underlay'>;
export type AppEdge = LinkEdge | UnderlayEdge;

export const underlayEdgeId = (tunnel: string) => `underlay:${tunnel}`;

/** Sizes the canvas draws; the host grows around its containers. */
export const NODE_SIZE = { width: 188, height: 48 };
export const CONTAINER_SIZE = { width: 150, height: 40 };
export const HOST_PADDING = { top: 44, side: 12, bottom: 12 };

/** An empty host's size; it grows from here around its containers. */
export const HOST_MIN = { width: 220, height: 110 };
const CARD_INITIAL = { initialWidth: NODE_SIZE.width, initialHeight: NODE_SIZE.height };
const CONTAINER_INITIAL = {
  initialWidth: CONTAINER_SIZE.width,
  initialHeight: CONTAINER_SIZE.height,
};

/**
 * Every host's size, grown to fit its containers, in one pass over the
 * design: designToFlow runs on every edit, and asking host by host made it
 * O(hosts × elements), about 50 ms per edit at 1000 elements.
 */
export function hostSizes(design: Design): Map<string, { width: number; height: number }> {
  const sizes = new Map<string, { width: number; height: number }>();
  for (const [id, n] of Object.entries(design.nodes))
    if (n.kind === 'host' && !sizes.has(id)) sizes.set(id, { ...HOST_MIN });
  for (const [id, n] of Object.entries(design.nodes)) {
    if (n.kind !== 'namespace' || !n.host) continue;
    const size = sizes.get(n.host);
    if (!size) continue;
    const p = design.layout?.[id] ?? { x: HOST_PADDING.side, y: HOST_PADDING.top };
    size.width = Math.max(size.width, p.x + CONTAINER_SIZE.width + HOST_PADDING.side);
    size.height = Math.max(size.height, p.y + CONTAINER_SIZE.height + HOST_PADDING.bottom);
  }
  return sizes;
}

/** A free slot for a new container inside a host: left to right, then a new row. */
export function containerSlot(design: Design, hostId: string): XYPosition {
  const taken = Object.entries(design.nodes)
    .filter(([, n]) => n.kind === 'namespace' && n.host === hostId)
    .map(([id]) => design.layout?.[id])
    .filter((p): p is XYPosition => p !== undefined);
  for (let row = 0; ; row++) {
    for (let col = 0; col < 3; col++) {
      const x = HOST_PADDING.side + col * (CONTAINER_SIZE.width + 10);
      const y = HOST_PADDING.top + row * (CONTAINER_SIZE.height + 10);
      const clash = taken.some(
        (p) =>
          Math.abs(p.x - x) < CONTAINER_SIZE.width && Math.abs(p.y - y) < CONTAINER_SIZE.height,
      );
      if (!clash) return { x, y };
    }
  }
}

/**
 * A namespace's layout entry is relative to its host when it has one (React
 * Flow's sub-flow convention): moving a host then moves its containers
 * without rewriting their positions.
 */
export function parentOf(node: DesignNode, design: Design): string | undefined {
  return node.kind === 'namespace' && node.host && design.nodes[node.host]?.kind === 'host'
    ? node.host
    : undefined;
}

interface Previous {
  nodes: readonly AppNode[];
  edges: readonly AppEdge[];
}

/**
 * Design → React Flow nodes and edges. Pure. Unchanged elements keep their
 * previous objects (and React Flow's `measured`, `selected`), so memoised
 * node components do not re-render when something else changes.
 */
export function designToFlow(
  design: Design,
  prev?: Previous,
): { nodes: AppNode[]; edges: AppEdge[] } {
  const prevNodes = new Map(prev?.nodes.map((n) => [n.id, n]));
  const hosts: AppNode[] = [];
  const others: AppNode[] = [];
  const ids = Object.keys(design.nodes);
  const hostSizeOf = hostSizes(design);
  const pipes = tunnelPipes(design, hostSizeOf);
  ids.forEach((id, i) => {
    const node = design.nodes[id]!;
    const parentId = parentOf(node, design);
    const pipe = pipes.get(id);
    const position = pipe ? { x: pipe.x, y: pipe.y } : (design.layout?.[id] ?? fallbackPosition(i));
    const old = prevNodes.get(id);
    const size = pipe
      ? { width: pipe.width, height: pipe.height }
      : node.kind === 'host'
        ? hostSizeOf.get(id)
        : undefined;
    const over = pipe && node.kind === 'vxlan' ? underlayName(design, node.underlay) : undefined;
    if (
      old &&
      old.data.node === node &&
      (old.data as { pipe?: { over: string } }).pipe?.over === over &&
      old.parentId === parentId &&
      old.position.x === position.x &&
      old.position.y === position.y &&
      old.width === size?.width &&
      old.height === size?.height
    ) {
      (node.kind === 'host' ? hosts : others).push(old);
      return;
    }
    const flowNode = {
      id,
      type: node.kind,
      position,
      data: over === undefined ? { node } : { node, pipe: { over } },
      ...(parentId ? { parentId, extent: undefined } : {}),
      ...(size ? { width: size.width, height: size.height } : {}),
      // Cards have a fixed size in CSS: telling React Flow lets it fit the
      // view before measuring, so a big design mounts once, at the fitted zoom.
      ...(size ? {} : parentId ? CONTAINER_INITIAL : CARD_INITIAL),
      ...(old?.measured ? { measured: old.measured } : {}),
      ...(old?.selected ? { selected: true } : {}),
      ...(node.kind === 'host' ? { zIndex: -1 } : {}),
    } as AppNode;
    (node.kind === 'host' ? hosts : others).push(flowNode);
  });
  // React Flow wants a parent before its children.
  const nodes = [...hosts, ...others];

  const prevEdges = new Map(prev?.edges.map((e) => [e.id, e]));
  const edgeIds = linkIds(design.links);
  const edges: AppEdge[] = [];
  design.links.forEach((link, index) => {
    const id = edgeIds[index]!;
    const source = endpointNode(link.endpoints[0]);
    const target = endpointNode(link.endpoints[1]);
    if (!design.nodes[source] || !design.nodes[target]) return;
    const old = prevEdges.get(id);
    if (old && old.type === 'link' && old.data?.link === link && old.data.index === index) {
      edges.push(old);
      return;
    }
    edges.push({
      id,
      type: 'link',
      source,
      target,
      data: { link, index },
      ...(old?.selected ? { selected: true } : {}),
    });
  });
  for (const [id, n] of Object.entries(design.nodes)) {
    if (n.kind !== 'vxlan' || !design.nodes[n.underlay]) continue;
    const eid = underlayEdgeId(id);
    const old = prevEdges.get(eid);
    edges.push(
      old && old.target === n.underlay
        ? old
        : {
            id: eid,
            type: 'underlay',
            source: id,
            target: n.underlay,
            data: {},
            selectable: false,
            deletable: false,
            focusable: false,
          },
    );
  }
  return { nodes, edges };
}

const underlayName = (design: Design, id: string) =>
  id ? design.nodes[id]?.label || id : 'no underlay';

/**
 * Each tunnel drawn as a pipe, by id: its members' rectangles from the
 * layout (containers inside their host), in one pass over the links.
 */
function tunnelPipes(
  design: Design,
  hostSizeOf: Map<string, { width: number; height: number }>,
): Map<string, Rect> {
  const members = new Map<string, string[]>();
  for (const link of design.links) {
    const a = endpointNode(link.endpoints[0]);
    const b = endpointNode(link.endpoints[1]);
    for (const [t, m] of [
      [a, b],
      [b, a],
    ] as const) {
      if (design.nodes[t]?.kind !== 'vxlan' || !design.nodes[m] || m === t) continue;
      const list = members.get(t) ?? [];
      if (!list.includes(m)) list.push(m);
      members.set(t, list);
    }
  }
  const out = new Map<string, Rect>();
  for (const [t, ids] of members) {
    const rects = ids.map((m) => {
      const p = absolutePosition(design, m);
      const n = design.nodes[m]!;
      const size =
        (n.kind === 'host' && hostSizeOf.get(m)) ||
        (parentOf(n, design) ? CONTAINER_SIZE : NODE_SIZE);
      return { ...p, ...size };
    });
    const pipe = tunnelRect(rects, design.layout?.[t], NODE_SIZE);
    if (pipe) out.set(t, pipe);
  }
  return out;
}

function fallbackPosition(i: number): XYPosition {
  return { x: 80 + (i % 6) * 220, y: 80 + Math.floor(i / 6) * 140 };
}

/** Absolute canvas position of an element, following its host if it has one. */
export function absolutePosition(design: Design, id: string): XYPosition {
  const p = design.layout?.[id] ?? { x: 0, y: 0 };
  const node = design.nodes[id];
  const parent = node ? parentOf(node, design) : undefined;
  if (!parent) return p;
  const pp = design.layout?.[parent] ?? { x: 0, y: 0 };
  return { x: pp.x + p.x, y: pp.y + p.y };
}

/** True when a design carries no position for at least one element (e.g. an imported file). */
export function needsLayout(design: Design): boolean {
  return Object.keys(design.nodes).some((id) => !design.layout?.[id]);
}

/**
 * The nearest spot to `at` where a new element overlaps nothing already on
 * the canvas (searching outwards on a ring), so a click in the palette never
 * hides an element under another.
 */
export function freeSpot(design: Design, at: XYPosition, size = NODE_SIZE): XYPosition {
  const hostSizeOf = hostSizes(design);
  const rects = Object.entries(design.nodes)
    .filter(([, n]) => parentOf(n, design) === undefined)
    .map(([id, n]) => {
      const p = design.layout?.[id] ?? { x: 0, y: 0 };
      const s = (n.kind === 'host' && hostSizeOf.get(id)) || NODE_SIZE;
      return { x: p.x - 16, y: p.y - 16, w: s.width + 32, h: s.height + 32 };
    });
  const free = (x: number, y: number) =>
    rects.every(
      (r) => x + size.width <= r.x || x >= r.x + r.w || y + size.height <= r.y || y >= r.y + r.h,
    );
  for (let ring = 0; ring < 40; ring++) {
    const steps = ring === 0 ? 1 : ring * 8;
    for (let k = 0; k < steps; k++) {
      const angle = (2 * Math.PI * k) / steps;
      const x = Math.round(at.x + Math.cos(angle) * ring * 40);
      const y = Math.round(at.y + Math.sin(angle) * ring * 28);
      if (free(x, y)) return { x, y };
    }
  }
  return at;
}

const isPipeNode = (n: AppNode): n is VxlanFlowNode =>
  n.type === 'vxlan' && (n as VxlanFlowNode).data.pipe !== undefined;

/**
 * While elements are dragged (before the drop writes the design), each
 * tunnel pipe follows its members, and a dragged pipe moves only up or
 * down: its ends belong to its members. Returns `nodes` itself when no
 * pipe is concerned.
 */
export function followPipes(
  nodes: AppNode[],
  design: Design,
  moved: ReadonlySet<string>,
): AppNode[] {
  if (!nodes.some(isPipeNode)) return nodes;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const rectOf = (n: AppNode): Rect => {
    const parent = n.parentId ? byId.get(n.parentId) : undefined;
    const fallback = parent ? CONTAINER_SIZE : NODE_SIZE;
    return {
      x: n.position.x + (parent?.position.x ?? 0),
      y: n.position.y + (parent?.position.y ?? 0),
      width: n.measured?.width ?? n.width ?? fallback.width,
      height: n.measured?.height ?? n.height ?? fallback.height,
    };
  };
  let changed = false;
  const out = nodes.map((n) => {
    if (!isPipeNode(n)) return n;
    const members = tunnelMembers(design, n.id)
      .map((m) => byId.get(m))
      .filter((m): m is AppNode => m !== undefined);
    const self = moved.has(n.id);
    if (!self && !members.some((m) => moved.has(m.id) || (m.parentId && moved.has(m.parentId))))
      return n;
    const own = self
      ? pipeToLayout(rectOf(n), NODE_SIZE)
      : (design.layout?.[n.id] ?? pipeToLayout(rectOf(n), NODE_SIZE));
    const r = tunnelRect(members.map(rectOf), own, NODE_SIZE);
    if (!r) return n;
    if (r.x === n.position.x && r.y === n.position.y && r.width === n.width) return n;
    changed = true;
    return { ...n, position: { x: r.x, y: r.y }, width: r.width, height: r.height };
  });
  return changed ? out : nodes;
}

/** Where a dragged element's drop is kept in the layout: a pipe keeps a card's corner (model/tunnel.ts). */
export function droppedPosition(n: AppNode): XYPosition {
  if (!isPipeNode(n)) return n.position;
  return pipeToLayout(
    { ...n.position, width: n.width ?? NODE_SIZE.width, height: n.height ?? NODE_SIZE.height },
    NODE_SIZE,
  );
}
