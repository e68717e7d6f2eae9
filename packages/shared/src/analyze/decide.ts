/**
 * The per-pair decision tables behind reachability(): whether each ping is answered, decided
 * without building paths, and the ledger records of what each answer depends on. Split from
 * MatrixRun (analyze.ts), which owns one per attached ledger and delegates decide() to it, so
 * that the path-building side (cell) and the typed-array side (ways, rows, profiles) each stay
 * readable on their own.
 */
import type { Forwarding } from './forwarding.js';
import type { Ledger } from './ledger.js';
import type { NetModel } from './model.js';
import { giveInt32, takeInt32 } from './scratch.js';
import { push, type Route, SHIFT, type Walk } from './types.js';
import type { Walker } from './walk.js';

/** An address packets are sent to, with what deciding its delivery needs. */
interface Destination {
  address: number;
  /** Namespaces where it is local (weak host model: on any interface, up or down). */
  owners: readonly number[];
  /** The one namespace where it is local, or -1 (none, or several: see owners). */
  owner: number;
  cls: number;
  /** The namespace that takes it on each L2 component (by root interface), -1 for none. */
  takerByRoot: Map<number, number> | null;
  /** Where a namespace of each routing profile that does not own it delivers it (-2: not asked yet). */
  byProfile?: Int32Array;
}

/** A matrix of answers and, per pair, the ledger records of its request and reply (-1: none). */
export interface Decided {
  reach: Uint8Array;
  request: Int32Array;
  reply: Int32Array;
}

export function newDecided(n: number): Decided {
  return {
    reach: new Uint8Array(n * n),
    request: takeInt32(n * n).fill(0),
    reply: takeInt32(n * n).fill(-1),
  };
}

/** No single namespace owns the address (several do, or none). */
const MANY = -3;
/** decideAll's per-endpoint segment: where a way delivers is asked in full / it is on none. */
const GENERAL = -2;
const NO_SEGMENT = -3;

/** What a PairDecider reads of its MatrixRun: the model, its forwarding and walks, the endpoints. */
export interface DecideInput {
  m: NetModel;
  fwd: Forwarding;
  walk: Walker;
  /** Per endpoint: its namespace, its target address (-1: none valid) and that address's class. */
  nsOf: number[];
  target: number[];
  cls: number[];
  /** Whether the ping from endpoint i to j is answered, by the full cell (pairs inside one namespace). */
  cellReachable: (i: number, j: number) => boolean;
}

/**
 * Decides pairs for one MatrixRun and one ledger: namespaces grouped by routing profile, the way
 * out per (profile, class), where it delivers per (profile, endpoint), in typed-array tables made
 * on first use.
 */
export class PairDecider {
  private readonly m: NetModel;
  private readonly fwd: Forwarding;
  private readonly walk: Walker;
  private readonly ledger: Ledger;
  /** Number of endpoints. */
  private readonly n: number;
  private readonly nsOf: number[];
  private readonly target: number[];
  private readonly cls: number[];
  private readonly cellReachable: (i: number, j: number) => boolean;

