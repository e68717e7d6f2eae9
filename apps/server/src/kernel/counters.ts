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
        if (!fs.existsSync(`${NETNS_DIR}/${ns}`)) return [];
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
