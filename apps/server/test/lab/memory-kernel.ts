/**
 * FOR LAB-LAYER TESTS ONLY — an in-memory kernel behind the lab engine's
 * KernelPort. It keeps namespaces, devices, addresses, routes, fdb entries
 * and sysctls, applies each op as iproute2 would (with iproute2's messages
 * for what it refuses), and reads them back as an ObservedState, so apply,
 * diff-verify, undo, deferred undo and the reserve run without root. It
 * proves the lab layer's logic, nothing about a kernel: the real-kernel
 * tests (*.kernel.test.ts) do that.
 *
 * Faults a test can inject:
 * - `refuse(pred, message)`: the op is refused with that message;
 * - `ignore(pred)`: the op "succeeds" but changes nothing (verify must see it);
 * - `processes = false`: no new process can start (EMFILE). Ops run only on
 *   a worker already running: the root namespace's once `reserve()` pinned
 *   it (netns add/del/set run there), a namespace's once it ran an op;
 *   `closeWorkers()` closes the unpinned ones (idle close, eviction);
 * - `afterOp`: called after each op that changed something, to change the
 *   conditions half-way through a run.
 */
import type {
  ObservedFdb,
  ObservedIface,
  ObservedRoute,
  ObservedState,
  Op,
} from '@netcanvas/shared';
import { emptyObserved, labOfNetns } from '@netcanvas/shared';
import type { Capabilities } from '../../src/kernel/caps.js';
import type { EngineKernel } from '../../src/lab/lab-engine.js';

type Device = ObservedIface & { peer?: { netns: string; dev: string }; explicitMtu?: boolean };

interface Netns {
  nsid: number | null;
  /** A name in /run/netns with no namespace behind it (an interrupted `ip netns add`). */
  halfMade: boolean;
  devices: Map<string, Device>;
  routes: Map<string, ObservedRoute>;
  fdb: ObservedFdb[];
  sysctls: Map<string, string>;
}

/** The keys observe() can read back (netconf); the others are set but never seen. */
const OBSERVABLE = [
  'net.ipv4.ip_forward',
  'net.ipv4.conf.all.rp_filter',
  'net.ipv4.conf.default.rp_filter',
];
/** Ops the root namespace's worker runs (`ip netns …`); every other op runs inside op.netns. */
const ROOT_OPS = new Set<Op['op']>(['netns.add', 'netns.del', 'netns.nsid']);

class Refusal extends Error {}

const ownedBy = (lab: string, ns: string) => labOfNetns(ns) === lab;

/** What a machine with veth, bridge and vxlan and no tools can do (the in-memory engines' answer). */
export function memoryCapabilities(root: boolean): Capabilities {
  return {
    root,
    iproute2: 'memory',
    kinds: {
      veth: true,
      bridge: true,
      vxlan: true,
      vlan8021q: false,
      vlanFiltering: false,
      netem: false,
      tbf: false,
    },
    tools: { ping: null, traceroute: null, tcpdump: null },
  };
}

export class MemoryKernel implements EngineKernel {
  readonly spaces = new Map<string, Netns>();
  /** Every op that changed something, in order. */
  readonly log: Op[] = [];
  /** False: no process can be started (every descriptor is taken). */
  processes = true;
  afterOp: ((op: Op) => void) | null = null;
  private readonly workers = new Set<string>();
  private reserved = 0;
  private nextIfindex = 2;
  private nextNsid = 0;
  private readonly refusals: { pred: (op: Op) => boolean; message: string }[] = [];
  private readonly ignored: ((op: Op) => boolean)[] = [];

  refuse(pred: (op: Op) => boolean, message: string): void {
    this.refusals.push({ pred, message });
  }
  ignore(pred: (op: Op) => boolean): void {
    this.ignored.push(pred);
  }
  /** Closes every worker but a pinned reserve, as the runner's idle timers do. */
  closeWorkers(): void {
    this.workers.clear();
  }
  /** Clears injected refusals and ignores. */
  heal(): void {
    this.refusals.length = 0;
    this.ignored.length = 0;
  }

  async capabilities(): Promise<Capabilities> {
    return memoryCapabilities(true);
  }

  async listLabs(): Promise<string[]> {
    const labs = new Set<string>();
    for (const ns of this.spaces.keys()) {
      const lab = labOfNetns(ns);
      if (lab) labs.add(lab);
    }
    return [...labs].sort();
  }

