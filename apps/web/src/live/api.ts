/**
 * Same-origin REST calls, authenticated by this browser's session secret.
 *
 * The login link the server prints (or `netcanvas login`) is
 * `/#login=CODE`: the code sits in the fragment, so it never reaches a
 * server log or a Referer. At start the page takes it out of the address
 * bar, trades it once for a session secret (POST /api/login) and keeps the
 * secret in localStorage, which is scoped to this origin (and so to this
 * port: a page on another local port cannot read it). The secret goes out
 * as `Authorization: Bearer` on every request and as a second
 * `Sec-WebSocket-Protocol` entry on the socket; no cookie is ever set.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const SECRET_KEY = 'netcanvas.session';
const WS_PROTOCOL = 'netcanvas.v1';

export function sessionSecret(): string | null {
  try {
    return localStorage.getItem(SECRET_KEY);
  } catch {
    return null;
  }
}

function setSessionSecret(secret: string | null) {
  try {
    if (secret) localStorage.setItem(SECRET_KEY, secret);
    else localStorage.removeItem(SECRET_KEY);
  } catch {
    // storage disabled: the session lasts as long as this page
  }
  memorySecret = secret;
}
let memorySecret: string | null = null;
const currentSecret = () => sessionSecret() ?? memorySecret;

/** The socket's subprotocols: the protocol, and the secret beside it (never echoed back). */
export function socketProtocols(): string[] {
  const secret = currentSecret();
  return secret ? [WS_PROTOCOL, `netcanvas.auth.${secret}`] : [WS_PROTOCOL];
}

/**
 * A login code in the address (`#login=CODE`, possibly with `&design=…`):
 * removed from the address at once, then traded for a session. Resolves
 * with an error message when the code was refused, null otherwise.
 */
export async function loginFromFragment(): Promise<string | null> {
  const params = new URLSearchParams(location.hash.slice(1));
  const code = params.get('login');
  if (!code) return null;
  params.delete('login');
  const rest = params.toString();
  history.replaceState(null, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
  try {
    const r = await api<{ secret: string }>('POST', '/login', { code });
    setSessionSecret(r.secret);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** Forgets this browser's session (after the server said it is no longer valid). */
export function forgetSession() {
  setSessionSecret(null);
}

async function request(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  const secret = currentSecret();
  if (secret) headers.Authorization = `Bearer ${secret}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return fetch(`/api${path}`, {
    method,
    credentials: 'omit',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function failure(res: Response, method: string, path: string): Promise<ApiError> {
  let data: unknown = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  const err = (data as { error?: { code?: string; message?: string } } | null)?.error;
  return new ApiError(
    res.status,
    err?.code ?? 'http',
    err?.message ?? `${method} ${path}: HTTP ${res.status}`,
    (err ?? {}) as Record<string, unknown>,
  );
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await request(method, path, body);
  if (!res.ok) throw await failure(res, method, path);
  const text = await res.text();
  try {
    return (text ? JSON.parse(text) : null) as T;
  } catch {
    return null as T;
  }
}

/** A file from the API (a pcap), fetched with the session's header: downloads carry no secret in their URL. */
export async function apiBlob(path: string): Promise<Blob> {
  const res = await request('GET', path);
  if (!res.ok) throw await failure(res, 'GET', path);
  return res.blob();
}
