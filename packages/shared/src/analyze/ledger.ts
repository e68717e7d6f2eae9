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
 * or forwarding changed are dirty. A segment is dirty when its interfaces
 * of unchanged namespaces are no longer together, or are joined by others
 * of unchanged namespaces. A segment that only gained or lost interfaces of
 * changed namespaces (or carries one) is "touched": on it, only the
 * addresses of changed namespaces (before or after the edit) can be found
 * somewhere else than before. So a record is dirty when its stop, its
 * segment or the rest of its way is, or when it looks a changed address up
 * (its gateway) on a touched segment; it is touched when it delivers on a
 * touched segment (the destination is looked up there) or the rest of its
 * way is. A pair whose two records are clean, or only touched while the
 * two endpoints' addresses are not among the changed ones, gets the same
 * answer as before; only the others are decided again.
 *
 * Records and segments only ever get added (ids stay valid for every
 * result that points at them), and they name namespaces and interfaces by
 * name, so they outlive the analysis that made them.
 */
import type { IfaceSpec, NetnsSpec, RouteSpec, Topology } from '../model.js';
import { parseIfAddress, parseIpv4 } from '../net/ipv4.js';
import { sameJson } from '../same-json.js';
import type { NetModel } from './model.js';
import type { Route } from './types.js';

export class Ledger {
  /** Namespace name → id. */
  readonly nsIds = new Map<string, number>();
  readonly nsNames: string[] = [];
  private recNs = new Int32Array(1024);
  private recComp = new Int32Array(1024);
  private recNext = new Int32Array(1024);
  /** The gateway the stop looks up on its segment (`| 0`), when recGw is 1; else it delivers there. */
  private recVia = new Int32Array(1024);
  private recGw = new Uint8Array(1024);
  /**
   * The destination class the record was made for, as its prefix (`| 0`) and length (see
   * Forwarding.classNet): every destination it holds for is inside it. A namespace whose routes
   * alone changed keeps the records of the classes it still sends the same way (RouteChange).
   */
  private recNet = new Int32Array(1024);
  private recLen = new Uint8Array(1024);
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
   * A stop in namespace `ns` sending on segment `comp` to gateway `via` (-1: on-link, to the
   * destination itself), then the way `next` (each -1: none). A way out of a source namespace
   * names no namespace: the pair checks its own two namespaces.
   */
  record(ns: number, comp: number, next: number, via: number, net: number, len: number): number {
    if (this.index !== null) {
      const same = this.find(ns, comp, next, via, net, len);
      if (same > 0) return same;
    }
    const id = this.records++;
    if (id >= this.recNs.length) this.reserve(this.recNs.length * 2);
    this.recNs[id] = ns;
    this.recComp[id] = comp;
    this.recNext[id] = next;
    this.recVia[id] = via | 0;
    this.recGw[id] = via >= 0 ? 1 : 0;
    this.recNet[id] = net | 0;
    this.recLen[id] = len;
    if (this.index !== null) this.insert(id);
    return id;
  }

  /**
   * The records re-analyses made, by their fields (open addressing, 0: empty), from the first
   * re-analysis of the ledger on (`share`; null before): a record's state in every later `dirty`
   * is a function of its fields alone (its namespace, segment, rest, gateway and class), so a
   * record made again with the same fields is the same record. Without this every re-analysis
   * added the records of the walks it made again (about 800 at 1,000 elements), and the pass over
   * all records grew with every edit of a session. The full analysis's records are not indexed
   * (56k at 1,000 elements: indexing them cost the first edit 2-30 ms): a re-analysis's walk
   * equal to one of them is added once, and found from then on. A full analysis makes a new
   * ledger, and makes no record twice (each walk's is kept on the walk).
   */
  private index: Int32Array | null = null;
  /** The first record in `index`. */
  private indexFrom = 0;

  /** Starts (once) finding the records made from now on by their fields: see `index`. */
  share(): void {
    if (this.index !== null) return;
    this.index = new Int32Array(tableSize(0));
    this.indexFrom = this.records;
  }

