import { describe, expect, it } from 'vitest';
import { placeLabels } from '../src/model/labels';

const size = { w: 80, h: 20 };
const boxes = (at: Map<string, { x: number; y: number }>) =>
  [...at.values()].map((c) => ({ x: c.x - size.w / 2, y: c.y - size.h / 2 }));
const overlaps = (p: { x: number; y: number }, q: { x: number; y: number }) =>
  Math.abs(p.x - q.x) < size.w && Math.abs(p.y - q.y) < size.h;

describe('link label placement', () => {
  it('puts a lone label in the middle of its link', () => {
    const at = placeLabels([{ id: 'a--b', a: { x: 0, y: 0 }, b: { x: 200, y: 100 } }], size);
    expect(at.get('a--b')).toEqual({ x: 100, y: 50 });
  });

  it('moves labels of links crossing at their middles apart, along their links', () => {
    // r1 → tun and r2 → public of the VXLAN lesson: an X.
    const links = [
      { id: 'r1--tun', a: { x: 0, y: 0 }, b: { x: 300, y: 150 } },
      { id: 'r2--public', a: { x: 300, y: 0 }, b: { x: 0, y: 150 } },
      { id: 'r1--public', a: { x: 20, y: 0 }, b: { x: 40, y: 150 } },
    ];
    const at = placeLabels(links, size);
    const b = boxes(at);
    for (let i = 0; i < b.length; i++)
      for (let j = i + 1; j < b.length; j++) expect(overlaps(b[i]!, b[j]!)).toBe(false);
  });
});
