/**
 * What each answer of the matrix was decided from, kept so that the next
 * analysis after an edit can tell which answers still hold.
 *
 * A packet's fate depends only on the stops it makes and the L2 segments it
 * is sent across: at each stop, whether the namespace owns the address,
 * whether it forwards, and its routing table; on each segment, which
 * interfaces it joins and the addresses they carry. A record names one
 * stop's namespace and the segment it sends on, and the record of the rest
 * of the way: every (source namespace, destination class) has one, and
 * every stop of a shared transit walk has one, shared by every way that
 * passes there. Each pair of the matrix points at the record of its request
 * and of its reply. After an edit, the namespaces whose interfaces, routes
 * or forwarding changed are dirty, and so is every segment whose members
 * changed or carry a dirty namespace; a record is dirty when its stop, its
 * segment or the rest of its way is; a pair whose two records are clean
 * gets the same answer as before, and only the others are decided again.
 *
 * Records and segments only ever get added (ids stay valid for every
 * result that points at them), and they name namespaces and interfaces by
 * name, so they outlive the analysis that made them.
 */
import type { IfaceSpec, NetnsSpec, RouteSpec, Topology } from '../model.js';
import type { NetModel } from './model.js';

export class Ledger {
  /** Namespace name → id. */
  readonly nsIds = new Map<string, number>();
  readonly nsNames: string[] = [];
  private recNs = new Int32Array(1024);
  private recComp = new Int32Array(1024);
  private recNext = new Int32Array(1024);
  /** Record 0 depends on nothing: the answer for an endpoint without an address. */
  records = 1;
  /** Each segment's member interfaces (`netns/name`) and their namespaces, when it was recorded. */
  readonly compMembers: string[][] = [];
  readonly compNs: string[][] = [];

  constructor() {
    this.recNs[0] = -1;
    this.recComp[0] = -1;
    this.recNext[0] = -1;
  }

  nsId(name: string): number {
    let id = this.nsIds.get(name);
    if (id === undefined) {
      id = this.nsNames.length;
      this.nsIds.set(name, id);
      this.nsNames.push(name);
    }
    return id;
  }

  /**
   * A stop in namespace `ns` sending on segment `comp`, then the way `next` (each -1: none). A
   * way out of a source namespace names no namespace: the pair checks its own two namespaces.
   */
  record(ns: number, comp: number, next: number): number {
    const id = this.records++;
    if (id >= this.recNs.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.recNs = grow(this.recNs);
      this.recComp = grow(this.recComp);
      this.recNext = grow(this.recNext);
    }
    this.recNs[id] = ns;
    this.recComp[id] = comp;
    this.recNext[id] = next;
    return id;
  }

  /** Segment id by its members (`netns/name` joined): one id for one membership, whichever run records it. */
  private readonly segmentIds = new Map<string, number>();

  segment(members: string[], ns: string[]): number {
    // Every analysis records the segments it crosses: the same membership keeps its id, so the
    // segments stay as many as there are distinct ones and not one more per analysis.
    const key = members.join('\n');
    let id = this.segmentIds.get(key);
    if (id === undefined) {
      this.compMembers.push(members);
      this.compNs.push(ns);
      id = this.compMembers.length - 1;
      this.segmentIds.set(key, id);
    }
    return id;
  }