  private slotOf(
    ns: number,
    comp: number,
    next: number,
    via: number,
    net: number,
    len: number,
  ): number {
    let h = Math.imul(ns, 0x9e3779b1) ^ Math.imul(comp + 0x7f4a7c15, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 15) ^ next, 0xc2b2ae35) ^ Math.imul(via | 0, 0x27d4eb2f);
    h = Math.imul(h ^ (h >>> 13) ^ (net | 0), 0x165667b1) ^ len;
    return (h ^ (h >>> 16)) & (this.index!.length - 1);
  }

  /** The record with these fields, or 0. */
  private find(
    ns: number,
    comp: number,
    next: number,
    via: number,
    net: number,
    len: number,
  ): number {
    const index = this.index!;
    const mask = index.length - 1;
    const gw = via >= 0 ? 1 : 0;
    for (let k = this.slotOf(ns, comp, next, via, net, len); ; k = (k + 1) & mask) {
      const r = index[k]!;
      if (r === 0) return 0;
      if (
        this.recNs[r] === ns &&
        this.recComp[r] === comp &&
        this.recNext[r] === next &&
        this.recVia[r] === (via | 0) &&
        this.recGw[r] === gw &&
        this.recNet[r] === (net | 0) &&
        this.recLen[r] === len
      )
        return r;
    }
  }

  private insert(r: number): void {
    if ((this.records - this.indexFrom) * 2 > this.index!.length) {
      // Past half full: a table twice the size, every record placed again.
      this.index = new Int32Array(tableSize(this.records - this.indexFrom));
      for (let q = this.indexFrom; q < this.records; q++) if (q !== r) this.place(q);
    }
    this.place(r);
  }

  private place(r: number): void {
    const index = this.index!;
    const mask = index.length - 1;
    let k = this.slotOf(
      this.recNs[r]!,
      this.recComp[r]!,
      this.recNext[r]!,
      this.recGw[r] === 1 ? this.recVia[r]! : -1,
      this.recNet[r]!,
      this.recLen[r]!,
    );
    while (index[k] !== 0) k = (k + 1) & mask;
    index[k] = r;
  }

  /**
   * Whether the namespace of `change` still sends the destinations of record `r` (a way out of
   * it, or one of its stops) the same way: always for record 0 (depends on nothing) and -1 (none).
   */
  holdsFor(r: number, change: RouteChange): boolean {
    return r <= 0 || change.holds(this.recNet[r]! >>> 0, this.recLen[r]!);
  }

  /**
   * Room for `size` records in all: a full analysis says how many it will about make, so the
   * tables grow once (each doubling was new memory, slow to come by on the shared machine).
   */
  reserve(size: number): void {
    if (size <= this.recNs.length) return;
    const grow = <T extends Int32Array | Uint8Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    this.recNs = grow(this.recNs, new Int32Array(size));
    this.recComp = grow(this.recComp, new Int32Array(size));
    this.recNext = grow(this.recNext, new Int32Array(size));
    this.recVia = grow(this.recVia, new Int32Array(size));
    this.recGw = grow(this.recGw, new Uint8Array(size));
    this.recNet = grow(this.recNet, new Int32Array(size));
    this.recLen = grow(this.recLen, new Uint8Array(size));
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
   * state[record] is DIRTY, TOUCHED (holds unless the destination is a changed address) or
   * CLEAN; `addresses` are the changed ones (`| 0`), every address of a changed namespace
   * before and after; `dirty`, how many records are DIRTY; `failing`, when every DIRTY record is
   * so because a stop of its way is in a routes-only namespace that now sends its class another
   * way, those classes' prefixes (each DIRTY record's destination is in one), else null. `routed`: the namespaces whose routes alone changed (not in `changed`),
   * whose stops are dirty only for the classes they now send another way.
   */
  dirty(
    changed: Set<string>,
    model: NetModel,
    before: Map<string, NsParts>,
    after: Map<string, NsParts>,
    routed: Map<string, RouteChange> = new Map(),
  ): {
    state: Uint8Array;
    addresses: Set<number>;
    dirty: number;
    failing: { net: number; len: number }[] | null;
    segmentAt: Int32Array;
  } {
    const nsDirty = new Uint8Array(this.nsNames.length);
    for (const name of changed) {
      const id = this.nsIds.get(name);
      if (id !== undefined) nsDirty[id] = 1;
    }
    const changeOf: (RouteChange | undefined)[] = [];
    for (const [name, change] of routed) {
      const id = this.nsIds.get(name);
      if (id !== undefined) {
        nsDirty[id] = 2;
        changeOf[id] = change;
      }
    }
    const addresses = changedAddresses(changed, before, after);
    const moved = changedInterfaces(changed, before, after);
    // Per segment of the new model: its up interfaces, and those of them that changed.
    const size = new Int32Array(model.ifaces.length);
    const ofChanged = new Int32Array(model.ifaces.length);
    for (let i = 0; i < model.ifaces.length; i++) {
      if (!model.up[i]) continue;
      const root = model.find(i);
      size[root]!++;
      if (moved.has(model.ifaces[i]!.key)) ofChanged[root]!++;
    }
    const compState = new Uint8Array(this.compMembers.length);
    // Per root interface of the new model, the recorded segment that is CLEAN there (-1: none):
    // its members are exactly the component's up interfaces (segmentState), so the new run
    // records that component as this segment without listing and joining its members again.
    const segmentAt = new Int32Array(model.ifaces.length).fill(-1);
    for (let c = 0; c < this.compMembers.length; c++) {
      const members = this.compMembers[c]!;
      const st = segmentState(members, moved, model, size, ofChanged);
      compState[c] = st;
      if (st === CLEAN) segmentAt[model.find(model.ifaceIndex.get(members[0]!)!)] = c;
    }
    const state = new Uint8Array(this.records);
    // A record's rest of the way is always recorded before it, so one pass in order settles all
    // (a pass over typed arrays: threading records onto per-owner lists to start from what
    // changed was four more arrays of fresh memory per full analysis, dearer than the pass).
    const recNs = this.recNs;
    const recComp = this.recComp;
    const recNext = this.recNext;
    const recGw = this.recGw;
    const recVia = this.recVia;
    let dirty = 0;
    // The classes (prefixes) a routes-only namespace now sends another way, at the records that
    // are DIRTY for that alone; null once a record is DIRTY for something else (a segment, a
    // gateway, a changed namespace): then a DIRTY record says nothing of its destination.
    let failing: Map<number, { net: number; len: number }> | null = new Map();
    for (let r = 1; r < this.records; r++) {
      const next = recNext[r]!;
      const comp = recComp[r]!;
      const ns = recNs[r]!;
      const seg = comp >= 0 ? compState[comp]! : CLEAN;
      const rest = next >= 0 ? state[next]! : CLEAN;
      // The stop's own table last: a routes-only namespace's check is the dearest.
      if (
        seg === DIRTY ||
        rest === DIRTY ||
        (seg === TOUCHED && recGw[r] === 1 && addresses.has(recVia[r]!)) ||
        (ns >= 0 &&
          nsDirty[ns] !== 0 &&
          (nsDirty[ns] === 1 || !changeOf[ns]!.holds(this.recNet[r]! >>> 0, this.recLen[r]!)))
      ) {
        state[r] = DIRTY;
        dirty++;
        if (failing === null) continue;
        if (
          seg === DIRTY ||
          (seg === TOUCHED && recGw[r] === 1 && addresses.has(recVia[r]!)) ||
          (ns >= 0 && nsDirty[ns] === 1)
        )
          failing = null;
        else if (ns >= 0 && nsDirty[ns] === 2) {
          // DIRTY by the rest alone needs nothing here: the rest's own cause is listed.
          const net = this.recNet[r]! >>> 0;
          const len = this.recLen[r]!;
          if (!changeOf[ns]!.holds(net, len)) failing.set(net * 64 + len, { net, len });
        }
      } else if ((seg === TOUCHED && recGw[r] === 0) || rest === TOUCHED) state[r] = TOUCHED;
    }
    return { state, addresses, dirty, failing: failing && [...failing.values()], segmentAt };
  }
}

