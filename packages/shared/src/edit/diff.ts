/**
 * diffDesigns(before, after): the edit ops that turn one document into the
 * other, so a whole-document write (a REST PUT, an import, a restore, the
 * CLI, a canvas action) is stored and broadcast as element-level ops like
 * any edit: `applyOps(before, diffDesigns(before, after))` gives `after`.
 *
 * Links have no identity but their id (their own, or `<a>--<b>#n` from
 * their ends and order), so links are matched by id; the longest run of
 * matches already in order is kept and changed in place, the rest is
 * removed and added again where `after` has it.
 */
import { FIELDS_BY_KIND } from '../parse/issues.js';
import { linkIds } from '../parse/links.js';
import { type Design, type DesignNode, endpointObject, type Link } from '../parse/schema.js';
import { DOC_FIELDS, type EditOp, ENDPOINT_FIELDS, LINK_FIELDS } from './ops.js';
import { sameValue } from './same.js';
import { withEndpointField, withLinkField, withNodeField } from './working.js';

const get = (o: object, key: string): unknown => (o as Record<string, unknown>)[key] ?? null;
const linkNodes = (l: Link) => l.endpoints.map((e) => endpointObject(e).node);

/** Sets that turn node `a` into `b` (same kind), or null when only a replace can. */
function nodeSets(id: string, a: DesignNode, b: DesignNode): EditOp[] | null {
  const fields = new Set([...Object.keys(a), ...Object.keys(b)]);
  fields.delete('kind');
  const allowed = FIELDS_BY_KIND[a.kind] ?? [];
  const ops: EditOp[] = [];
  let n = a;
  for (const field of fields) {
    const prev = get(a, field);
    const value = get(b, field);
    if (sameValue(prev, value)) continue;
    if (!allowed.includes(field)) return null;
    ops.push({ op: 'node.set', id, field: field as never, value, prev });
    n = withNodeField(n, field, value);
  }
  return sameValue(n, b) ? ops : null;
}

/** Sets that turn link `a` into `b`, or null when only a remove and add can. */
function linkSets(id: string, a: Link, b: Link): EditOp[] | null {
  const ops: EditOp[] = [];
  let l = a;
  for (const field of LINK_FIELDS) {
    const prev = get(a, field);
    const value = get(b, field);
    if (sameValue(prev, value)) continue;
    ops.push({ op: 'link.set', id, field, value, prev });
    l = withLinkField(l, field, value);
  }
  for (const end of [0, 1] as const) {
    const ea = endpointObject(a.endpoints[end]);
    const eb = endpointObject(b.endpoints[end]);
    for (const field of ENDPOINT_FIELDS) {
      const prev = get(ea, field);
      const value = get(eb, field);
      if (sameValue(prev, value)) continue;
      ops.push({ op: 'endpoint.set', id, end, field, value, prev });
      l = withEndpointField(l, end, field, value);
    }
  }
  return sameValue(l, b) ? ops : null;
}

/** Indexes (into `seq`) of a longest strictly increasing subsequence of `seq`. */
function longestIncreasing(seq: readonly number[]): number[] {
  const tails: number[] = [];
  const prev: number[] = new Array(seq.length).fill(-1);
  for (let i = 0; i < seq.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seq[tails[mid]!]! < seq[i]!) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1]!;
    tails[lo] = i;
  }
  const out: number[] = [];
  for (let i = tails.at(-1) ?? -1; i >= 0; i = prev[i]!) out.push(i);
  return out.reverse();
}

export function diffDesigns(before: Design, after: Design): EditOp[] {
  const ops: EditOp[] = [];
  const has = (d: Design, id: string) => Object.hasOwn(d.nodes, id);

  // ── nodes: removals (their links, containers and tunnels follow), changes, additions ──
  const removed = new Set(Object.keys(before.nodes).filter((id) => !has(after, id)));
  for (const id of removed) ops.push({ op: 'node.remove', id });
  for (const [id, a] of Object.entries(before.nodes)) {
    if (removed.has(id)) continue;
    let n = a;
    if (n.kind === 'namespace' && n.host !== undefined && removed.has(n.host))
      n = withNodeField(n, 'host', null);
    if (n.kind === 'vxlan' && removed.has(n.underlay)) n = withNodeField(n, 'underlay', '');
    const b = after.nodes[id]!;
    if (sameValue(n, b)) continue;
    const sets = n.kind === b.kind ? nodeSets(id, n, b) : null;
    ops.push(...(sets ?? [{ op: 'node.replace', id, node: b, prev: n }]));
  }
  const layout: Record<string, { x: number; y: number }> = {};
  for (const [id, at] of Object.entries(before.layout ?? {})) if (!removed.has(id)) layout[id] = at;
  for (const [id, node] of Object.entries(after.nodes)) {
    if (has(before, id)) continue;
    const at = after.layout && Object.hasOwn(after.layout, id) ? after.layout[id] : undefined;
    ops.push({ op: 'node.add', id, node, ...(at ? { at } : {}) });
    if (at) layout[id] = at;
  }

  // ── links ──
  const links = before.links.filter((l) => !linkNodes(l).some((n) => removed.has(n)));
  const ids = linkIds({ links });
  const wanted = after.links;
  const position = new Map(linkIds({ links: wanted }).map((id, j) => [id, j]));
  const candidates: { i: number; j: number; sets: EditOp[] }[] = [];
  links.forEach((l, i) => {
    const j = position.get(ids[i]!);
    if (j === undefined || !sameValue(linkNodes(l), linkNodes(wanted[j]!))) return;
    const sets = linkSets(ids[i]!, l, wanted[j]!);
    if (sets) candidates.push({ i, j, sets });
  });
  const kept = longestIncreasing(candidates.map((c) => c.j)).map((k) => candidates[k]!);
  for (const c of kept) ops.push(...c.sets);
  const keptI = new Set(kept.map((c) => c.i));
  const keptJ = new Set(kept.map((c) => c.j));
  const current = [...links];
  let currentIds = ids;
  for (let i = current.length - 1; i >= 0; i--) {
    if (keptI.has(i)) continue;
    ops.push({ op: 'link.remove', id: currentIds[i]!, index: i });
    const [gone] = current.splice(i, 1);
    // An own id leaving can free the plain `<a>--<b>` of an earlier generated one.
    if (gone!.id !== undefined) currentIds = linkIds({ links: current });
  }
  wanted.forEach((link, j) => {
    if (!keptJ.has(j)) ops.push({ op: 'link.add', link, index: j });
  });

  // ── layout and document fields ──
  const target = after.layout ?? {};
  for (const id of new Set([...Object.keys(layout), ...Object.keys(target)])) {
    const prev = Object.hasOwn(layout, id) ? layout[id]! : null;
    const at = Object.hasOwn(target, id) ? target[id]! : null;
    if (!sameValue(prev, at)) ops.push({ op: 'layout.set', id, at, prev });
  }
  for (const field of DOC_FIELDS) {
    const prev = get(before, field);
    const value = get(after, field);
    if (!sameValue(prev, value)) ops.push({ op: 'doc.set', field, value, prev });
  }
  return ops;
}
