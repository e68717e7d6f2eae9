/**
 * The analyzer's model of a topology, built once: every interface and
 * namespace as an index, addresses as integers, the L2 components as they
 * really are (veth peers, bridge ports, VXLAN members whose underlay works),
 * and each namespace's routing table as the kernel would hold it.
 */
import type { DomainSpec, IfaceSpec, RouteSpec, Topology } from '../model.js';
import { networkOf, parseIfAddress, parseIpv4 } from '../net/ipv4.js';
import { DEFAULT_MTU, kernelMtus } from '../net/mtu.js';
import { type BrokenRoute, DST, type Failure, push, type Route } from './types.js';

// Local copies of imported functions called per route or per lookup: where modules are compiled to
// CommonJS (tsx, the bench) an imported binding is read through a getter at every call.
const netOf = networkOf;
const parseIf = parseIfAddress;
const parseIp = parseIpv4;

/** Up to this many interfaces, a namespace's interface is found by name with a scan. */
const SCAN_IFACES = 16;

/** Tables to take from the model before an edit: per namespace, its index there (-1: build it). */
interface Reuse {
  old: NetModel;
  from: number[];
}

export class NetModel {
  readonly ifaces: IfaceSpec[];
  /** Interface index by key (`netns/name`); read only once built (a model may share it with the one before). */
  ifaceIndex: ReadonlyMap<string, number> = new Map<string, number>();
  readonly ifaceNs: number[] = [];
  readonly up: boolean[] = [];
  readonly addr: number[] = [];
  private readonly plen: number[] = [];
  /** A VXLAN device's own underlay address (`local`), or -1. */
  readonly local: number[] = [];
  readonly nsIndex = new Map<string, number>();
  readonly nsElement: string[] = [];
  /** Namespace names, by index (nsIndex the other way). */
  readonly nsName: string[] = [];
  readonly nsForwarding: boolean[] = [];
  readonly nsRole: string[] = [];
  readonly nsIfaces: number[][] = [];
  readonly tables: Route[][] = [];
  /** Number of routes over every table (Route.id runs from 0 to this). */
  routeCount = 0;
  readonly broken: BrokenRoute[][] = [];
  readonly nsHasComputed: boolean[] = [];
  readonly nsHasStatic: boolean[] = [];
  readonly domains = new Map<string, DomainSpec>();
  readonly linkState = new Map<string, 'up' | 'down'>();
  /** Union-find parent over interfaces: the L2 components as they really are. */
  private readonly parent: number[] = [];
  // The three maps below are read only once built: a model may share them (or their base) with
  // the one before (Owners).
  /** Address → namespaces where it is local (on any interface, up or down: the weak host model). */
  localOwners: Owners = Owners.EMPTY;
  /** Address → up interfaces that carry it. */
  upOwners: Owners = Owners.EMPTY;
  /** Address → every interface that carries it, whatever its state (for explanations). */
  anyOwners: Owners = Owners.EMPTY;
  /** The MTU the kernel gives each interface (made when a ping size first asks). */
  get mtu(): number[] {
    if (!this.mtus) {
      const mtus = kernelMtus(this.ifaces);
      this.mtus = this.ifaces.map((f) => mtus.get(f.key) ?? DEFAULT_MTU);
    }
    return this.mtus;
  }
  private mtus: number[] | null = null;

  /**
   * With `reuse` (the model of the topology before an edit, and the namespaces whose parts
   * changed), the routing tables of unchanged namespaces are taken from it when their interfaces
   * keep their indices and every link that is new or changed state has its ends in changed
   * namespaces: a table reads only its own namespace (and its down links' states, for its broken
   * routes).
   */
  constructor(
    readonly topology: Topology,
    reuse?: { model: NetModel; changed: Set<string> },
  ) {
    this.ifaces = topology.interfaces;
    for (const d of topology.domains) this.domains.set(d.id, d);
    for (const l of topology.links) this.linkState.set(l.id, l.state);
    for (const ns of topology.netns)
      this.addNs(ns.name, ns.node ?? ns.name, ns.forwarding, ns.role);
    this.indexInterfaces(reuse?.model);
    this.buildComponents();
    this.buildTables(reuse ? this.reusable(reuse.model, reuse.changed) : null);
  }