  /** Number of destination classes of the endpoint targets (the per-profile tables' width). */
  private readonly width: number;
  /**
   * Per namespace, its routing profile: namespaces whose tables hold the same prefixes, via the
   * same gateways, on the same segments, send every destination the same way (they differ only
   * in the address they send from), so their ways are found once.
   */
  private readonly profile: Int32Array;
  /** A namespace of each profile. */
  private readonly profileNs: number[] = [];
  /** Per endpoint: its index among the endpoints of its class. */
  private readonly slot: Int32Array;
  private readonly classSize: number[];
  /** Per (profile × width + class): index of its way (-1 nowhere, -2 not asked yet). */
  private readonly wayOf: Int32Array;
  /** Per (profile × width + class): its ledger record. */
  private readonly wayRec: Int32Array;
  /** Per (profile × width + class): index in the table of the route it takes (-1: none). */
  private readonly routeAt: Int32Array;
  /** Per way: its transit walk, or null when it leaves the source on `wayEgress` and goes no further. */
  private readonly wayWalk: (Walk | null)[];
  /** Ways made so far (the per-way tables below). */
  private ways = 0;
  private wayEgress: Int32Array;
  /** Per way: the segment (root interface) its last stop sends on, -1 when it fails before. */
  private wayEnd: Int32Array;
  /**
   * Per way: where it delivers to each endpoint of its class (-2: not asked yet), from wayStart
   * (-1 until a destination that is not plain asks: most never do).
   */
  private wayTo: Int32Array;
  private wayToUsed = 0;
  private wayStart: Int32Array;
  private wayClass: Int32Array;
  private readonly wayByEgress = new Map<number, number>();
  private readonly recOfWide = new Map<number, number>();
  /** Per root interface: its segment's ledger record, -1 until asked. */
  private readonly compRec: Int32Array;
  private members: Map<number, number[]> | null = null;
  /** Few segments are recorded (a re-analysis): each lists its members by a scan, no map of all. */
  private readonly fewSegments: boolean;
  /**
   * Per (profile × n + endpoint): where a packet from a namespace of that profile that does not
   * own the endpoint's address is delivered (-1 nowhere, -2 not asked yet), and its record.
   */
  private readonly rowAt: Int32Array;
  private readonly rowRec: Int32Array;
  /** Per interface: its L2 component's root when it is up, else -1. */
  private readonly rootOf: Int32Array;
  /** Per endpoint: the one namespace that owns its address, or MANY (several, or none). */
  private readonly owner: Int32Array;
  /** Every address asked for as a destination (endpoint targets and the source addresses replies go to). */
  private readonly destinations = new Map<number, Destination>();
  private destList: (Destination | null)[] | null = null;
  /** Per namespace and class, where its packets stop and leave (Walker.reach). */
  private readonly reaches: { walk: Walk | null; egress: number }[][] = [];

  /** `segmentAt` (a re-analysis): per root interface, its component's segment in the ledger, or -1. */
  constructor(input: DecideInput, ledger: Ledger, segmentAt?: Int32Array) {
    this.m = input.m;
    this.fwd = input.fwd;
    this.walk = input.walk;
    this.nsOf = input.nsOf;
    this.target = input.target;
    this.cls = input.cls;
    this.cellReachable = input.cellReachable;
    this.n = input.nsOf.length;
    this.ledger = ledger;
    const m = this.m;
    const n = this.n;
    const width = this.fwd.classRep.length;
    this.width = width;
    const nsCount = m.nsElement.length;
    this.profile = new Int32Array(nsCount);
    // Profiles by a hash of the table's routes, each candidate checked route by route: text keys
    // (every route's numbers written out) were most of this constructor, made by every run.
    const byHash = new Map<number, number[]>();
    for (let ns = 0; ns < nsCount; ns++) {
      // Big tables (routers) are each their own profile: only hosts share.
      const table = m.tables[ns]!;
      let prof = -1;
      let hash = 0;
      if (table.length <= 8) {
        hash = table.length;
        for (const r of table)
          hash =
            Math.imul(hash ^ (r.net | 0), 0x9e3779b1) ^
            Math.imul(r.len + 33 * (r.via | 0), 0x85ebca6b) ^
            m.find(r.dev);
        const same = byHash.get(hash);
        if (same)
          for (const p of same) if (sameProfile(m, m.tables[this.profileNs[p]!]!, table)) prof = p;
      }
      if (prof < 0) {
        prof = this.profileNs.length;
        this.profileNs.push(ns);
        if (table.length <= 8) {
          const same = byHash.get(hash);
          if (same) same.push(prof);
          else byHash.set(hash, [prof]);
        }
      }
      this.profile[ns] = prof;
    }

    const cells = this.profileNs.length * width;
    // Grown by addWay: a re-analysis makes a few ways, the full matrix one per (profile, class) at most.
    this.wayWalk = [];
    this.wayEgress = new Int32Array(256);
    this.wayEnd = new Int32Array(256);
    this.wayStart = new Int32Array(256);
    this.wayClass = new Int32Array(256);
    this.wayOf = takeInt32(cells).fill(-2);
    this.wayRec = takeInt32(cells);
    this.routeAt = takeInt32(cells);
    this.classSize = new Array(width).fill(0);
    this.slot = new Int32Array(n);
    for (let j = 0; j < n; j++) {
      const c = this.cls[j]!;
      if (c >= 0) this.slot[j] = this.classSize[c]!++;
    }
    this.wayTo = new Int32Array(1024);
    this.rootOf = new Int32Array(m.ifaces.length);
    this.compRec = segmentAt ?? new Int32Array(m.ifaces.length).fill(-1);
    this.fewSegments = segmentAt !== undefined;
    for (let i = 0; i < m.ifaces.length; i++) this.rootOf[i] = m.up[i] ? m.find(i) : -1;
    this.rowAt = takeInt32(this.profileNs.length * n).fill(-2);
    this.rowRec = takeInt32(this.profileNs.length * n);
    this.owner = new Int32Array(n);
    for (let j = 0; j < n; j++) {
      const d = this.dest[j];
      this.owner[j] = d && d.owner >= 0 ? d.owner : MANY;
    }
  }