  /** What each observe read: the namespaces asked for, or 'all'. */
  readonly reads: (string[] | 'all')[] = [];

  async observe(lab: string, only?: readonly string[]): Promise<ObservedState> {
    this.reads.push(only ? [...only] : 'all');
    const names = [...this.spaces.keys()]
      .filter((n) => ownedBy(lab, n) && (!only || only.includes(n)))
      .sort();
    const state: ObservedState = {
      ...emptyObserved(lab),
      nsids: {},
      halfMade: [],
    };
    for (const name of names) {
      const ns = this.spaces.get(name)!;
      if (ns.halfMade) {
        state.halfMade!.push(name);
        continue;
      }
      state.netns.push(name);
      if (ns.nsid !== null) state.nsids![name] = ns.nsid;
      for (const d of ns.devices.values()) {
        const { peer: _peer, explicitMtu: _explicit, ...iface } = d;
        state.interfaces.push({ ...iface, addresses: [...d.addresses], mtu: this.mtuOf(ns, d) });
      }
      state.routes.push(...[...ns.routes.values()].map((r) => ({ ...r })));
      state.fdb.push(...ns.fdb.map((f) => ({ ...f })));
      for (const key of OBSERVABLE) {
        const value = ns.sysctls.get(key);
        if (value !== undefined) state.sysctls.push({ netns: name, key, value });
      }
    }
    return state;
  }

  async repair(lab: string): Promise<string[]> {
    const broken = [...this.spaces]
      .filter(([n, ns]) => ownedBy(lab, n) && ns.halfMade)
      .map(([n]) => n);
    for (const n of broken) this.spaces.delete(n);
    return broken;
  }

  async deleteLab(lab: string): Promise<string[]> {
    const names = [...this.spaces.keys()].filter((n) => ownedBy(lab, n)).sort();
    for (const n of names) this.deleteNetns(n);
    return names;
  }

  async ping(): Promise<{ ok: boolean; output: string }> {
    return { ok: false, output: 'the memory kernel carries no packets' };
  }

  /** Pins the root namespace's worker, as the runner's reserve does; rejects when it cannot start. */
  async reserve(): Promise<() => void> {
    if (!this.startWorker(''))
      throw new Error('`ip -force -batch -` could not be started (EMFILE)');
    this.reserved++;
    let released = false;
    return () => {
      if (!released) this.reserved--;
      released = true;
    };
  }

  /** A name left in /run/netns by an `ip netns add` killed half-way. */
  halfMake(name: string): void {
    this.spaces.set(name, this.blank(true));
  }

  async run(
    ops: Op[],
    opts: { tolerateMissing?: boolean; onProgress?: (done: number) => void } = {},
  ): Promise<
    { ok: true } | { ok: false; index: number; message: string; ran: number[]; spawn?: boolean }
  > {
    const ran: number[] = [];
    for (const [index, op] of ops.entries()) {
      const where = ROOT_OPS.has(op.op) ? '' : op.netns;
      if (!this.startWorker(where) || (op.op === 'sysctl' && !this.processes)) {
        // sysctl lines run as processes of their own (`ip netns exec … sysctl`).
        const argv =
          op.op === 'sysctl'
            ? `ip netns exec ${op.netns} sysctl`
            : `ip${where ? ` -n ${where}` : ''} -force -batch -`;
        return {
          ok: false,
          index,
          ran,
          spawn: true,
          message: `\`${argv}\` could not be started (EMFILE: this process has no file descriptor left)`,
        };
      }
      try {
        const refusal = this.refusals.find((r) => r.pred(op));
        if (refusal) throw new Refusal(refusal.message);
        if (!this.ignored.some((p) => p(op))) {
          this.apply(op);
          this.afterOp?.(op);
        }
      } catch (err) {
        if (!(err instanceof Refusal)) throw err;
        const gone = /Cannot find device|No such|Cannot assign requested address/.test(err.message);
        const deletion = /\.(del|nomaster)$/.test(op.op);
        if (!(opts.tolerateMissing && deletion && gone))
          return { ok: false, index, message: err.message, ran };
      }
      ran.push(index);
      opts.onProgress?.(ran.length);
    }
    return { ok: true };
  }

