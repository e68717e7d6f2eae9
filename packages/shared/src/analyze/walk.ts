/**
 * A packet's way from the namespace that sends it to the one that takes it:
 * the origin's step, then the transit walk, shared by every destination of
 * a class, then the delivery, which is per destination.
 */
import type { Hop } from '../model.js';
import { formatIpv4 } from '../net/ipv4.js';
import type { Explainer } from './explain.js';
import type { Forwarding } from './forwarding.js';
import type { Hops } from './hops.js';
import type { NetModel } from './model.js';
import {
  DST,
  type Failure,
  LazyFailure,
  type OriginStep,
  type PathResult,
  type Route,
  TTL,
  type Walk,
} from './types.js';

export class Walker {
  constructor(
    private readonly m: NetModel,
    private readonly fwd: Forwarding,
    private readonly hops: Hops,
    private readonly explain: Explainer,
  ) {}

  private readonly originStepMemo = new Map<Route, OriginStep>();
  private readonly noRouteMemo: Map<number, Failure>[] = [];
  private readonly reasonMemo = new Map<Failure, Map<number, string>>();
  /** Namespace where the last successful trace() delivered. */
  private tracedAt = -1;
  /** Per namespace, per destination class: its transit walk (arrays: a Map per namespace was slower). */
  readonly transitMemo: (Walk | 'busy' | undefined)[][] = [];
  /** Per route (by Route.id): its next hop, or why there is none. */
  private readonly nextHopMemo: ({ ns: number; arrival: number } | Failure | undefined)[] = [];
  /** Paths to addresses that are not endpoint targets (a reply to a secondary source address), per namespace. */
  private readonly pathMemo: Map<number, PathResult>[] = [];
  private readonly transitStack: number[] = [];
  /** The lowest stack index a routing loop found by the current walk closes at (see transitWalk). */
  private loopClosesAt = Number.POSITIVE_INFINITY;
  /** Whether some walk was cut by TTL: then which stop it was cut at depends on the order asked. */
  ttlCut = false;

  /** What the originating namespace does with a route: the same for every destination that uses it. */
  private originStep(ns: number, route: Route): OriginStep {
    let step = this.originStepMemo.get(route);
    if (!step) {
      const stop = this.hops.stopHop(ns, route, true);
      if (route.via < 0)
        step = { head: [stop, this.hops.crossHop(route.dev)], next: null, fail: null };
      else {
        const next = this.nextHop(ns, route);
        step =
          'reason' in next
            ? {
                head: [
                  stop,
                  this.hops.failHop(ns, `cannot reach its next hop ${formatIpv4(route.via)}`),
                ],
                next: null,
                fail: next,
              }
            : { head: [stop, this.hops.crossHop(route.dev)], next, fail: null };
      }
      this.originStepMemo.set(route, step);
    }
    return step;
  }

  private noRouteFor(ns: number, cls: number): Failure {
    let memo = this.noRouteMemo[ns];
    if (!memo) {
      memo = new Map();
      this.noRouteMemo[ns] = memo;
    }
    let f = memo.get(cls);
    if (!f) {
      f = this.explain.noRoute(ns, this.fwd.classRep[cls]!);
      memo.set(cls, f);
    }
    return f;
  }

  /** Namespaces that are a stop of some transit walk (1), the only ones a walk can deliver in. */
  readonly stopAt: number[] = [];

  private transitWalk(ns: number, cls: number): Walk | 'busy' {
    this.stopAt[ns] = 1;
    let memo = this.transitMemo[ns];
    if (!memo) {
      memo = [];
      this.transitMemo[ns] = memo;
    }
    const known = memo[cls];
    if (known) return known;
    if (this.transitStack.length >= TTL) {
      this.ttlCut = true;
      return failWalk(ns, this.hops.failHop(ns, 'drops the packet: its TTL ran out'), {
        reason: `the packet to ${DST} needs more than ${TTL} router hops, so its TTL runs out at ${this.m.nsElement[ns]}`,
        blame: [this.m.nsElement[ns]!],
      });
    }
    memo[cls] = 'busy';
    const depth = this.transitStack.length;
    const outer = this.loopClosesAt;
    this.loopClosesAt = Number.POSITIVE_INFINITY;
    this.transitStack.push(ns);
    const w = this.step(ns, cls);
    this.transitStack.pop();
    const closes = this.loopClosesAt;
    // A router on a loop (the loop closes here or below) is walked afresh each time: its walk
    // goes round once back to itself, and another router of the loop reusing it would go round
    // from there. A walk that leads into a loop, or none, reads the same whoever asks.
    memo[cls] = closes <= depth ? undefined : w;
    this.loopClosesAt = closes < depth ? Math.min(outer, closes) : outer;
    return w;
  }

