/**
 * The dashboard on the real kernel, assembled: logger, the shared runner
 * and netlink helper, live sources, engine, tools and the HTTP server. `serve` loads this module
 * when it runs, and only then, so `help` and the lab commands never load
 * Express, SQLite or the socket hub.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { defaultDataDir, type RunningServer, startServer } from '../api/server.js';
import { surviveLostSpawnErrors } from '../kernel/exec.js';
import { sharedNetlink } from '../kernel/netlink.js';
import { sharedRunner } from '../kernel/observe.js';
import { createEngine } from '../lab/index.js';
import { createKernelSources } from '../live/kernel-sources.js';
import { createLabTools } from '../tools/capture.js';

/**
 * apps/web/dist, found from apps/server's root: the nearest directory above
 * this code with a package.json (src/cli/ when run from source, dist/ or
 * one of its chunk directories when run from the build).
 */
export function webDist(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, '..', 'web', 'dist');
}

export interface DashboardOptions {
  host: string;
  port: number;
  /** Default: $XDG_DATA_HOME/netcanvas or ~/.local/share/netcanvas. */
  dataDir?: string;
  allowRemote?: boolean;
}

export interface Dashboard {
  running: RunningServer;
  /** False when apps/web/dist is not built: only the API is served. */
  webBuilt: boolean;
  /** Stops the server, then the kernel processes it kept (labs keep running). */
  close(signal?: NodeJS.Signals): Promise<void>;
}

export async function startDashboard(opts: DashboardOptions): Promise<Dashboard> {
  const logger = pino({ name: 'netcanvas' }, pino.destination(2));
  surviveLostSpawnErrors((err) => logger.warn({ err: err.message }, 'a process could not start'));
  const runner = sharedRunner();
  const netlink = sharedNetlink();
  const sources = createKernelSources({ logger, runner, netlink });
  const dataDir = opts.dataDir ?? defaultDataDir();
  const web = webDist();
  const webBuilt = existsSync(join(web, 'index.html'));
  let running: RunningServer;
  try {
    running = await startServer({
      host: opts.host,
      port: opts.port,
      dataDir,
      engine: createEngine(),
      sources,
      tools: createLabTools(dataDir),
      logger,
      ...(opts.allowRemote ? { allowRemote: true } : {}),
      ...(webBuilt ? { webRoot: web } : {}),
    });
  } catch (err) {
    await sources.close?.();
    throw err;
  }
  return {
    running,
    webBuilt,
    async close(signal) {
      logger.info({ signal }, 'shutting down; labs keep running');
      await running.close();
      await Promise.all([runner.close(), netlink.close()]);
    },
  };
}
