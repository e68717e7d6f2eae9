/**
 * The hops of a path, in words: where a packet is sent, forwarded, carried
 * across a segment or tunnel, and delivered (and by which rule). Each hop is
 * made once and shared by every path that takes it.
 */
import type { Hop } from '../model.js';
import { formatDestination, formatIpv4 } from '../net/ipv4.js';
import type { NetModel } from './model.js';
import type { Route } from './types.js';

export class Hops {
  constructor(private readonly m: NetModel) {}

  private readonly crossHopMemo = new Map<number, Hop>();
  private readonly stopHopMemo = new Map<Route, Hop>();
  private readonly transitHopMemo = new Map<Route, Hop>();
  private readonly deliverHopMemo: Map<number, Hop>[] = [];
  /** Where a stop hop sends from (its egress) or a delivery hop receives (its arrival, -1: locally). */
  readonly hopAt = new Map<Hop, { ns: number; iface: number; deliver: boolean }>();

  stopHop(ns: number, route: Route, origin: boolean): Hop {
    // Origin and transit differ only in the verb.
    const memo = origin ? this.stopHopMemo : this.transitHopMemo;
    let hop = memo.get(route);
    if (!hop) {
      const el = this.m.nsElement[ns]!;
      const dev = this.m.ifaces[route.dev]!.name;
      const verb = origin ? 'sends' : 'forwards';
      const what =
        route.len === 0
          ? 'by its default route'
          : `by its route ${formatDestination({ base: route.net, len: route.len })}`;
      const note =
        route.via < 0
          ? `${verb} on ${dev}: ${formatDestination({ base: route.net, len: route.len })} is directly connected`
          : `${verb} ${what} via ${formatIpv4(route.via)} on ${dev}`;
      hop = { element: el, dev, note };
      this.hopAt.set(hop, { ns, iface: route.dev, deliver: false });
      memo.set(route, hop);
    }
    return hop;
  }

  crossHop(dev: number): Hop {
    let hop = this.crossHopMemo.get(dev);
    if (!hop) {
      const f = this.m.ifaces[dev]!;
      const dom = f.domain ? this.m.domains.get(f.domain) : undefined;
      const element = dom?.element ?? f.towards ?? f.name;
      let note: string;
      if (dom?.kind === 'overlay' && f.vxlan) {
        const under = this.m.underlayOf(dev);
        const underDom =
          under >= 0 && this.m.ifaces[under]!.domain
            ? this.m.domains.get(this.m.ifaces[under]!.domain!)
            : undefined;
        note = `through the VXLAN tunnel ${element} (VNI ${f.vxlan.vni}${underDom ? `, over ${underDom.element}` : ''})`;
      } else if (dom?.kind === 'p2p') note = `over the point-to-point link ${element}`;
      else if (dom?.kind === 'hostnet') note = `across ${element}'s container bridge`;
      else note = `across ${element} (L2)`;
      hop = { element, note };
      this.crossHopMemo.set(dev, hop);
    }
    return hop;
  }

  deliverHop(ns: number, arrival: number, address: number): Hop {
    // The arrival interface fixes the namespace; local delivery (no arrival) is per namespace and rare.
    let memo: Map<number, Hop> | undefined;
    if (arrival >= 0) {
      memo = this.deliverHopMemo[arrival];
      if (!memo) {
        memo = new Map();
        this.deliverHopMemo[arrival] = memo;
      }
    }
    let hop = memo?.get(address | 0);
    if (!hop) {
      const el = this.m.nsElement[ns]!;
      const own = `${formatIpv4(address)} is its own address${this.weakHost(ns, arrival, address)}`;
      hop =
        arrival >= 0
          ? { element: el, dev: this.m.ifaces[arrival]!.name, note: `receives it: ${own}` }
          : { element: el, note: `delivers it locally: ${own}` };
      this.hopAt.set(hop, { ns, iface: arrival, deliver: true });
      memo?.set(address | 0, hop);
    }
    return hop;
  }

  /**
   * The rule that delivers `address` in `ns` when it is not on the interface the packet
   * arrived on: "", or the interface that holds it and, when that one is down, the weak host model.
   */
  private weakHost(ns: number, arrival: number, address: number): string {
    const holders = (this.m.anyOwners.get(address) ?? []).filter((i) => this.m.ifaceNs[i] === ns);
    if (holders.length === 0 || holders.includes(arrival)) return '';
    const up = holders.find((i) => this.m.up[i]);
    if (up !== undefined) return arrival >= 0 ? ` (on ${this.m.ifaces[up]!.name})` : '';
    const dev = this.m.ifaces[holders[0]!]!.name;
    return ` on ${dev}, which is down: Linux keeps the address local and accepts it on any interface (weak host model)`;
  }

  failHop(ns: number, note: string): Hop {
    return { element: this.m.nsElement[ns]!, note };
  }
}
