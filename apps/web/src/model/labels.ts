/**
 * Where the label of each link goes: on the link, at the first of a few
 * points along it (the middle first) where its box overlaps no label placed
 * before it. Links that cross near their middles (the two routers of the
 * VXLAN lesson, each linked to both the underlay and the tunnel) otherwise
 * stack their rate labels on one spot. Pure and deterministic: links are
 * placed in id order.
 */
export interface XY {
  x: number;
  y: number;
}
export interface LabelledLink {
  id: string;
  a: XY;
  b: XY;
}

const ALONG = [0.5, 0.36, 0.64, 0.26, 0.74, 0.18, 0.82];

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

const overlap = (p: Box, q: Box) =>
  Math.max(0, Math.min(p.x + p.w, q.x + q.w) - Math.max(p.x, q.x)) *
  Math.max(0, Math.min(p.y + p.h, q.y + q.h) - Math.max(p.y, q.y));

/** Label centres by link id; `size` is a label's box (flow units) with a margin. */
export function placeLabels(
  links: readonly LabelledLink[],
  size: { w: number; h: number },
): Map<string, XY> {
  const placed: Box[] = [];
  const at = new Map<string, XY>();
  for (const l of [...links].sort((p, q) => (p.id < q.id ? -1 : p.id > q.id ? 1 : 0))) {
    let best: { c: XY; box: Box; cost: number } | null = null;
    for (const t of ALONG) {
      const c = { x: l.a.x + (l.b.x - l.a.x) * t, y: l.a.y + (l.b.y - l.a.y) * t };
      const box = { x: c.x - size.w / 2, y: c.y - size.h / 2, w: size.w, h: size.h };
      const cost = placed.reduce((sum, p) => sum + overlap(p, box), 0);
      if (!best || cost < best.cost) best = { c, box, cost };
      if (cost === 0) break;
    }
    at.set(l.id, best!.c);
    placed.push(best!.box);
  }
  return at;
}