  /**
   * Decides the pair (i, j) into `out`: whether it answers, exactly as cell(i, j).reachable, from
   * where the request and the reply are delivered, and the ledger records of both ways. Pairs
   * that are rare (two endpoints in one namespace) are answered by the cell itself.
   */
  decide(i: number, j: number, out: Decided): void {
    const n = this.n;
    const p = i * n + j;
    out.reach[p] = 0;
    out.request[p] = 0;
    out.reply[p] = -1;
    if (i === j || this.target[j]! < 0) return;
    const si = this.nsOf[i]!;
    const sj = this.nsOf[j]!;
    if (si === sj) {
      // Delivered locally, from its own address: rare, answered in full (and only si matters).
      if (this.cellReachable(i, j)) out.reach[p] = 1;
      return;
    }
    const q = this.profile[si]! * n + j;
    if (this.rowAt[q] === -2) this.fillRow(q, j);
    out.request[p] = this.rowRec[q]!;
    // Where the request is delivered: si itself if it has the address, else where its way takes it.
    const one = this.owner[j]!;
    const at =
      one === si || (one === MANY && this.dest[j]!.owners.includes(si)) ? si : this.rowAt[q]!;
    if (at !== sj) return;
    const src = this.sourceOf(si, this.profile[si]! * this.width + this.cls[j]!);
    if (src < 0) return;
    // The reply is a new packet from j back to the source address i chose.
    let back: number;
    if (src === this.target[i]) {
      const q2 = this.profile[sj]! * n + i;
      if (this.rowAt[q2] === -2) this.fillRow(q2, i);
      out.reply[p] = this.rowRec[q2]!;
      const two = this.owner[i]!;
      back =
        two === sj || (two === MANY && this.dest[i]!.owners.includes(sj)) ? sj : this.rowAt[q2]!;
    } else {
      // A reply to another of si's addresses (a router's, mostly): asked per namespace.
      const e = this.destination(src);
      back = this.replyTo(sj, e, p, out);
    }
    if (back === si) out.reach[p] = 1;
  }

  /**
   * Where the reply from namespace `sj` to `e` (another address of the sender than its target)
   * is delivered, with its record written to out.reply[p].
   */
  private replyTo(sj: number, e: Destination, p: number, out: Decided): number {
    let back: number;
    if (e.cls < this.width) {
      const k2 = this.profile[sj]! * this.width + e.cls;
      let w2 = this.wayOf[k2]!;
      if (w2 === -2) w2 = this.newWay(k2);
      out.reply[p] = this.wayRec[k2]!;
      if (e.owner === sj || (e.owner < 0 && e.owners.includes(sj))) back = sj;
      else {
        // Where each profile's way delivers this address, kept with the address.
        let by = e.byProfile;
        if (!by) {
          by = new Int32Array(this.profileNs.length).fill(-2);
          e.byProfile = by;
        }
        back = by[this.profile[sj]!]!;
        if (back === -2) {
          back = w2 < 0 ? -1 : this.deliverOnWay(w2, e);
          by[this.profile[sj]!] = back;
        }
      }
    } else {
      back = this.deliveredAt(sj, e);
      out.reply[p] = this.wideRecord(sj, e.cls);
    }
    return back;
  }

