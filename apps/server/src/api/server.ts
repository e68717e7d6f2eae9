/**
 * Puts the app and the socket on one HTTP listener, and takes them down
 * again in order: sockets, pollers, the HTTP server, then the database.
 * Labs are never touched on shutdown: they belong to the kernel and keep
 * running until someone destroys them.
 *
 * No client can exhaust the listener: it holds at most `maxConnections`
 * sockets (from the descriptor budget, kernel/fd-budget.ts; past it a new
 * connection is closed on accept), a connection must complete its first
 * request (or upgrade) within `firstRequestMs` (half-open and slow
 * handshakes), an idle keep-alive connection closes after 5 s, and the
 * socket's heartbeat drops a peer that stops answering.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { descriptorBudget } from '../kernel/fd-budget.js';
import { type AuditLog, openAuditLog } from '../lab/audit.js';
import type { Engine } from '../lab/engine.js';
import { defaultStateDir } from '../lab/state.js';
import { LiveHub } from '../live/hub.js';
import { type LiveSources, noLiveSources } from '../live/sources.js';
import { labDesignOf, openStore, type Store, type StoreRecovery } from '../store/store.js';
import type { LabTools } from '../tools/lab-tools.js';
import { createApp } from './app.js';
import { isLoopbackAddress, loopbackHosts, newSecret, Sessions } from './security.js';
import { removeServerFile, writeServerFile } from './server-file.js';
import { attachWebSocket, type WsDeps } from './ws.js';

export interface ListenOptions {
  store: Store;
  engine: Engine;
  logger: Logger;
  host?: string;
  /** 0: an ephemeral port (tests). */
  port?: number;
  /** The master token (made here when not given). */
  token?: string;
  audit?: AuditLog;
  /** Sockets held at once (default: from the descriptor budget). */
  maxConnections?: number;
  /** Time a new connection has to send its first complete request or upgrade (default 10 s). */
  firstRequestMs?: number;
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
  /** The master token: CLI and tests use it as a bearer; browsers never see it. */
  token: string;
  sessions: Sessions;
  /** A fresh login link (a single-use code valid 5 minutes, in the fragment). */
  loginUrl(): string;
  /** Set when the store found its database damaged at start and moved it aside. */
  recovered?: StoreRecovery;
  /** Bytes queued per open socket (tests). */
  outboxBytes(): number[];
  close(): Promise<void>;
}

export const newToken = newSecret;

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
  const sessions = new Sessions(token);
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
    sessions,
    allowedHosts,
    hub,
    ...(opts.audit ? { audit: opts.audit } : {}),
    ...(opts.tools ? { tools: opts.tools } : {}),
    ...(opts.webRoot ? { webRoot: opts.webRoot } : {}),
  });
  const server = createServer(
    {
      requestTimeout: 120_000,
      headersTimeout: 10_000,
      keepAliveTimeout: 5_000,
      // How often headersTimeout/requestTimeout are checked (Node's default is 30 s).
      connectionsCheckingInterval: 1_000,
    },
    app,
  );
  server.maxHeadersCount = 100;
  server.maxConnections = opts.maxConnections ?? descriptorBudget().connections;
  // Half-open connections and slow handshakes: a connection that has not
  // completed a request or an upgrade in time is closed. Node's own
  // headersTimeout only starts with the first byte; a silent peer never
  // starts it.
  const firstRequestMs = opts.firstRequestMs ?? 10_000;
  const waiting = new WeakMap<Socket, NodeJS.Timeout>();
  server.on('connection', (sock: Socket) => {
    const t = setTimeout(() => sock.destroy(), firstRequestMs);
    t.unref();
    waiting.set(sock, t);
    sock.once('close', () => clearTimeout(t));
  });
  const started = (sock: Socket) => {
    clearTimeout(waiting.get(sock));
    waiting.delete(sock);
  };
  server.on('request', (req) => started(req.socket));
  server.on('upgrade', (req) => started(req.socket));
  // Accept can fail (EMFILE): log it; the listener goes on with the next connection.
  server.on('error', (err) => opts.logger.warn({ err: String(err) }, 'listener error'));
  server.on('clientError', (err: NodeJS.ErrnoException, sock: Socket) => {
    if (err.code !== 'ECONNRESET' && sock.writable && !sock.destroyed)
      sock.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    sock.destroy();
  });
  const socket = attachWebSocket(server, {
    hub,
    store: opts.store,
    logger: opts.logger,
    sessions,
    allowedHosts,
    announceDesign: app.locals.announceDesign as WsDeps['announceDesign'],
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
    sessions,
    loginUrl: () => `${url}/#login=${sessions.mintCode().code}`,
    outboxBytes: () => socket.outboxBytes(),
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
  /** Where server.json (URL, pid, master token) and the audit log go (default: the labs' state directory). */
  stateDir?: string;
  allowRemote?: boolean;
  engine: Engine;
  sources?: LiveSources;
  tools?: LabTools;
  webRoot?: string;
  logger?: Logger;
}

/**
 * The `serve` command: store, listener, the server file for `netcanvas
 * login`, start-up report of running labs.
 */
export async function startServer(opts: StartOptions): Promise<RunningServer> {
  const logger = opts.logger ?? pino({ name: 'netcanvas' });
  const dataDir = opts.dataDir ?? defaultDataDir();
  const stateDir = opts.stateDir ?? defaultStateDir();
  const store = openStore(dataDir);
  if (store.recovered) {
    const r = store.recovered;
    logger.error(
      { path: r.path, movedTo: r.movedTo, reason: r.reason },
      'THE DATABASE WAS DAMAGED: it was moved aside and this server starts with an EMPTY store',
    );
  }
  const audit = openAuditLog(stateDir);
  let running: RunningServer;
  try {
    running = await listen({
      store,
      engine: opts.engine,
      logger,
      audit,
      host: opts.host ?? '127.0.0.1',
      port: opts.port ?? 7878,
      ...(opts.allowRemote ? { allowRemote: true } : {}),
      ...(opts.sources ? { sources: opts.sources } : {}),
      ...(opts.tools ? { tools: opts.tools } : {}),
      ...(opts.webRoot ? { webRoot: opts.webRoot } : {}),
    });
  } catch (err) {
    store.close();
    audit.close();
    throw err;
  }
  writeServerFile(stateDir, { url: running.url, pid: process.pid, token: running.token });
  logger.info({ dataDir, url: running.url, audit: audit.path }, 'netcanvas listening');
  if (opts.host && !isLoopbackAddress(opts.host)) {
    logger.warn(
      { host: opts.host },
      'LISTENING BEYOND LOOPBACK: anyone who can reach this address and gets a login link can change this machine’s kernel',
    );
  }

  // Labs already in the kernel (a previous server, the CLI) are reported, never destroyed.
  // In the background: reading a big lab's state must not delay the login URL.
  void (async () => {
    try {
      for (const lab of await opts.engine.labs()) {
        const design = store.byLab(lab);
        const status = await opts.engine.status(lab, design && labDesignOf(design));
        logger.info({ lab, state: status.state, design: design?.id ?? null }, 'lab found running');
      }
    } catch (err) {
      logger.warn({ err: String(err) }, 'could not list running labs');
    }
  })();

  const close = running.close;
  let closed: Promise<void> | null = null;
  running.close = () => {
    closed ??= close().finally(() => {
      removeServerFile(stateDir, process.pid);
      store.close();
      audit.close();
    });
    return closed;
  };
  if (store.recovered) running.recovered = store.recovered;
  return running;
}
