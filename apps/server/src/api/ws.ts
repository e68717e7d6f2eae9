/**
 * The one WebSocket endpoint, `/ws`. The upgrade passes the same front door
 * as REST (Host, token, same Origin: browsers do not apply CORS to sockets,
 * so this check is the only thing between a hostile page and the server).
 *
 * Each connection has an outbox that watches `bufferedAmount`: while the
 * socket drains, link and rate updates are merged into the latest ones,
 * other events queue up to a cap in bytes (`maxQueuedBytes`, counted on
 * the serialised messages); past the cap the queued updates are dropped
 * and the client gets fresh snapshots once it catches up; a client that
 * stops reading entirely is cut off (`hardBytes` in the socket's buffer).
 * Memory per client stays bounded in bytes, whatever the messages weigh.
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
import type { Store } from '../store/store.js';
import { toHttpError } from './app.js';
import {
  authenticate,
  type FrontDoor,
  hostAllowed,
  offeredProtocols,
  originCheck,
  type Principal,
  WS_PROTOCOL,
} from './security.js';

export interface WsDeps extends FrontDoor {
  hub: LiveHub;
  store: Store;
  logger: Logger;
  /** Called after a design-edit is stored, to tell the design's other subscribers and refresh the lab. */
  announceDesign?: (id: string, by: string | null) => void;
  heartbeatMs?: number;
  /** Token bucket per connection. */
  rate?: { perSecond: number; burst: number };
  /** Outbox limits in bytes: the socket's buffer (soft: queue; hard: cut off) and the queue. */
  limits?: { softBytes: number; hardBytes: number; maxQueuedBytes: number };
  /** Subscriptions per connection. */
  maxTopics?: number;
  /** Open sockets at once (a dashboard uses one per tab). */
  maxClients?: number;
}

const DEFAULT_LIMITS = {
  softBytes: 256 * 1024,
  hardBytes: 8 * 1024 * 1024,
  maxQueuedBytes: 1024 * 1024,
};

interface Queued {
  m: ServerMessage;
  text: string;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
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
  private queue: Queued[] = [];
  private queuedBytes = 0;
  private resync = new Set<string>();
  private drainTimer: NodeJS.Timeout | null = null;
  private tokens: number;
  private lastRefill = performance.now();
  alive = true;

  constructor(
    readonly ws: WebSocket,
    private readonly deps: WsDeps,
    /** The browser session that opened it (null: the master token). */
    readonly session: string | null,
    private readonly limits = deps.limits ?? DEFAULT_LIMITS,
  ) {
    this.tokens = deps.rate?.burst ?? 100;
  }

