export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ViewportXYZ {
  x: number;
  y: number;
  zoom: number;
}

export interface RevealOptions {
  /** Screen pixels kept free around what is revealed. */
  padding: number;
  minZoom: number;
  maxZoom: number;
  /** Below this zoom cards carry no text: revealing zooms in to at least `readableZoom`. */
  overviewZoom: number;
  readableZoom: number;
}

/**
 * The viewport that shows `bounds` (flow coordinates) inside `area` (pixels
 * of the pane that nothing covers), or null when it is already there. It
 * keeps the user's zoom when that fits, zooms out when it does not, and in
 * the overview zooms in to where cards have text again.
 */
export function revealViewport(
  bounds: Box,
  area: Box,
  current: ViewportXYZ,
  o: RevealOptions,
): ViewportXYZ | null {
  if (area.width <= 0 || area.height <= 0) return null;
  const z = current.zoom;
  const left = bounds.x * z + current.x;
  const top = bounds.y * z + current.y;
  const inside =
    left >= area.x &&
    top >= area.y &&
    left + bounds.width * z <= area.x + area.width &&
    top + bounds.height * z <= area.y + area.height;
  if (inside) return null;
  const pad = Math.min(o.padding, area.width / 4, area.height / 4);
  const fit = Math.min(
    (area.width - 2 * pad) / Math.max(bounds.width, 1),
    (area.height - 2 * pad) / Math.max(bounds.height, 1),
  );
  const wanted = z < o.overviewZoom ? o.readableZoom : z;
  const zoom = Math.max(o.minZoom, Math.min(wanted, fit, o.maxZoom));
  return {
    x: area.x + area.width / 2 - (bounds.x + bounds.width / 2) * zoom,
    y: area.y + area.height / 2 - (bounds.y + bounds.height / 2) * zoom,
    zoom,
  };
}

/**
 * The part of `pane` that `covers` (the open drawer, the highlight banner)
 * leave visible, relative to the pane. A cover along the bottom or the top
 * edge cuts the area there; the largest remaining band wins.
 */
export function uncoveredArea(pane: DOMRectReadOnly | Box, covers: readonly Box[]): Box {
  let top = 0;
  let bottom = pane.height;
  for (const c of covers) {
    const cTop = c.y - pane.y;
    const cBottom = cTop + c.height;
    const overlapsX = c.x < pane.x + pane.width && c.x + c.width > pane.x;
    if (!overlapsX || cBottom <= top || cTop >= bottom) continue;
    // Keep the larger of the bands above and below the cover.
    if (cTop - top >= bottom - cBottom) bottom = cTop;
    else top = cBottom;
  }
  return { x: 0, y: top, width: pane.width, height: Math.max(0, bottom - top) };
}
