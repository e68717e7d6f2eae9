import { describe, expect, it } from 'vitest';
import { scenarios } from '../src/designs/scenarios.js';
import type { Design, Endpoint } from '../src/parse/schema.js';
import { designFromYaml } from '../src/parse/yaml.js';

/**
 * The sizes the canvas draws (apps/web/src/model/flow.ts: NODE_SIZE, HOST_MIN,
 * HOST_PADDING, CONTAINER_SIZE). The core draws nothing; the shipped layouts
 * are written for these sizes, and this test reads them as the canvas does.
 */
const CARD = { width: 188, height: 48 };
const HOST_MIN = { width: 220, height: 110 };
const CONTAINER = { width: 150, height: 40 };
const PAD = { side: 12, bottom: 12 };

interface XY {
  x: number;
  y: number;
}

const nodeOf = (ep: Endpoint) => (typeof ep === 'string' ? ep : ep.node);

/** Where the canvas draws each top-level element's centre, from the shipped layout. */
function centres(design: Design): Map<string, XY> {
  const out = new Map<string, XY>();
  const layout = design.layout ?? {};
  for (const [id, n] of Object.entries(design.nodes)) {
    const p = layout[id];
    if (!p) continue;
    if (n.kind === 'namespace' && n.host) continue;
    let size = CARD;
    if (n.kind === 'host') {
      size = { ...HOST_MIN };
      for (const [cid, c] of Object.entries(design.nodes)) {
        const cp = layout[cid];
        if (c.kind !== 'namespace' || c.host !== id || !cp) continue;
        size.width = Math.max(size.width, cp.x + CONTAINER.width + PAD.side);
        size.height = Math.max(size.height, cp.y + CONTAINER.height + PAD.bottom);
      }
    }
    out.set(id, { x: p.x + size.width / 2, y: p.y + size.height / 2 });
  }
  return out;
}

const cross = (o: XY, a: XY, b: XY) => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);

/** Whether two segments share a point (touching or overlapping counts). */
function segmentsMeet(p1: XY, p2: XY, q1: XY, q2: XY): boolean {
  const d1 = cross(q1, q2, p1);
  const d2 = cross(q1, q2, p2);
  const d3 = cross(p1, p2, q1);
  const d4 = cross(p1, p2, q2);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)))
    return true;
  const on = (a: XY, b: XY, c: XY) =>
    Math.min(a.x, b.x) <= c.x &&
    c.x <= Math.max(a.x, b.x) &&
    Math.min(a.y, b.y) <= c.y &&
    c.y <= Math.max(a.y, b.y);
  return (
    (d1 === 0 && on(q1, q2, p1)) ||
    (d2 === 0 && on(q1, q2, p2)) ||
    (d3 === 0 && on(p1, p2, q1)) ||
    (d4 === 0 && on(p1, p2, q2))
  );
}

/** Pairs of links, between four different elements, whose straight lines cross. */
function crossings(design: Design): string[] {
  const at = centres(design);
  const lines = design.links.map((l) => {
    const a = nodeOf(l.endpoints[0]);
    const b = nodeOf(l.endpoints[1]);
    return { name: `${a}--${b}`, ends: [a, b], p: at.get(a)!, q: at.get(b)! };
  });
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++)
    for (let j = i + 1; j < lines.length; j++) {
      const s = lines[i]!;
      const t = lines[j]!;
      // Links of one element meet at its centre: that is not a crossing.
      if (s.ends.some((e) => t.ends.includes(e))) continue;
      if (segmentsMeet(s.p, s.q, t.p, t.q)) out.push(`${s.name} × ${t.name}`);
    }
  return out;
}

describe('segmentsMeet', () => {
  it('sees an X, a T and parallel lines for what they are', () => {
    expect(segmentsMeet({ x: 0, y: 0 }, { x: 10, y: 10 }, { x: 0, y: 10 }, { x: 10, y: 0 })).toBe(
      true,
    );
    expect(segmentsMeet({ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 5, y: 0 }, { x: 5, y: 9 })).toBe(
      true,
    );
    expect(segmentsMeet({ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 0, y: 5 }, { x: 10, y: 5 })).toBe(
      false,
    );
    expect(segmentsMeet({ x: 0, y: 0 }, { x: 4, y: 4 }, { x: 5, y: 5 }, { x: 9, y: 0 })).toBe(
      false,
    );
  });
});

describe('shipped scenario layouts', () => {
  for (const s of scenarios) {
    // Lessons ask students to right-click a link to cut it: where two links
    // cross, the click can land on the other one.
    it(`${s.name}: no two links cross`, () => {
      const { design } = designFromYaml(s.yaml);
      expect(crossings(design!)).toEqual([]);
    });
  }
});
