/**
 * Live sources backed by the kernel layer: one `ip -o monitor link
 * all-nsid` for immediate link changes, an inotify watch of /run/netns for
 * namespaces made or deleted, and counters: through the netlink helper when
 * one is given (every namespace's /proc/net/dev kept open and read again by
 * one process, sent only when it changed), else
 * readCounters (one `ip -j -s link show` per namespace through the runner's
 * workers).
 *
 * Pass the engine's runner when there is one: a worker lives inside its
 * namespace, and the engine closes its own workers before deleting a lab's
 * namespaces; workers of a second runner would keep a destroyed lab's
 * namespace (and its devices) alive until they idle out.
 */
import fs from 'node:fs';
import type { Logger } from 'pino';
import {
  type IfaceCounters,
  type IfaceTraffic,
  readCounters,
  readTraffic,
} from '../kernel/counters.js';
import { type LinkEvent, LinkMonitor } from '../kernel/monitor.js';
import type { NetlinkEngine } from '../kernel/netlink.js';
import { NETNS_DIR } from '../kernel/netns.js';
import { Runner } from '../kernel/runner.js';
import type { InterfaceObservation, InterfaceSample, LiveSources } from './sources.js';

/**
 * While the monitor runs, a namespace's state comes from its events and each
 * poll reads only counters (procfs); a full listing re-reads the state now
 * and then anyway, in case an event was lost. Every 2 min: the listing
 * decodes each device with pyroute2, and every 30 s it was most of the
 * counters' cost at 2,000 interfaces (a storm of 1,000 toggles a second lost
 * no event of the monitor's).
 */
const FULL_LISTING_EVERY_MS = 120_000;

type EndState = { up: boolean; operstate: string; seq: number };

/** How soon a failed or not yet possible watch of /run/netns is tried again. */
const NETNS_RETRY_MS = 2000;

