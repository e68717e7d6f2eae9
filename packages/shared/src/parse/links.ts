/**
 * Links named in messages: the id each link has (its own, or `<a>--<b>`),
 * the ids at its two ends, and every diagnostic about a link naming both.
 * Works on raw, unparsed input too, so structural diagnostics can name links.
 */

import type { Diagnostic } from '../model.js';
import { ELEMENT_ID_RE } from '../net/names.js';

export const hasOwn = (o: unknown, k: PropertyKey): boolean =>
  typeof o === 'object' && o !== null && Object.hasOwn(o, k);

export function isPlainRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function endpointNodeId(ep: unknown): string | undefined {
  if (typeof ep === 'string') return ep;
  if (isPlainRecord(ep) && hasOwn(ep, 'node') && typeof ep.node === 'string') return ep.node;
  return undefined;
}

/**
 * Link ids, in design order: the link's own `id`, else `<a>--<b>` as
 * written, with `#2`, `#3`, … for the second and later links that would get
 * the same id. Works on raw (unparsed) input too, so structural diagnostics
 * can name links; entries that are not links get `links[i]`.
 */
export function linkIds(design: { links?: unknown }): string[] {
  const links = Array.isArray(design.links) ? design.links : [];
  const taken = new Set<string>();
  for (const l of links) {
    if (isPlainRecord(l) && hasOwn(l, 'id') && typeof l.id === 'string') taken.add(l.id);
  }
  const ids: string[] = [];
  links.forEach((l, i) => {
    if (isPlainRecord(l) && hasOwn(l, 'id') && typeof l.id === 'string') {
      ids.push(l.id);
      return;
    }
    const eps = isPlainRecord(l) && hasOwn(l, 'endpoints') ? l.endpoints : undefined;
    const a = Array.isArray(eps) ? endpointNodeId(eps[0]) : undefined;
    const b = Array.isArray(eps) ? endpointNodeId(eps[1]) : undefined;
    if (a === undefined || b === undefined) {
      ids.push(`links[${i}]`);
      return;
    }
    const base = `${a}--${b}`;
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}#${n}`;
    taken.add(id);
    ids.push(id);
  });
  return ids;
}

/** The ids written at each link's two ends (raw input too); undefined where an end has none. */
export function linkEnds(design: { links?: unknown }): [string | undefined, string | undefined][] {
  const links = Array.isArray(design.links) ? design.links : [];
  return links.map((l) => {
    const eps = isPlainRecord(l) && hasOwn(l, 'endpoints') ? l.endpoints : undefined;
    return Array.isArray(eps)
      ? [endpointNodeId(eps[0]), endpointNodeId(eps[1])]
      : [undefined, undefined];
  });
}

/**
 * "link r1--vlan10", or "link uplink (r1–vlan10)" for a link with its own id:
 * how a message names a link so its ends are always named too.
 */
export function linkLabel(
  id: string,
  ends: readonly [string | undefined, string | undefined],
): string {
  const [a, b] = ends;
  if (a === undefined || b === undefined || id === `${a}--${b}` || id.startsWith(`${a}--${b}#`))
    return `link ${id}`;
  return `link ${id} (${a}–${b})`;
}

/**
 * Every diagnostic about a link names the elements at its ends too, whatever
 * the link's id: a diagnostic whose path is inside `links[i]`, or whose
 * elements hold a link id that is no node id, gets the ids at that link's
 * ends (after its own elements, once each).
 */
export function withLinkEnds<T extends Diagnostic>(
  diagnostics: readonly T[],
  design: { links?: unknown; nodes?: unknown },
): T[] {
  // Raw input may throw from a getter; a diagnostic list is never lost for it.
  try {
    return addLinkEnds(diagnostics, design);
  } catch {
    return [...diagnostics];
  }
}

function addLinkEnds<T extends Diagnostic>(
  diagnostics: readonly T[],
  design: { links?: unknown; nodes?: unknown },
): T[] {
  const ids = linkIds(design);
  const ends = linkEnds(design);
  if (ids.length === 0) return [...diagnostics];
  const byId = new Map<string, number>();
  ids.forEach((id, i) => {
    if (!byId.has(id)) byId.set(id, i);
  });
  const nodes = isPlainRecord(design.nodes) ? design.nodes : {};
  return diagnostics.map((d) => {
    const linksOf = new Set<number>();
    if (d.path?.[0] === 'links' && typeof d.path[1] === 'number' && d.path[1] < ids.length)
      linksOf.add(d.path[1]);
    for (const e of d.elements) {
      const i = byId.get(e);
      if (i !== undefined && !hasOwn(nodes, e)) linksOf.add(i);
    }
    if (linksOf.size === 0) return d;
    const elements = [...d.elements];
    for (const i of [...linksOf].sort((x, y) => x - y)) {
      // An end that is no valid id (a typo the diagnostic is about) names nothing on the canvas.
      for (const e of [ids[i]!, ...ends[i]!])
        if (e !== undefined && (e === ids[i] || ELEMENT_ID_RE.test(e)) && !elements.includes(e))
          elements.push(e);
    }
    return elements.length === d.elements.length ? d : { ...d, elements };
  });
}

/** The element (node id or link id) a document path points into. */
export function elementsAtPath(path: readonly PropertyKey[], ids: readonly string[]): string[] {
  const [top, second] = path;
  if ((top === 'nodes' || top === 'layout') && typeof second === 'string') return [second];
  if (top === 'links' && typeof second === 'number') return [ids[second] ?? `links[${second}]`];
  return [];
}
