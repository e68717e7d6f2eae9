/**
 * invert(applied): the ops that take a document back to where it was before
 * `applied` (ops as `applyOps` returned them). Reads nothing but the ops:
 * every applied op carries what it replaced.
 */
import type { EditOp } from './ops.js';

function invertOne(op: EditOp): EditOp | null {
  switch (op.op) {
    case 'node.add':
      return { op: 'node.remove', id: op.id };
    case 'node.remove':
      return op.prev
        ? { op: 'node.add', id: op.id, node: op.prev, ...(op.at ? { at: op.at } : {}) }
        : null;
    case 'node.replace':
      return op.prev ? { op: 'node.replace', id: op.id, node: op.prev, prev: op.node } : null;
    case 'node.set':
      return op.prev === undefined
        ? null
        : { op: 'node.set', id: op.id, field: op.field, value: op.prev, prev: op.value };
    case 'node.rename':
      return { op: 'node.rename', from: op.to, to: op.from };
    case 'link.add':
      return op.id === undefined
        ? null
        : { op: 'link.remove', id: op.id, ...(op.index !== undefined ? { index: op.index } : {}) };
    case 'link.remove':
      return op.prev
        ? { op: 'link.add', link: op.prev, ...(op.index !== undefined ? { index: op.index } : {}) }
        : null;
    case 'link.set':
      return op.prev === undefined
        ? null
        : { op: 'link.set', id: op.id, field: op.field, value: op.prev, prev: op.value };
    case 'endpoint.set':
      return op.prev === undefined
        ? null
        : {
            op: 'endpoint.set',
            id: op.id,
            end: op.end,
            field: op.field,
            value: op.prev,
            prev: op.value,
          };
    case 'layout.set':
      return op.prev === undefined
        ? null
        : { op: 'layout.set', id: op.id, at: op.prev, prev: op.at };
    case 'doc.set':
      return op.prev === undefined
        ? null
        : { op: 'doc.set', field: op.field, value: op.prev, prev: op.value };
  }
}

export function invert(applied: readonly EditOp[]): EditOp[] {
  const out: EditOp[] = [];
  for (let i = applied.length - 1; i >= 0; i--) {
    const inv = invertOne(applied[i]!);
    if (inv) out.push(inv);
  }
  return out;
}