  /** Per namespace, its index in `old` when its table can be taken from there (else -1); null: none can. */
  private reusable(old: NetModel, changed: Set<string>): Reuse | null {
    // A link's state is in the words of its ends' broken routes: a link that changed state, or
    // is new, must have all its ends in changed namespaces (a cut takes both ends down, a new link
    // gives both ends an interface, so they have).
    const moved = new Set<string>();
    for (const [id, state] of this.linkState) if (old.linkState.get(id) !== state) moved.add(id);
    if (moved.size > 0)
      for (const f of this.ifaces)
        if (f.link && moved.has(f.link) && !changed.has(f.netns)) return null;
    this.routeCount = old.routeCount;
    // A table names its devices by index: taken only when each of its namespace's interfaces
    // keeps its index (an interface added or removed before them moves them).
    const from = this.nsName.map((name, ns) => {
      const o = changed.has(name) ? undefined : old.nsIndex.get(name);
      if (o === undefined) return -1;
      for (const i of this.nsIfaces[ns]!) if (old.ifaces[i]?.key !== this.ifaces[i]!.key) return -1;
      return o;
    });
    return { old, from };
  }

  ns(name: string): number {
    let i = this.nsIndex.get(name);
    // An interface in a namespace the topology does not list: still model it, as its own non-forwarder.
    if (i === undefined) i = this.addNs(name, name, false, 'namespace');
    return i;
  }

  /** One namespace more in every per-namespace array: one place, so none is missed. */
  private addNs(name: string, element: string, forwarding: boolean, role: string): number {
    const i = this.nsElement.length;
    this.nsIndex.set(name, i);
    this.nsName.push(name);
    this.nsElement.push(element);
    this.nsForwarding.push(forwarding);
    this.nsRole.push(role);
    this.nsIfaces.push([]);
    this.tables.push([]);
    this.broken.push([]);
    this.nsHasComputed.push(false);
    this.nsHasStatic.push(false);
    return i;
  }

  /** `old`: the model before an edit, whose parsed addresses are taken where the text is the same. */
  private indexInterfaces(old: NetModel | undefined): void {
    const ifaces = this.ifaces;
    const before = old?.ifaces;
    // Every interface at its old index with its old key: the key index is the one before, and so
    // are the owners of each address, but for the addresses of the interfaces whose address,
    // state or namespace changed (Owners.after).
    let sameKeys = before !== undefined && before.length === ifaces.length;
    for (let i = 0; i < ifaces.length && sameKeys; i++)
      if (before![i]!.key !== ifaces[i]!.key) sameKeys = false;
    const index = sameKeys ? null : new Map<string, number>();
    for (let i = 0; i < ifaces.length; i++) {
      const f = ifaces[i]!;
      // The key is `netns/name` (IfaceSpec.key): the ledger's segments name their members by it.
      index?.set(f.key, i);
      const ns = this.ns(f.netns);
      this.ifaceNs.push(ns);
      this.nsIfaces[ns]!.push(i);
      this.up.push(f.up);
      // Most interfaces keep their place and address across an edit: parsing every address again
      // was a third of indexing them.
      let a: number;
      let len: number;
      if (before !== undefined && i < before.length && before[i]!.address === f.address) {
        a = old!.addr[i]!;
        len = old!.plen[i]!;
      } else {
        const parsed = f.address === null ? null : parseIf(f.address);
        a = parsed?.addr ?? -1;
        len = parsed?.len ?? 32;
      }
      this.addr.push(a);
      this.plen.push(len);
      this.local.push(f.vxlan ? (parseIp(f.vxlan.local) ?? -1) : -1);
      this.parent.push(i);
    }
    this.ifaceIndex = index ?? old!.ifaceIndex;
    const owners = sameKeys ? Owners.after(old!, this) : null;
    if (owners) {
      [this.anyOwners, this.upOwners, this.localOwners] = owners;
      return;
    }
    const anyOwners = new Map<number, number[]>();
    const upOwners = new Map<number, number[]>();
    const localOwners = new Map<number, number[]>();
    for (let i = 0; i < ifaces.length; i++) {
      const a = this.addr[i]!;
      if (a < 0) continue;
      push(anyOwners, a, i);
      if (this.up[i]) push(upOwners, a, i);
      // Weak host model: the kernel keeps the local route of an address on a down
      // interface, so the namespace still accepts packets for it on any other one.
      const ns = this.ifaceNs[i]!;
      const list = localOwners.get(a);
      if (!list) localOwners.set(a, [ns]);
      else if (!list.includes(ns)) list.push(ns);
    }
    this.anyOwners = new Owners(anyOwners, null);
    this.upOwners = new Owners(upOwners, null);
    this.localOwners = new Owners(localOwners, null);
  }