  /**
   * decide(i, j) for every pair, into a fresh `out` (newDecided): the same answers and records,
   * in two passes. First every way of every endpoint's profile to every endpoint's class (so every
   * walk is made) and the segment each way ends on; then the pairs, row by row, from typed arrays:
   * the usual pair (each target owned by its endpoint's namespace alone, on one segment, no walk's
   * stop) is delivered when its way ends on that segment, both ways; a reply to another of the
   * sender's addresses goes through replyTo, and any other pair through decide().
   */
  decideAll(out: Decided): void {
    const n = this.n;
    // A record per way out of a profile (wayOf's cells) and about one per transit stop (a
    // forwarding namespace and a class), for the ledger to grow once.
    let forwarding = 0;
    for (const f of this.m.nsForwarding) if (f) forwarding++;
    this.ledger.reserve(this.ledger.records + this.wayOf.length + forwarding * this.width);
    const nsOf = this.nsOf;
    const target = this.target;
    const cls = this.cls;
    const profile = this.profile;
    const width = this.width;
    const owner = this.owner;
    const m = this.m;
    // Per endpoint: its profile, and whether only its own namespace owns its target.
    const prof = new Int32Array(n);
    const plain = new Uint8Array(n);
    for (let j = 0; j < n; j++) {
      prof[j] = profile[nsOf[j]!]!;
      plain[j] = target[j]! >= 0 && owner[j] === nsOf[j] ? 1 : 0;
    }
    // Every way out of every endpoint's profile, to every class an endpoint is in (each is asked
    // below), so every walk is made before a pair is decided; and each way's last segment.
    const wayOf = this.wayOf;
    const classSize = this.classSize;
    const endOf = takeInt32(wayOf.length).fill(-1);
    const done = new Uint8Array(this.profileNs.length);
    for (let i = 0; i < n; i++) {
      const p = prof[i]!;
      if (done[p] === 1) continue;
      done[p] = 1;
      for (let c = 0; c < width; c++) {
        if (classSize[c] === 0) continue;
        const k = p * width + c;
        let w = wayOf[k]!;
        if (w === -2) w = this.newWay(k);
        if (w >= 0) endOf[k] = this.wayEnd[w]!;
      }
    }
    // Per endpoint whose target only its namespace owns, when that namespace is no walk's stop
    // (so no stop of any way above): the one segment its namespace is on, where a way that ends
    // there delivers to it (ownerInComponent, weak host model included); NO_SEGMENT when it is
    // on none. GENERAL otherwise: where a way delivers is asked (fillRow).
    const home = new Int32Array(n).fill(GENERAL);
    const stopAt = this.walk.stopAt;
    for (let j = 0; j < n; j++) {
      const sj = nsOf[j]!;
      if (plain[j] === 0 || stopAt[sj] === 1) continue;
      let root = NO_SEGMENT;
      for (const f of m.nsIfaces[sj]!) {
        const r = this.rootOf[f]!;
        if (r < 0 || r === root) continue;
        root = root === NO_SEGMENT ? r : GENERAL;
      }
      home[j] = root;
    }
    const { reach, request, reply } = out;
    const wayRec = this.wayRec;
    const rowAt = this.rowAt;
    const routeAt = this.routeAt;
    const addr = m.addr;
    const tables = m.tables;
    // Addresses are unsigned 32-bit numbers: a Float64Array holds them as they are.
    let srcAt = new Float64Array(16);
    for (let i = 0; i < n; i++) {
      const si = nsOf[i]!;
      const ti = target[i]!;
      const ci = cls[i]!;
      const hi = home[i]!;
      const kBase = prof[i]! * width;
      const rowBase = prof[i]! * n;
      const table = tables[si]!;
      // The source address for each route of si's table, as sourceOf: its device's, else any local one.
      const local = m.anyLocalAddress(si);
      if (srcAt.length < table.length) srcAt = new Float64Array(table.length * 2);
      for (let t = 0; t < table.length; t++) {
        const a = addr[table[t]!.dev]!;
        srcAt[t] = a >= 0 ? a : local;
      }
      const out0 = i * n;
      const plainI = plain[i] === 1;
      let lastSrc = -1;
      let lastDest: Destination | null = null;
      for (let j = 0; j < n; j++) {
        const sj = nsOf[j]!;
        if (!plainI || plain[j] === 0 || sj === si) {
          if (j !== i) this.decide(i, j, out);
          continue;
        }
        const p = out0 + j;
        const k = kBase + cls[j]!;
        request[p] = wayRec[k]!;
        const hj = home[j]!;
        if (hj === GENERAL) {
          const q = rowBase + j;
          if (rowAt[q] === -2) this.fillRow(q, j);
          if (rowAt[q] !== sj) continue;
        } else if (endOf[k] !== hj) continue;
        // The source address, as sourceOf (srcAt above).
        const at = routeAt[k]!;
        const src = at < 0 ? local : srcAt[at]!;
        if (src < 0) continue;
        if (src !== ti) {
          // The reply goes to another of si's addresses (a router's, mostly): a few per row.
          if (src !== lastSrc) {
            lastSrc = src;
            lastDest = this.destination(src);
          }
          if (this.replyTo(sj, lastDest!, p, out) === si) reach[p] = 1;
          continue;
        }
        // The reply: j's way back to i's target, as decide() asks it.
        const k2 = prof[j]! * width + ci;
        reply[p] = wayRec[k2]!;
        if (hi === GENERAL) {
          const q2 = prof[j]! * n + i;
          if (rowAt[q2] === -2) this.fillRow(q2, i);
          if (rowAt[q2] === si) reach[p] = 1;
        } else if (endOf[k2] === hi) reach[p] = 1;
      }
    }
    giveInt32(endOf);
  }