/** A power of two at least four times `records` (an index at most half full until it grows). */
function tableSize(records: number): number {
  let size = 1024;
  while (size < records * 4) size *= 2;
  return size;
}

export const CLEAN = 0;
export const DIRTY = 1;
export const TOUCHED = 2;

/**
 * The interfaces (by key) an edit changed, as far as segments go: every interface, before and
 * after, of a changed namespace whose local addresses changed (weak host model: it answers for
 * each of them on any of its segments); of the other changed namespaces, only the interfaces
 * that differ, came or went. A bridge's namespace holds every port of its VLANs: a port added or
 * cut touches that VLAN's segment, not every one.
 */
export class ChangedInterfaces {
  readonly keys = new Set<string>();

  /** Asked for every member of every recorded segment: one lookup (a whole namespace's keys are in `keys`). */
  has(key: string): boolean {
    return this.keys.has(key);
  }
}

function changedInterfaces(
  changed: Set<string>,
  before: Map<string, NsParts>,
  after: Map<string, NsParts>,
): ChangedInterfaces {
  const out = new ChangedInterfaces();
  // The namespace's local addresses as a set (an unaddressed port added is no new address).
  const local = (p: NsParts) => {
    const set = new Set<string>();
    for (const f of p.ifaces) {
      if (f.address) set.add(f.address);
      if (f.vxlan?.local) set.add(`local ${f.vxlan.local}`);
    }
    return [...set].sort().join(' ');
  };
  for (const ns of changed) {
    const b = before.get(ns);
    const a = after.get(ns);
    if (!a || !b || local(a) !== local(b)) {
      for (const p of [a, b]) for (const f of p?.ifaces ?? []) out.keys.add(f.key);
      continue;
    }
    const was = new Map(b.ifaces.map((f) => [f.key, f]));
    for (const f of a.ifaces) {
      const old = was.get(f.key);
      if (!old || !sameIface(old, f)) out.keys.add(f.key);
      was.delete(f.key);
    }
    for (const key of was.keys()) out.keys.add(key);
  }
  return out;
}

