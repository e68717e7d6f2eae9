/**
 * Following renames through edit operations: when the server gives a new
 * element another id (two tabs both added `c3`), the rest of the batch, the
 * editor's queued edits and its undo history must follow, or they would
 * edit the other tab's `c3`.
 */

import { ELEMENT_ID_RE } from '../net/names.js';
import type { Design } from '../parse/schema.js';
import { compactEndpoint, type EndpointObject, endpointObject } from '../parse/schema.js';
import type { EditOp } from './ops.js';

export type Renames = Readonly<Record<string, string>>;

const renamed = (renames: Renames, id: string): string =>
  Object.hasOwn(renames, id) ? renames[id]! : id;

/**
 * A link id after its ends were renamed: `c3--vlan10#2` → `c4--vlan10#2`.
 * Ids the core generated are `<a>--<b>` (`#n` for parallel links); an id
 * whose ends are not renamed (or an own id that only looks like one) stays.
 */
export function renameLinkId(id: string, renames: Renames): string {
  const m = /^(.*?)(#\d+)?$/.exec(id)!;
  const base = m[1]!;
  const suffix = m[2] ?? '';
  for (let i = base.indexOf('--'); i > 0; i = base.indexOf('--', i + 1)) {
    const a = base.slice(0, i);
    const b = base.slice(i + 2);
    if (!ELEMENT_ID_RE.test(a) || !ELEMENT_ID_RE.test(b)) continue;
    if (Object.hasOwn(renames, a) || Object.hasOwn(renames, b))
      return `${renamed(renames, a)}--${renamed(renames, b)}${suffix}`;
  }
  return id;
}

function renameEndpoint(ep: EndpointObject | string, renames: Renames) {
  const o = endpointObject(ep);
  return Object.hasOwn(renames, o.node) ? compactEndpoint({ ...o, node: renames[o.node]! }) : ep;
}

function renameLink<L extends Design['links'][number]>(link: L, renames: Renames): L {
  const [a, b] = link.endpoints;
  const ra = renameEndpoint(a, renames);
  const rb = renameEndpoint(b, renames);
  return ra === a && rb === b ? link : { ...link, endpoints: [ra, rb] };
}

function renameNode<N extends Design['nodes'][string]>(node: N, renames: Renames): N {
  if (node.kind === 'namespace' && node.host !== undefined && Object.hasOwn(renames, node.host))
    return { ...node, host: renames[node.host]! };
  if (node.kind === 'vxlan' && Object.hasOwn(renames, node.underlay))
    return { ...node, underlay: renames[node.underlay]! };
  return node;
}

/** One op with every reference to a renamed element following the rename. */
export function renameOp(op: EditOp, renames: Renames): EditOp {
  switch (op.op) {
    case 'node.add':
      return { ...op, id: renamed(renames, op.id), node: renameNode(op.node, renames) };
    case 'node.remove':
      return { ...op, id: renamed(renames, op.id) };
    case 'node.replace':
      return { ...op, id: renamed(renames, op.id), node: renameNode(op.node, renames) };
    case 'node.set': {
      const refers =
        (op.field === 'host' || op.field === 'underlay') &&
        typeof op.value === 'string' &&
        Object.hasOwn(renames, op.value);
      return {
        ...op,
        id: renamed(renames, op.id),
        ...(refers ? { value: renames[op.value as string] } : {}),
      };
    }
    case 'node.rename':
      return { ...op, from: renamed(renames, op.from) };
    case 'link.add':
      return {
        ...op,
        link: renameLink(op.link, renames),
        ...(op.id !== undefined ? { id: renameLinkId(op.id, renames) } : {}),
      };
    case 'link.remove':
      return {
        ...op,
        id: renameLinkId(op.id, renames),
        ...(op.prev ? { prev: renameLink(op.prev, renames) } : {}),
      };
    case 'link.set':
    case 'endpoint.set':
      return { ...op, id: renameLinkId(op.id, renames) };
    case 'layout.set':
      return { ...op, id: renamed(renames, op.id) };
    case 'doc.set':
      return op;
  }
}

export function renameOps(ops: readonly EditOp[], renames: Renames): EditOp[] {
  return Object.keys(renames).length === 0 ? [...ops] : ops.map((op) => renameOp(op, renames));
}

/** The renames a list of applied ops made deliberately (`node.rename`), oldest first, as one map. */
export function renamesIn(ops: readonly EditOp[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const op of ops) {
    if (op.op !== 'node.rename') continue;
    for (const [k, v] of Object.entries(out)) if (v === op.from) out[k] = op.to;
    if (!Object.hasOwn(out, op.from)) out[op.from] = op.to;
  }
  return out;
}
