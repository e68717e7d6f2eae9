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
 *
 * Every JSON answer that is read is parsed with its schema (packages/shared/src/protocol/rest.ts),
 * as the socket's messages are: an answer of another shape is an error that
 * says what did not fit, never a value cast into place.
 */

import { LoginAnswer } from '@netcanvas/shared';
import type { z } from 'zod';

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

/** This page's REST client. */
export interface Api {
  /** A call whose JSON answer is read: parsed with `answer`, or an ApiError `bad-answer`. */
  call<T>(method: string, path: string, answer: z.ZodType<T>, body?: unknown): Promise<T>;
  /** A call whose answer is not read (a 204, or a result the socket reports anyway). */
  send(method: string, path: string, body?: unknown): Promise<void>;
  /** A file from the API (a pcap), fetched with the session's header: downloads carry no secret in their URL. */
  blob(path: string): Promise<Blob>;
  /**
   * A login code in the address (`#login=CODE`, possibly with `&design=…`):
   * removed from the address at once, then traded for a session. Resolves
   * with an error message when the code was refused, null otherwise.
   */
  loginFromFragment(): Promise<string | null>;
  /** Forgets this browser's session (after the server said it is no longer valid). */
  forgetSession(): void;
  /** The socket's subprotocols: the protocol, and the secret beside it (never echoed back). */
  socketProtocols(): string[];
}

/** The session secret this browser keeps (null: none, or storage disabled). */
export function sessionSecret(): string | null {
  try {
    return localStorage.getItem(SECRET_KEY);
  } catch {
    return null;
  }
}

/** What an answer of the wrong shape is called: the first field that did not fit, and why. */
function misfit(method: string, path: string, error: z.ZodError): ApiError {
  const issue = error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  return new ApiError(
    200,
    'bad-answer',
    `${method} ${path}: the server's answer does not fit (${where}${issue?.message ?? 'invalid'})`,
  );
}

export function createApi(): Api {
  /** The secret, when storage is disabled: the session then lasts as long as this page. */
  let memorySecret: string | null = null;
  const currentSecret = () => sessionSecret() ?? memorySecret;
  const setSessionSecret = (secret: string | null) => {
    try {
      if (secret) localStorage.setItem(SECRET_KEY, secret);
      else localStorage.removeItem(SECRET_KEY);
    } catch {
      // storage disabled: the session lasts as long as this page
    }
    memorySecret = secret;
  };

  async function request(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    const secret = currentSecret();
    if (secret) headers.Authorization = `Bearer ${secret}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`/api${path}`, {
      method,
      credentials: 'omit',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw await failure(res, method, path);
    return res;
  }

  const api: Api = {
    async call(method, path, answer, body) {
      const res = await request(method, path, body);
      const text = await res.text();
      let data: unknown;
      try {
        data = text ? JSON.parse(text) : null;
      } catch {
        throw new ApiError(res.status, 'bad-answer', `${method} ${path}: the answer is not JSON`);
      }
      const parsed = answer.safeParse(data);
      if (!parsed.success) throw misfit(method, path, parsed.error);
      return parsed.data;
    },
    async send(method, path, body) {
      await request(method, path, body);
    },
    async blob(path) {
      return (await request('GET', path)).blob();
    },
    async loginFromFragment() {
      const params = new URLSearchParams(location.hash.slice(1));
      const code = params.get('login');
      if (!code) return null;
      params.delete('login');
      const rest = params.toString();
      history.replaceState(
        null,
        '',
        `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`,
      );
      try {
        const r = await api.call('POST', '/login', LoginAnswer, { code });
        setSessionSecret(r.secret);
        return null;
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
    },
    forgetSession: () => setSessionSecret(null),
    socketProtocols() {
      const secret = currentSecret();
      return secret ? [WS_PROTOCOL, `netcanvas.auth.${secret}`] : [WS_PROTOCOL];
    },
  };
  return api;
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