/**
 * A recorded segment in the new model: DIRTY when its unchanged interfaces are gone, down or
 * apart, or joined by other unchanged interfaces; TOUCHED when it had or has changed interfaces
 * (ChangedInterfaces); CLEAN otherwise.
 */
function segmentState(
  members: string[],
  moved: ChangedInterfaces,
  model: NetModel,
  size: Int32Array,
  ofChanged: Int32Array,
): number {
  let root = -1;
  let kept = 0;
  let touched = false;
  for (const key of members) {
    if (moved.has(key)) {
      touched = true;
      continue;
    }
    const i = model.ifaceIndex.get(key);
    if (i === undefined || !model.up[i]) return DIRTY;
    const r = model.find(i);
    if (root === -1) root = r;
    else if (r !== root) return DIRTY;
    kept++;
  }
  if (root === -1) return DIRTY;
  const others = ofChanged[root]!;
  if (size[root]! - others !== kept) return DIRTY;
  return touched || others > 0 ? TOUCHED : CLEAN;
}

/** Every address of a changed namespace, before and after (`| 0`). */
function changedAddresses(
  changed: Set<string>,
  before: Map<string, NsParts>,
  after: Map<string, NsParts>,
): Set<number> {
  const out = new Set<number>();
  for (const ns of changed)
    for (const parts of [before.get(ns), after.get(ns)])
      for (const f of parts?.ifaces ?? []) {
        const a = f.address === null ? null : parseIfAddress(f.address);
        if (a) out.add(a.addr | 0);
        const local = f.vxlan ? parseIpv4(f.vxlan.local) : null;
        if (local !== null) out.add(local | 0);
      }
  return out;
}

/** Everything of one namespace that the analyzer reads: the namespace, its interfaces, its routes. */
export interface NsParts {
  spec: NetnsSpec | undefined;
  ifaces: IfaceSpec[];
  routes: RouteSpec[];
}