  /** The owner maps as flat maps from now on (Owners.flat): the run asks them for every pair. */
  flattenOwners(): void {
    this.anyOwners = this.anyOwners.flat();
    this.upOwners = this.upOwners.flat();
    this.localOwners = this.localOwners.flat();
  }

  /** The interface of namespace `ns` named `name`, or -1 (the last of that name, as ifaceIndex). */
  ifaceIn(ns: number, name: string): number {
    const list = this.nsIfaces[ns]!;
    if (list.length > SCAN_IFACES) {
      // A namespace with hundreds of interfaces (the one holding every bridge): every port asks
      // for its master and peer here, so a scan per question was quadratic (most of the L2
      // components' time at 1,000 elements). Its names are indexed once, the last of a name kept.
      let byName = this.nsByName[ns];
      if (!byName) {
        byName = new Map();
        for (const i of list) byName.set(this.ifaces[i]!.name, i);
        this.nsByName[ns] = byName;
      }
      return byName.get(name) ?? -1;
    }
    for (let k = list.length - 1; k >= 0; k--)
      if (this.ifaces[list[k]!]!.name === name) return list[k]!;
    return -1;
  }
  /** Per namespace with more than SCAN_IFACES interfaces, its interfaces by name (made on first use). */
  private readonly nsByName: (Map<string, number> | undefined)[] = [];

  find(i: number): number {
    let root = i;
    while (this.parent[root] !== root) root = this.parent[root]!;
    while (this.parent[i] !== root) {
      const next = this.parent[i]!;
      this.parent[i] = root;
      i = next;
    }
    return root;
  }

  private union(a: number, b: number): boolean {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return false;
    if (ra < rb) this.parent[rb] = ra;
    else this.parent[ra] = rb;
    return true;
  }

  /** The interface `name` of the namespace called `netns`, as ifaceIndex has it, or -1. */
  private named(netns: string, name: string): number {
    const ns = this.nsIndex.get(netns);
    return ns === undefined ? -1 : this.ifaceIn(ns, name);
  }

  peerOf(i: number): number {
    const p = this.ifaces[i]!.peer;
    return p ? this.named(p.netns, p.name) : -1;
  }

  masterOf(i: number): number {
    const f = this.ifaces[i]!;
    return f.master ? this.ifaceIn(this.ifaceNs[i]!, f.master) : -1;
  }

  underlayOf(i: number): number {
    const f = this.ifaces[i]!;
    return f.vxlan ? (this.ifaceIndex.get(`${f.netns}/${f.vxlan.underlayDev}`) ?? -1) : -1;
  }

  /** Members of each VXLAN segment (same VNI and UDP port: anything else never meets). */
  vxlanGroups(): number[][] {
    const groups = new Map<string, number[]>();
    this.ifaces.forEach((f, i) => {
      if (f.kind === 'vxlan' && f.vxlan) push(groups, `${f.vxlan.vni}:${f.vxlan.port}`, i);
    });
    return [...groups.values()];
  }