  /** Bytes waiting in the outbox (not yet handed to the socket). */
  get pendingBytes(): number {
    return this.queuedBytes;
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

  private push(m: ServerMessage, at = this.queue.length): void {
    const text = JSON.stringify(m);
    const old = this.queue[at];
    if (old) this.queuedBytes -= Buffer.byteLength(old.text);
    this.queue[at] = { m, text };
    this.queuedBytes += Buffer.byteLength(text);
  }

  private enqueue(message: ServerMessage): void {
    if (message.type === 'delta') {
      const key = topicKey(message.topic);
      if (this.resync.has(key)) return; // a snapshot will follow anyway
      const ev = message.event;
      if (ev.kind === 'links' || ev.kind === 'rates') {
        // Link and rate events carry absolute values: merge into a queued one of the same topic.
        const i = this.queue.findIndex(
          ({ m }) => m.type === 'delta' && m.event.kind === ev.kind && topicKey(m.topic) === key,
        );
        const queued = this.queue[i]?.m;
        if (queued && queued.type === 'delta') {
          if (ev.kind === 'links' && queued.event.kind === 'links') {
            this.push(
              {
                ...message,
                event: { kind: 'links', links: { ...queued.event.links, ...ev.links } },
              },
              i,
            );
          } else {
            this.push(message, i);
          }
          this.scheduleDrain();
          return;
        }
      }
    }
    const bytes = Buffer.byteLength(JSON.stringify(message));
    if (this.queuedBytes + bytes > this.limits.maxQueuedBytes) {
      // Too far behind: drop what is queued for the topics and send snapshots when the socket drains.
      for (const { m } of this.queue)
        if (m.type === 'delta' || m.type === 'snapshot') this.resync.add(topicKey(m.topic));
      if (message.type === 'delta' || message.type === 'snapshot')
        this.resync.add(topicKey(message.topic));
      const kept = this.queue.filter(({ m }) => m.type !== 'delta' && m.type !== 'snapshot');
      this.queue = [];
      this.queuedBytes = 0;
      // Replies (errors, acknowledgements, pongs) are small and rate-limited; keep them in order, within the cap.
      for (const q of kept) {
        const b = Buffer.byteLength(q.text);
        if (this.queuedBytes + b > this.limits.maxQueuedBytes) break;
        this.queue.push(q);
        this.queuedBytes += b;
      }
      if (message.type !== 'delta' && message.type !== 'snapshot')
        if (this.queuedBytes + bytes <= this.limits.maxQueuedBytes) this.push(message);
    } else {
      this.push(message);
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
        this.queuedBytes -= Buffer.byteLength(next.text);
        this.ws.send(next.text);
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
    this.queuedBytes = 0;
    this.resync.clear();
  }
}

export function attachWebSocket(
  server: Server,
  deps: WsDeps,
): { close(): Promise<void>; clients(): number; outboxBytes(): number[] } {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
    // Only the protocol name is ever selected: the secret offered beside it is never echoed.
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });
  const conns = new Set<Connection>();
  const log = deps.logger;

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/ws') return refuse(socket, 404, 'no socket here; use /ws');
    if (!hostAllowed(deps, req.headers.host))
      return refuse(socket, 403, 'this server only answers to its own address');
    const principal = authenticate(deps, req);
    if (!principal) return refuse(socket, 401, 'not logged in: a session secret is required');
    const o = originCheck(deps, req);
    if (!o.ok) return refuse(socket, 403, o.reason);
    // A browser's secret comes as a subprotocol: it must offer the real one beside it.
    const offered = offeredProtocols(req);
    if (offered.length > 0 && !offered.includes(WS_PROTOCOL))
      return refuse(socket, 400, `offer the ${WS_PROTOCOL} subprotocol`);
    if (conns.size >= (deps.maxClients ?? 64)) return refuse(socket, 503, 'too many open sockets');
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, principal));
  };
  server.on('upgrade', onUpgrade);
  // A revoked session loses its open sockets at once, not at its next request.
  const stopRevokes = deps.sessions.onRevoke((id) => {
    for (const c of conns) if (c.session === id) c.ws.close(4401, 'session revoked');
  });

  function reply(conn: Connection, m: ServerMessage): void {
    conn.send(m);
  }

  function onConnection(ws: WebSocket, principal: Principal): void {
    const conn = new Connection(ws, deps, principal.kind === 'session' ? principal.id : null);
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
        const ref = message.type === 'design-edit' ? message.ref : undefined;
        reply(conn, {
          type: 'error',
          code: e.code,
          message: e.message,
          ...(ref !== undefined ? { ref } : {}),
          ...(typeof e.extra.currentVersion === 'number'
            ? { currentVersion: e.extra.currentVersion }
            : {}),
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
        if ('design' in m.topic) deps.store.get(m.topic.design); // 404 for an unknown design
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
      case 'design-edit': {
        const rec = deps.store.save(m.design, m.baseVersion, m.doc);
        reply(conn, {
          type: 'design-saved',
          design: rec.id,
          version: rec.version,
          ...(m.ref !== undefined ? { ref: m.ref } : {}),
        });
        if (deps.announceDesign) deps.announceDesign(rec.id, conn.id);
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
    outboxBytes: () => [...conns].map((c) => c.pendingBytes),
    async close() {
      clearInterval(heartbeat);
      stopRevokes();
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