  private startWorker(where: string): boolean {
    if (where === '' && this.reserved > 0) return true;
    if (this.workers.has(where)) return true;
    if (!this.processes) return false;
    this.workers.add(where);
    return true;
  }

  private blank(halfMade = false): Netns {
    return {
      nsid: null,
      halfMade,
      devices: new Map(),
      routes: new Map(),
      fdb: [],
      sysctls: new Map([
        ['net.ipv4.ip_forward', '0'],
        ['net.ipv4.conf.all.rp_filter', '2'],
        ['net.ipv4.conf.default.rp_filter', '2'],
      ]),
    };
  }

  private ns(name: string): Netns {
    const ns = this.spaces.get(name);
    if (!ns || ns.halfMade)
      throw new Refusal(`Cannot open network namespace "${name}": No such file or directory`);
    return ns;
  }

  private dev(ns: Netns, name: string) {
    const d = ns.devices.get(name);
    if (!d) throw new Refusal(`Cannot find device "${name}"`);
    return d;
  }

  private add(
    netns: string,
    name: string,
    kind: string,
    mtu: number,
    extra: Partial<Device> = {},
  ): Device {
    const ns = this.ns(netns);
    if (ns.devices.has(name)) throw new Refusal('RTNETLINK answers: File exists');
    const ifindex = this.nextIfindex++;
    const mac = `02:00:00:00:${(ifindex >> 8).toString(16).padStart(2, '0')}:${(ifindex & 255).toString(16).padStart(2, '0')}`;
    const d: Device = {
      netns,
      name,
      ifindex,
      kind,
      up: false,
      operstate: 'DOWN',
      master: null,
      mtu,
      mac,
      addresses: [],
      ...extra,
    };
    ns.devices.set(name, d);
    return d;
  }

  /** A bridge with no MTU of its own has the smallest of its ports' (1500 without ports). */
  private mtuOf(ns: Netns, d: Device): number {
    if (d.kind !== 'bridge' || d.explicitMtu) return d.mtu;
    const ports = [...ns.devices.values()].filter((p) => p.master === d.name).map((p) => p.mtu);
    return ports.length > 0 ? Math.min(...ports) : 1500;
  }

  private deleteDevice(netns: string, name: string): void {
    const ns = this.ns(netns);
    const d = this.dev(ns, name);
    ns.devices.delete(name);
    for (const [to, r] of ns.routes) if (r.dev === name) ns.routes.delete(to);
    ns.fdb = ns.fdb.filter((f) => f.dev !== name);
    for (const p of ns.devices.values()) if (p.master === name) p.master = null;
    if (d.peer && this.spaces.get(d.peer.netns)?.devices.has(d.peer.dev))
      this.deleteDevice(d.peer.netns, d.peer.dev);
  }

  private deleteNetns(name: string): void {
    const ns = this.spaces.get(name);
    if (!ns)
      throw new Refusal(
        `Cannot remove namespace file "/run/netns/${name}": No such file or directory`,
      );
    for (const d of [...ns.devices.values()])
      if (d.peer && this.spaces.get(d.peer.netns)?.devices.has(d.peer.dev))
        this.deleteDevice(d.peer.netns, d.peer.dev);
    this.spaces.delete(name);
    this.workers.delete(name);
  }