  private buildComponents(): void {
    for (let i = 0; i < this.ifaces.length; i++) {
      if (!this.up[i]) continue;
      const peer = this.peerOf(i);
      if (peer >= 0 && this.up[peer]) this.union(i, peer);
      const master = this.masterOf(i);
      if (master >= 0 && this.up[master]) this.union(i, master);
    }
    // A tunnel joins its members only once their underlay connects them; tunnels may
    // ride on other tunnels, so repeat until nothing new joins.
    const groups = this.vxlanGroups();
    let changed = true;
    while (changed) {
      changed = false;
      for (const g of groups) {
        for (let x = 0; x < g.length; x++) {
          for (let y = x + 1; y < g.length; y++) {
            const a = g[x]!;
            const b = g[y]!;
            if (this.find(a) === this.find(b)) continue;
            if (this.tunnelProblem(a, b) === null && this.union(a, b)) changed = true;
          }
        }
      }
    }
  }

  /** Whether an up interface carrying `address` sits in the same L2 component as `from`. */
  ownerInComponent(from: number, address: number): number {
    const owners = this.upOwners.get(address);
    if (!owners) return -1;
    const root = this.find(from);
    for (const o of owners) if (this.find(o) === root) return o;
    // Weak host model: a namespace answers ARP for any of its local addresses on any interface.
    const nss = this.localOwners.get(address) ?? [];
    for (const ns of nss) {
      for (const i of this.nsIfaces[ns]!) if (this.up[i] && this.find(i) === root) return i;
    }
    return -1;
  }

  /** Why VXLAN members a and b cannot exchange frames right now, or null if they can. */
  tunnelProblem(a: number, b: number): 'down' | 'fdb' | 'underlay' | null {
    if (!this.up[a] || !this.up[b]) return 'down';
    const va = this.ifaces[a]!.vxlan!;
    const vb = this.ifaces[b]!.vxlan!;
    // Head-end replication: each side floods only to the remotes it lists, and ARP needs both ways.
    if (!va.remotes.includes(vb.local) || !vb.remotes.includes(va.local)) return 'fdb';
    const ua = this.underlayOf(a);
    const ub = this.underlayOf(b);
    if (ua < 0 || ub < 0 || !this.up[ua] || !this.up[ub]) return 'underlay';
    if (this.ownerInComponent(ua, this.local[b]!) < 0) return 'underlay';
    if (this.ownerInComponent(ub, this.local[a]!) < 0) return 'underlay';
    return null;
  }

