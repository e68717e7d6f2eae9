/**
 * applyOps(doc, ops): the one way a design changes, in the browser and on
 * the server alike. Pure and total: an op whose element is gone, or whose
 * field the element does not have, is skipped with a notice; nothing throws.
 *
 * What the server decides while applying (docs/architecture.md, "Edit
 * operations"):
 * - a new element whose id is taken gets the next free id of its family
 *   (`c3` → `c4`), and the rest of the batch follows the rename;
 * - a value the editor chose automatically (`auto`: VLAN id, VNI, subnet)
 *   that another element already has is chosen again;
 * - removing a node removes its links and its layout entry, moves its
 *   containers out and leaves its tunnels without underlay, each as an op
 *   of its own in `applied`, so `invert(applied)` puts everything back.
 */
import { octetsOf, parseCidr, parseIfAddress } from '../net/ipv4.js';
import { FIELDS_BY_KIND } from '../parse/issues.js';
import {
  compactEndpoint,
  type Design,
  type DesignNode,
  endpointObject,
  type Link,
} from '../parse/schema.js';
import { freeId, freeSubnet, idPrefix, nextVid, nextVni, subnetIsFree } from './numbers.js';
import type { EditNotice, EditOp } from './ops.js';
import { renameOp } from './rename.js';
import { sameValue } from './same.js';
import {
  orNull,
  type Pos,
  references,
  STEP,
  Working,
  withEndpointField,
  withLinkField,
  withNodeField,
} from './working.js';

export interface EditResult {
  doc: Design;
  /** The ops as they took effect, each with the value it replaced (`prev`); what `invert` reads. */
  applied: EditOp[];
  notices: EditNotice[];
  /** New elements that got another id than asked for: asked → given. */
  renames: Record<string, string>;
}

function show(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (typeof v === 'string') return v === '' ? 'nothing' : `"${v}"`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return 'a new value';
}

/**
 * The sentence for the editor whose change an `overwrote` notice replaced:
 * "Your change to r1's label was replaced: another tab set it to "core"".
 */
export function replacedMessage(n: EditNotice): string {
  const what = !n.field
    ? n.element
    : n.field.includes("'s ")
      ? `${n.field} on ${n.element}`
      : `${n.element}'s ${n.field}`;
  return `Your change to ${what} was replaced: another tab set it to ${show(n.value)}`;
}

class Applier {
  readonly applied: EditOp[] = [];
  readonly notices: EditNotice[] = [];
  readonly renames: Record<string, string> = {};

  constructor(
    readonly w: Working,
    /** Ids the batch adds later: a renamed element must not take one of them. */
    private readonly batchIds: ReadonlySet<string>,
  ) {}

  private notice(n: EditNotice): void {
    this.notices.push(n);
  }

  /** The conflict notice of a set, when the value it replaces is not the one its editor saw. */
  private conflict(
    op: EditOp & { prev?: unknown; force?: true },
    current: unknown,
    value: unknown,
    element: string,
    field: string,
  ): void {
    const stale = op.prev !== undefined && !sameValue(op.prev, current);
    if (!(stale || op.force) || sameValue(current, value)) return;
    const key = setKey(op);
    this.notice({
      code: 'overwrote',
      element,
      field,
      ...(key ? { key } : {}),
      replaced: current,
      value,
      message: `${element}'s ${field} was ${show(current)} from another edit; the later change (${show(value)}) was kept`,
    });
  }

  private freshId(id: string): string {
    const view = this.w.nodeView();
    const taken = { nodes: { ...view.nodes } } as Pick<Design, 'nodes'>;
    for (const b of this.batchIds)
      if (!Object.hasOwn(taken.nodes, b)) taken.nodes[b] = {} as DesignNode;
    return freeId(taken, idPrefix(id));
  }

