/**
 * Puts the app and the socket on one HTTP listener, and takes them down
 * again in order: sockets, pollers, the HTTP server, then the database.
 * Labs are never touched on shutdown: they belong to the kernel and keep
 * running until someone destroys them.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { recordHints } from '@netcanvas/shared';
import pino, { type Logger } from 'pino';
import type { Engine } from '../lab/engine.js';
import { LiveHub } from '../live/hub.js';
import { type LiveSources, noLiveSources } from '../live/sources.js';
import { openStore, type Store } from '../store/store.js';
import type { LabTools } from '../tools/lab-tools.js';
import { createApp } from './app.js';
import { isLoopbackAddress, loopbackHosts } from './security.js';
import { attachWebSocket, type WsDeps } from './ws.js';

export interface ListenOptions {
  store: Store;
  engine: Engine;
  logger: Logger;
  host?: string;
  /** 0: an ephemeral port (tests). */
  port?: number;
  token?: string;
  sources?: LiveSources;
  tools?: LabTools;
  webRoot?: string;
  /** Required to bind to anything but loopback. */
  allowRemote?: boolean;
  ws?: Pick<WsDeps, 'heartbeatMs' | 'rate' | 'limits' | 'maxTopics' | 'maxClients'>;
}

export interface RunningServer {
  server: Server;
  hub: LiveHub;
  url: string;
  port: number;
  token: string;
  /** The URL to open once: it trades the token for a cookie. */
  loginUrl: string;
  close(): Promise<void>;
}

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export async function listen(opts: ListenOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopbackAddress(host) && !opts.allowRemote) {
    throw new Error(
      `refusing to listen on ${host}: netcanvas runs as root and changes the kernel; pass --allow-remote if you really mean it`,
    );
  }
  if (host === '0.0.0.0' || host === '::') {
    // The Host allowlist needs the address clients will type; a wildcard has none.
    throw new Error(
      `listen on the address clients will use (e.g. --host 192.0.2.10), not the wildcard ${host}`,
    );
  }
  const token = opts.token ?? newToken();
  const allowedHosts: string[] = [];
  const hub = new LiveHub({
    store: opts.store,
    engine: opts.engine,
    sources: opts.sources ?? noLiveSources,
    logger: opts.logger,
  });
  const app = createApp({
    store: opts.store,
    engine: opts.engine,
    logger: opts.logger,
    token,
    allowedHosts,
    hub,
    ...(opts.tools ? { tools: opts.tools } : {}),
    ...(opts.webRoot ? { webRoot: opts.webRoot } : {}),
  });
  const server = createServer({ requestTimeout: 120_000, headersTimeout: 20_000 }, app);
  server.maxHeadersCount = 100;
  const socket = attachWebSocket(server, {
    hub,
    logger: opts.logger,
    token,
    allowedHosts,
    edits: app.locals.edits as WsDeps['edits'],
    ...opts.ws,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 7878, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  // Only now is the port known; the Host check reads this array per request.
  allowedHosts.push(...loopbackHosts(port, host));
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const url = `http://${hostPart}:${port}`;
  let closing: Promise<void> | null = null;
  return {
    server,
    hub,
    url,
    port,
    token,
    loginUrl: `${url}/?token=${token}`,
    close() {
      closing ??= (async () => {
        await socket.close();
        await hub.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}

export function defaultDataDir(): string {
  const xdg = process.env.XDG_DATA_HOME;
  // XDG says a relative value is invalid and must be ignored.
  return join(xdg?.startsWith('/') ? xdg : join(homedir(), '.local', 'share'), 'netcanvas');
}

export interface StartOptions {
  host?: string;
  port?: number;
  dataDir?: string;
  allowRemote?: boolean;
  engine: Engine;
  sources?: LiveSources;
  tools?: LabTools;
  webRoot?: string;
  logger?: Logger;
}

/** The `serve` command: store, listener, start-up report of running labs, signal handling. */
export async function startServer(opts: StartOptions): Promise<RunningServer> {
  const logger = opts.logger ?? pino({ name: 'netcanvas' });
  const dataDir = opts.dataDir ?? defaultDataDir();
  const store = openStore(dataDir);
  let running: RunningServer;
  try {
    running = await listen({
      store,
      engine: opts.engine,
      logger,
      host: opts.host ?? '127.0.0.1',
      port: opts.port ?? 7878,
      ...(opts.allowRemote ? { allowRemote: true } : {}),
      ...(opts.sources ? { sources: opts.sources } : {}),
      ...(opts.tools ? { tools: opts.tools } : {}),
      ...(opts.webRoot ? { webRoot: opts.webRoot } : {}),
    });
  } catch (err) {
    store.close();
    throw err;
  }
  logger.info({ dataDir, url: running.url }, 'netcanvas listening');
  if (opts.host && !isLoopbackAddress(opts.host)) {
    logger.warn(
      { host: opts.host },
      'LISTENING BEYOND LOOPBACK: anyone who can reach this address and learns the token can change this machine’s kernel',
    );
  }

  // Labs already in the kernel (a previous server, the CLI) are reported, never destroyed.
  // In the background: reading a big lab's state must not delay the login URL.
  void (async () => {
    try {
      for (const lab of await opts.engine.labs()) {
        const design = store.byName(lab);
        const hints = design?.addresses ? recordHints(design.addresses, lab) : undefined;
        const status = await opts.engine.status(lab, design?.doc, hints);
        logger.info({ lab, state: status.state, design: design?.id ?? null }, 'lab found running');
      }
    } catch (err) {
      logger.warn({ err: String(err) }, 'could not list running labs');
    }
  })();

  const close = running.close;
  let closed: Promise<void> | null = null;
  running.close = () => {
    closed ??= close().finally(() => store.close());
    return closed;
  };
  return running;
}
