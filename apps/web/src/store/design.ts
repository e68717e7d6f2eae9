import type { AutoField, Design, DesignNode, Link, NodeKind, StaticRoute } from '@netcanvas/shared';
import { API_VERSION, freeId } from '@netcanvas/shared';
import type { XYPosition } from '@xyflow/react';
import { connectionProblem } from '../model/connect';
import { compactEndpoint, endpointNode, endpointObject, linkIds } from '../model/endpoints';
import { absolutePosition, containerSlot, parentOf } from '../model/flow';
import { ID_PREFIX } from '../model/ids';

export function emptyDesign(name = 'lab'): Design {
  return {
    apiVersion: API_VERSION,
    name,
    nodes: {},
    links: [],
    addressing: { p2p: '10.255.0.0/16' },
    layout: {},
  };
}

/** A piece of a design on the clipboard: elements, the links among them, their positions. */
export interface Fragment {
  nodes: Record<string, DesignNode>;
  links: Link[];
  layout: Record<string, XYPosition>;
}

/**
 * What the store needs of a node kind: the element a drop makes (free
 * numbers picked from the design) and which of its fields were picked so.
 * Each kind's folder defines it (kinds/<kind>/definition.ts); the app hands
 * them to the store factory, so the store never imports the kinds.
 */
export interface KindRule<K extends NodeKind = NodeKind> {
  /** Default node for a drop on the canvas; may look at the design to pick free numbers. */
  create(design: Design): Extract<DesignNode, { kind: K }>;
  /**
   * The fields `create` picks by itself (a free VLAN id, VNI, subnet): when
   * another tab picked the same at the same moment, the server picks again.
   */
  auto?: readonly AutoField[];
}
export type KindRules = { readonly [K in NodeKind]: KindRule<K> };

export type AddLinkResult = { ok: true; id: string } | { ok: false; reason: string };

/**
 * Pure edits of a design. Every function returns a new document and leaves
 * the old one untouched, so undo history and memoised components can rely on
 * reference equality.
 */