/** Each namespace's parts; with `names`, those namespaces' only (a re-analysis reads the changed ones). */
export function partsByNs(topology: Topology, names?: Set<string>): Map<string, NsParts> {
  const parts = new Map<string, NsParts>();
  const get = (name: string) => {
    let p = parts.get(name);
    if (!p) {
      p = { spec: undefined, ifaces: [], routes: [] };
      parts.set(name, p);
    }
    return p;
  };
  const wanted = (name: string) => !names || names.has(name);
  for (const ns of topology.netns) if (wanted(ns.name)) get(ns.name).spec = ns;
  // Interfaces and routes mostly come in runs of one namespace: asked once per run (a lookup per
  // route of both topologies was a twentieth of an address edit), the same parts.
  let last: string | null = null;
  let into: NsParts | null = null;
  for (const f of topology.interfaces) {
    if (f.netns !== last) {
      last = f.netns;
      into = wanted(last) ? get(last) : null;
    }
    into?.ifaces.push(f);
  }
  last = null;
  into = null;
  for (const r of topology.routes) {
    if (r.netns !== last) {
      last = r.netns;
      into = wanted(last) ? get(last) : null;
    }
    into?.routes.push(r);
  }
  return parts;
}

/**
 * Of the changed namespaces, those whose routes alone changed (the namespace and its interfaces
 * are the same, field by field): they forward as before except where their routing table changed.
 */
export function routesOnly(
  changed: Set<string>,
  before: Map<string, NsParts>,
  after: Map<string, NsParts>,
): Set<string> {
  const out = new Set<string>();
  for (const name of changed) {
    const a = after.get(name);
    const b = before.get(name);
    if (a && b && sameJson(a.spec, b.spec) && sameList(a.ifaces, b.ifaces, sameIface))
      out.add(name);
  }
  return out;
}

/**
 * A namespace's routing table before and after an edit of its routes alone: which destination
 * classes it still sends the same way. A class (a prefix C, see Forwarding.classNet) holds when
 * no route inside C came or went (such a route could take part of the class elsewhere) and the
 * route that wins for C among those covering it is the same (prefix, gateway, device): then
 * every destination of the class takes the same route as before.
 */
export class RouteChange {
  /** The routes in one table and not in the other (as many times as they differ), made on first use. */
  private moved: Route[] | null = null;

  constructor(
    private readonly oldModel: NetModel,
    private readonly oldTable: Route[],
    private readonly newModel: NetModel,
    private readonly newTable: Route[],
  ) {}

  private movedRoutes(): Route[] {
    if (this.moved) return this.moved;
    const moved: Route[] = [];
    // Per prefix (net × 64 + len), the old routes not matched yet by a new one.
    const left = new Map<number, Route[]>();
    for (const r of this.oldTable) {
      const k = r.net * 64 + r.len;
      const list = left.get(k);
      if (list) list.push(r);
      else left.set(k, [r]);
    }
    for (const r of this.newTable) {
      const list = left.get(r.net * 64 + r.len);
      const key = this.newModel.ifaces[r.dev]!.key;
      const at = list
        ? list.findIndex((o) => o.via === r.via && this.oldModel.ifaces[o.dev]!.key === key)
        : -1;
      if (at >= 0) list!.splice(at, 1);
      else moved.push(r);
    }
    for (const list of left.values()) for (const r of list) moved.push(r);
    this.moved = moved;
    return moved;
  }

  /** Per class prefix (net × 64 + len): whether it holds (a few hundred records ask each). */
  private readonly known = new Map<number, boolean>();

  /** Whether destinations of the class with prefix `net`/`len` take the same route as before. */
  holds(net: number, len: number): boolean {
    const key = net * 64 + len;
    let ok = this.known.get(key);
    if (ok === undefined) {
      ok = this.decide(net, len);
      this.known.set(key, ok);
    }
    return ok;
  }

  private decide(net: number, len: number): boolean {
    for (const r of this.movedRoutes())
      if (r.len > len && prefixOf(r.net, len) === net) return false;
    const a = winner(this.oldTable, net, len);
    const b = winner(this.newTable, net, len);
    if (!a || !b) return a === b;
    return (
      a.net === b.net &&
      a.len === b.len &&
      a.via === b.via &&
      this.oldModel.ifaces[a.dev]!.key === this.newModel.ifaces[b.dev]!.key
    );
  }
}

