/**
 * counters — interface byte and packet counters, polled (the kernel pushes none).
 *
 *   const rows = await readCounters(['nc-lab.r1', 'nc-lab'], runner);
 *   // [{ netns, ifname, up, operstate, rxBytes, txBytes, rxPackets, txPackets }]
 *
 * One `-s link show` query per namespace through the runner's long-lived
 * workers; the server turns two samples into rates. The same listing carries
 * each device's state, so a poller needs no second query for it.
 * Namespaces that do not exist (a lab not deployed) or vanished between
 * listing and reading are left out, and no worker is started for them.
 */
import fs from 'node:fs';
import { halfMadeNetns } from './half-made.js';
import { NETNS_DIR } from './netns.js';
import type { Runner } from './runner.js';

export interface IfaceCounters {
  netns: string;
  ifname: string;
  /** Administrative state (IFF_UP). */
  up: boolean;
  /** Operational state as the kernel reports it ('UP', 'DOWN', 'LOWERLAYERDOWN', 'UNKNOWN'). */
  operstate: string;
  rxBytes: number;
  txBytes: number;
  rxPackets: number;
  txPackets: number;
}

interface StatsLink {
  ifname: string;
  flags?: string[];
  operstate?: string;
  link_type?: string;
  stats64?: {
    rx?: { bytes?: number; packets?: number };
    tx?: { bytes?: number; packets?: number };
  };
}

export async function readCounters(netns: string[], runner: Runner): Promise<IfaceCounters[]> {
  const per = await Promise.all(
    netns.map(async (ns) => {
      if (!fs.existsSync(`${NETNS_DIR}/${ns}`)) return [];
      let links: StatsLink[];
      try {
        links = await runner.query<StatsLink[]>(ns, ['-s', 'link', 'show']);
      } catch (e) {
        // Gone, or a half-made name with nothing to read: no interfaces.
        if (!fs.existsSync(`${NETNS_DIR}/${ns}`) || halfMadeNetns([ns]).length > 0) return [];
        throw e;
      }
      return links
        .filter((l) => l.link_type !== 'loopback')
        .map((l) => ({
          netns: ns,
          ifname: l.ifname,
          up: (l.flags ?? []).includes('UP'),
          operstate: l.operstate ?? 'UNKNOWN',
          rxBytes: l.stats64?.rx?.bytes ?? 0,
          txBytes: l.stats64?.tx?.bytes ?? 0,
          rxPackets: l.stats64?.rx?.packets ?? 0,
          txPackets: l.stats64?.tx?.packets ?? 0,
        }));
    }),
  );
  return per.flat();
}

export type IfaceTraffic = Omit<IfaceCounters, 'up' | 'operstate'>;

/**
 * Counters only, without asking iproute2: /proc/PID/net/dev of a process
 * inside each namespace (the runner's query worker, kept alive) lists every
 * device of that namespace with the same 64-bit counters as `-s link show`.
 * One procfs read per namespace instead of a netlink dump, a JSON print and
 * a JSON parse: what a 1 Hz poll of hundreds of interfaces can afford.
 * Missing namespaces are left out; a namespace re-created while it was read
 * (the process's namespace is no longer /run/netns/NS) yields null, and the
 * caller falls back to readCounters.
 */
export async function readTraffic(
  netns: string[],
  runner: Runner,
): Promise<Map<string, IfaceTraffic[] | null>> {
  const out = new Map<string, IfaceTraffic[] | null>();
  await Promise.all(
    netns.map(async (ns) => {
      if (!fs.existsSync(`${NETNS_DIR}/${ns}`)) return;
      let rows: IfaceTraffic[] | null = null;
      try {
        const pid = await runner.netnsPid(ns);
        if (pid) {
          // Synchronous on purpose: procfs answers from memory, and hundreds of
          // thread-pool round trips a second cost more than the reads.
          const text = fs.readFileSync(`/proc/${pid}/net/dev`, 'utf8');
          const mine = fs.statSync(`/proc/${pid}/ns/net`);
          const named = fs.statSync(`${NETNS_DIR}/${ns}`);
          if (mine.ino === named.ino && mine.dev === named.dev) rows = parseNetDev(ns, text);
        }
      } catch {
        rows = null;
      }
      // Gone, or a half-made name (nothing mounted): nothing to read, and no fallback listing either.
      if (rows === null && (!fs.existsSync(`${NETNS_DIR}/${ns}`) || halfMadeNetns([ns]).length > 0))
        return;
      out.set(ns, rows);
    }),
  );
  return out;
}

/**
 * One device line of `/proc/net/dev` ("%6s:%8llu %7llu …": the name right-aligned, a colon, then
 * 8 receive and 8 transmit counters, a space before each but maybe none after the colon): the
 * name, receive bytes and packets, transmit bytes and packets. The header lines do not match.
 */
const NET_DEV_LINE = /^ *([^\s:]+): *(\d+) +(\d+)(?: +\d+){6} +(\d+) +(\d+)(?: +\d+){6}/gm;

/**
 * `/proc/net/dev`: two header lines, then `name: rx bytes packets … (8 fields) tx bytes packets …`.
 * One regular expression over the whole text: at 1 Hz over a thousand namespaces, splitting every
 * line into numbers cost the server about 1 % of a core.
 */
export function parseNetDev(netns: string, text: string): IfaceTraffic[] {
  const rows: IfaceTraffic[] = [];
  for (const m of text.matchAll(NET_DEV_LINE)) {
    const ifname = m[1]!;
    if (ifname === 'lo') continue;
    rows.push({
      netns,
      ifname,
      rxBytes: Number(m[2]),
      rxPackets: Number(m[3]),
      txBytes: Number(m[4]),
      txPackets: Number(m[5]),
    });
  }
  return rows;
}