  apply(op: EditOp): void {
    const w = this.w;
    switch (op.op) {
      case 'node.add': {
        let id = op.id;
        if (w.node(id) !== undefined) {
          const given = this.freshId(id);
          this.renames[id] = given;
          this.notice({
            code: 'renamed',
            element: given,
            message: `another edit added a ${id} first, so the new element is ${given}`,
          });
          id = given;
        }
        const node = this.renumber(id, op.node, op.auto ?? []);
        // Renamed because another tab dropped one at the same moment: most likely on the same spot too.
        const at = op.at && id !== op.id ? this.freeSpot(op.at) : op.at;
        w.setNode(id, node);
        if (at) w.setAt(id, at);
        this.applied.push({
          op: 'node.add',
          id,
          node,
          ...(at ? { at } : {}),
          ...(op.auto ? { auto: op.auto } : {}),
        });
        return;
      }
      case 'node.remove': {
        const prev = w.node(op.id);
        if (prev === undefined) {
          this.gone(op.id);
          return;
        }
        this.removeNode(op.id, prev);
        return;
      }
      case 'node.replace': {
        const prev = w.node(op.id);
        if (prev === undefined) {
          this.gone(op.id);
          return;
        }
        if (sameValue(prev, op.node)) return;
        this.conflict(op, prev, op.node, op.id, 'settings');
        w.setNode(op.id, op.node);
        this.applied.push({ op: 'node.replace', id: op.id, node: op.node, prev });
        return;
      }
      case 'node.set': {
        const node = w.node(op.id);
        if (node === undefined) {
          this.gone(op.id, op.field);
          return;
        }
        if (!FIELDS_BY_KIND[node.kind]?.includes(op.field)) {
          this.notice({
            code: 'invalid',
            element: op.id,
            field: op.field,
            message: `${op.id} is a ${node.kind} now, which has no ${op.field}; that change was dropped`,
          });
          return;
        }
        const current = orNull((node as Record<string, unknown>)[op.field]);
        const value = orNull(op.value);
        if (sameValue(current, value)) return;
        this.conflict(op, current, value, op.id, op.field);
        w.setNode(op.id, withNodeField(node, op.field, value));
        this.applied.push({ ...setOp(op, value, current), id: op.id, field: op.field });
        return;
      }
      case 'node.rename': {
        if (w.node(op.from) === undefined) {
          this.gone(op.from);
          return;
        }
        if (op.from === op.to) return;
        if (w.node(op.to) !== undefined || references(w, op.to)) {
          this.notice({
            code: 'taken',
            element: op.from,
            message: `${op.to} ${w.node(op.to) !== undefined ? 'already exists' : 'is still named by another element'}, so ${op.from} keeps its name`,
          });
          return;
        }
        this.renameNode(op.from, op.to);
        this.applied.push({ op: 'node.rename', from: op.from, to: op.to });
        return;
      }
      case 'link.add': {
        let link = op.link;
        const ids = w.linkIds();
        if (link.id !== undefined && ids.includes(link.id)) {
          let n = 2;
          while (ids.includes(`${link.id}-${n}`)) n++;
          const given = `${link.id}-${n}`;
          this.notice({
            code: 'renamed',
            element: given,
            message: `another edit added a link ${link.id} first, so the new link is ${given}`,
          });
          link = { ...link, id: given };
        }
        const index = Math.min(op.index ?? w.linkCount(), w.linkCount());
        w.insertLink(index, link);
        this.applied.push({ op: 'link.add', link, index, id: w.linkIds()[index]! });
        return;
      }
      case 'link.remove': {
        const i = w.findLink(op.id, op.index);
        if (i < 0) {
          this.gone(op.id);
          return;
        }
        const prev = w.link(i);
        w.removeLink(i);
        this.applied.push({ op: 'link.remove', id: op.id, index: i, prev });
        return;
      }
      case 'link.set': {
        const i = w.findLink(op.id);
        if (i < 0) {
          this.gone(op.id, op.field);
          return;
        }
        const link = w.link(i);
        const current = orNull(link[op.field]);
        const value = orNull(op.value);
        if (sameValue(current, value)) return;
        this.conflict(op, current, value, op.id, op.field);
        w.setLink(i, withLinkField(link, op.field, value), false);
        this.applied.push({ ...setOp(op, value, current), id: op.id, field: op.field });
        return;
      }
      case 'endpoint.set': {
        const i = w.findLink(op.id);
        const field = `end ${op.end + 1} ${op.field}`;
        if (i < 0) {
          this.gone(op.id, field);
          return;
        }
        const link = w.link(i);
        const ep = endpointObject(link.endpoints[op.end]);
        const current = orNull(ep[op.field]);
        const value = op.value === '' ? null : orNull(op.value);
        if (sameValue(current, value)) return;
        this.conflict(op, current, value, op.id, `${ep.node}'s ${op.field}`);
        w.setLink(i, withEndpointField(link, op.end, op.field, value), false);
        this.applied.push({
          ...setOp(op, value, current),
          id: op.id,
          end: op.end,
          field: op.field,
        });
        return;
      }
      case 'layout.set': {
        // A position belongs to its element: a move of an element deleted meanwhile is dropped.
        if (op.at !== null && w.node(op.id) === undefined) return;
        const current = w.at(op.id) ?? null;
        if (sameValue(current, op.at)) return;
        w.setAt(op.id, op.at);
        this.applied.push({ op: 'layout.set', id: op.id, at: op.at, prev: current });
        return;
      }
      case 'doc.set': {
        const current = orNull(w.field(op.field));
        const value = orNull(op.value);
        if (sameValue(current, value)) return;
        this.conflict(op, current, value, 'the design', op.field);
        w.setField(op.field, value);
        this.applied.push({ ...setOp(op, value, current), field: op.field });
        return;
      }
    }
  }

