/**
 * Routing decisions, shared by equivalence class: every destination whose
 * most specific covering prefix (over all routing tables) is the same gets
 * the same route everywhere, so a lookup is made once per (namespace, class).
 */
import { networkOf } from '../net/ipv4.js';
import type { NetModel } from './model.js';
import type { Route } from './types.js';

// Local copies of imported functions called per route or per lookup: where modules are compiled to
// CommonJS (tsx, the bench) an imported binding is read through a getter at every call.
const netOf = networkOf;

/** Tables of up to this many routes are scanned; longer ones are looked up by prefix length. */
const SCAN = 12;

/** A table's lookup maps, kept with the table (a table is never changed once its model is built). */
const lpmOfTable = new WeakMap<Route[], { lens: number[]; maps: Map<number, Route>[] }>();

export class Forwarding {
  /**
   * Prefixes of every effective route, by length: the destination classes. Held as `net | 0`
   * (small integers: an address above 2³¹ is a heap number, one allocation per key, and the
   * sets were remade by every run over every table's routes).
   */
  readonly prefixSets: Set<number>[] = [];
  private readonly classOfAddr = new Map<number, number>();
  readonly classRep: number[] = [];
  /**
   * Each class's most specific covering prefix (0.0.0.0/0 for the addresses no prefix covers):
   * every address of the class is inside it, and no route of any table is inside it and covers
   * one of them (the ledger's records say which destinations they hold for by it).
   */
  readonly classNet: number[] = [];
  readonly classLen: number[] = [];
  private readonly classKey = new Map<number, number>();
  readonly lpmLens: number[][] = [];
  readonly lpmMaps: Map<number, Route>[][] = [];
  readonly routeMemo: (Route | null)[][] = [];
  /** routeMemo for a run that asks few classes of each namespace (`sparse`). */
  private readonly routeMemoFew: Map<number, Route | null>[] = [];

  /**
   * `sparse`: the run asks few classes of each namespace (a re-analysis): its routes are kept
   * in a small map per namespace, not an array as long as the classes (the decider asks a class
   * or two of each of 227 profiles after an address edit at 1,000 elements: an array grown to the
   * class's index each, a sixth of the memory the edit took).
   */
  constructor(
    private readonly m: NetModel,
    private sparse = false,
  ) {
    for (let l = 0; l <= 32; l++) this.prefixSets.push(new Set());
    for (let ns = 0; ns < m.tables.length; ns++)
      for (const r of m.tables[ns]!) this.prefixSets[r.len]!.add(r.net | 0);
  }

  /** A big table's routes by prefix length, made on its first lookup (small tables are scanned). */
  private maps(ns: number): void {
    const table = this.m.tables[ns]!;
    // A re-analysis takes unchanged tables from the model before, and their maps with them.
    const known = lpmOfTable.get(table);
    if (known) {
      this.lpmLens[ns] = known.lens;
      this.lpmMaps[ns] = known.maps;
      return;
    }
    const lens: number[] = [];
    const maps: Map<number, Route>[] = [];
    for (const r of table) {
      if (lens[lens.length - 1] !== r.len) {
        lens.push(r.len);
        maps.push(new Map());
      }
      const map = maps[maps.length - 1]!;
      // `| 0`: small-integer keys; the first route of a prefix wins, as in the kernel's table.
      if (!map.has(r.net | 0)) map.set(r.net | 0, r);
    }
    this.lpmLens[ns] = lens;
    this.lpmMaps[ns] = maps;
    lpmOfTable.set(table, { lens, maps });
  }

  /** The prefix lengths some route has, longest first (a handful of the 33). */
  private lens: number[] | null = null;
  private usedLens(): number[] {
    if (!this.lens) {
      this.lens = [];
      for (let len = 32; len >= 0; len--) if (this.prefixSets[len]!.size > 0) this.lens.push(len);
    }
    return this.lens;
  }

  /** Class of an address: its most specific covering prefix over every routing table. */
  classOf(address: number): number {
    const known = this.classOfAddr.get(address | 0);
    if (known !== undefined) return known;
    let key = -1;
    let found = 0;
    const lens = this.usedLens();
    for (let k = 0; k < lens.length; k++) {
      const len = lens[k]!;
      const net = netOf(address, len);
      if (this.prefixSets[len]!.has(net | 0)) {
        key = net * 64 + len;
        found = len;
        break;
      }
    }
    let cls = this.classKey.get(key);
    if (cls === undefined) {
      cls = this.classRep.length;
      this.classKey.set(key, cls);
      this.classRep.push(address);
      this.classNet.push(key < 0 ? 0 : netOf(address, found));
      this.classLen.push(key < 0 ? 0 : found);
    }
    this.classOfAddr.set(address | 0, cls);
    return cls;
  }

  lookup(ns: number, address: number): Route | undefined {
    const table = this.m.tables[ns]!;
    if (table.length <= SCAN) {
      // Longest prefix first, ties in kernel order: the first that covers the address wins.
      for (let k = 0; k < table.length; k++) {
        const r = table[k]!;
        if (netOf(address, r.len) === r.net) return r;
      }
      return undefined;
    }
    if (!this.lpmLens[ns]) this.maps(ns);
    const lens = this.lpmLens[ns]!;
    const maps = this.lpmMaps[ns]!;
    for (let k = 0; k < lens.length; k++) {
      const r = maps[k]!.get(netOf(address, lens[k]!) | 0);
      if (r) return r;
    }
    return undefined;
  }

  /**
   * From now on, routes are memoised in arrays: the run decides every pair after all (a
   * re-analysis that falls back on a full one), and the maps were slower there.
   */
  dense(): void {
    this.sparse = false;
  }

  /** The route a namespace uses for a destination class (null: none). */
  routeFor(ns: number, cls: number): Route | null {
    if (this.sparse) {
      let few = this.routeMemoFew[ns];
      if (!few) {
        few = new Map();
        this.routeMemoFew[ns] = few;
      }
      let r = few.get(cls);
      if (r === undefined) {
        r = this.lookup(ns, this.classRep[cls]!) ?? null;
        few.set(cls, r);
      }
      return r;
    }
    let memo = this.routeMemo[ns];
    if (!memo) {
      memo = [];
      this.routeMemo[ns] = memo;
    }
    let r = memo[cls];
    if (r === undefined) {
      r = this.lookup(ns, this.classRep[cls]!) ?? null;
      memo[cls] = r;
    }
    return r;
  }

  /** Source address a namespace picks for destinations of a class: the primary address of the egress. */
  sourceFor(ns: number, cls: number): number {
    const r = this.routeFor(ns, cls);
    return r && this.m.addr[r.dev]! >= 0 ? this.m.addr[r.dev]! : this.m.anyLocalAddress(ns);
  }
}