  /** Hands the decision tables back (scratch.ts): the decider decides nothing after this. */
  release(): void {
    for (const table of [this.wayOf, this.wayRec, this.routeAt, this.rowAt, this.rowRec])
      giveInt32(table);
  }

  private fillRow(q: number, j: number): void {
    const n = this.n;
    const k = ((q - j) / n) * this.width + this.cls[j]!;
    let w = this.wayOf[k]!;
    if (w === -2) w = this.newWay(k);
    this.rowRec[q] = this.wayRec[k]!;
    const sj = this.nsOf[j]!;
    // A target only its endpoint's namespace owns (deliverOnWay for it, without a per-way table):
    // delivered there when the namespace is a stop of the way's walk (never, when it is no walk's
    // stop), else exactly when the way's last segment is one of the namespace's
    // (ownerInComponent, weak host model included).
    if (this.owner[j] === sj) {
      const end = w < 0 ? -1 : this.wayEnd[w]!;
      let at = -1;
      if (w >= 0 && this.walk.stopAt[sj] === 1)
        for (let stop: Walk | null = this.wayWalk[w]!; stop; stop = stop.next)
          if (stop.ns === sj) {
            this.rowAt[q] = sj;
            return;
          }
      if (end >= 0) {
        const list = this.m.nsIfaces[sj]!;
        for (let x = 0; x < list.length; x++)
          if (this.rootOf[list[x]!] === end) {
            at = sj;
            break;
          }
      }
      this.rowAt[q] = at;
      return;
    }
    this.rowAt[q] = this.deliverOn(w, j, this.dest[j]!);
  }

  /** The way of (profile × width + class) `k`, and its ledger record: the segment it leaves on, its walk. */
  private newWay(k: number): number {
    const c = k % this.width;
    const ns = this.profileNs[(k - c) / this.width]!;
    const r = this.walk.reach(ns, c);
    let w = -1;
    if (r.walk) {
      // A walk belongs to this run: its way is kept on it (a Map keyed by objects was a third of this).
      w = r.walk.way;
      if (w < 0) {
        w = this.addWay(r.walk, -1, c);
        r.walk.way = w;
      }
    } else if (r.egress >= 0) {
      const key = this.m.find(r.egress) * this.width + c;
      w = this.wayByEgress.get(key) ?? -1;
      if (w < 0) {
        w = this.addWay(null, r.egress, c);
        this.wayByEgress.set(key, w);
      }
    }
    this.wayOf[k] = w;
    const route = this.fwd.routeFor(ns, c);
    this.routeAt[k] = route ? route.at : -1;
    this.wayRec[k] = this.originRecord(route, r.walk, c);
    return w;
  }

