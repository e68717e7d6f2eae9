/**
 * The front door. The server runs as root and loopback is no trust
 * boundary: any web page the user opens can send requests to 127.0.0.1.
 * So every request passes, in this order:
 *   1. Host allowlist (defeats DNS rebinding: evil.example resolving to 127.0.0.1);
 *   2. a secret in `Authorization: Bearer` (on the socket: a second
 *      `Sec-WebSocket-Protocol` entry, the one handshake header a browser
 *      lets a page set). No cookie is ever read: cookies are not isolated by
 *      port, so any local server on another port would receive one;
 *   3. on state-changing requests: same Origin (or no Origin at all, which a
 *      browser never does on those), and an application/json body (a
 *      text/plain POST skips the CORS preflight).
 *
 * Secrets:
 *   - the master token: made at start, written to a root-only file in the
 *     state directory (`server.json`) for the CLI (`netcanvas login`) and
 *     tests; never shown to a browser;
 *   - login codes: single use, valid 5 minutes, minted with the master
 *     token; the printed link carries one in its fragment (`/#login=CODE`),
 *     which never reaches a server log or a Referer;
 *   - sessions: the page trades a code for a session secret (kept in
 *     localStorage, which is scoped to the origin and so to the port).
 *     Sessions can be listed and revoked; they live in memory, so a restart
 *     revokes them all.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const MAX_BODY_BYTES = 1024 * 1024;
export const LOGIN_CODE_TTL_MS = 5 * 60 * 1000;
/** The subprotocol the socket speaks; the secret travels as `netcanvas.auth.<secret>` beside it. */
export const WS_PROTOCOL = 'netcanvas.v1';
export const WS_AUTH_PREFIX = 'netcanvas.auth.';
const SECRET_RE = /^[A-Za-z0-9_-]{16,128}$/;
const MAX_CODES = 32;
const MAX_SESSIONS = 64;

export function newSecret(): string {
  return randomBytes(24).toString('base64url');
}

function digest(s: string): string {
  return createHash('sha256').update(s).digest('base64url');
}

export interface SessionInfo {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  /** The browser that logged in (User-Agent, shortened). */
  client: string;
}

/** Who a request is: the master token (CLI, tests) or a browser session. */
export type Principal = { kind: 'master' } | { kind: 'session'; id: string };

export class Sessions {
  private readonly masterDigest: Buffer;
  /** digest(code) → expiry (ms since epoch). */
  private readonly codes = new Map<string, number>();
  /** digest(secret) → session. */
  private readonly byDigest = new Map<string, SessionInfo>();
  private readonly revokeListeners = new Set<(id: string) => void>();

  constructor(
    readonly masterToken: string,
    private readonly now: () => number = Date.now,
  ) {
    this.masterDigest = createHash('sha256').update(masterToken).digest();
  }

  /** A fresh single-use login code. */
  mintCode(): { code: string; expiresAt: string } {
    const t = this.now();
    for (const [k, exp] of this.codes) if (exp <= t) this.codes.delete(k);
    // Oldest first out: a flood of requests for codes cannot grow the map.
    while (this.codes.size >= MAX_CODES) this.codes.delete(this.codes.keys().next().value!);
    const code = newSecret();
    const expires = t + LOGIN_CODE_TTL_MS;
    this.codes.set(digest(code), expires);
    return { code, expiresAt: new Date(expires).toISOString() };
  }

  /** Trades a code (once) for a session; null when unknown, used or expired. */
  exchange(code: string, client: string): { session: SessionInfo; secret: string } | null {
    if (!SECRET_RE.test(code)) return null;
    const key = digest(code);
    const exp = this.codes.get(key);
    this.codes.delete(key);
    if (exp === undefined || exp <= this.now()) return null;
    while (this.byDigest.size >= MAX_SESSIONS) {
      // The least recently seen session goes.
      let oldest: [string, SessionInfo] | null = null;
      for (const e of this.byDigest)
        if (!oldest || e[1].lastSeenAt < oldest[1].lastSeenAt) oldest = e;
      this.revoke(oldest![1].id);
    }
    const secret = newSecret();
    const at = new Date(this.now()).toISOString();
    const session: SessionInfo = {
      id: randomBytes(6).toString('hex'),
      createdAt: at,
      lastSeenAt: at,
      client: client.slice(0, 120),
    };
    this.byDigest.set(digest(secret), session);
    return { session, secret };
  }