/**
 * networkOf (net/ipv4.ts) as a function of this module: called for every route of every table
 * a routes-only change compares, and an imported function is a getter call each time where
 * modules are compiled to CommonJS (tsx, the bench): 8% of a backbone cut's profile.
 */
function prefixOf(addr: number, len: number): number {
  return len === 0 ? 0 : (addr & (0xffffffff << (32 - len))) >>> 0;
}

/** The route of `table` (longest prefix first, ties in kernel order) that wins for all of net/len. */
function winner(table: Route[], net: number, len: number): Route | undefined {
  for (const r of table) if (r.len <= len && prefixOf(net, r.len) === r.net) return r;
  return undefined;
}

/**
 * The namespaces that differ between two topologies (as changedNamespaces of their parts). The
 * usual edit keeps every list's length and each item's namespace in place: then the items are
 * compared where they stand, without splitting either topology by namespace (the same verdict:
 * each namespace's items are the same sequence on both sides); otherwise by parts.
 */
export function changedBetween(before: Topology, after: Topology): Set<string> {
  // Each list on its own: in place, else in order by key (namespaces and interfaces) or run by run
  // (routes). A cut keeps the namespaces and interfaces in place and drops routes: only the
  // routes are then compared again (all three were, from the start).
  const changed = new Set<string>();
  // A list that is the same array as before (share.ts: the worker's reader hands over a list
  // whose text did not change) has no changed item, and lines up: not compared. Routes that are
  // the same objects (a run of them whose text did not change) are not compared either.
  const netns = new Set<string>();
  if (
    before.netns !== after.netns &&
    !inPlace(before.netns, after.netns, (x) => x.name, sameJson, netns) &&
    !inOrder(
      before.netns,
      after.netns,
      (x) => x.name,
      (x) => x.name,
      sameJson,
      clear(netns),
    )
  )
    return byParts(before, after);
  const ifaces = new Set<string>();
  if (
    before.interfaces !== after.interfaces &&
    !ifacesInPlace(before.interfaces, after.interfaces, ifaces) &&
    !inOrder(
      before.interfaces,
      after.interfaces,
      (x) => x.key,
      (x) => x.netns,
      sameIface,
      clear(ifaces),
    )
  )
    return byParts(before, after);
  const routes = new Set<string>();
  if (
    before.routes !== after.routes &&
    !routesInPlace(before.routes, after.routes, routes) &&
    !routesInRuns(before.routes, after.routes, clear(routes))
  )
    return byParts(before, after);
  for (const set of [netns, ifaces, routes]) for (const name of set) changed.add(name);
  return changed;
}

/** Lists that come in another order: both topologies split by namespace. */
function byParts(before: Topology, after: Topology): Set<string> {
  return changedNamespaces(partsByNs(before), partsByNs(after));
}

/** `set`, emptied (what a comparison that gave up added to it is not a verdict). */
function clear(set: Set<string>): Set<string> {
  set.clear();
  return set;
}

/**
 * Adds the namespace of each item that differs from the item of its key in the other list, or
 * has none there, as changedNamespaces would (keys are unique in a list); false when the items
 * both lists have come in another order.
 */
function inOrder<T>(
  xs: T[],
  ys: T[],
  keyOf: (x: T) => string,
  nsOf: (x: T) => string,
  eq: (x: T, y: T) => boolean,
  changed: Set<string>,
): boolean {
  let kx: Set<string> | null = null;
  let ky: Set<string> | null = null;
  let a = 0;
  let b = 0;
  while (a < xs.length || b < ys.length) {
    const x = xs[a];
    const y = ys[b];
    if (x !== undefined && y !== undefined && keyOf(x) === keyOf(y)) {
      if (nsOf(x) !== nsOf(y)) return false;
      if (!eq(x, y)) changed.add(nsOf(x));
      a++;
      b++;
      continue;
    }
    // Made at the first item that is not in its place: most lists never need them.
    kx ??= new Set(xs.map(keyOf));
    ky ??= new Set(ys.map(keyOf));
    if (kx.size !== xs.length || ky.size !== ys.length) return false;
    if (y !== undefined && !kx.has(keyOf(y))) {
      changed.add(nsOf(y));
      b++;
    } else if (x !== undefined && !ky.has(keyOf(x))) {
      changed.add(nsOf(x));
      a++;
    } else return false;
  }
  return true;
}