  private buildTables(reuse: Reuse | null): void {
    // A namespace added by a route below (not listed) is past `from`: built.
    const taken = (ns: number) => reuse !== null && (reuse.from[ns] ?? -1) >= 0;
    // Made for the namespaces whose tables are built only (a re-analysis takes most of them).
    const connected: (Route[] | undefined)[] = [];
    const written: (Route[] | undefined)[] = [];
    for (let i = 0; i < this.ifaces.length; i++) {
      if (!this.up[i] || this.addr[i]! < 0 || taken(this.ifaceNs[i]!)) continue;
      const len = this.plen[i]!;
      // biome-ignore lint/suspicious/noAssignInExpressions: made on first use
      (connected[this.ifaceNs[i]!] ??= []).push({
        net: netOf(this.addr[i]!, len),
        len,
        dev: i,
        via: -1,
        spec: null,
        id: -1,
        at: -1,
      });
    }
    const dsts = new Map<string, { net: number; len: number }>();
    const vias = new Map<string | undefined, number>();
    // A namespace's routes come in a run (resolve lists them so): its index is looked up once per
    // run, not once per route (7,193 lookups at 1,000 elements, most of them for a taken table).
    let lastName: string | null = null;
    let ns = -1;
    for (const spec of this.topology.routes) {
      if (spec.netns !== lastName) {
        lastName = spec.netns;
        ns = this.ns(lastName);
      }
      if (taken(ns)) continue;
      if (spec.origin === 'computed') this.nsHasComputed[ns] = true;
      if (spec.origin === 'static') this.nsHasStatic[ns] = true;
      // Thousands of routes name a few hundred prefixes and gateways: each text is read once.
      let dst = dsts.get(spec.to);
      if (!dst) {
        const to = spec.to === 'default' ? { addr: 0, len: 0 } : parseIf(spec.to);
        const len = to?.len ?? 32;
        dst = { net: netOf(to?.addr ?? -1, len), len };
        dsts.set(spec.to, dst);
      }
      const { net, len } = dst;
      const dev = this.ifaceIn(ns, spec.dev);
      let via = vias.get(spec.via);
      if (via === undefined) {
        via = parseIp(spec.via) ?? -1;
        vias.set(spec.via, via);
      }
      const problem = this.routeProblem(ns, dev, via, spec);
      if (problem) {
        this.broken[ns]!.push({
          net,
          len,
          dev,
          spec,
          problem: problem.reason,
          blame: problem.blame,
        });
        continue;
      }
      // A written route for a prefix that is already connected is refused by the kernel (File exists).
      if (connected[ns]?.some((r) => r.net === net && r.len === len)) continue;
      // biome-ignore lint/suspicious/noAssignInExpressions: made on first use
      (written[ns] ??= []).push({ net, len, dev, via, spec, id: -1, at: -1 });
    }
    for (let ns = 0; ns < this.tables.length; ns++) {
      if (taken(ns)) {
        const { old, from } = reuse!;
        const o = from[ns]!;
        this.tables[ns] = old.tables[o]!;
        this.broken[ns] = old.broken[o]!;
        this.nsHasComputed[ns] = old.nsHasComputed[o]!;
        this.nsHasStatic[ns] = old.nsHasStatic[o]!;
        continue;
      }
      const table = [...(connected[ns] ?? []), ...(written[ns] ?? [])];
      // Longest prefix first; Array.prototype.sort is stable, so ties keep kernel insertion order.
      table.sort((x, y) => y.len - x.len);
      for (let at = 0; at < table.length; at++) {
        table[at]!.at = at;
        table[at]!.id = this.routeCount++;
      }
      this.tables[ns] = table;
    }
  }

  /** The kernel refuses `route add … via G dev D` when D is missing or down, or G is not on D's subnet. */
  private routeProblem(ns: number, dev: number, via: number, spec: RouteSpec): Failure | null {
    const el = this.nsElement[ns]!;
    if (dev < 0)
      return {
        reason: `${el} has no interface ${spec.dev} for its route to ${spec.to}`,
        blame: [el],
      };
    if (!this.up[dev]) {
      const link = this.ifaces[dev]!.link;
      const cut =
        link && this.linkState.get(link) === 'down'
          ? `the link ${link} is down`
          : `${el}'s interface ${spec.dev} is down`;
      return { reason: `${cut}, so ${el} has no route to ${DST}`, blame: link ? [link, el] : [el] };
    }
    if (
      this.addr[dev]! < 0 ||
      netOf(via, this.plen[dev]!) !== netOf(this.addr[dev]!, this.plen[dev]!)
    ) {
      return {
        reason: `${el}'s route to ${spec.to} via ${spec.via} is unusable: ${spec.via} is not on the subnet of ${spec.dev}`,
        blame: [el],
      };
    }
    return null;
  }

  anyLocalAddress(ns: number): number {
    for (const i of this.nsIfaces[ns]!) if (this.up[i] && this.addr[i]! >= 0) return this.addr[i]!;
    return -1;
  }

  /** The interface of namespace `ns` that a frame sent on `from` reaches, or -1. */
  arrivalIn(from: number, ns: number): number {
    for (const i of this.nsIfaces[ns]!)
      if (this.up[i] && this.find(i) === this.find(from)) return i;
    return -1;
  }
}

/** Past this many addresses above its base, an edit's owner maps are built whole again. */
const MAX_OWNERS_ABOVE = 64;