  private gone(id: string, field?: string): void {
    this.notice({
      code: 'gone',
      element: id,
      ...(field ? { field } : {}),
      message: field
        ? `${id} was deleted by another edit, so its ${field} was not changed`
        : `${id} no longer exists, so that change was dropped`,
    });
  }

  private removeNode(id: string, prev: DesignNode): void {
    const w = this.w;
    for (let i = w.linkCount() - 1; i >= 0; i--) {
      const link = w.link(i);
      const [a, b] = link.endpoints;
      if (endpointObject(a).node !== id && endpointObject(b).node !== id) continue;
      const linkId = w.linkIds()[i]!;
      w.removeLink(i);
      this.applied.push({ op: 'link.remove', id: linkId, index: i, prev: link });
    }
    for (const [other, n] of w.entries()) {
      if (n.kind === 'namespace' && n.host === id) {
        w.setNode(other, withNodeField(n, 'host', null));
        this.applied.push({ op: 'node.set', id: other, field: 'host', value: null, prev: id });
      } else if (n.kind === 'vxlan' && n.underlay === id) {
        // A tunnel whose underlay is gone keeps existing; the empty underlay is a diagnostic.
        w.setNode(other, withNodeField(n, 'underlay', ''));
        this.applied.push({ op: 'node.set', id: other, field: 'underlay', value: '', prev: id });
      }
    }
    const at = w.at(id);
    w.deleteNode(id);
    w.setAt(id, null);
    this.applied.push({ op: 'node.remove', id, prev, ...(at ? { at } : {}) });
  }

  private renameNode(from: string, to: string): void {
    const w = this.w;
    w.renameNode(from, to);
    for (const [id, n] of w.entries()) {
      if (n.kind === 'namespace' && n.host === from) w.setNode(id, { ...n, host: to });
      if (n.kind === 'vxlan' && n.underlay === from) w.setNode(id, { ...n, underlay: to });
    }
    for (let i = 0; i < w.linkCount(); i++) {
      const link = w.link(i);
      const [a, b] = link.endpoints;
      const ea = endpointObject(a);
      const eb = endpointObject(b);
      if (ea.node !== from && eb.node !== from) continue;
      const endpoints = [
        ea.node === from ? compactEndpoint({ ...ea, node: to }) : a,
        eb.node === from ? compactEndpoint({ ...eb, node: to }) : b,
      ] as Link['endpoints'];
      w.setLink(i, { ...link, endpoints }, true);
    }
  }