/** The runs of consecutive items of one namespace (name, start; end is the next start); null when a namespace has two. */
function runsOf<T>(
  xs: T[],
  nsOf: (x: T) => string,
): { names: string[]; starts: number[]; seen: Set<string> } | null {
  const names: string[] = [];
  const starts: number[] = [];
  const seen = new Set<string>();
  let last: string | undefined;
  for (let k = 0; k < xs.length; k++) {
    const ns = nsOf(xs[k]!);
    if (k > 0 && ns === last) continue;
    if (seen.has(ns)) return null;
    seen.add(ns);
    names.push(ns);
    starts.push(k);
    last = ns;
  }
  starts.push(xs.length);
  return { names, starts, seen };
}

/**
 * Adds the namespace of each run of routes that differs from its namespace's run in the other
 * list (or has none there), as changedNamespaces would for this list; false when a namespace's
 * routes are split in two runs or the namespaces of both lists come in another order. Routes
 * only, compared field by field as sameRoute (a loop through a closure was a twentieth of a
 * cut's profile).
 */
function routesInRuns(xs: RouteSpec[], ys: RouteSpec[], changed: Set<string>): boolean {
  const rx = runsOf(xs, (x) => x.netns);
  const ry = runsOf(ys, (x) => x.netns);
  if (!rx || !ry) return false;
  let a = 0;
  let b = 0;
  while (a < rx.names.length || b < ry.names.length) {
    const na = rx.names[a];
    const nb = ry.names[b];
    if (na !== undefined && na === nb) {
      const x0 = rx.starts[a]!;
      const y0 = ry.starts[b]!;
      const len = rx.starts[a + 1]! - x0;
      let differ = len !== ry.starts[b + 1]! - y0;
      for (let k = 0; k < len && !differ; k++) {
        const x = xs[x0 + k]!;
        const y = ys[y0 + k]!;
        // The same object (share.ts: a run whose text did not change) is the same route.
        differ =
          x !== y &&
          (x.to !== y.to ||
            x.via !== y.via ||
            x.dev !== y.dev ||
            x.node !== y.node ||
            x.origin !== y.origin ||
            x.why !== y.why);
      }
      if (differ) changed.add(na);
      a++;
      b++;
    } else if (nb !== undefined && !rx.seen.has(nb)) {
      changed.add(nb);
      b++;
    } else if (na !== undefined && !ry.seen.has(na)) {
      changed.add(na);
      a++;
    } else return false;
  }
  return true;
}

/** Adds the namespace of each item that differs; false when the lists do not line up. */
function inPlace<T>(
  xs: T[],
  ys: T[],
  nsOf: (x: T) => string,
  eq: (x: T, y: T) => boolean,
  changed: Set<string>,
): boolean {
  if (xs.length !== ys.length) return false;
  for (let k = 0; k < xs.length; k++) {
    const x = xs[k]!;
    const y = ys[k]!;
    const ns = nsOf(x);
    if (ns !== nsOf(y)) return false;
    if (!eq(x, y)) changed.add(ns);
  }
  return true;
}

/**
 * inPlace for interfaces and for routes, each a loop of its own: the shared one took an item's
 * namespace and compared it through closures for three kinds of items, a call and a property
 * read of unknown shape each (the comparison was an eighth of an address edit's profile, and a
 * third of that was inPlace itself). Same verdict, field by field (sameIface, sameRoute).
 */