  /**
   * Which records no longer hold in `model`, given the namespaces whose own parts changed:
   * dirty[record] is 1 when the record's stop, its segment or the rest of its way changed. A
   * segment changed when its members are not exactly the same interfaces, or one of them changed,
   * or a member's namespace changed its addresses (it answers ARP for all of them on any segment).
   */
  dirty(
    changed: Set<string>,
    model: NetModel,
    before: Map<string, NsParts>,
    after: Map<string, NsParts>,
  ): Uint8Array {
    const nsDirty = new Uint8Array(this.nsNames.length);
    for (const name of changed) {
      const id = this.nsIds.get(name);
      if (id !== undefined) nsDirty[id] = 1;
    }
    // Segment sizes in the new model, to see whether a recorded segment is still exactly itself.
    const size = new Map<number, number>();
    for (let i = 0; i < model.ifaces.length; i++) {
      if (!model.up[i]) continue;
      const root = model.find(i);
      size.set(root, (size.get(root) ?? 0) + 1);
    }
    const touched = touchedInterfaces(changed, before, after);
    const compDirty = new Uint8Array(this.compMembers.length);
    for (let c = 0; c < this.compMembers.length; c++) {
      const members = this.compMembers[c]!;
      const nss = this.compNs[c]!;
      if (nss.some((ns) => touched.wholly.has(ns)) || members.some((k) => touched.keys.has(k))) {
        compDirty[c] = 1;
        continue;
      }
      let root = -1;
      let same = true;
      for (const key of members) {
        const i = model.ifaceIndex.get(key);
        if (i === undefined || !model.up[i]) {
          same = false;
          break;
        }
        const r = model.find(i);
        if (root === -1) root = r;
        else if (r !== root) {
          same = false;
          break;
        }
      }
      if (!same || size.get(root) !== members.length) compDirty[c] = 1;
    }
    const dirty = new Uint8Array(this.records);
    // A record's rest of the way is always recorded before it, so one pass in order settles all.
    for (let r = 1; r < this.records; r++) {
      const next = this.recNext[r]!;
      const comp = this.recComp[r]!;
      const ns = this.recNs[r]!;
      if (
        (ns >= 0 && nsDirty[ns] === 1) ||
        (comp >= 0 && compDirty[comp] === 1) ||
        (next >= 0 && dirty[next] === 1)
      )
        dirty[r] = 1;
    }
    return dirty;
  }
}

/**
 * What of the changed namespaces touches a segment: a namespace whose addresses changed (or that
 * is new or gone) touches every segment it is on (it answers ARP for all of them on any one);
 * one with the same addresses touches only the segments of its interfaces that changed.
 */
function touchedInterfaces(
  changed: Set<string>,
  before: Map<string, NsParts>,
  after: Map<string, NsParts>,
): { wholly: Set<string>; keys: Set<string> } {
  const wholly = new Set<string>();
  const keys = new Set<string>();
  const addresses = (p: NsParts) =>
    p.ifaces
      .flatMap((f) => (f.address === null ? [] : [f.address]))
      .sort()
      .join(' ');
  for (const ns of changed) {
    const a = before.get(ns);
    const b = after.get(ns);
    if (!a || !b || addresses(a) !== addresses(b)) {
      wholly.add(ns);
      continue;
    }
    const byKey = new Map(b.ifaces.map((f) => [f.key, f]));
    for (const f of a.ifaces) if (!same(f, byKey.get(f.key))) keys.add(f.key);
  }
  return { wholly, keys };
}

/** Everything of one namespace that the analyzer reads: the namespace, its interfaces, its routes. */
export interface NsParts {
  spec: NetnsSpec | undefined;
  ifaces: IfaceSpec[];
  routes: RouteSpec[];
}

export function partsByNs(topology: Topology): Map<string, NsParts> {
  const parts = new Map<string, NsParts>();
  const get = (name: string) => {
    let p = parts.get(name);
    if (!p) {
      p = { spec: undefined, ifaces: [], routes: [] };
      parts.set(name, p);
    }
    return p;
  };
  for (const ns of topology.netns) get(ns.name).spec = ns;
  for (const f of topology.interfaces) get(f.netns).ifaces.push(f);
  for (const r of topology.routes) get(r.netns).routes.push(r);
  return parts;
}

/** Namespaces whose parts differ in any field (or exist on one side only). */
export function changedNamespaces(
  before: Map<string, NsParts>,
  after: Map<string, NsParts>,
): Set<string> {
  const changed = new Set<string>();
  for (const [name, a] of after) {
    const b = before.get(name);
    if (!b || !same(a.spec, b.spec) || !same(a.ifaces, b.ifaces) || !same(a.routes, b.routes))
      changed.add(name);
  }
  for (const name of before.keys()) if (!after.has(name)) changed.add(name);
  return changed;
}

/** Deep equality of plain data (what a Topology is made of). */
export function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let k = 0; k < a.length; k++) if (!same(a[k], b[k])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let keys = 0;
  for (const k in x) {
    // Most fields are strings and numbers: compared here, without a call each.
    const u = x[k];
    const v = y[k];
    if (u !== v && (typeof u !== 'object' || !same(u, v))) return false;
    keys++;
  }
  // Same values under every key of a; b has no other key (an absent key reads as undefined).
  for (const k in y) {
    if (!(k in x)) return false;
    keys--;
  }
  return keys === 0;
}