  private step(ns: number, cls: number): Walk {
    const el = this.m.nsElement[ns]!;
    if (!this.m.nsForwarding[ns]) {
      return failWalk(ns, this.hops.failHop(ns, `drops the packet: ${el} does not forward`), {
        reason: `${el} does not forward (ip_forward is off), so it drops the packet to ${DST}`,
        blame: [el],
      });
    }
    const rep = this.fwd.classRep[cls]!;
    const route = this.fwd.lookup(ns, rep);
    if (!route)
      return failWalk(
        ns,
        this.hops.failHop(ns, `drops the packet: no route`),
        new LazyFailure(() => this.explain.noRoute(ns, rep)),
      );
    // The stop's hops (its forward hop and the crossing) are made when a path first asks for them:
    // the all-pairs matrix walks without ever reading them.
    const head: LazyHead = route;
    if (route.via < 0) return stop(ns, route.dev, head, null, -1, { egress: route.dev }, this);
    const next = this.nextHop(ns, route);
    if ('reason' in next) {
      // The frame never crosses the segment, so the path stops at the router that could not send it.
      const hops = [
        this.hops.stopHop(ns, route, false),
        this.hops.failHop(ns, `cannot reach its next hop ${route.spec!.via}`),
      ];
      return stop(ns, route.dev, hops, null, -1, { egress: -1, fail: next }, null, route.via);
    }
    const rest = this.transitWalk(next.ns, cls);
    if (rest === 'busy') {
      const from = this.transitStack.indexOf(next.ns);
      this.loopClosesAt = Math.min(this.loopClosesAt, Math.max(from, 0));
      const entered = [
        ...new Set(
          [...this.transitStack.slice(Math.max(from, 0)), ns].map((n) => this.m.nsElement[n]!),
        ),
      ];
      // Named from its first member by name, in the packet's direction: walks are shared, so the
      // router a walk entered the loop by depends on which pair walked it first, and the same
      // loop must read the same in the matrix and in one pair's analysis.
      const first = entered.indexOf([...entered].sort()[0]!);
      const cycle = [...entered.slice(first), ...entered.slice(0, first)];
      const names =
        cycle.length === 1
          ? cycle[0]!
          : `${cycle.slice(0, -1).join(', ')} and ${cycle[cycle.length - 1]}`;
      const end = {
        egress: -1 as const,
        fail: {
          reason: `routing loop between ${names}: the packet to ${DST} circles until its TTL runs out`,
          blame: cycle,
        },
      };
      const back = stop(
        next.ns,
        -1,
        [this.hops.failHop(next.ns, `gets the packet back: routing loop`)],
        null,
        -1,
        end,
      );
      return stop(ns, route.dev, head, back, next.arrival, end, this, route.via);
    }
    return stop(ns, route.dev, head, rest, next.arrival, rest.end, this, route.via);
  }

  private readonly transitHeadMemo = new Map<Route, Hop[]>();

  /** A transit stop's hops for a route (LazyHead's maker). */
  headOf(ns: number, route: Route): Hop[] {
    return this.transitHead(ns, route);
  }

  /** A transit stop's hops for a route: the same for every walk that takes the route. */
  private transitHead(ns: number, route: Route): Hop[] {
    let head = this.transitHeadMemo.get(route);
    if (!head) {
      head = [this.hops.stopHop(ns, route, false), this.hops.crossHop(route.dev)];
      this.transitHeadMemo.set(route, head);
    }
    return head;
  }

  private nextHop(ns: number, route: Route): { ns: number; arrival: number } | Failure {
    let known = this.nextHopMemo[route.id];
    if (!known) {
      const owner = this.m.ownerInComponent(route.dev, route.via);
      if (owner >= 0) known = { ns: this.m.ifaceNs[owner]!, arrival: owner };
      else
        known = new LazyFailure(() => {
          const why = this.explain.explainL2(route.dev, route.via);
          const el = this.m.nsElement[ns]!;
          return {
            reason: `${el} cannot reach its gateway ${formatIpv4(route.via)}: ${why.reason}`,
            blame: why.blame,
          };
        });
      this.nextHopMemo[route.id] = known;
    }
    return known;
  }

