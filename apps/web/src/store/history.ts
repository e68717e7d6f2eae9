import type { Design, EditOp } from '@netcanvas/shared';
import { endpointObject, invert, linkIds, sameValue, setKey } from '@netcanvas/shared';

/** One step of this tab's undo history. */
export interface HistoryEntry {
  /** This tab's change as applied here, each op with the value it replaced. */
  ops: EditOp[];
  at: number;
  /** A link cut or restored on the running lab (`state` is what it set): undone by the server. */
  link?: { id: string; state: 'up' | 'down' };
}

/** What an op changed, one key per thing (`node:r1`, `r1|label`, `link:r1--vlan10`, `layout:r1`). */
function targetOf(op: EditOp): string {
  switch (op.op) {
    case 'node.add':
    case 'node.remove':
    case 'node.replace':
      return `node:${op.id}`;
    case 'node.rename':
      return `node:${op.to}`;
    case 'link.add':
      return `link:${op.id ?? ''}`;
    case 'link.remove':
      return `link:${op.id}`;
    case 'layout.set':
      return `layout:${op.id}`;
    default:
      return setKey(op) ?? op.op;
  }
}

/** The element a target is about, for a sentence. */
function elementOf(op: EditOp): string {
  if (op.op === 'doc.set') return `the design's ${op.field}`;
  if (op.op === 'node.rename') return op.to;
  return 'id' in op && op.id ? op.id : 'an element';
}

const nodeOf = (doc: Design, id: string) =>
  Object.hasOwn(doc.nodes, id) ? doc.nodes[id] : undefined;

/** Whether the document still holds what `op` left (nobody changed it since). */
function stands(doc: Design, op: EditOp, entry: readonly EditOp[]): boolean {
  const linkAt = (id: string) => {
    const i = linkIds(doc).indexOf(id);
    return i < 0 ? undefined : doc.links[i];
  };
  switch (op.op) {
    case 'node.add': {
      const node = nodeOf(doc, op.id);
      if (!node || !sameValue(node, op.node)) return false;
      // Linked by someone else since: removing it would take their link too.
      const ours = new Set(entry.flatMap((o) => (o.op === 'link.add' && o.id ? [o.id] : [])));
      const ids = linkIds(doc);
      return doc.links.every(
        (l, i) => ours.has(ids[i]!) || l.endpoints.every((e) => endpointObject(e).node !== op.id),
      );
    }
    case 'node.remove':
      return nodeOf(doc, op.id) === undefined;
    case 'node.replace':
      return sameValue(nodeOf(doc, op.id), op.node);
    case 'node.set': {
      const node = nodeOf(doc, op.id);
      return !!node && sameValue((node as Record<string, unknown>)[op.field], op.value);
    }
    case 'node.rename':
      return nodeOf(doc, op.to) !== undefined && nodeOf(doc, op.from) === undefined;
    case 'link.add': {
      const link = op.id === undefined ? undefined : linkAt(op.id);
      return !!link && sameValue(link, op.link);
    }
    case 'link.remove':
      return true;
    case 'link.set': {
      const link = linkAt(op.id);
      return !!link && sameValue(link[op.field], op.value);
    }
    case 'endpoint.set': {
      const link = linkAt(op.id);
      return !!link && sameValue(endpointObject(link.endpoints[op.end])[op.field], op.value);
    }
    case 'layout.set':
      return sameValue(doc.layout?.[op.id], op.at);
    case 'doc.set':
      return sameValue((doc as Record<string, unknown>)[op.field], op.value);
  }
}

/**
 * The ops that take back one step of this tab's history (`entry`, as
 * applied): the inverse of every part of it that still stands as this tab
 * left it. A part another tab changed since is left alone, so an undo never
 * reverts another tab's edit; `skipped` names what was left.
 */
export function undoOps(
  doc: Design,
  entry: readonly EditOp[],
): { ops: EditOp[]; skipped: string[] } {
  const last = new Map<string, EditOp>();
  for (const op of entry) last.set(targetOf(op), op);
  const changed = new Set<string>();
  const skipped = new Set<string>();
  for (const [target, op] of last) {
    if (stands(doc, op, entry)) continue;
    changed.add(target);
    skipped.add(elementOf(op));
  }
  return {
    ops: invert(entry.filter((op) => !changed.has(targetOf(op)))),
    skipped: [...skipped],
  };
}

/** Redo takes back an undo: the same rule, applied to the undo's ops. */
export const redoOps = undoOps;
