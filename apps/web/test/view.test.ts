import { describe, expect, it } from 'vitest';
import { revealViewport, uncoveredArea } from '../src/model/view';

const opts = { padding: 48, minZoom: 0.1, maxZoom: 1.2, overviewZoom: 0.4, readableZoom: 0.8 };
// A 1000×700 pane whose lower 300 px a drawer covers.
const pane = { x: 100, y: 50, width: 1000, height: 700 };
const drawer = { x: 100, y: 450, width: 1000, height: 300 };
const card = { x: 500, y: 500, width: 160, height: 64 };

describe('bringing an element into view', () => {
  it('leaves the view alone when the element is already in the uncovered part', () => {
    const area = uncoveredArea(pane, [drawer]);
    expect(area).toEqual({ x: 0, y: 0, width: 1000, height: 400 });
    expect(revealViewport(card, area, { x: -300, y: -400, zoom: 1 }, opts)).toBeNull();
  });

  it('pans an element hidden under the drawer to the middle of what is visible', () => {
    const area = uncoveredArea(pane, [drawer]);
    const vp = revealViewport(card, area, { x: 0, y: 0, zoom: 1 }, opts)!;
    expect(vp.zoom).toBe(1);
    // The card's centre lands on the centre of the uncovered band.
    expect((card.x + card.width / 2) * vp.zoom + vp.x).toBeCloseTo(500);
    expect((card.y + card.height / 2) * vp.zoom + vp.y).toBeCloseTo(200);
  });

  it('zooms out to fit both ends of a long link, never in above 1.2', () => {
    const area = { x: 0, y: 0, width: 1000, height: 400 };
    const wide = { x: 0, y: 0, width: 3000, height: 100 };
    expect(revealViewport(wide, area, { x: 5000, y: 0, zoom: 1 }, opts)!.zoom).toBeCloseTo(
      (1000 - 96) / 3000,
    );
    expect(revealViewport(card, area, { x: 5000, y: 0, zoom: 2 }, opts)!.zoom).toBe(1.2);
  });

  it('zooms in from the text-less overview to where cards are readable', () => {
    const area = { x: 0, y: 0, width: 1000, height: 400 };
    expect(revealViewport(card, area, { x: 5000, y: 0, zoom: 0.2 }, opts)!.zoom).toBe(0.8);
  });

  it('keeps the band below a cover at the top (the highlight banner)', () => {
    const banner = { x: 400, y: 90, width: 400, height: 30 };
    expect(uncoveredArea(pane, [banner, drawer])).toEqual({
      x: 0,
      y: 70,
      width: 1000,
      height: 330,
    });
  });
});