  /** Packet from namespace `ns` (originated there) to `address`, to delivery or the first failure. */
  path(ns: number, address: number): PathResult {
    let memo = this.pathMemo[ns];
    if (!memo) {
      memo = new Map();
      this.pathMemo[ns] = memo;
    }
    // `| 0` keeps the key a small integer: doubles as Map keys are boxed and slow.
    let result = memo.get(address | 0);
    if (!result) {
      result = this.computePath(ns, address);
      memo.set(address | 0, result);
    }
    return result;
  }

  private computePath(ns: number, address: number): PathResult {
    const owners = this.m.localOwners.get(address);
    if (owners?.includes(ns)) {
      return { ok: true, hops: [this.hops.deliverHop(ns, -1, address)], at: ns, src: address };
    }
    const cls = this.fwd.classOf(address);
    return this.asPathResult(ns, address, cls, this.trace(ns, address, cls, owners));
  }

  private asPathResult(
    ns: number,
    address: number,
    cls: number,
    traced: Hop[] | { hops: Hop[]; fail: Failure },
  ): PathResult {
    const src = this.fwd.sourceFor(ns, cls);
    if (Array.isArray(traced)) return { ok: true, hops: traced, at: this.tracedAt, src };
    return {
      ok: false,
      hops: traced.hops,
      at: -1,
      src,
      reason: this.reasonFor(traced.fail, address),
      blame: traced.fail.blame,
    };
  }

  /** A failure's words for one destination; many sources share the same failure and target, so share the string. */
  private reasonFor(fail: Failure, address: number): string {
    if (!fail.reason.includes(DST)) return fail.reason;
    let memo = this.reasonMemo.get(fail);
    if (!memo) {
      memo = new Map();
      this.reasonMemo.set(fail, memo);
    }
    let text = memo.get(address | 0);
    if (text === undefined) {
      text = fail.reason.replaceAll(DST, formatIpv4(address));
      memo.set(address | 0, text);
    }
    return text;
  }

  /**
   * The common case without intermediate objects: the packet from `ns` reaches `dstNs`, which owns
   * `address`, and the hops are the result. Anything else becomes a full PathResult.
   */
  fastPath(ns: number, address: number, cls: number, dstNs: number): Hop[] | PathResult {
    const owners = this.m.localOwners.get(address);
    if (ns === dstNs || !owners || owners.includes(ns)) return this.computePath(ns, address);
    const traced = this.trace(ns, address, cls, owners);
    if (Array.isArray(traced) && this.tracedAt === dstNs) return traced;
    return this.asPathResult(ns, address, cls, traced);
  }

  /**
   * Where a packet originated in `ns` for destinations of class `cls` can be delivered, as
   * trace() decides it: the interface it leaves `ns` by when it goes no further (`egress`), or
   * the transit walk from its next stop (`walk`), or neither when it is dropped in `ns`. The
   * same for every destination of the class, so the all-pairs matrix asks once per
   * (namespace, class) and not per pair.
   */
  reach(ns: number, cls: number): { walk: Walk | null; egress: number } {
    const route = this.fwd.routeFor(ns, cls);
    if (!route) return NOWHERE;
    // As originStep decides, without its hops.
    if (route.via < 0) return { walk: null, egress: route.dev };
    const next = this.nextHop(ns, route);
    if ('reason' in next) return NOWHERE;
    // Nothing is in progress at the top of a trace, so the transit walk is never 'busy' here.
    const w = this.transitWalk(next.ns, cls) as Walk;
    return { walk: w, egress: -1 };
  }

