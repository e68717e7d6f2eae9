/**
 * Value equality for documents and the fields of edit operations, and the
 * structural sharing that keeps unchanged elements the same objects (the
 * canvas re-renders an element only when its object changes).
 */
import type { Design } from '../parse/schema.js';

/** Deep equality of JSON values; `undefined` and `null` both mean "not set". Key order is ignored. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || a === null) return b === undefined || b === null;
  if (b === undefined || b === null) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => sameValue(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return (
    ak.length === bk.length && ak.every((k) => Object.hasOwn(bo, k) && sameValue(ao[k], bo[k]))
  );
}

/** Two designs say the same thing (a missing layout is an empty one). */
export function sameDesign(a: Design, b: Design): boolean {
  return sameValue({ ...a, layout: a.layout ?? {} }, { ...b, layout: b.layout ?? {} });
}

/**
 * `next`, with every node, link, layout entry and field that equals its
 * counterpart in `prev` replaced by `prev`'s object: `prev` itself when
 * nothing differs. A rebased document then re-renders only what changed.
 */
export function shareUnchanged(prev: Design, next: Design): Design {
  let changed = false;
  const share = <T>(p: T | undefined, n: T): T => {
    if (p !== undefined && sameValue(p, n)) return p;
    changed = true;
    return n;
  };
  const nodes: Design['nodes'] = {};
  let nodesSame = Object.keys(prev.nodes).length === Object.keys(next.nodes).length;
  for (const [id, n] of Object.entries(next.nodes)) {
    const p = Object.hasOwn(prev.nodes, id) ? prev.nodes[id] : undefined;
    nodes[id] = share(p, n);
    nodesSame &&= nodes[id] === p;
  }
  const links = next.links.map((l, i) => share(prev.links[i], l));
  const linksSame =
    links.length === prev.links.length && links.every((l, i) => l === prev.links[i]);
  let layout = next.layout;
  let layoutSame = (prev.layout === undefined) === (next.layout === undefined);
  if (next.layout) {
    const out: NonNullable<Design['layout']> = {};
    const before = prev.layout ?? {};
    layoutSame &&= Object.keys(before).length === Object.keys(next.layout).length;
    for (const [id, at] of Object.entries(next.layout)) {
      out[id] = share(Object.hasOwn(before, id) ? before[id] : undefined, at);
      layoutSame &&= out[id] === before[id];
    }
    layout = layoutSame ? prev.layout : out;
  }
  const rest: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(prev), ...Object.keys(next)])) {
    if (key === 'nodes' || key === 'links' || key === 'layout') continue;
    const p = (prev as Record<string, unknown>)[key];
    const n = (next as Record<string, unknown>)[key];
    if (n !== undefined) rest[key] = share(p, n);
    else if (p !== undefined) changed = true;
  }
  if (!changed && nodesSame && linksSame && layoutSame) return prev;
  const out = {
    ...rest,
    nodes: nodesSame ? prev.nodes : nodes,
    links: linksSame ? prev.links : links,
  } as Design;
  if (layout !== undefined) out.layout = layout;
  return out;
}
