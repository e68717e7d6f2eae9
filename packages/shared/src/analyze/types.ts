/** The analyzer's own shapes: routes as integers, walks, failures, paths. */
import type { Hop, RouteSpec } from '../model.js';

/** Greatest number of L3 stops before the packet's TTL (64, Linux default for ping) runs out. */
export const TTL = 64;
/** Stands for the destination address of each pair in a failure's words. */
export const DST = '{dst}';
/** 2³²: two 32-bit numbers in one Map key (a × SHIFT + b). */
export const SHIFT = 4294967296;

export interface Route {
  net: number;
  len: number;
  dev: number;
  /** Gateway address, or -1 for a connected (on-link) route. */
  via: number;
  spec: RouteSpec | null;
  /** Index of the route among every route of its model (for per-route tables), set with the tables. */
  id: number;
  /** Index of the route in its namespace's table (longest prefix first). */
  at: number;
}

/** A RouteSpec the kernel would refuse (or flush), kept to explain a missing route. */
export interface BrokenRoute {
  net: number;
  len: number;
  dev: number;
  spec: RouteSpec;
  problem: string;
  blame: string[];
}

export interface Failure {
  /** May contain `{dst}`, replaced by the destination address of the pair. */
  reason: string;
  blame: string[];
}

/**
 * A transit walk as a chain of stops: each stop's own hops, then the walk from the next stop
 * on, shared with every walk that passes there (a step costs one object, not a copy).
 */
export interface Walk {
  /** Namespace of this stop. */
  ns: number;
  /** Interface this stop sends on (its route's device), or -1 when it has no route. */
  dev: number;
  /** The gateway its route sends to on `dev`, or -1 (on-link: the destination itself, or no route). */
  readonly via: number;
  /** This stop's hops: its forward hop and the crossing, or its failure hop. */
  readonly head: Hop[];
  /** The rest of the walk from the next stop, or null when it ends here. */
  next: Walk | null;
  /** Interface the packet arrives on at the next stop (-1 when there is none). */
  nextArrival: number;
  /** Hops of the whole walk from this stop. */
  length: number;
  /** Namespace of the walk's last stop. */
  last: number;
  end: { egress: number; fail?: undefined } | { egress: -1; fail: Failure };
  /** The walk's ledger record, once a matrix has recorded it (-1 until then). */
  rec: number;
  /** The matrix's way that starts with this walk, once one does (-1 until then). */
  way: number;
}

/**
 * A failure whose words are made when first read: the all-pairs matrix makes many failures
 * (every class a namespace has no route for) and reads the words of almost none.
 */
export class LazyFailure implements Failure {
  private made: Failure | null = null;
  constructor(private readonly make: () => Failure) {}
  private get failure(): Failure {
    this.made ??= this.make();
    return this.made;
  }
  get reason(): string {
    return this.failure.reason;
  }
  get blame(): string[] {
    return this.failure.blame;
  }
}

export interface OriginStep {
  /** The origin's own hop and the segment it sends across (or its failure hop). */
  head: Hop[];
  next: { ns: number; arrival: number } | null;
  fail: Failure | null;
}

export interface PathResult {
  ok: boolean;
  hops: Hop[];
  /** Namespace where the packet was delivered. */
  at: number;
  /** Source address the originating namespace chose (-1 when it could not send). */
  src: number;
  reason?: string;
  blame?: string[];
}

export type EdgeKind = 'veth' | 'port' | 'vxlan';

/** Appends `value` to the list under `key`, making the list on first use. */
export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