  private apply(op: Op): void {
    switch (op.op) {
      case 'netns.add':
        if (this.spaces.has(op.netns))
          throw new Refusal(`Cannot create namespace file "/run/netns/${op.netns}": File exists`);
        this.spaces.set(op.netns, this.blank());
        break;
      case 'netns.del':
        this.deleteNetns(op.netns);
        break;
      case 'netns.nsid': {
        const ns = this.ns(op.netns);
        if (ns.nsid !== null) throw new Refusal('RTNETLINK answers: File exists');
        ns.nsid = this.nextNsid++;
        break;
      }
      case 'sysctl':
        this.ns(op.netns).sysctls.set(op.key, op.value);
        break;
      case 'bridge.add':
        this.add(op.netns, op.dev, 'bridge', op.mtu ?? 1500, { explicitMtu: op.mtu !== undefined });
        break;
      case 'veth.add': {
        this.ns(op.peerNetns);
        if (this.ns(op.peerNetns).devices.has(op.peer))
          throw new Refusal('RTNETLINK answers: File exists');
        const a = this.add(op.netns, op.dev, 'veth', op.mtu ?? 1500, op.mac ? { mac: op.mac } : {});
        const b = this.add(
          op.peerNetns,
          op.peer,
          'veth',
          op.mtu ?? 1500,
          op.peerMac ? { mac: op.peerMac } : {},
        );
        a.peer = { netns: op.peerNetns, dev: op.peer };
        b.peer = { netns: op.netns, dev: op.dev };
        break;
      }
      case 'vxlan.add': {
        const ns = this.ns(op.netns);
        const under = this.dev(ns, op.underlayDev);
        if (
          [...ns.devices.values()].some((d) => d.vxlan?.vni === op.vni && d.vxlan.port === op.port)
        )
          throw new Refusal('Error: A VXLAN device with the specified VNI already exists.');
        this.add(op.netns, op.dev, 'vxlan', op.mtu ?? this.mtuOf(ns, under) - 50, {
          vxlan: { vni: op.vni, port: op.port, local: op.local, underlayDev: op.underlayDev },
        });
        break;
      }
      case 'link.del':
        this.deleteDevice(op.netns, op.dev);
        break;
      case 'link.master': {
        const ns = this.ns(op.netns);
        const d = this.dev(ns, op.dev);
        if (this.dev(ns, op.master).kind !== 'bridge')
          throw new Refusal('RTNETLINK answers: Operation not supported');
        d.master = op.master;
        break;
      }
      case 'link.nomaster':
        this.dev(this.ns(op.netns), op.dev).master = null;
        break;
      case 'link.mtu': {
        const d = this.dev(this.ns(op.netns), op.dev);
        d.mtu = op.mtu;
        d.explicitMtu = true;
        break;
      }
      case 'link.state': {
        const ns = this.ns(op.netns);
        if (op.dev === 'lo') break;
        const d = this.dev(ns, op.dev);
        d.up = op.state === 'up';
        d.operstate = d.up ? 'UP' : 'DOWN';
        // The kernel drops the IPv4 routes of a device that goes down.
        if (!d.up) for (const [to, r] of ns.routes) if (r.dev === op.dev) ns.routes.delete(to);
        break;
      }
      case 'addr.add': {
        const d = this.dev(this.ns(op.netns), op.dev);
        if (d.addresses.includes(op.address)) throw new Refusal('RTNETLINK answers: File exists');
        d.addresses.push(op.address);
        break;
      }
      case 'addr.del': {
        const d = this.dev(this.ns(op.netns), op.dev);
        if (!d.addresses.includes(op.address))
          throw new Refusal('RTNETLINK answers: Cannot assign requested address');
        d.addresses = d.addresses.filter((a) => a !== op.address);
        break;
      }
      case 'fdb.append': {
        const ns = this.ns(op.netns);
        const d = this.dev(ns, op.dev);
        if (ns.fdb.some((f) => f.dev === op.dev && f.dst === op.dst))
          throw new Refusal('RTNETLINK answers: File exists');
        ns.fdb.push({ netns: op.netns, dev: d.name, mac: '00:00:00:00:00:00', dst: op.dst });
        break;
      }
      case 'fdb.del': {
        const ns = this.ns(op.netns);
        const before = ns.fdb.length;
        ns.fdb = ns.fdb.filter((f) => !(f.dev === op.dev && f.dst === op.dst));
        if (ns.fdb.length === before)
          throw new Refusal('RTNETLINK answers: No such file or directory');
        break;
      }
      case 'route.add': {
        const ns = this.ns(op.netns);
        const d = this.dev(ns, op.dev);
        if (!d.up) throw new Refusal('Error: Nexthop device is not up.');
        if (ns.routes.has(op.to)) throw new Refusal('RTNETLINK answers: File exists');
        ns.routes.set(op.to, { netns: op.netns, to: op.to, via: op.via, dev: op.dev });
        break;
      }
      case 'route.del': {
        const ns = this.ns(op.netns);
        if (!ns.routes.delete(op.to)) throw new Refusal('RTNETLINK answers: No such process');
        break;
      }
      default: {
        const never: never = op;
        throw new Error(`the memory kernel has no ${(never as Op).op}`);
      }
    }
    this.log.push(op);
  }
}
