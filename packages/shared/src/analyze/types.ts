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

export interface Walk {
  hops: Hop[];
  /** Namespace at each L3 stop. */
  stops: number[];
  /** Index into hops where each stop's hop begins. */
  hopAt: number[];
  /** Interface the packet arrived on at each stop (-1 at the walk's first stop). */
  arrival: number[];
  end: { egress: number; fail?: undefined } | { egress: -1; fail: Failure };
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