  /**
   * A packet originated in `ns` (which does not own `address`): the origin's step for its route,
   * then the shared transit walk for the destination class, then the delivery. On success the
   * hops are returned and `tracedAt` says where it was delivered.
   */
  private trace(
    ns: number,
    address: number,
    cls: number,
    owners: readonly number[] | undefined,
  ): Hop[] | { hops: Hop[]; fail: Failure } {
    const route = this.fwd.routeFor(ns, cls);
    if (!route)
      return {
        hops: [this.hops.failHop(ns, 'drops the packet: no route')],
        fail: this.noRouteFor(ns, cls),
      };
    const step = this.originStep(ns, route);
    if (step.fail) return { hops: step.head, fail: step.fail };
    const head = step.head;
    if (!step.next) {
      const arrival = this.m.ownerInComponent(route.dev, address);
      if (arrival >= 0) {
        this.tracedAt = this.m.ifaceNs[arrival]!;
        return join(head, null, 0, this.hops.deliverHop(this.tracedAt, arrival, address));
      }
      return {
        hops: join(
          head,
          null,
          0,
          this.hops.failHop(ns, `cannot deliver to ${formatIpv4(address)}`),
        ),
        fail: this.explain.explainL2(route.dev, address),
      };
    }
    const nextNs = step.next.ns;
    if (owners?.includes(nextNs)) {
      this.tracedAt = nextNs;
      return join(head, null, 0, this.hops.deliverHop(nextNs, step.next.arrival, address));
    }
    // Nothing is in progress at the top of a trace, so the transit walk is never 'busy' here.
    const w = this.transitWalk(nextNs, cls) as Walk;
    if (owners) {
      // The stops after the first (nextNs, checked above), each with the hops before it.
      let before = w.head.length;
      for (let at: Walk | null = w.next, arrival = w.nextArrival; at; at = at.next) {
        if (owners.includes(at.ns)) {
          this.tracedAt = at.ns;
          return join(head, w, before, this.hops.deliverHop(at.ns, arrival, address));
        }
        before += at.head.length;
        arrival = at.nextArrival;
      }
    }
    if (w.end.fail) return { hops: join(head, w, w.length, null), fail: w.end.fail };
    const arrival = this.m.ownerInComponent(w.end.egress, address);
    if (arrival >= 0) {
      this.tracedAt = this.m.ifaceNs[arrival]!;
      return join(head, w, w.length, this.hops.deliverHop(this.tracedAt, arrival, address));
    }
    return {
      hops: join(
        head,
        w,
        w.length,
        this.hops.failHop(w.last, `cannot deliver to ${formatIpv4(address)}`),
      ),
      fail: this.explain.explainL2(w.end.egress, address),
    };
  }
}

const NOWHERE = { walk: null, egress: -1 };

/** `head`, the first `length` hops of the walk `rest`, then `last` if any: one array of exactly that size. */
function join(head: Hop[], rest: Walk | null, length: number, last: Hop | null): Hop[] {
  const out = new Array<Hop>(head.length + length + (last ? 1 : 0));
  let o = 0;
  for (let i = 0; i < head.length; i++) out[o++] = head[i]!;
  let left = length;
  for (let at = rest; at && left > 0; at = at.next) {
    const hops = at.head;
    for (let i = 0; i < hops.length && left > 0; i++, left--) out[o++] = hops[i]!;
  }
  if (last) out[o] = last;
  return out;
}

/** A transit stop's two hops, not made yet: its route (the walker that made the stop makes them). */
type LazyHead = Route;

/** One stop of a walk; its hops are made on first read when they are a transit stop's usual two. */
class Stop implements Walk {
  readonly length: number;
  readonly last: number;
  rec = -1;
  way = -1;
  private hops: Hop[] | null;
  private lazy: LazyHead | null;
  constructor(
    readonly ns: number,
    readonly dev: number,
    head: Hop[] | LazyHead,
    readonly next: Walk | null,
    readonly nextArrival: number,
    readonly end: Walk['end'],
    private readonly maker: Walker | null,
    readonly via: number,
  ) {
    const eager = Array.isArray(head);
    this.hops = eager ? head : null;
    this.lazy = eager ? null : head;
    this.length = (eager ? head.length : 2) + (next ? next.length : 0);
    this.last = next ? next.last : ns;
  }

  get head(): Hop[] {
    if (this.hops === null) {
      this.hops = this.maker!.headOf(this.ns, this.lazy!);
      this.lazy = null;
    }
    return this.hops;
  }
}

/** One stop of a walk, and the rest from the next one. */
function stop(
  ns: number,
  dev: number,
  head: Hop[] | LazyHead,
  next: Walk | null,
  nextArrival: number,
  end: Walk['end'],
  maker: Walker | null = null,
  via = -1,
): Walk {
  return new Stop(ns, dev, head, next, nextArrival, end, maker, via);
}

function failWalk(ns: number, hop: Hop, fail: Failure): Walk {
  return stop(ns, -1, [hop], null, -1, { egress: -1, fail });
}