function ifacesInPlace(xs: IfaceSpec[], ys: IfaceSpec[], changed: Set<string>): boolean {
  if (xs.length !== ys.length) return false;
  for (let k = 0; k < xs.length; k++) {
    const x = xs[k]!;
    const y = ys[k]!;
    if (x.netns !== y.netns) return false;
    if (!sameIface(x, y)) changed.add(x.netns);
  }
  return true;
}

function routesInPlace(xs: RouteSpec[], ys: RouteSpec[], changed: Set<string>): boolean {
  if (xs.length !== ys.length) return false;
  // A namespace's routes come in a run: once one of them differs, the rest of the run is not
  // compared (its namespace is changed already).
  let skip: string | null = null;
  for (let k = 0; k < xs.length; k++) {
    const x = xs[k]!;
    const y = ys[k]!;
    const ns = x.netns;
    if (ns !== y.netns) return false;
    if (ns === skip || x === y) continue;
    if (
      x.to !== y.to ||
      x.via !== y.via ||
      x.dev !== y.dev ||
      x.node !== y.node ||
      x.origin !== y.origin ||
      x.why !== y.why
    ) {
      changed.add(ns);
      skip = ns;
    }
  }
  return true;
}

/** Namespaces whose parts differ in any field (or exist on one side only). */
export function changedNamespaces(
  before: Map<string, NsParts>,
  after: Map<string, NsParts>,
): Set<string> {
  const changed = new Set<string>();
  for (const [name, a] of after) {
    const b = before.get(name);
    if (
      !b ||
      !sameJson(a.spec, b.spec) ||
      !sameList(a.ifaces, b.ifaces, sameIface) ||
      !sameList(a.routes, b.routes, sameRoute)
    )
      changed.add(name);
  }
  for (const name of before.keys()) if (!after.has(name)) changed.add(name);
  return changed;
}

function sameList<T>(a: T[], b: T[], eq: (x: T, y: T) => boolean): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (!eq(a[k]!, b[k]!)) return false;
  return true;
}

/**
 * Every field of a RouteSpec and of an IfaceSpec, compared by name: thousands of routes per
 * analysis, and sameJson()'s key enumeration was a sixth of a re-analysis. The lists are checked
 * against the types below (a new field does not compile until it is compared) and against real
 * topologies in the tests (a change of any field is seen).
 */
export const ROUTE_FIELDS = ['netns', 'node', 'to', 'via', 'dev', 'origin', 'why'] as const;
export const IFACE_FIELDS = [
  'key',
  'netns',
  'name',
  'node',
  'kind',
  'domain',
  'address',
  'addressOrigin',
  'master',
  'up',
  'mtu',
  'mac',
  'peer',
  'link',
  'towards',
  'vxlan',
] as const;
type Exhaustive<T, L extends readonly (keyof T)[]> =
  Exclude<keyof T, L[number]> extends never ? true : false;
const routeFieldsComplete: Exhaustive<RouteSpec, typeof ROUTE_FIELDS> = true;
const ifaceFieldsComplete: Exhaustive<IfaceSpec, typeof IFACE_FIELDS> = true;
void routeFieldsComplete;
void ifaceFieldsComplete;

function sameRoute(a: RouteSpec, b: RouteSpec): boolean {
  return (
    a === b ||
    (a.netns === b.netns &&
      a.node === b.node &&
      a.to === b.to &&
      a.via === b.via &&
      a.dev === b.dev &&
      a.origin === b.origin &&
      a.why === b.why)
  );
}

function sameIface(a: IfaceSpec, b: IfaceSpec): boolean {
  // The same object (share.ts: an interface whose text did not change) is the same interface.
  if (a === b) return true;
  return (
    a.key === b.key &&
    a.netns === b.netns &&
    a.name === b.name &&
    a.node === b.node &&
    a.kind === b.kind &&
    a.domain === b.domain &&
    a.address === b.address &&
    a.addressOrigin === b.addressOrigin &&
    a.master === b.master &&
    a.up === b.up &&
    a.mtu === b.mtu &&
    a.mac === b.mac &&
    sameJson(a.peer, b.peer) &&
    a.link === b.link &&
    a.towards === b.towards &&
    sameJson(a.vxlan, b.vxlan)
  );
}
