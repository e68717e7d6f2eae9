/**
 * The one WebSocket endpoint, `/ws`. The upgrade passes the same front door
 * as REST (Host, token, same Origin: browsers do not apply CORS to sockets,
 * so this check is the only thing between a hostile page and the server).
 *
 * Each connection has an outbox that watches `bufferedAmount`: while the
 * socket drains, link and rate updates are merged into the latest ones,
 * other events queue up to a cap; past the cap the queue is dropped and the
 * client gets fresh snapshots once it catches up; a client that stops
 * reading entirely is cut off. Memory per client stays bounded.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type ClientMessage,
  MAX_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  parseClientMessage,
  type ServerMessage,
  type Topic,
  topicKey,
} from '@netcanvas/shared';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import type { HubClient, LiveHub } from '../live/hub.js';
import { toHttpError } from './app.js';
import { answer, type DesignEdits } from './edits.js';
import { authenticate, type FrontDoor, hostAllowed, originCheck } from './security.js';

export interface WsDeps extends FrontDoor {
  hub: LiveHub;
  logger: Logger;
  /** Applies `design-ops` batches and tells the design's other subscribers. */
  edits: DesignEdits;
  heartbeatMs?: number;
  /** Token bucket per connection. */
  rate?: { perSecond: number; burst: number };
  /** Outbox limits (bytes buffered in the socket, events queued). */
  limits?: { softBytes: number; hardBytes: number; maxQueued: number };
  /** Subscriptions per connection. */
  maxTopics?: number;
  /** Open sockets at once (a dashboard uses one per tab). */
  maxClients?: number;
}

const DEFAULT_LIMITS = { softBytes: 256 * 1024, hardBytes: 8 * 1024 * 1024, maxQueued: 256 };

const STATUS_TEXT: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  503: 'Service Unavailable',
};

