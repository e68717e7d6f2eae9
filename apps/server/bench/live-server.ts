/**
 * The server under test in live.bench.ts, in a process of its own so its
 * CPU (and that of the helpers it starts: query workers, `ip monitor`) can
 * be read from /proc without the benchmark's own work mixed in.
 * Wired like `netcanvas serve` (real engine, kernel live sources, one
 * shared runner and netlink helper), with the data and state directories the benchmark gives:
 *
 *   node --import tsx bench/live-server.ts DATA_DIR STATE_DIR
 *
 * Prints one JSON line `{ port, token }` when it listens; SIGTERM closes it
 * (labs are left alone, as by `serve`).
 */
import pino from 'pino';
import { startServer } from '../src/api/server.js';
import { sharedNetlink } from '../src/kernel/netlink.js';
import { sharedRunner } from '../src/kernel/observe.js';
import { createEngine } from '../src/lab/index.js';
import { createKernelSources } from '../src/live/kernel-sources.js';

const [dataDir, stateDir] = process.argv.slice(2);
if (!dataDir || !stateDir) {
  process.stderr.write('usage: live-server.ts DATA_DIR STATE_DIR\n');
  process.exit(2);
}
const logger = pino({ level: process.env.NC_BENCH_LOG ?? 'warn' }, pino.destination(2));
const sources = createKernelSources({ logger, runner: sharedRunner(), netlink: sharedNetlink() });
const running = await startServer({
  host: '127.0.0.1',
  port: 0,
  dataDir,
  engine: createEngine({ stateDir }),
  sources,
  logger,
});
process.stdout.write(`${JSON.stringify({ port: running.port, token: running.token })}\n`);
process.once('SIGTERM', () => {
  void running
    .close()
    .then(() => Promise.all([sharedRunner().close(), sharedNetlink().close()]))
    .finally(() => process.exit(0));
});