/**
 * Address → owners (interfaces, or namespaces), in interface order: a flat map built from every
 * interface (`base`), and above it the addresses whose owners an edit since then changed (`top`,
 * undefined for an address nobody holds any more). An edit that keeps every interface at its
 * index and key changes the owners of the addresses its interfaces had or have only: building
 * the three maps again (a thousand addresses, most of them not small integers) was the dearest
 * part of indexing the interfaces.
 */
export class Owners {
  static readonly EMPTY = new Owners(new Map(), null);

  constructor(
    private readonly base: ReadonlyMap<number, readonly number[]>,
    private readonly top: ReadonlyMap<number, readonly number[] | undefined> | null,
  ) {}

  /**
   * The same owners as one flat map (this one when it has nothing above its base): for a run
   * that asks them for every pair (a re-analysis that falls back on a full one), one lookup per
   * question instead of two, for one copy of the map.
   */
  flat(): Owners {
    if (this.top === null) return this;
    const merged = new Map(this.base);
    for (const [a, list] of this.top) {
      if (list === undefined) merged.delete(a);
      else merged.set(a, list);
    }
    return new Owners(merged, null);
  }

  get(address: number): readonly number[] | undefined {
    const top = this.top;
    if (top?.has(address)) return top.get(address);
    return this.base.get(address);
  }

  /**
   * The any, up and local owners of `now` from those of `old`, whose interfaces have the same
   * keys at the same indices (and whose maps are already built); null when too many addresses
   * changed since the base was built (then they are built whole).
   */
  static after(old: NetModel, now: NetModel): [Owners, Owners, Owners] | null {
    // The addresses of every interface whose address, state or namespace changed, before and after.
    const moved = new Set<number>();
    const n = now.ifaces.length;
    for (let i = 0; i < n; i++) {
      const a = now.addr[i]!;
      const b = old.addr[i]!;
      if (a !== b || now.up[i] !== old.up[i] || now.ifaceNs[i] !== old.ifaceNs[i]) {
        if (a >= 0) moved.add(a);
        if (b >= 0) moved.add(b);
      }
    }
    const was = old.anyOwners;
    if (moved.size === 0) return [was, old.upOwners, old.localOwners];
    const above = was.top;
    // The addresses above the base before that this edit did not touch keep their owners.
    let size = moved.size;
    if (above) for (const a of above.keys()) if (!moved.has(a)) size++;
    if (size > MAX_OWNERS_ABOVE) return null;
    const any = new Map<number, readonly number[] | undefined>();
    const up = new Map<number, readonly number[] | undefined>();
    const local = new Map<number, readonly number[] | undefined>();
    if (above) {
      const oldUp = old.upOwners.top!;
      const oldLocal = old.localOwners.top!;
      for (const [a, list] of above) {
        if (moved.has(a)) continue;
        any.set(a, list);
        up.set(a, oldUp.get(a));
        local.set(a, oldLocal.get(a));
      }
    }
    // Who has `a` now: whoever had it before and still has it, and the changed interfaces that
    // have it now; in interface order, as a whole build pushes them.
    const changed: number[] = [];
    for (let i = 0; i < n; i++)
      if (
        now.addr[i] !== old.addr[i] ||
        now.up[i] !== old.up[i] ||
        now.ifaceNs[i] !== old.ifaceNs[i]
      )
        changed.push(i);
    for (const a of moved) {
      const holders = new Set<number>();
      for (const i of was.get(a) ?? []) if (now.addr[i] === a) holders.add(i);
      for (const i of changed) if (now.addr[i] === a) holders.add(i);
      const list = [...holders].sort((x, y) => x - y);
      const ups = list.filter((i) => now.up[i]);
      const nss: number[] = [];
      for (const i of list) if (!nss.includes(now.ifaceNs[i]!)) nss.push(now.ifaceNs[i]!);
      any.set(a, list.length > 0 ? list : undefined);
      up.set(a, ups.length > 0 ? ups : undefined);
      local.set(a, nss.length > 0 ? nss : undefined);
    }
    return [
      new Owners(was.base, any),
      new Owners(old.upOwners.base, up),
      new Owners(old.localOwners.base, local),
    ];
  }
}