  /** The record of a way out of a source namespace: the segment its route sends on, to what, then its walk. */
  private originRecord(route: Route | null, walk: Walk | null, c: number): number {
    return this.ledger.record(
      -1,
      route ? this.segmentRecord(route.dev) : -1,
      walk ? this.walkRecord(walk, c) : -1,
      route ? route.via : -1,
      this.fwd.classNet[c]!,
      this.fwd.classLen[c]!,
    );
  }

  private addWay(walk: Walk | null, egress: number, c: number): number {
    const w = this.ways++;
    if (w === this.wayEnd.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.wayEgress = grow(this.wayEgress);
      this.wayEnd = grow(this.wayEnd);
      this.wayStart = grow(this.wayStart);
      this.wayClass = grow(this.wayClass);
    }
    this.wayWalk.push(walk);
    this.wayEgress[w] = egress;
    this.wayClass[w] = c;
    const last = walk ? (walk.end.fail ? -1 : walk.end.egress) : egress;
    this.wayEnd[w] = last >= 0 ? this.m.find(last) : -1;
    this.wayStart[w] = -1;
    return w;
  }

  /** Where way `w` delivers endpoint j's target (-1: nowhere, or no way). */
  private deliverOn(w: number, j: number, d: Destination): number {
    if (w < 0) return -1;
    let start = this.wayStart[w]!;
    if (start < 0) {
      const size = this.classSize[this.wayClass[w]!]!;
      if (this.wayToUsed + size > this.wayTo.length) {
        const grown = new Int32Array(Math.max(this.wayTo.length * 2, this.wayToUsed + size));
        grown.set(this.wayTo);
        this.wayTo = grown;
      }
      start = this.wayToUsed;
      for (let k = 0; k < size; k++) this.wayTo[start + k] = -2;
      this.wayStart[w] = start;
      this.wayToUsed += size;
    }
    const at = start + this.slot[j]!;
    let ns = this.wayTo[at]!;
    if (ns === -2) {
      ns = this.deliverOnWay(w, d);
      this.wayTo[at] = ns;
    }
    return ns;
  }

  /** The first stop of the way that owns the address, else whoever takes it on the last segment. */
  private deliverOnWay(w: number, d: Destination): number {
    const walk = this.wayWalk[w]!;
    let egress = this.wayEgress[w]!;
    if (walk) {
      const one = d.owner;
      // An owner that is no walk's stop is not on this one: most destinations skip the stops.
      if (one < 0 || this.walk.stopAt[one] === 1)
        for (let at: Walk | null = walk; at; at = at.next)
          if (one >= 0 ? one === at.ns : d.owners.includes(at.ns)) return at.ns;
      egress = walk.end.egress;
    }
    if (egress < 0) return -1;
    const arrival = this.m.ownerInComponent(egress, d.address);
    return arrival >= 0 ? this.m.ifaceNs[arrival]! : -1;
  }

  /** The source address namespace `s` picks for (its profile × width + class) `k`, as sourceFor. */
  private sourceOf(s: number, k: number): number {
    const at = this.routeAt[k]!;
    if (at < 0) return this.m.anyLocalAddress(s);
    // Same profile, same table order: the route at that place is s's own.
    const a = this.m.addr[this.m.tables[s]![at]!.dev]!;
    return a >= 0 ? a : this.m.anyLocalAddress(s);
  }

  /** The ledger record of the way from namespace `s` for a class beyond the endpoints' (rare). */
  private wideRecord(s: number, c: number): number {
    const k = s * SHIFT + c;
    let rec = this.recOfWide.get(k);
    if (rec === undefined) {
      const route = this.fwd.routeFor(s, c);
      const r = this.walk.reach(s, c);
      rec = this.originRecord(route, r.walk, c);
      this.recOfWide.set(k, rec);
    }
    return rec;
  }

