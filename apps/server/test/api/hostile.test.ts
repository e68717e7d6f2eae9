/**
 * The front door against hostile requests: each one is refused, and nothing
 * behind the door moved (no design stored, no engine call).
 */
import { readdirSync, rmSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/lab/index.js';
import { createLabTools } from '../../src/tools/capture.js';
import {
  api,
  design,
  raw,
  startTestServer,
  type TestServer,
  TestSocket,
  tempDir,
  upgradeStatus,
  wsProtocols,
} from './helpers.js';
import { MemoryEngine } from './memory-engine.js';

let srv: TestServer;
let engine: MemoryEngine;
let id: string;
const good = () => ({
  host: srv.host,
  origin: srv.origin,
  authorization: `Bearer ${srv.secret}`,
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

const labNetnsOf = (lab: string) =>
  readdirSync('/run/netns').filter((n) => n === `nc-${lab}` || n.startsWith(`nc-${lab}.`));

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
    ['wrong secret', () => ({ ...good(), authorization: 'Bearer guessguessguessguess' }), 401],
    [
      'the master token replayed as a cookie (no cookie is read)',
      () => ({ host: srv.host, origin: srv.origin, cookie: `netcanvas_${srv.port}=${srv.token}` }),
      401,
    ],
    ['Origin http://evil.example', () => ({ ...good(), origin: 'http://evil.example' }), 403],
    ['Origin null', () => ({ ...good(), origin: 'null' }), 403],
    [
      'Origin on another port',
      () => ({ ...good(), origin: `http://127.0.0.1:${srv.port + 1}` }),
      403,
    ],
    ['Origin https of the same host', () => ({ ...good(), origin: `https://${srv.host}` }), 403],
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

  it('a cross-origin GET cannot read designs without a secret, and errors carry no stack', async () => {
    const r = await raw(srv, 'GET', '/api/designs', {
      host: srv.host,
      origin: 'http://evil.example',
    });
    expect(r.status).toBe(401);
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
    expect(r.text).not.toMatch(/\.ts:\d+|node_modules/);
  });

  it('the master token works without Origin (the CLI), but not with a foreign Origin', async () => {
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
  const page = () => ({ host: srv.host, origin: srv.origin });
  const protocols = () => wsProtocols(srv.secret);
  const cases: [string, () => Record<string, string>, number][] = [
    ['Origin http://evil.example', () => ({ ...good(), origin: 'http://evil.example' }), 403],
    ['Origin null', () => ({ ...good(), origin: 'null' }), 403],
    [
      'Origin on another port',
      () => ({ ...good(), origin: `http://localhost:${srv.port + 1}` }),
      403,
    ],
    ['Host: evil.example', () => ({ ...good(), host: 'evil.example' }), 403],
    ['no secret', () => ({ host: srv.host, origin: srv.origin }), 401],
    [
      'the master token as a cookie',
      () => ({ ...page(), cookie: `netcanvas_${srv.port}=${srv.token}` }),
      401,
    ],
  ];
  for (const [name, headers, status] of cases) {
    it(`${name} → ${status}`, async () => {
      const { authorization: _a, ...h } = headers();
      expect(
        await upgradeStatus(
          srv,
          h,
          '/ws',
          name.startsWith('no secret') || name.includes('cookie') ? [] : protocols(),
        ),
      ).toBe(status);
    });
  }
  it('a secret offered without the netcanvas.v1 subprotocol → 400; a wrong secret → 401', async () => {
    expect(await upgradeStatus(srv, page(), '/ws', [`netcanvas.auth.${srv.secret}`])).toBe(400);
    expect(
      await upgradeStatus(srv, page(), '/ws', [
        'netcanvas.v1',
        'netcanvas.auth.guessguessguessguess',
      ]),
    ).toBe(401);
  });
  it('the same origin with the session connects; the master token connects without Origin', async () => {
    expect(await upgradeStatus(srv, page(), '/ws', protocols())).toBe(101);
    expect(await upgradeStatus(srv, { host: srv.host, authorization: `Bearer ${srv.token}` })).toBe(
      101,
    );
    expect(
      await upgradeStatus(
        srv,
        { host: `localhost:${srv.port}`, origin: `http://localhost:${srv.port}` },
        '/ws',
        protocols(),
      ),
    ).toBe(101);
  });
  it('another path → 404', async () => {
    expect(await upgradeStatus(srv, page(), '/api/designs', protocols())).toBe(404);
  });
});

describe('WebSocket messages', () => {
  it('an oversized message closes the socket (1009) and changes nothing', async () => {
    const s = await TestSocket.open(srv);
    s.send({
      type: 'design-edit',
      design: id,
      baseVersion: 1,
      doc: { description: 'x'.repeat(1024 * 1024) },
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
    s.send({ type: 'design-edit', design: '../../x', baseVersion: 1, doc: {} });
    s.send({ type: 'exec', argv: ['reboot'] });
    s.send({ type: 'subscribe', topic: { lab: 'nc-x.y' } });
    s.send({ type: 'design-edit', design: id, baseVersion: 1, doc: { name: 'Bad!' } });
    await s.next((m) => m.type === 'error' && m.code === 'invalid-design');
    const errors = s.messages.filter((m) => m.type === 'error');
    expect(errors).toHaveLength(5);
    s.close();
    untouched();
  });
});

describe('bad input to the lab routes, on the real engine', () => {
  let real: TestServer;
  let good: string;
  let broken: string;
  const stateDir = tempDir('nc-hostile-state-');
  beforeAll(async () => {
    real = await startTestServer({
      engine: createEngine({ stateDir }),
      tools: createLabTools(stateDir),
    });
    good = real.store.create(design('t-bad-in')).id;
    // Saved (a half-drawn design may be), but with an error: c1's address is outside vlan10's subnet.
    broken = real.store.create({
      ...design('t-bad-broken'),
      links: [
        { endpoints: [{ node: 'c1', ip: '10.9.9.9/24' }, 'vlan10'] },
        { endpoints: ['c2', 'vlan10'] },
      ],
    }).id;
  });
  afterAll(async () => {
    await real.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const cases: [string, () => [string, unknown], number, RegExp][] = [
    [
      'ping from an element that is not there',
      () => [`/labs/${good}/ping`, { from: 'nope', to: 'c1' }],
      400,
      /^from: nope is not an element/,
    ],
    [
      'ping from constructor',
      () => [`/labs/${good}/ping`, { from: 'constructor', to: 'c1' }],
      400,
      /^from: /,
    ],
    ['ping to itself', () => [`/labs/${good}/ping`, { from: 'c1', to: 'c1' }], 400, /^to: /],
    [
      'ping from a VLAN (no address)',
      () => [`/labs/${good}/ping`, { from: 'vlan10', to: 'c1' }],
      400,
      /^from: vlan10 has no address/,
    ],
    ['ping with a number', () => [`/labs/${good}/ping`, { from: 1, to: 'c1' }], 400, /\(from\)/],
    [
      'ping in a design with errors',
      () => [`/labs/${broken}/ping`, { from: 'c1', to: 'c2' }],
      409,
      /has errors/,
    ],
    [
      'link state of a link that is not there',
      () => [`/labs/${good}/links/c9--vlan10/state`, { state: 'down' }],
      404,
      /^link: /,
    ],
    [
      'link state sideways',
      () => [`/labs/${good}/links/c1--vlan10/state`, { state: 'sideways' }],
      400,
      /\(state\)/,
    ],
    [
      'link state in a design with errors',
      () => [`/labs/${broken}/links/c2--vlan10/state`, { state: 'down' }],
      409,
      /has errors/,
    ],
    [
      'traceroute from a VLAN',
      () => [`/labs/${good}/traceroute`, { from: 'vlan10', to: 'c1' }],
      400,
      /vlan10/,
    ],
  ];
  for (const [name, req, status, message] of cases) {
    it(`${name} → ${status}, naming the field`, async () => {
      const [path, body] = req();
      const r = await api(real, 'POST', `/api${path}`, body);
      expect(r.status, r.text).toBe(status);
      expect(r.json.error.message).toMatch(message);
      expect(labNetnsOf('t-bad-in')).toEqual([]);
    });
  }
});

describe('no request takes the server down', () => {
  it('whatever JSON comes to any route, the answer is never a 5xx', async () => {
    const routes = [
      ['POST', '/api/designs'],
      ['POST', '/api/designs/import'],
      ['PUT', `/api/designs/${'x'.repeat(12)}`],
      ['POST', '/api/labs/aaaaaaaaaaaa/apply'],
      ['POST', '/api/labs/aaaaaaaaaaaa/ping'],
      ['POST', '/api/labs/aaaaaaaaaaaa/links/a--b/state'],
      ['POST', '/api/labs/aaaaaaaaaaaa/captures'],
      ['POST', '/api/login'],
      ['POST', '/api/login/codes'],
      ['DELETE', '/api/sessions/000000000000'],
    ] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue())),
        async ([method, path], value) => {
          const r = await raw(
            srv,
            method,
            path.replace('aaaaaaaaaaaa', id),
            { ...good(), 'content-type': 'application/json' },
            JSON.stringify(value),
          );
          expect(
            r.status,
            `${method} ${path} ${JSON.stringify(value).slice(0, 200)}: ${r.text}`,
          ).toBeLessThan(500);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a tool that throws answers 500 for that request only; the next one is served', async () => {
    const failing = await startTestServer({
      tools: {
        traceroute: () => {
          throw new TypeError('a bug in a tool');
        },
        startCapture: () => {
          throw new Error('another bug');
        },
        captureFile: () => null,
      },
    });
    try {
      const d = failing.store.create(design('t-throw')).id;
      const r = await api(failing, 'POST', `/api/labs/${d}/traceroute`, { from: 'c1', to: 'c2' });
      expect(r.status).toBe(500);
      expect(r.json.error.code).toBe('internal');
      expect(r.text).not.toMatch(/a bug in a tool/);
      const c = await api(failing, 'POST', `/api/labs/${d}/captures`, {
        node: 'c1',
        dev: 'vlan10',
      });
      expect(c.status).toBe(500);
      expect((await api(failing, 'GET', '/api/session')).status).toBe(200);
    } finally {
      await failing.stop();
    }
  });
});
