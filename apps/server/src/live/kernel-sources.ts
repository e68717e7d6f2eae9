/**
 * Live sources backed by the kernel layer: one `ip -o monitor link
 * all-nsid` for immediate link changes, and readCounters (one `ip -j -s link
 * show` per namespace through the runner's workers) for state and counters.
 *
 * Pass the engine's runner when there is one: a worker lives inside its
 * namespace, and the engine closes its own workers before deleting a lab's
 * namespaces; workers of a second runner would keep a destroyed lab's
 * namespace (and its devices) alive until they idle out.
 */
import type { Logger } from 'pino';
import { readCounters } from '../kernel/counters.js';
import { LinkMonitor } from '../kernel/monitor.js';
import { Runner } from '../kernel/runner.js';
import type { InterfaceObservation, InterfaceSample, LiveSources } from './sources.js';

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
      const rows = await readCounters(netns, runner);
      return rows.map(({ ifname, ...rest }) => ({ ...rest, dev: ifname }));
    },
    async close() {
      await monitor?.close();
      await ownRunner?.close();
    },
  };
}
