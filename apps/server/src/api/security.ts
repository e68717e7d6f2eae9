/**
 * The front door. The server runs as root and loopback is no trust
 * boundary: any web page the user opens can send requests to 127.0.0.1.
 * So every request passes, in this order:
 *   1. Host allowlist (defeats DNS rebinding: evil.example resolving to 127.0.0.1);
 *   2. the token (cookie for the browser, `Authorization: Bearer` for the CLI);
 *   3. on state-changing requests: same Origin (or a bearer token when there is
 *      no Origin), and an application/json body (a text/plain POST skips the
 *      CORS preflight).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface FrontDoor {
  token: string;
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

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Constant-time comparison (hashing first makes the lengths equal). */
export function tokenMatches(door: FrontDoor, candidate: string | undefined): boolean {
  if (!candidate) return false;
  return timingSafeEqual(digest(candidate), digest(door.token));
}

/** One cookie per port, so two servers on one machine do not overwrite each other's session. */
export function cookieName(host: string | undefined): string {
  const port = host?.match(/:(\d{1,5})$/)?.[1] ?? '0';
  return `netcanvas_${port}`;
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  const m = h?.match(/^Bearer ([A-Za-z0-9_-]{16,128})$/);
  return m?.[1];
}

export type AuthMethod = 'bearer' | 'cookie' | null;

export function authenticate(door: FrontDoor, req: IncomingMessage): AuthMethod {
  if (tokenMatches(door, bearerToken(req))) return 'bearer';
  if (tokenMatches(door, readCookie(req.headers.cookie, cookieName(req.headers.host))))
    return 'cookie';
  return null;
}

/**
 * For state-changing requests and socket upgrades: a browser always sends
 * Origin on those, so a missing Origin is only believed from a client that
 * proved itself with a bearer token (the CLI), never from a cookie.
 */
export function originCheck(
  door: FrontDoor,
  req: IncomingMessage,
  auth: AuthMethod,
): { ok: true } | { ok: false; reason: string } {
  const origin = req.headers.origin;
  if (origin === undefined) {
    return auth === 'bearer'
      ? { ok: true }
      : {
          ok: false,
          reason: 'a state-changing request without an Origin header needs a bearer token',
        };
  }
  if (!originAllowed(door, origin, req.headers.host)) {
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
