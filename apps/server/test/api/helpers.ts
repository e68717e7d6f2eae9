/** Real listeners on 127.0.0.1 (ephemeral ports) and raw HTTP/WebSocket clients for the API tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerMessage } from '@netcanvas/shared';
import pino from 'pino';
import { WebSocket } from 'ws';
import { type ListenOptions, listen, type RunningServer } from '../../src/api/server.js';
import type { Engine } from '../../src/lab/engine.js';
import { openStore, type Store } from '../../src/store/store.js';
import { MemoryEngine } from './memory-engine.js';

export interface TestServer extends RunningServer {
  /** A browser session's secret (logged in through a login code at start). */
  secret: string;
  store: Store;
  engine: Engine;
  dataDir: string;
  host: string;
  origin: string;
  stop(): Promise<void>;
}

export function tempDir(prefix = 'nc-api-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startTestServer(
  opts: Partial<Pick<ListenOptions, 'ws' | 'sources' | 'tools' | 'audit'>> & {
    engine?: Engine;
    dataDir?: string;
    keepDir?: boolean;
  } = {},
): Promise<TestServer> {
  const dataDir = opts.dataDir ?? tempDir();
  const store = openStore(dataDir);
  const engine = opts.engine ?? new MemoryEngine();
  const running = await listen({
    store,
    engine,
    // NC_TEST_LOG=error shows what a 500 hid from the client.
    logger: pino({ level: process.env.NC_TEST_LOG ?? 'silent' }),
    host: '127.0.0.1',
    port: 0,
    ...(opts.ws ? { ws: opts.ws } : {}),
    ...(opts.sources ? { sources: opts.sources } : {}),
    ...(opts.tools ? { tools: opts.tools } : {}),
    ...(opts.audit ? { audit: opts.audit } : {}),
  });
  const host = `127.0.0.1:${running.port}`;
  return {
    ...running,
    secret: loginSession(running),
    store,
    engine,
    dataDir,
    host,
    origin: `http://${host}`,
    async stop() {
      await running.close();
      store.close();
      if (!opts.keepDir && !opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** What a browser does with a login link: trade its code for a session secret. */
export function loginSession(srv: Pick<RunningServer, 'sessions'>): string {
  const { code } = srv.sessions.mintCode();
  return srv.sessions.exchange(code, 'test browser')!.secret;
}

/** The handshake's subprotocols of a browser holding this secret. */
export const wsProtocols = (secret: string) => ['netcanvas.v1', `netcanvas.auth.${secret}`];

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the server answered
  json: any;
}

/** A raw request: every header (Host included) exactly as given, nothing added but Content-Length. */
export function raw(
  srv: { port: number },
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string | Buffer,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: srv.port, method, path, headers, setHost: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

/** A well-behaved CLI-like client: right Host, bearer token, JSON. */
export function api(
  srv: TestServer,
  method: string,
  path: string,
  body?: unknown,
  extra: Record<string, string> = {},
) {
  const headers: Record<string, string> = {
    host: srv.host,
    authorization: `Bearer ${srv.token}`,
    ...extra,
  };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return raw(srv, method, path, headers, body === undefined ? undefined : JSON.stringify(body));
}

/** A well-behaved browser: right Host, same Origin, its session secret as a bearer. */
export function browser(srv: TestServer, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = {
    host: srv.host,
    origin: srv.origin,
    authorization: `Bearer ${srv.secret}`,
  };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return raw(srv, method, path, headers, body === undefined ? undefined : JSON.stringify(body));
}

export function design(name: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'netcanvas/v1',
    name,
    nodes: {
      vlan10: { kind: 'vlan', vid: 10, subnet: '10.0.10.0/24' },
      c1: { kind: 'namespace' },
      c2: { kind: 'namespace' },
    },
    links: [{ endpoints: ['c1', 'vlan10'] }, { endpoints: ['c2', 'vlan10'] }],
    ...extra,
  };
}

/** A socket client that records every message (validated as the browser would). */
export class TestSocket {
  readonly messages: ServerMessage[] = [];
  closeCode: number | null = null;
  private waiters: { pred: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] =
    [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as ServerMessage;
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(m)) return true;
        w.resolve(m);
        return false;
      });
    });
    ws.on('close', (code) => {
      this.closeCode = code;
    });
  }

  /** A browser's socket: same Origin, the session secret as a second subprotocol. */
  static open(
    srv: TestServer,
    headers?: Record<string, string>,
    secret = srv.secret,
  ): Promise<TestSocket> {
    const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/ws`, headers ? [] : wsProtocols(secret), {
      headers: headers ?? { host: srv.host, origin: srv.origin },
    });
    const s = new TestSocket(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(s));
      ws.once('error', reject);
    });
  }

  send(m: unknown): void {
    this.ws.send(JSON.stringify(m));
  }

  next(pred: (m: ServerMessage) => boolean, timeoutMs = 5000): Promise<ServerMessage> {
    const have = this.messages.find(pred);
    if (have) return Promise.resolve(have);
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () =>
          reject(
            new Error(
              `no matching message in ${timeoutMs} ms; got ${JSON.stringify(this.messages.filter((m) => m.type !== 'snapshot')).slice(0, 3000)}`,
            ),
          ),
        timeoutMs,
      );
      this.waiters.push({
        pred,
        resolve: (m) => {
          clearTimeout(t);
          resolve(m);
        },
      });
    });
  }

  closed(timeoutMs = 5000): Promise<number> {
    if (this.closeCode !== null) return Promise.resolve(this.closeCode);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('socket not closed')), timeoutMs);
      this.ws.once('close', (code) => {
        clearTimeout(t);
        resolve(code);
      });
    });
  }

  close(): void {
    this.ws.close();
  }
}

/** Tries a WebSocket upgrade and reports the HTTP status of a refusal (or 101). */
export function upgradeStatus(
  srv: { port: number },
  headers: Record<string, string>,
  path = '/ws',
  protocols: string[] = [],
): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${srv.port}${path}`, protocols, { headers });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.once('error', (e) => reject(e));
  });
}
