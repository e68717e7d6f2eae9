/** Listener set-up: loopback by default, the built web app from the same origin, socket limits. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { listen } from '../../src/api/server.js';
import { openStore } from '../../src/store/store.js';
import { untilAsync } from '../until.js';
import {
  raw,
  startTestServer,
  type TestServer,
  TestSocket,
  tempDir,
  upgradeStatus,
  wsProtocols,
} from './helpers.js';
import { MemoryEngine } from './memory-engine.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

describe('binding', () => {
  it('refuses a non-loopback address without the explicit flag, and wildcards always', async () => {
    const dir = tempDir();
    const store = openStore(dir);
    cleanup.push(() => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const base = { store, engine: new MemoryEngine(), logger: pino({ level: 'silent' }), port: 0 };
    await expect(listen({ ...base, host: '192.0.2.1' })).rejects.toThrow(/allow-remote/);
    await expect(listen({ ...base, host: '0.0.0.0', allowRemote: true })).rejects.toThrow(
      /wildcard/,
    );
  });
});

describe('the built web app', () => {
  it('is served from the same origin, behind the Host check; the API stays behind the token', async () => {
    const dir = tempDir();
    const web = join(dir, 'web');
    mkdirSync(join(web, 'assets'), { recursive: true });
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>netcanvas</title>');
    writeFileSync(join(web, 'assets', 'app.js'), 'console.log(1)');
    const store = openStore(join(dir, 'data'));
    const srv = await listen({
      store,
      engine: new MemoryEngine(),
      logger: pino({ level: 'silent' }),
      port: 0,
      webRoot: web,
    });
    cleanup.push(async () => {
      await srv.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const host = `127.0.0.1:${srv.port}`;
    const index = await raw(srv, 'GET', '/', { host });
    expect(index.status).toBe(200);
    expect(index.text).toContain('<title>netcanvas</title>');
    expect(index.headers['x-frame-options']).toBe('DENY');
    // No inline script, no eval: a secret in localStorage is out of reach of injected markup.
    const csp = String(index.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect((await raw(srv, 'GET', '/assets/app.js', { host })).text).toBe('console.log(1)');
    // Client-side routes fall back to the app.
    expect((await raw(srv, 'GET', '/designs/abc', { host })).text).toContain('netcanvas');
    expect((await raw(srv, 'GET', '/', { host: 'evil.example' })).status).toBe(403);
    expect((await raw(srv, 'GET', '/api/designs', { host })).status).toBe(401);
    expect(
      (await raw(srv, 'GET', '/api/nope', { host, authorization: `Bearer ${srv.token}` })).status,
    ).toBe(404);
  });
});

describe('socket limits', () => {
  let srv: TestServer;
  it('refuses sockets past the cap and accepts again when one closes', async () => {
    srv = await startTestServer({ ws: { maxClients: 2 } });
    cleanup.push(() => srv.stop());
    const a = await TestSocket.open(srv);
    await TestSocket.open(srv);
    const headers = { host: srv.host, origin: srv.origin };
    const protocols = wsProtocols(srv.secret);
    expect(await upgradeStatus(srv, headers, '/ws', protocols)).toBe(503);
    a.close();
    await a.closed();
    // The server frees the slot when it sees the close: ask until it takes a socket again.
    await untilAsync(
      async () => (await upgradeStatus(srv, headers, '/ws', protocols)) === 101,
      'a socket accepted after one closed',
    );
  });

  it('a client may hold a bounded number of subscriptions', async () => {
    srv = await startTestServer({ ws: { maxTopics: 3 } });
    cleanup.push(() => srv.stop());
    const s = await TestSocket.open(srv);
    for (const lab of ['a', 'b', 'c', 'd']) s.send({ type: 'subscribe', topic: { lab } });
    expect(await s.next((m) => m.type === 'error')).toMatchObject({ code: 'too-many-topics' });
    expect(s.messages.filter((m) => m.type === 'snapshot')).toHaveLength(3);
    s.close();
  });
});

describe('connections that never finish', () => {
  const closedWithin = (sock: Socket, ms: number) =>
    new Promise<boolean>((done) => {
      const t = setTimeout(() => done(false), ms);
      sock.once('close', () => {
        clearTimeout(t);
        done(true);
      });
    });

  it('a silent connection, a request or a socket upgrade dribbled too slowly are closed; a served one is not', async () => {
    const dir = tempDir();
    const store = openStore(dir);
    const srv = await listen({
      store,
      engine: new MemoryEngine(),
      logger: pino({ level: 'silent' }),
      port: 0,
      firstRequestMs: 400,
    });
    cleanup.push(async () => {
      await srv.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const open = () => connect(srv.port, '127.0.0.1');
    const silent = open();
    const slowGet = open();
    slowGet.write(`GET /api/session HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\n`);
    const slowUpgrade = open();
    slowUpgrade.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nUpgrade: websocket\r\n`);
    const served = open();
    served.on('data', () => {});
    served.write(
      `GET /api/session HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nAuthorization: Bearer ${srv.token}\r\n\r\n`,
    );
    const [a, b, c] = await Promise.all(
      [silent, slowGet, slowUpgrade].map((s) => closedWithin(s, 3000)),
    );
    expect({ silent: a, slowGet: b, slowUpgrade: c }).toEqual({
      silent: true,
      slowGet: true,
      slowUpgrade: true,
    });
    // The served keep-alive connection stays past the first-request time (it idles out later, at 5 s).
    expect(served.destroyed).toBe(false);
    served.destroy();
  });
});
