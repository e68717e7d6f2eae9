/**
 * The document while a batch of edits applies to it: a copy-on-write view
 * (nothing is copied until it changes), and the one way each kind of field
 * is set.
 */
import { linkIds } from '../parse/links.js';
import {
  compactEndpoint,
  type Design,
  type DesignNode,
  type EndpointObject,
  endpointObject,
  type Link,
} from '../parse/schema.js';

export type Pos = { x: number; y: number };
/** How far apart two cards must start to both be seen, and how far a renamed one moves. */
export const STEP = 24;

/** A copy-on-write view of the document being edited. */

export class Working {
  private nodes: Record<string, DesignNode>;
  private links: Link[];
  private layout: Record<string, Pos> | undefined;
  private top: Record<string, unknown>;
  private owned = { nodes: false, links: false, layout: false };
  private ids: string[] | null = null;

  constructor(doc: Design) {
    this.nodes = doc.nodes;
    this.links = doc.links;
    this.layout = doc.layout;
    const { nodes: _n, links: _l, layout: _y, ...top } = doc;
    this.top = top;
  }

  node(id: string): DesignNode | undefined {
    return Object.hasOwn(this.nodes, id) ? this.nodes[id] : undefined;
  }
  nodeView(): Pick<Design, 'nodes' | 'addressing'> {
    return { nodes: this.nodes, addressing: this.top.addressing as Design['addressing'] };
  }
  entries(): [string, DesignNode][] {
    return Object.entries(this.nodes);
  }
  private ownNodes(): Record<string, DesignNode> {
    if (!this.owned.nodes) {
      this.nodes = { ...this.nodes };
      this.owned.nodes = true;
    }
    return this.nodes;
  }
  setNode(id: string, node: DesignNode): void {
    this.ownNodes()[id] = node;
  }
  deleteNode(id: string): void {
    delete this.ownNodes()[id];
  }
  /** Renames a key in place, keeping the order of the others (the canvas draws in this order). */
  renameNode(from: string, to: string): void {
    const out: Record<string, DesignNode> = {};
    for (const [id, n] of Object.entries(this.nodes)) out[id === from ? to : id] = n;
    this.nodes = out;
    this.owned.nodes = true;
    if (this.layout && Object.hasOwn(this.layout, from)) {
      const layout: Record<string, Pos> = {};
      for (const [id, p] of Object.entries(this.layout)) layout[id === from ? to : id] = p;
      this.layout = layout;
      this.owned.layout = true;
    }
  }

  linkCount(): number {
    return this.links.length;
  }
  link(i: number): Link {
    return this.links[i]!;
  }
  linkIds(): string[] {
    this.ids ??= linkIds({ links: this.links });
    return this.ids;
  }
  /** The index of link `id`; `hint` is tried first (the index the editor saw). */
  findLink(id: string, hint?: number): number {
    const ids = this.linkIds();
    if (hint !== undefined && ids[hint] === id) return hint;
    return ids.indexOf(id);
  }
  private ownLinks(): Link[] {
    if (!this.owned.links) {
      this.links = [...this.links];
      this.owned.links = true;
    }
    return this.links;
  }
  setLink(i: number, link: Link, idsChange: boolean): void {
    this.ownLinks()[i] = link;
    if (idsChange) this.ids = null;
  }
  insertLink(i: number, link: Link): void {
    this.ownLinks().splice(i, 0, link);
    this.ids = null;
  }
  removeLink(i: number): void {
    this.ownLinks().splice(i, 1);
    this.ids = null;
  }

  at(id: string): Pos | undefined {
    return this.layout && Object.hasOwn(this.layout, id) ? this.layout[id] : undefined;
  }
  setAt(id: string, at: Pos | null): void {
    if (at === null && !this.layout) return;
    if (!this.owned.layout) {
      this.layout = { ...this.layout };
      this.owned.layout = true;
    }
    if (at === null) delete this.layout![id];
    else this.layout![id] = at;
  }

  field(name: string): unknown {
    return this.top[name];
  }
  setField(name: string, value: unknown): void {
    this.top = { ...this.top };
    if (value === null) delete this.top[name];
    else this.top[name] = value;
  }

  result(): Design {
    const doc = { ...this.top, nodes: this.nodes, links: this.links } as Design;
    if (this.layout !== undefined) doc.layout = this.layout;
    return doc;
  }
}

export const orNull = (v: unknown): unknown => (v === undefined ? null : v);

/** A node with one field set (null: removed). */
export function withNodeField(node: DesignNode, field: string, value: unknown): DesignNode {
  const next = { ...node } as Record<string, unknown>;
  if (value === null) delete next[field];
  else next[field] = value;
  return next as DesignNode;
}

/** A link with its MTU or state set (null: removed). */
export function withLinkField(link: Link, field: 'mtu' | 'state', value: unknown): Link {
  const next = { ...link } as Record<string, unknown>;
  if (value === null) delete next[field];
  else next[field] = value;
  return next as Link;
}

/** A link with one field of one end set; the end is written in its shortest form. */
export function withEndpointField(
  link: Link,
  end: 0 | 1,
  field: 'ifname' | 'ip' | 'mac',
  value: unknown,
): Link {
  const ep: EndpointObject = { ...endpointObject(link.endpoints[end]) };
  if (value === null || value === '') delete ep[field];
  else ep[field] = value as string;
  const endpoints = [...link.endpoints] as Link['endpoints'];
  endpoints[end] = compactEndpoint(ep);
  return { ...link, endpoints };
}

/** Whether anything in the document still names `id`. */
export function references(w: Working, id: string): boolean {
  for (const [, n] of w.entries()) {
    if (n.kind === 'namespace' && n.host === id) return true;
    if (n.kind === 'vxlan' && n.underlay === id) return true;
  }
  for (let i = 0; i < w.linkCount(); i++) {
    const [a, b] = w.link(i).endpoints;
    if (endpointObject(a).node === id || endpointObject(b).node === id) return true;
  }
  return w.at(id) !== undefined;
}

/** A field's value in a sentence. */