export const edit = {
  addNode(
    design: Design,
    kinds: KindRules,
    kind: NodeKind,
    position: XYPosition,
    host?: string,
  ): { design: Design; id: string } {
    const node = kinds[kind].create(design) as DesignNode;
    const id = freeId(design, ID_PREFIX[kind]);
    let placed = node;
    let at = roundPos(position);
    // A container dropped on a host takes the host's next free slot (the host
    // grows around it), never the spot of the one dropped before it.
    if (node.kind === 'namespace' && host && design.nodes[host]?.kind === 'host') {
      placed = { ...node, host };
      at = containerSlot(design, host);
    }
    return {
      id,
      design: {
        ...design,
        nodes: { ...design.nodes, [id]: placed },
        layout: { ...design.layout, [id]: at },
      },
    };
  },

  updateNode(design: Design, id: string, patch: Partial<DesignNode>): Design {
    const node = design.nodes[id];
    if (!node) return design;
    const next = { ...node, ...patch } as Record<string, unknown>;
    // Optional fields cleared in a form disappear from the document instead of lingering as undefined.
    for (const k of Object.keys(next)) if (next[k] === undefined) delete next[k];
    return { ...design, nodes: { ...design.nodes, [id]: next as DesignNode } };
  },

  addLink(design: Design, a: string, b: string): { design: Design; result: AddLinkResult } {
    const reason = connectionProblem(design, a, b);
    if (reason) return { design, result: { ok: false, reason } };
    const links = [...design.links, { endpoints: [a, b], state: 'up' } as Link];
    const next = { ...design, links };
    return { design: next, result: { ok: true, id: linkIds(links)[links.length - 1]! } };
  },

  updateLink(design: Design, linkId: string, update: (link: Link) => Link): Design {
    const index = linkIds(design.links).indexOf(linkId);
    if (index < 0) return design;
    const links = design.links.slice();
    links[index] = update(links[index]!);
    return { ...design, links };
  },

  /** Removes elements (node ids or link ids); a node takes its links and its containers with it. */
  removeElements(design: Design, ids: readonly string[]): Design {
    const gone = new Set(ids.filter((id) => design.nodes[id]));
    for (const [id, n] of Object.entries(design.nodes)) {
      if (n.kind === 'namespace' && n.host && gone.has(n.host)) gone.add(id);
    }
    const linkGone = new Set(ids);
    const allIds = linkIds(design.links);
    const links = design.links.filter(
      (l, i) =>
        !linkGone.has(allIds[i]!) &&
        !gone.has(endpointNode(l.endpoints[0])) &&
        !gone.has(endpointNode(l.endpoints[1])),
    );
    if (gone.size === 0 && links.length === design.links.length) return design;
    const nodes: Record<string, DesignNode> = {};
    for (const [id, n] of Object.entries(design.nodes)) {
      if (gone.has(id)) continue;
      // A tunnel whose underlay disappeared keeps existing; the empty underlay is reported as a problem.
      nodes[id] = n.kind === 'vxlan' && gone.has(n.underlay) ? { ...n, underlay: '' } : n;
    }
    const layout = Object.fromEntries(
      Object.entries(design.layout ?? {}).filter(([id]) => !gone.has(id)),
    );
    return { ...design, nodes, links, layout };
  },

  moveNodes(design: Design, positions: Record<string, XYPosition>): Design {
    const layout = { ...design.layout };
    let changed = false;
    for (const [id, p] of Object.entries(positions)) {
      if (!design.nodes[id]) continue;
      const r = roundPos(p);
      const old = layout[id];
      if (old && old.x === r.x && old.y === r.y) continue;
      layout[id] = r;
      changed = true;
    }
    return changed ? { ...design, layout } : design;
  },

  moveIntoHost(design: Design, nsId: string, hostId: string, relative?: XYPosition): Design {
    const ns = design.nodes[nsId];
    if (ns?.kind !== 'namespace' || design.nodes[hostId]?.kind !== 'host') return design;
    const pos = relative ? roundPos(relative) : containerSlot(design, hostId);
    return {
      ...design,
      nodes: { ...design.nodes, [nsId]: { ...ns, host: hostId } },
      layout: { ...design.layout, [nsId]: { x: Math.max(4, pos.x), y: Math.max(36, pos.y) } },
    };
  },

  moveOutOfHost(design: Design, nsId: string, absolute?: XYPosition): Design {
    const ns = design.nodes[nsId];
    if (ns?.kind !== 'namespace' || !ns.host) return design;
    const pos = absolute ?? absolutePosition(design, nsId);
    const { host: _dropped, ...rest } = ns;
    return {
      ...design,
      nodes: { ...design.nodes, [nsId]: rest },
      layout: { ...design.layout, [nsId]: roundPos(pos) },
    };
  },

  /** Renames an element everywhere it is referenced: links, containers, tunnels, layout. */
  renameElement(design: Design, from: string, to: string): Design {
    if (!design.nodes[from] || design.nodes[to] || from === to) return design;
    const nodes: Record<string, DesignNode> = {};
    for (const [id, n] of Object.entries(design.nodes)) {
      let m = n;
      if (m.kind === 'namespace' && m.host === from) m = { ...m, host: to };
      if (m.kind === 'vxlan' && m.underlay === from) m = { ...m, underlay: to };
      nodes[id === from ? to : id] = m;
    }
    const rename = (ep: Link['endpoints'][number]) => {
      if (endpointNode(ep) !== from) return ep;
      return compactEndpoint({ ...endpointObject(ep), node: to });
    };
    const links = design.links.map((l) =>
      endpointNode(l.endpoints[0]) === from || endpointNode(l.endpoints[1]) === from
        ? { ...l, endpoints: [rename(l.endpoints[0]), rename(l.endpoints[1])] as Link['endpoints'] }
        : l,
    );
    const layout = Object.fromEntries(
      Object.entries(design.layout ?? {}).map(([id, p]) => [id === from ? to : id, p]),
    );
    return { ...design, nodes, links, layout };
  },

  copy(design: Design, ids: readonly string[]): Fragment | null {
    const picked = new Set(ids.filter((id) => design.nodes[id]));
    // Copying a host copies what is inside it.
    for (const [id, n] of Object.entries(design.nodes))
      if (n.kind === 'namespace' && n.host && picked.has(n.host)) picked.add(id);
    if (picked.size === 0) return null;
    const nodes: Record<string, DesignNode> = {};
    const layout: Record<string, XYPosition> = {};
    for (const id of picked) {
      nodes[id] = design.nodes[id]!;
      const p = design.layout?.[id];
      if (p) layout[id] = p;
    }
    const links = design.links.filter(
      (l) => picked.has(endpointNode(l.endpoints[0])) && picked.has(endpointNode(l.endpoints[1])),
    );
    return { nodes, links, layout };
  },

  /**
   * Pastes a fragment with fresh ids. Segments and tunnels get fresh VLAN
   * ids, VNIs and subnets, and explicit addresses are dropped: a paste never
   * creates a duplicate the validator would then complain about. The
   * fragment's top-level elements move by `offset`; a container whose host
   * was copied with it keeps its place in the copy, one whose host was not
   * stays in that host (its next free slot), as a copy of a container is
   * still a container of the same machine.
   */
  paste(
    design: Design,
    kinds: KindRules,
    fragment: Fragment,
    offset: XYPosition,
  ): { design: Design; ids: string[] } {
    let next = design;
    const rename = new Map<string, string>();
    const order = Object.keys(fragment.nodes).sort((a, b) => {
      const ka = fragment.nodes[a]!.kind === 'host' ? 0 : 1;
      const kb = fragment.nodes[b]!.kind === 'host' ? 0 : 1;
      return ka - kb;
    });
    for (const oldId of order) {
      const src = fragment.nodes[oldId]!;
      const id = freeId(next, ID_PREFIX[src.kind]);
      rename.set(oldId, id);
      let node: DesignNode = src;
      if (src.kind === 'vlan' || src.kind === 'switch' || src.kind === 'vxlan') {
        const fresh = kinds[src.kind].create(next) as DesignNode;
        node = { ...src, ...pickNumbers(fresh) } as DesignNode;
        if (node.kind === 'switch' && !src.subnet) delete (node as { subnet?: string }).subnet;
      }
      let slot: XYPosition | undefined;
      if (node.kind === 'namespace' && node.host) {
        const h = rename.get(node.host);
        if (h) node = { ...node, host: h };
        else if (next.nodes[node.host]?.kind === 'host') slot = containerSlot(next, node.host);
        else node = (({ host: _h, ...rest }) => rest)(node);
      }
      if (node.kind === 'vxlan' && rename.has(node.underlay))
        node = { ...node, underlay: rename.get(node.underlay)! };
      const p = fragment.layout[oldId] ?? { x: 0, y: 0 };
      const inHost = node.kind === 'namespace' && node.host !== undefined;
      next = {
        ...next,
        nodes: { ...next.nodes, [id]: node },
        layout: {
          ...next.layout,
          [id]: slot ?? (inHost ? p : { x: p.x + offset.x, y: p.y + offset.y }),
        },
      };
    }
    const links = fragment.links.map((l) => {
      const { id: _id, ...rest } = l;
      return {
        ...rest,
        endpoints: l.endpoints.map((ep) => {
          const o = endpointObject(ep);
          return compactEndpoint({ ...o, node: rename.get(o.node)!, ip: undefined });
        }) as Link['endpoints'],
      };
    });
    next = { ...next, links: [...next.links, ...links] };
    return { design: next, ids: [...rename.values()] };
  },
};

function pickNumbers(n: DesignNode): Partial<DesignNode> {
  switch (n.kind) {
    case 'vlan':
      return { vid: n.vid, subnet: n.subnet };
    case 'switch':
      return { subnet: n.subnet };
    case 'vxlan':
      return { vni: n.vni, subnet: n.subnet };
    default:
      return {};
  }
}

function roundPos(p: XYPosition): XYPosition {
  return { x: Math.round(p.x), y: Math.round(p.y) };
}

export type { StaticRoute };
export { parentOf };
