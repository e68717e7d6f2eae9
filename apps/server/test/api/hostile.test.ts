/**
 * The front door against hostile requests: each one is refused, and nothing
 * behind the door moved (no design stored, no engine call).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  design,
  raw,
  startTestServer,
  type TestServer,
  TestSocket,
  upgradeStatus,
} from './helpers.js';
import { MemoryEngine } from './memory-engine.js';

let srv: TestServer;
let engine: MemoryEngine;
let id: string;
const good = () => ({
  host: srv.host,
  origin: srv.origin,
  cookie: `netcanvas_${srv.port}=${srv.token}`,
});
const body = () => JSON.stringify({ doc: design('t-hostile-new') });

beforeAll(async () => {
  engine = new MemoryEngine();
  srv = await startTestServer({ engine, ws: { rate: { perSecond: 20, burst: 40 } } });
  id = srv.store.create(design('t-hostile')).id;
});
afterAll(async () => {
  await srv.stop();
});

function untouched() {
  expect(srv.store.list().map((d) => d.name)).toEqual(['t-hostile']);
  expect(srv.store.get(id).version).toBe(1);
  expect(engine.mutations()).toEqual([]);
}

describe('HTTP', () => {
  const cases: [string, () => Record<string, string>, number, string?][] = [
    ['Host: evil.example (DNS rebinding)', () => ({ ...good(), host: 'evil.example' }), 403],
    [
      'Host: evil.example with the real port',
      () => ({ ...good(), host: `evil.example:${srv.port}` }),
      403,
    ],
    // HTTP/1.1 without Host: Node's own parser refuses it before the app runs.
    [
      'no Host',
      () => {
        const { host: _h, ...rest } = good();
        return rest;
      },
      400,
    ],
    [
      'no token',
      () => ({ host: srv.host, origin: srv.origin, 'content-type': 'application/json' }),
      401,
    ],
    ['wrong token', () => ({ ...good(), cookie: `netcanvas_${srv.port}=guess` }), 401],
    ['Origin http://evil.example', () => ({ ...good(), origin: 'http://evil.example' }), 403],
    ['Origin null', () => ({ ...good(), origin: 'null' }), 403],
    [
      'Origin on another port',
      () => ({ ...good(), origin: `http://127.0.0.1:${srv.port + 1}` }),
      403,
    ],
    ['Origin https of the same host', () => ({ ...good(), origin: `https://${srv.host}` }), 403],
    [
      'no Origin with only the cookie (a browser always sends one)',
      () => {
        const { origin: _o, ...rest } = good();
        return rest;
      },
      403,
    ],
    ['Sec-Fetch-Site: cross-site', () => ({ ...good(), 'sec-fetch-site': 'cross-site' }), 403],
  ];
  for (const [name, headers, status] of cases) {
    it(`POST with ${name} → ${status}`, async () => {
      const h = { 'content-type': 'application/json', ...headers() };
      const r = await raw(srv, 'POST', '/api/designs', h, body());
      expect(r.status).toBe(status);
      if (status !== 400) expect(r.json.error.code).toBeTypeOf('string');
      const apply = await raw(srv, 'POST', `/api/labs/${id}/apply`, h, '{}');
      expect(apply.status).toBe(status);
      untouched();
    });
  }

  it('text/plain POST (skips the CORS preflight) → 415', async () => {
    const r = await raw(
      srv,
      'POST',
      '/api/designs',
      { ...good(), 'content-type': 'text/plain' },
      body(),
    );
    expect(r.status).toBe(415);
    const form = await raw(
      srv,
      'POST',
      `/api/labs/${id}/apply`,
      { ...good(), 'content-type': 'application/x-www-form-urlencoded' },
      'a=1',
    );
    expect(form.status).toBe(415);
    const none = await raw(srv, 'POST', `/api/labs/${id}/destroy`, good(), '{}');
    expect(none.status).toBe(415);
    untouched();
  });

  it('a body of 1 MiB + 1 byte → 413; exactly 1 MiB passes the size check', async () => {
    const prefix = '{"doc":{"description":"';
    const suffix = '"}}';
    const fill = (n: number) => prefix + 'x'.repeat(n - prefix.length - suffix.length) + suffix;
    const h = { ...good(), 'content-type': 'application/json' };
    const over = await raw(srv, 'POST', '/api/designs', h, fill(1024 * 1024 + 1));
    expect(over.status).toBe(413);
    // At the limit the body is read, then refused for what it says (no apiVersion), not for its size.
    const at = await raw(srv, 'POST', '/api/designs', h, fill(1024 * 1024));
    expect(at.status).toBe(400);
    untouched();
  });

  it('a cross-origin GET cannot read designs without the token, and errors carry no stack', async () => {
    const r = await raw(srv, 'GET', '/api/designs', {
      host: srv.host,
      origin: 'http://evil.example',
    });
    expect(r.status).toBe(401);
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
    expect(r.text).not.toMatch(/\.ts:\d+|node_modules/);
  });

  it('the bearer token works without Origin (the CLI), but not with a foreign Origin', async () => {
    const cli = {
      host: srv.host,
      authorization: `Bearer ${srv.token}`,
      'content-type': 'application/json',
    };
    const plan = await raw(srv, 'POST', `/api/labs/${id}/plan`, cli, '{}');
    expect(plan.status).toBe(200);
    const foreign = await raw(
      srv,
      'POST',
      `/api/labs/${id}/apply`,
      { ...cli, origin: 'http://evil.example' },
      '{}',
    );
    expect(foreign.status).toBe(403);
    engine.calls.length = 0;
    untouched();
  });
});

describe('WebSocket upgrade', () => {
  const cases: [string, () => Record<string, string>, number][] = [
    ['Origin http://evil.example', () => ({ ...good(), origin: 'http://evil.example' }), 403],
    ['Origin null', () => ({ ...good(), origin: 'null' }), 403],
    [
      'Origin on another port',
      () => ({ ...good(), origin: `http://localhost:${srv.port + 1}` }),
      403,
    ],
    [
      'no Origin and only a cookie',
      () => {
        const { origin: _o, ...rest } = good();
        return rest;
      },
      403,
    ],
    ['Host: evil.example', () => ({ ...good(), host: 'evil.example' }), 403],
    ['no token', () => ({ host: srv.host, origin: srv.origin }), 401],
  ];
  for (const [name, headers, status] of cases) {
    it(`${name} → ${status}`, async () => {
      expect(await upgradeStatus(srv, headers())).toBe(status);
    });
  }
  it('the same origin with the cookie connects; the bearer token connects without Origin', async () => {
    expect(await upgradeStatus(srv, good())).toBe(101);
    expect(await upgradeStatus(srv, { host: srv.host, authorization: `Bearer ${srv.token}` })).toBe(
      101,
    );
    expect(
      await upgradeStatus(srv, {
        ...good(),
        host: `localhost:${srv.port}`,
        origin: `http://localhost:${srv.port}`,
      }),
    ).toBe(101);
  });
  it('another path → 404', async () => {
    expect(await upgradeStatus(srv, good(), '/api/designs')).toBe(404);
  });
});

describe('WebSocket messages', () => {
  it('an oversized message closes the socket (1009) and changes nothing', async () => {
    const s = await TestSocket.open(srv);
    s.send({
      type: 'design-ops',
      design: id,
      baseVersion: 1,
      ref: 'big',
      ops: [{ op: 'doc.set', field: 'description', value: 'x'.repeat(1024 * 1024) }],
    });
    expect(await s.closed()).toBe(1009);
    untouched();
  });

  it('too many messages close the socket (1008)', async () => {
    const s = await TestSocket.open(srv);
    for (let i = 0; i < 200; i++) s.send({ type: 'ping', t: i });
    expect(await s.closed()).toBe(1008);
    // It answered the ones within the allowance, not all of them.
    const pongs = s.messages.filter((m) => m.type === 'pong').length;
    expect(pongs).toBeGreaterThan(0);
    expect(pongs).toBeLessThan(200);
  });

  it('malformed and unknown messages get an error and change nothing', async () => {
    const s = await TestSocket.open(srv);
    s.ws.send('not json');
    s.send({ type: 'design-ops', design: '../../x', baseVersion: 1, ref: 'a', ops: [] });
    s.send({ type: 'exec', argv: ['reboot'] });
    s.send({ type: 'subscribe', topic: { lab: 'nc-x.y' } });
    // A built-in JavaScript name as an element id never reaches the document.
    s.send({
      type: 'design-ops',
      design: id,
      baseVersion: 1,
      ref: 'b',
      ops: [{ op: 'node.add', id: 'constructor', node: { kind: 'router' } }],
    });
    // Values of the wrong JSON type are refused with the diagnostics; the batch changes nothing.
    s.send({
      type: 'design-ops',
      design: id,
      baseVersion: 1,
      ref: 'c',
      ops: [
        { op: 'node.set', id: 'c1', field: 'label', value: 'kept?' },
        { op: 'node.set', id: 'vlan10', field: 'vid', value: 'ten' },
      ],
    });
    s.send({
      type: 'design-ops',
      design: id,
      baseVersion: 1,
      ref: 'd',
      ops: [{ op: 'doc.set', field: 'name', value: 'Bad!' }],
    });
    await s.next((m) => m.type === 'error' && m.ref === 'd');
    const errors = s.messages.filter((m) => m.type === 'error');
    expect(errors.map((e) => e.type === 'error' && e.code)).toEqual([
      'bad-message',
      'bad-message',
      'bad-message',
      'bad-message',
      'bad-message',
      'invalid-design',
      'invalid-design',
    ]);
    s.close();
    untouched();
  });
});