function refuse(socket: Duplex, status: number, reason: string): void {
  const body = JSON.stringify({ error: { code: 'upgrade-refused', message: reason } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Forbidden'}\r\n` +
      'Connection: close\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

class Connection implements HubClient {
  readonly id = randomBytes(6).toString('hex');
  readonly topics = new Map<string, Topic>();
  private queue: ServerMessage[] = [];
  private resync = new Set<string>();
  private drainTimer: NodeJS.Timeout | null = null;
  private tokens: number;
  private lastRefill = performance.now();
  alive = true;

  constructor(
    readonly ws: WebSocket,
    private readonly deps: WsDeps,
    private readonly limits = deps.limits ?? DEFAULT_LIMITS,
  ) {
    this.tokens = deps.rate?.burst ?? 100;
  }

  send(message: ServerMessage): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (this.ws.bufferedAmount > this.limits.hardBytes) {
      this.deps.logger.warn({ conn: this.id }, 'client stopped reading; closing its socket');
      this.ws.terminate();
      return;
    }
    if (this.queue.length === 0 && this.ws.bufferedAmount < this.limits.softBytes) {
      this.ws.send(JSON.stringify(message));
      return;
    }
    this.enqueue(message);
  }

  private enqueue(message: ServerMessage): void {
    if (message.type === 'delta') {
      const key = topicKey(message.topic);
      if (this.resync.has(key)) return; // a snapshot will follow anyway
      const ev = message.event;
      if (ev.kind === 'links' || ev.kind === 'rates') {
        // Link and rate events carry absolute values: merge into a queued one of the same topic.
        const i = this.queue.findIndex(
          (m) => m.type === 'delta' && m.event.kind === ev.kind && topicKey(m.topic) === key,
        );
        const queued = this.queue[i];
        if (queued && queued.type === 'delta') {
          if (ev.kind === 'links' && queued.event.kind === 'links') {
            this.queue[i] = {
              ...message,
              event: { kind: 'links', links: { ...queued.event.links, ...ev.links } },
            };
          } else {
            this.queue[i] = message;
          }
          this.scheduleDrain();
          return;
        }
      }
    }
    if (this.queue.length >= this.limits.maxQueued) {
      // Too far behind: drop what is queued for the topics and send snapshots when the socket drains.
      for (const m of this.queue)
        if (m.type === 'delta' || m.type === 'snapshot') this.resync.add(topicKey(m.topic));
      if (message.type === 'delta' || message.type === 'snapshot')
        this.resync.add(topicKey(message.topic));
      this.queue = this.queue.filter((m) => m.type !== 'delta' && m.type !== 'snapshot');
      this.queue.length = Math.min(this.queue.length, this.limits.maxQueued);
    } else {
      this.queue.push(message);
    }
    this.scheduleDrain();
  }

  private scheduleDrain(): void {
    if (this.drainTimer) return;
    this.drainTimer = setTimeout(() => {
      this.drainTimer = null;
      this.drain();
    }, 25);
  }

  private drain(): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    while (
      (this.queue.length > 0 || this.resync.size > 0) &&
      this.ws.bufferedAmount < this.limits.softBytes
    ) {
      const next = this.queue.shift();
      if (next) {
        this.ws.send(JSON.stringify(next));
        continue;
      }
      for (const key of [...this.resync]) {
        this.resync.delete(key);
        const topic = this.topics.get(key);
        const snap = topic ? this.deps.hub.resnapshot(topic) : null;
        if (snap) this.ws.send(JSON.stringify(snap));
      }
    }
    if (this.queue.length > 0 || this.resync.size > 0) this.scheduleDrain();
  }

  /** Token bucket; false when the client sends faster than allowed. */
  take(): boolean {
    const rate = this.deps.rate ?? { perSecond: 50, burst: 100 };
    const now = performance.now();
    this.tokens = Math.min(
      rate.burst,
      this.tokens + ((now - this.lastRefill) / 1000) * rate.perSecond,
    );
    this.lastRefill = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  dispose(): void {
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.queue = [];
    this.resync.clear();
  }
}

export function attachWebSocket(
  server: Server,
  deps: WsDeps,
): { close(): Promise<void>; clients(): number } {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
  });
  const conns = new Set<Connection>();
  const log = deps.logger;

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/ws') return refuse(socket, 404, 'no socket here; use /ws');
    if (!hostAllowed(deps, req.headers.host))
      return refuse(socket, 403, 'this server only answers to its own address');
    const auth = authenticate(deps, req);
    if (!auth) return refuse(socket, 401, 'a token is required');
    const o = originCheck(deps, req, auth);
    if (!o.ok) return refuse(socket, 403, o.reason);
    if (conns.size >= (deps.maxClients ?? 64)) return refuse(socket, 503, 'too many open sockets');
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  };
  server.on('upgrade', onUpgrade);

  function reply(conn: Connection, m: ServerMessage): void {
    conn.send(m);
  }

  function onConnection(ws: WebSocket): void {
    const conn = new Connection(ws, deps);
    conns.add(conn);
    log.debug({ conn: conn.id }, 'socket open');
    ws.on('pong', () => {
      conn.alive = true;
    });
    ws.on('message', (data, isBinary) => {
      if (!conn.take()) {
        log.warn({ conn: conn.id }, 'socket message rate exceeded; closing');
        ws.close(1008, 'too many messages');
        return;
      }
      if (isBinary) {
        reply(conn, { type: 'error', code: 'bad-message', message: 'messages are JSON text' });
        return;
      }
      const { message, error } = parseClientMessage(data.toString());
      if (!message) {
        reply(conn, { type: 'error', code: 'bad-message', message: error ?? 'invalid message' });
        return;
      }
      handle(conn, message).catch((err) => {
        const e = toHttpError(err);
        if (e.status >= 500) log.error({ err, conn: conn.id }, 'socket message failed');
        const ref = message.type === 'design-ops' ? message.ref : undefined;
        reply(conn, {
          type: 'error',
          code: e.code,
          message: e.message,
          ...(ref !== undefined ? { ref } : {}),
          ...(Array.isArray(e.extra.diagnostics) ? { diagnostics: e.extra.diagnostics } : {}),
        });
      });
    });
    ws.on('close', () => {
      conns.delete(conn);
      conn.dispose();
      deps.hub.removeClient(conn);
    });
    ws.on('error', (err) => log.debug({ conn: conn.id, err: String(err) }, 'socket error'));
  }

  async function handle(conn: Connection, m: ClientMessage): Promise<void> {
    switch (m.type) {
      case 'hello':
        reply(conn, {
          type: 'welcome',
          protocol: PROTOCOL_VERSION,
          heartbeatSeconds: (deps.heartbeatMs ?? 15_000) / 1000,
          connection: conn.id,
        });
        return;
      case 'ping':
        reply(conn, { type: 'pong', ...(m.t !== undefined ? { t: m.t } : {}) });
        return;
      case 'subscribe': {
        const key = topicKey(m.topic);
        if (!conn.topics.has(key) && conn.topics.size >= (deps.maxTopics ?? 32)) {
          reply(conn, {
            type: 'error',
            code: 'too-many-topics',
            message: 'unsubscribe from something first',
          });
          return;
        }
        // 404 for an unknown design; the snapshot carries the address record, rebuilt if lost.
        if ('design' in m.topic) await deps.edits.ensureAddresses(m.topic.design);
        conn.topics.set(key, m.topic);
        // A repeated subscribe is how a client asks for a fresh snapshot: no
        // unsubscribe first, which could drop the topic under another client.
        await deps.hub.subscribe(conn, m.topic);
        return;
      }
      case 'unsubscribe':
        conn.topics.delete(topicKey(m.topic));
        deps.hub.unsubscribe(conn, m.topic);
        return;
      case 'design-ops': {
        // Applied in arrival order: no await between reading and storing, except
        // the one-time rebuild of a lost address record.
        const rebuilding = deps.edits.ensureAddresses(m.design);
        if (rebuilding) await rebuilding;
        const outcome = deps.edits.apply(m.design, m.ops, {
          by: conn.id,
          ref: m.ref,
          except: conn,
        });
        reply(conn, { type: 'design-saved', design: m.design, ...answer(outcome, m.ref) });
        return;
      }
    }
  }

  // Heartbeat: a peer that missed a whole period is gone (a laptop lid closed); free its resources.
  const heartbeat = setInterval(() => {
    for (const c of conns) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }, deps.heartbeatMs ?? 15_000);
  heartbeat.unref();

  return {
    clients: () => conns.size,
    async close() {
      clearInterval(heartbeat);
      server.off('upgrade', onUpgrade);
      for (const c of conns) c.ws.close(1001, 'server shutting down');
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          for (const c of conns) c.ws.terminate();
          resolve();
        }, 1000);
        t.unref();
        wss.close(() => {
          clearTimeout(t);
          resolve();
        });
      });
    },
  };
}
