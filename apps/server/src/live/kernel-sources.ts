/**
 * Live sources backed by the kernel layer: one `ip -o monitor link
 * all-nsid` for immediate link changes, and `ip -j -s link show` through the
 * runner's per-namespace workers for state and counters.
 *
 * Pass the engine's runner when there is one: a worker lives inside its
 * namespace, and the engine closes its own workers before deleting a lab's
 * namespaces; workers of a second runner would keep a destroyed lab's
 * namespace (and its devices) alive until they idle out.
 */
import fs from 'node:fs';
import type { Logger } from 'pino';
import { LinkMonitor } from '../kernel/monitor.js';
import { NETNS_DIR } from '../kernel/netns.js';
import { Runner } from '../kernel/runner.js';
import type { InterfaceObservation, InterfaceSample, LiveSources } from './sources.js';

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

export function createKernelSources(opts: { logger: Logger; runner?: Runner }): LiveSources {
  const ownRunner = opts.runner ? null : new Runner({ idleMs: 3000 });
  const runner = opts.runner ?? ownRunner!;
  let monitor: LinkMonitor | null = null;

  return {
    watchLinks(onChange: (o: InterfaceObservation) => void) {
      monitor = new LinkMonitor({
        onEvent: (e) =>
          onChange({
            netns: e.netns,
            dev: e.ifname,
            up: e.deleted ? false : e.up,
            operstate: e.deleted ? 'DELETED' : e.operstate,
          }),
        onError: (err) =>
          opts.logger.warn(
            { err: err.message },
            'link monitor stopped; link states now come from polling only',
          ),
      });
      monitor
        .start()
        .catch((err: unknown) =>
          opts.logger.warn({ err: String(err) }, 'link monitor did not start'),
        );
      return () => {
        void monitor?.close();
        monitor = null;
      };
    },
    async sample(netns: string[]): Promise<InterfaceSample[]> {
      const per = await Promise.all(
        netns.map(async (ns) => {
          // A lab that is not deployed has no namespaces: nothing to read, and no worker to start.
          if (!fs.existsSync(`${NETNS_DIR}/${ns}`)) return [];
          let links: StatsLink[];
          try {
            links = await runner.query<StatsLink[]>(ns, ['-s', 'link', 'show']);
          } catch (err) {
            if (!fs.existsSync(`${NETNS_DIR}/${ns}`)) return [];
            throw err;
          }
          return links
            .filter((l) => l.link_type !== 'loopback')
            .map((l) => ({
              netns: ns,
              dev: l.ifname,
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
    },
    async close() {
      await monitor?.close();
      await ownRunner?.close();
    },
  };
}