  /** The record of walk `w`, made for class `c` (as is every stop of a walk: see Walker.step). */
  private walkRecord(w: Walk, c: number): number {
    // A walk belongs to this run, and this run to one ledger: the record is kept on the walk.
    let rec = w.rec;
    if (rec < 0) {
      const next = w.next ? this.walkRecord(w.next, c) : -1;
      const ledger = this.ledger;
      rec = ledger.record(
        ledger.nsId(this.m.nsName[w.ns]!),
        w.dev >= 0 ? this.segmentRecord(w.dev) : -1,
        next,
        w.via,
        this.fwd.classNet[c]!,
        this.fwd.classLen[c]!,
      );
      w.rec = rec;
    }
    return rec;
  }

  private segmentRecord(dev: number): number {
    const root = this.m.find(dev);
    let rec = this.compRec[root]!;
    if (rec < 0) {
      let ifaces: number[] | undefined;
      if (this.fewSegments) {
        ifaces = [];
        for (let i = 0; i < this.m.ifaces.length; i++)
          if (this.m.up[i] && this.m.find(i) === root) ifaces.push(i);
        if (ifaces.length === 0) ifaces.push(dev);
      } else {
        if (!this.members) {
          this.members = new Map();
          for (let i = 0; i < this.m.ifaces.length; i++)
            if (this.m.up[i]) push(this.members, this.m.find(i), i);
        }
        ifaces = this.members.get(root) ?? [dev];
      }
      const ledger = this.ledger;
      const nss = [...new Set(ifaces.map((i) => this.m.nsName[this.m.ifaceNs[i]!]!))];
      rec = ledger.segment(
        ifaces.map((i) => this.m.ifaces[i]!.key),
        nss,
      );
      this.compRec[root] = rec;
    }
    return rec;
  }

  /** Per endpoint, its target as a destination (null: no valid address). */
  private get dest(): (Destination | null)[] {
    if (!this.destList)
      this.destList = this.target.map((a) => (a >= 0 ? this.destination(a) : null));
    return this.destList;
  }

  private destination(address: number): Destination {
    let d = this.destinations.get(address | 0);
    if (!d) {
      const owners = this.m.localOwners.get(address) ?? [];
      d = {
        address,
        owners,
        owner: owners.length === 1 ? owners[0]! : -1,
        cls: this.fwd.classOf(address),
        takerByRoot: null,
      };
      this.destinations.set(address | 0, d);
    }
    return d;
  }

  /** Where the packet from namespace `ns` to `to` is delivered (-1: nowhere), as Walker.path() says. */
  private deliveredAt(ns: number, to: Destination): number {
    const owners = to.owners;
    const one = to.owner;
    if (one >= 0 ? one === ns : owners.includes(ns)) return ns;
    let byCls = this.reaches[ns];
    if (!byCls) {
      byCls = [];
      this.reaches[ns] = byCls;
    }
    let r = byCls[to.cls];
    if (!r) {
      r = this.walk.reach(ns, to.cls);
      byCls[to.cls] = r;
    }
    let egress = r.egress;
    if (r.walk) {
      for (let at: Walk | null = r.walk; at; at = at.next)
        if (one >= 0 ? one === at.ns : owners.includes(at.ns)) return at.ns;
      egress = r.walk.end.egress;
    }
    if (egress < 0) return -1;
    const root = this.m.find(egress);
    // Made on first use: most destinations are never asked here, and a map each was a run's garbage.
    let takers = to.takerByRoot;
    if (!takers) {
      takers = new Map();
      to.takerByRoot = takers;
    }
    let at = takers.get(root);
    if (at === undefined) {
      const arrival = this.m.ownerInComponent(egress, to.address);
      at = arrival >= 0 ? this.m.ifaceNs[arrival]! : -1;
      takers.set(root, at);
    }
    return at;
  }
}

/** Whether two tables of at most 8 routes send every destination the same way (a routing profile). */
function sameProfile(m: NetModel, a: Route[], b: Route[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) {
    const x = a[k]!;
    const y = b[k]!;
    if (x.net !== y.net || x.len !== y.len || x.via !== y.via || m.find(x.dev) !== m.find(y.dev))
      return false;
  }
  return true;
}