  /** The principal a secret proves, or null. */
  verify(secret: string | undefined): Principal | null {
    if (!secret || !SECRET_RE.test(secret)) return null;
    const d = createHash('sha256').update(secret).digest();
    if (timingSafeEqual(d, this.masterDigest)) return { kind: 'master' };
    const s = this.byDigest.get(d.toString('base64url'));
    if (!s) return null;
    s.lastSeenAt = new Date(this.now()).toISOString();
    return { kind: 'session', id: s.id };
  }

  list(): SessionInfo[] {
    return [...this.byDigest.values()].map((s) => ({ ...s }));
  }

  revoke(id: string): boolean {
    for (const [k, s] of this.byDigest) {
      if (s.id !== id) continue;
      this.byDigest.delete(k);
      for (const l of this.revokeListeners) l(id);
      return true;
    }
    return false;
  }

  /** Called with the id of every revoked session (the socket closes its connections). */
  onRevoke(listener: (id: string) => void): () => void {
    this.revokeListeners.add(listener);
    return () => this.revokeListeners.delete(listener);
  }
}

export interface FrontDoor {
  sessions: Sessions;
  /** `host:port` forms accepted in the Host header; read per request so a listener can add its port after binding. */
  allowedHosts: string[];
}

export function loopbackHosts(port: number, extraHost?: string): string[] {
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
  if (extraHost && !['127.0.0.1', 'localhost', '::1'].includes(extraHost)) {
    hosts.push(extraHost.includes(':') ? `[${extraHost}]:${port}` : `${extraHost}:${port}`);
  }
  return hosts;
}

export function isLoopbackAddress(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export function hostAllowed(door: FrontDoor, host: string | undefined): boolean {
  if (!host) return false;
  const h = host.toLowerCase();
  return door.allowedHosts.some((a) => a.toLowerCase() === h);
}

/** Same origin: exactly http://<the Host this request came to>. */
export function originAllowed(door: FrontDoor, origin: string, host: string | undefined): boolean {
  if (!host || !hostAllowed(door, host)) return false;
  return origin.toLowerCase() === `http://${host.toLowerCase()}`;
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  const m = h?.match(/^Bearer ([A-Za-z0-9_-]{16,128})$/);
  return m?.[1];
}

/** The `Sec-WebSocket-Protocol` entries of an upgrade request. */
export function offeredProtocols(req: IncomingMessage): string[] {
  const h = req.headers['sec-websocket-protocol'];
  if (typeof h !== 'string') return [];
  return h
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .slice(0, 8);
}

export function authenticate(door: FrontDoor, req: IncomingMessage): Principal | null {
  const bearer = bearerToken(req);
  if (bearer) return door.sessions.verify(bearer);
  const fromProtocol = offeredProtocols(req)
    .find((p) => p.startsWith(WS_AUTH_PREFIX))
    ?.slice(WS_AUTH_PREFIX.length);
  return door.sessions.verify(fromProtocol);
}

/**
 * For state-changing requests and socket upgrades: a browser always sends
 * Origin on those, so a present Origin must be this server; a missing one
 * means a non-browser client (the CLI), which proved itself with a secret.
 */
export function originCheck(
  door: FrontDoor,
  req: IncomingMessage,
): { ok: true } | { ok: false; reason: string } {
  const origin = req.headers.origin;
  if (origin !== undefined && !originAllowed(door, origin, req.headers.host)) {
    return {
      ok: false,
      reason: `origin ${JSON.stringify(origin.slice(0, 100))} is not this server`,
    };
  }
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return { ok: false, reason: `a ${String(site)} request cannot change state` };
  }
  return { ok: true };
}

/**
 * The HTML's Content-Security-Policy: scripts and styles only from this
 * origin, no inline script, no eval, no frames, no plugins. A secret in
 * localStorage is then out of reach of injected markup.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