  /** `at`, or the first spot down and right of it that no element's card starts at. */
  private freeSpot(at: Pos): Pos {
    const near = (p: Pos, q: Pos) => Math.abs(p.x - q.x) < STEP && Math.abs(p.y - q.y) < STEP;
    const taken = this.w.entries().flatMap(([id]) => this.w.at(id) ?? []);
    let spot = at;
    for (let i = 0; i < 50 && taken.some((p) => near(p, spot)); i++)
      spot = { x: spot.x + STEP, y: spot.y + STEP };
    return spot;
  }

  /** Picks automatic values again when another element has them already. */
  private renumber(id: string, node: DesignNode, auto: readonly string[]): DesignNode {
    if (auto.length === 0) return node;
    const view = this.w.nodeView();
    const others = (kind: DesignNode['kind']) =>
      Object.entries(view.nodes).filter(([o, n]) => o !== id && n.kind === kind);
    let out = node;
    const say = (field: string, from: unknown, to: unknown) =>
      this.notice({
        code: 'renumbered',
        element: id,
        field,
        value: to,
        message: `another element already has ${field} ${show(from)}, so ${id} got ${show(to)}`,
      });
    if (auto.includes('vid') && out.kind === 'vlan') {
      const vid = out.vid;
      if (others('vlan').some(([, n]) => n.kind === 'vlan' && n.vid === vid)) {
        out = { ...out, vid: nextVid(view) };
        say('VLAN id', vid, out.vid);
      }
    }
    if (auto.includes('vni') && out.kind === 'vxlan') {
      const vni = out.vni;
      if (others('vxlan').some(([, n]) => n.kind === 'vxlan' && n.vni === vni)) {
        out = { ...out, vni: nextVni(view) };
        say('VNI', vni, out.vni);
      }
    }
    const subnet = 'subnet' in out ? out.subnet : undefined;
    if (auto.includes('subnet') && subnet !== undefined && !subnetIsFree(view, subnet, id)) {
      const written = parseCidr(subnet) && parseIfAddress(subnet);
      let chosen = subnet;
      if (written) {
        const [a, b, c] = octetsOf(written.addr);
        // A new VLAN's subnet follows its VLAN id (10.0.<vid>.0/24) where it fits.
        const preferred =
          out.kind === 'vlan' && node.kind === 'vlan' && out.vid !== node.vid ? out.vid % 256 : c;
        chosen = freeSubnet(view, `${a}.${b}`, preferred, id);
      }
      if (chosen !== subnet) {
        out = { ...out, subnet: chosen } as DesignNode;
        say('subnet', subnet, chosen);
      }
    }
    return out;
  }
}

/**
 * What a set (or replace) changes, as one key: `r1|label`, `r1--vlan10|0.ip`,
 * `|description`. Two edits with the same key changed the same thing.
 */
export function setKey(op: EditOp): string | null {
  switch (op.op) {
    case 'node.set':
    case 'link.set':
      return `${op.id}|${op.field}`;
    case 'endpoint.set':
      return `${op.id}|${op.end}.${op.field}`;
    case 'doc.set':
      return `|${op.field}`;
    case 'node.replace':
      return `${op.id}|`;
    default:
      return null;
  }
}

/** The applied form of a set: the value it wrote and the one it replaced. */
function setOp<T extends { op: string; force?: true }>(
  op: T,
  value: unknown,
  prev: unknown,
): { op: T['op']; value: unknown; prev: unknown; force?: true } {
  return { op: op.op, value, prev, ...(op.force ? { force: true } : {}) };
}

export function applyOps(doc: Design, ops: readonly EditOp[]): EditResult {
  const batchIds = new Set<string>();
  for (const op of ops) if (op.op === 'node.add') batchIds.add(op.id);
  const applier = new Applier(new Working(doc), batchIds);
  for (const op of ops) {
    const renames = applier.renames;
    applier.apply(Object.keys(renames).length === 0 ? op : renameOp(op, renames));
  }
  return {
    doc: applier.w.result(),
    applied: applier.applied,
    notices: applier.notices,
    renames: applier.renames,
  };
}