export function createKernelSources(opts: {
  logger: Logger;
  runner?: Runner;
  netlink?: NetlinkEngine;
}): LiveSources {
  const ownRunner = opts.runner ? null : new Runner({ idleMs: 3000 });
  const runner = opts.runner ?? ownRunner!;
  const { netlink } = opts;
  /** Counters of `netns` and, in the same read, a full listing (with states) of `full`. */
  const read = (
    netns: string[],
    full: string[],
  ): Promise<{ traffic: Map<string, IfaceTraffic[] | null>; listing: IfaceCounters[] }> =>
    netlink
      ? netlink.orElse(
          (n) => n.netDevRead(netns, full),
          () => readApart(netns, full),
        )
      : readApart(netns, full);
  const readApart = async (netns: string[], full: string[]) => {
    const listed = new Set(full);
    const [traffic, listing] = await Promise.all([
      readTraffic(
        netns.filter((ns) => !listed.has(ns)),
        runner,
      ),
      full.length > 0 ? readCounters(full, runner) : Promise.resolve([]),
    ]);
    return { traffic, listing };
  };
  let monitor: LinkMonitor | null = null;
  let monitorLive = false;
  /** `netns/dev` → the latest state from a listing or an event; `seq` orders them. */
  const states = new Map<string, EndState>();
  /** netns → when its state was last listed in full (performance.now()). */
  const listedAt = new Map<string, number>();
  let seq = 0;
  const key = (netns: string, dev: string) => `${netns}/${dev}`;
  /** netns → `seq` when a state of it last changed (an event, a listing). */
  const changedAt = new Map<string, number>();
  /**
   * netns → the samples last made of it, from which counter rows (the reader's parse, the same
   * array while the namespace's /proc/net/dev text is the same) at which `changedAt`: a poll of a
   * lab at rest makes no sample again (2,000 made a second were most of the poll's time).
   */
  const made = new Map<string, { rows: IfaceTraffic[]; at: number; samples: InterfaceSample[] }>();

  /** Full listings of these namespaces; an event newer than the listing's start wins over it. */
  async function listFully(netns: string[]): Promise<InterfaceSample[]> {
    const startSeq = seq;
    return settle(netns, startSeq, (await read(netns, netns)).listing);
  }

  /** The states of a full listing of `netns` begun at `startSeq`, taken in. */
  function settle(netns: string[], startSeq: number, rows: IfaceCounters[]): InterfaceSample[] {
    const now = performance.now();
    const fresh = new Set(netns);
    seq += 1;
    for (const ns of netns) changedAt.set(ns, seq);
    const listed = new Set(rows.map((r) => key(r.netns, r.ifname)));
    for (const [k, s] of states) {
      const ns = k.slice(0, k.indexOf('/'));
      if (fresh.has(ns) && !listed.has(k) && s.seq <= startSeq) states.delete(k);
    }
    return rows.map(({ ifname, ...r }) => {
      const k = key(r.netns, ifname);
      const had = states.get(k);
      const s =
        had && had.seq > startSeq ? had : { up: r.up, operstate: r.operstate, seq: startSeq };
      states.set(k, s);
      // Spread the next full listings of a big lab over the period instead of one burst.
      if (!listedAt.has(r.netns))
        listedAt.set(r.netns, now - Math.random() * FULL_LISTING_EVERY_MS);
      else listedAt.set(r.netns, now);
      return { ...r, dev: ifname, up: s.up, operstate: s.operstate };
    });
  }

  return {
    watchLinks(
      onChange: (o: InterfaceObservation) => void,
      onChanges?: (os: InterfaceObservation[]) => void,
    ) {
      const seen = (e: LinkEvent): InterfaceObservation => {
        const o = {
          netns: e.netns,
          dev: e.ifname,
          up: e.deleted ? false : e.up,
          operstate: e.deleted ? 'DELETED' : e.operstate,
        };
        seq += 1;
        changedAt.set(o.netns, seq);
        if (e.deleted) states.delete(key(o.netns, o.dev));
        else states.set(key(o.netns, o.dev), { up: o.up, operstate: o.operstate, seq });
        return o;
      };
      monitor = new LinkMonitor({
        onEvent: (e) => onChange(seen(e)),
        ...(onChanges ? { onEvents: (es: LinkEvent[]) => onChanges(es.map(seen)) } : {}),
        onError: (err) => {
          monitorLive = false;
          opts.logger.warn(
            { err: err.message },
            'link monitor stopped; link states now come from polling only',
          );
        },
      });
      monitor
        .start()
        .then(() => {
          // Events from now on are seen; states listed before may be stale.
          listedAt.clear();
          monitorLive = true;
        })
        .catch((err: unknown) =>
          opts.logger.warn({ err: String(err) }, 'link monitor did not start'),
        );
      return () => {
        monitorLive = false;
        void monitor?.close();
        monitor = null;
      };
    },
    watchNetns(onChange: (name: string | null) => void) {
      // inotify on /run/netns: `ip netns add` creates a name there, `ip netns del`
      // removes it. Until the directory exists (no namespace made yet on this
      // machine), or after the watch fails, try again every few seconds.
      let watcher: fs.FSWatcher | null = null;
      let retry: NodeJS.Timeout | null = null;
      let stopped = false;
      const again = () => {
        watcher?.close();
        watcher = null;
        if (stopped || retry) return;
        retry = setTimeout(() => {
          retry = null;
          start();
        }, NETNS_RETRY_MS);
        retry.unref();
      };
      const start = () => {
        if (stopped) return;
        try {
          watcher = fs.watch(NETNS_DIR, { persistent: false }, (_event, name) =>
            onChange(name ? String(name) : null),
          );
          watcher.on('error', again);
          onChange(null); // whatever changed while nobody watched
        } catch {
          again();
        }
      };
      start();
      return () => {
        stopped = true;
        watcher?.close();
        if (retry) clearTimeout(retry);
      };
    },
    async sample(netns: string[]): Promise<InterfaceSample[]> {
      if (!monitorLive) return listFully(netns);
      const now = performance.now();
      const due = netns.filter(
        (ns) => now - (listedAt.get(ns) ?? Number.NEGATIVE_INFINITY) >= FULL_LISTING_EVERY_MS,
      );
      const dueSet = new Set(due);
      // The due listings come in the same read as the counters (one request a poll).
      const startSeq = seq;
      const got = await read(netns, due);
      const out = due.length > 0 ? settle(due, startSeq, got.listing) : [];
      const unknown: string[] = [];
      for (const [ns, rows] of got.traffic) {
        if (dueSet.has(ns)) continue;
        const at = changedAt.get(ns) ?? 0;
        const had = made.get(ns);
        if (had && had.rows === rows && had.at === at) {
          for (const x of had.samples) out.push(x);
          continue;
        }
        // A device the events have not described yet (or a failed read): list it in full.
        const samples: InterfaceSample[] = [];
        for (const r of rows ?? []) {
          const s = states.get(key(ns, r.ifname));
          if (!s) break;
          samples.push({
            netns: r.netns,
            dev: r.ifname,
            up: s.up,
            operstate: s.operstate,
            rxBytes: r.rxBytes,
            txBytes: r.txBytes,
            rxPackets: r.rxPackets,
            txPackets: r.txPackets,
          });
        }
        if (!rows || samples.length < rows.length) {
          made.delete(ns);
          unknown.push(ns);
          continue;
        }
        made.set(ns, { rows, at, samples });
        for (const x of samples) out.push(x);
      }
      // What was asked for and not read is gone; what nobody asks for any more goes in time.
      for (const ns of netns) if (!got.traffic.has(ns)) made.delete(ns);
      if (made.size > 4 * netns.length + 4096) made.clear();
      if (unknown.length > 0) out.push(...(await listFully(unknown)));
      return out;
    },
    async close() {
      monitorLive = false;
      await monitor?.close();
      await ownRunner?.close();
    },
  };
}
