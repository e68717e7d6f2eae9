/** REST flows end to end on a real listener, with the in-memory engine (no kernel involved). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { until } from '../until.js';
import {
  api,
  browser,
  design,
  loginSession,
  raw,
  startTestServer,
  type TestServer,
  TestSocket,
  upgradeStatus,
  wsProtocols,
} from './helpers.js';
import { MemoryEngine } from './memory-engine.js';

let srv: TestServer;
let engine: MemoryEngine;
beforeEach(async () => {
  engine = new MemoryEngine();
  srv = await startTestServer({ engine });
});
afterEach(async () => {
  await srv.stop();
});

describe('login', () => {
  const login = (code: string, origin = srv.origin) =>
    raw(
      srv,
      'POST',
      '/api/login',
      { host: srv.host, origin, 'content-type': 'application/json' },
      JSON.stringify({ code }),
    );
  const mint = async () => {
    const r = await api(srv, 'POST', '/api/login/codes', {});
    expect(r.status).toBe(201);
    expect(r.json.url).toBe(`http://${srv.host}/#login=${r.json.code}`);
    return r.json.code as string;
  };

  it('a login code works once: it becomes a session secret, sent as a bearer; no cookie anywhere', async () => {
    const code = await mint();
    const first = await login(code);
    expect(first.status).toBe(201);
    expect(first.headers['set-cookie']).toBeUndefined();
    const secret = first.json.secret as string;
    expect(secret).not.toBe(srv.token);
    const me = await raw(srv, 'GET', '/api/session', {
      host: srv.host,
      authorization: `Bearer ${secret}`,
    });
    expect(me.json).toMatchObject({ ok: true, via: 'session', session: first.json.session.id });
    // The same link again: refused, naming what to do.
    const again = await login(code);
    expect(again.status).toBe(401);
    expect(again.json.error.message).toMatch(/netcanvas login/);
  });

  it('a code past its 5 minutes is refused', async () => {
    let now = Date.now();
    const { Sessions } = await import('../../src/api/security.js');
    const sessions = new Sessions('m'.repeat(32), () => now);
    const { code } = sessions.mintCode();
    now += 5 * 60 * 1000 + 1;
    expect(sessions.exchange(code, 'late')).toBeNull();
    const fresh = sessions.mintCode().code;
    now += 4 * 60 * 1000;
    expect(sessions.exchange(fresh, 'in time')).not.toBeNull();
  });

  it('only the master token mints codes; the HTML never carries one, and the old ?token= URL is gone', async () => {
    const asBrowser = await browser(srv, 'POST', '/api/login/codes', {});
    expect(asBrowser.status).toBe(403);
    const old = await raw(srv, 'GET', `/?token=${srv.token}`, { host: srv.host });
    expect(old.headers['set-cookie']).toBeUndefined();
    const cookieOnly = await raw(srv, 'GET', '/api/designs', {
      host: srv.host,
      cookie: `netcanvas_${srv.port}=${srv.token}`,
    });
    expect(cookieOnly.status).toBe(401);
  });

  it('sessions are listed and revoked; a revoked secret gets 401 on REST and its socket is closed and refused', async () => {
    const secret = loginSession(srv);
    const other = loginSession(srv);
    const s = await TestSocket.open(srv, undefined, secret);
    const as = (sec: string, method: string, path: string) =>
      raw(srv, method, path, {
        host: srv.host,
        origin: srv.origin,
        authorization: `Bearer ${sec}`,
      });
    const list = await as(secret, 'GET', '/api/sessions');
    const mine = list.json.sessions.find((x: { current: boolean }) => x.current);
    expect(list.json.sessions.length).toBe(3); // the helper's, and these two
    expect(mine.client).toBe('test browser');
    const revoked = await as(other, 'DELETE', `/api/sessions/${mine.id}`);
    expect(revoked.status).toBe(204);
    expect(await s.closed()).toBe(4401);
    expect((await as(secret, 'GET', '/api/designs')).status).toBe(401);
    expect(
      await upgradeStatus(srv, { host: srv.host, origin: srv.origin }, '/ws', wsProtocols(secret)),
    ).toBe(401);
    expect((await as(other, 'GET', '/api/designs')).status).toBe(200);
    expect((await as(other, 'DELETE', `/api/sessions/${mine.id}`)).status).toBe(404);
  });

  it('the socket selects netcanvas.v1 and never echoes the secret', async () => {
    const s = await TestSocket.open(srv);
    expect(s.ws.protocol).toBe('netcanvas.v1');
    s.close();
  });
});

describe('designs', () => {
  it('create, list, get, save, stale save, history, restore, delete', async () => {
    const created = await browser(srv, 'POST', '/api/designs', { doc: design('t-api-a') });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    expect(created.json.version).toBe(1);
    expect(created.json.doc.name).toBe('t-api-a');

    const list = await browser(srv, 'GET', '/api/designs');
    expect(list.json.designs.map((d: { id: string }) => d.id)).toEqual([id]);

    const v2doc = design('t-api-a', { description: 'second' });
    const saved = await browser(srv, 'PUT', `/api/designs/${id}`, { baseVersion: 1, doc: v2doc });
    expect(saved.status).toBe(200);
    expect(saved.json.version).toBe(2);

    // A second tab still holding version 1 writes its whole document: only what it
    // changed from version 1 is applied, so version 2's description is kept.
    const stale = await browser(srv, 'PUT', `/api/designs/${id}`, {
      baseVersion: 1,
      doc: design('t-api-a', { nodes: { ...design('t-api-a').nodes, r9: { kind: 'router' } } }),
    });
    expect(stale.status).toBe(200);
    expect(stale.json.version).toBe(3);
    const merged = (await browser(srv, 'GET', `/api/designs/${id}`)).json;
    expect(merged.doc.description).toBe('second');
    expect(merged.doc.nodes.r9).toEqual({ kind: 'router', routing: 'auto', routes: [] });
    // Writing what is already stored stores nothing.
    const same = await browser(srv, 'PUT', `/api/designs/${id}`, {
      baseVersion: 3,
      doc: merged.doc,
    });
    expect(same.json.version).toBe(3);

    const history = await browser(srv, 'GET', `/api/designs/${id}/versions`);
    expect(history.json.versions.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    const v1 = await browser(srv, 'GET', `/api/designs/${id}/versions/1`);
    expect(v1.json.doc.description).toBeUndefined();

    const restored = await browser(srv, 'POST', `/api/designs/${id}/restore`, {
      version: 1,
      baseVersion: 3,
    });
    expect(restored.status).toBe(200);
    expect(restored.json.version).toBe(4);
    expect(restored.json.doc.description).toBeUndefined();
    expect(restored.json.doc.nodes.r9).toBeUndefined();

    expect((await browser(srv, 'DELETE', `/api/designs/${id}`)).status).toBe(204);
    expect((await browser(srv, 'GET', `/api/designs/${id}`)).status).toBe(404);
    expect((await browser(srv, 'GET', '/api/designs')).json.designs).toEqual([]);
  });

  it('a restore from a tab that saw an older version keeps the edits made since', async () => {
    const id = (await browser(srv, 'POST', '/api/designs', { doc: design('t-api-r') })).json
      .id as string;
    // v2: this tab adds a description. v3: another tab adds router r9.
    await browser(srv, 'PUT', `/api/designs/${id}`, {
      baseVersion: 1,
      doc: design('t-api-r', { description: 'mine' }),
    });
    await browser(srv, 'PUT', `/api/designs/${id}`, {
      baseVersion: 2,
      doc: design('t-api-r', {
        description: 'mine',
        nodes: { ...design('t-api-r').nodes, r9: { kind: 'router' } },
      }),
    });
    // This tab, still showing version 2, restores version 1: its own description
    // goes, the other tab's r9 stays.
    const restored = await browser(srv, 'POST', `/api/designs/${id}/restore`, {
      version: 1,
      baseVersion: 2,
    });
    expect(restored.status).toBe(200);
    expect(restored.json.version).toBe(4);
    expect(restored.json.doc.description).toBeUndefined();
    expect(restored.json.doc.nodes.r9).toMatchObject({ kind: 'router' });
    expect((await browser(srv, 'DELETE', `/api/designs/${id}`)).status).toBe(204);
  });

  it('a duplicate keeps the addresses of its original, under a lab of its own', async () => {
    const orig = (await browser(srv, 'POST', '/api/designs', { doc: design('t-api-d') })).json;
    // c1 goes: c2 keeps the address it had (.2 is now free, a fresh design would give it).
    const { c1: _gone, ...nodes } = design('t-api-d').nodes;
    const v2 = await browser(srv, 'PUT', `/api/designs/${orig.id}`, {
      baseVersion: 1,
      doc: design('t-api-d', { nodes, links: [{ endpoints: ['c2', 'vlan10'] }] }),
    });
    const kept = (await browser(srv, 'GET', `/api/designs/${orig.id}`)).json;
    expect(v2.json.version).toBe(2);
    expect(kept.addresses['c2/eth0']).toBe(orig.addresses['c2/eth0']);

    const copy = await browser(srv, 'POST', `/api/designs/${orig.id}/duplicate`, {});
    expect(copy.status).toBe(201);
    expect(copy.json.id).not.toBe(orig.id);
    expect(copy.json.lab).not.toBe(kept.lab);
    expect(copy.json.title).toBe('t-api-d (copy)');
    expect(copy.json.doc.nodes).toEqual(kept.doc.nodes);
    expect(copy.json.addresses).toEqual(kept.addresses);

    expect((await browser(srv, 'POST', '/api/designs/nosuchdesign/duplicate', {})).status).toBe(
      404,
    );
    for (const d of [orig.id, copy.json.id])
      expect((await browser(srv, 'DELETE', `/api/designs/${d}`)).status).toBe(204);
  });

  it('stores a half-drawn design with its diagnostics, refuses one that does not parse', async () => {
    const dangling = design('t-api-b', { links: [{ endpoints: ['c1', 'nowhere'] }] });
    const ok = await browser(srv, 'POST', '/api/designs', { doc: dangling });
    expect(ok.status).toBe(201);
    expect(ok.json.diagnostics).toContainEqual(
      expect.objectContaining({ code: 'dangling-id', elements: ['c1--nowhere', 'c1', 'nowhere'] }),
    );

    // Drafts save: a tunnel just dropped (no underlay), a bad subnet, a VLAN id out of
    // range are diagnostics on their elements, not refusals.
    const draft = await browser(srv, 'PUT', `/api/designs/${ok.json.id}`, {
      baseVersion: 1,
      doc: design('t-api-b', {
        nodes: {
          tun1: { kind: 'vxlan', vni: 100, underlay: '', subnet: '172.16.1.0/24' },
          vlan10: { kind: 'vlan', vid: 99999, subnet: '10.1.10.0/33' },
        },
      }),
    });
    expect(draft.status, draft.text).toBe(200);
    const got = await browser(srv, 'GET', `/api/designs/${ok.json.id}`);
    expect(got.json.doc.nodes.tun1).toMatchObject({ underlay: '' });
    expect(
      got.json.diagnostics.map((d: { code: string; elements: string[] }) => [
        d.code,
        d.elements[0],
      ]),
    ).toEqual(
      expect.arrayContaining([
        ['missing-underlay', 'tun1'],
        ['out-of-range', 'vlan10'],
        ['invalid-format', 'vlan10'],
      ]),
    );

    // Refused: a wrong JSON type, an invalid id key, a name that cannot be a lab.
    for (const doc of [
      {
        apiVersion: 'netcanvas/v1',
        name: 'ok',
        nodes: { v: { kind: 'vlan', vid: 'ten', subnet: 'x' } },
      },
      { apiVersion: 'netcanvas/v1', name: 'ok', nodes: { 'Not An Id': { kind: 'router' } } },
      { apiVersion: 'netcanvas/v1', name: 'Bad Name!', nodes: {} },
    ]) {
      const broken = await browser(srv, 'POST', '/api/designs', { doc });
      expect(broken.status).toBe(400);
      expect(broken.json.error.code).toBe('invalid-design');
      expect(broken.json.error.diagnostics.length).toBeGreaterThan(0);
    }
    expect((await browser(srv, 'GET', '/api/designs')).json.designs).toHaveLength(1);
  });

  it('gives two designs asking for one lab name two labs, and says so', async () => {
    const first = await browser(srv, 'POST', '/api/designs', { doc: design('t-api-c') });
    expect(first.status).toBe(201);
    expect(first.json.lab).toBe('t-api-c');
    expect(first.json.labNotice).toBeUndefined();
    const second = await browser(srv, 'POST', '/api/designs', { doc: design('t-api-c') });
    expect(second.status).toBe(201);
    expect(second.json.doc.name).toBe('t-api-c');
    expect(second.json.lab).toBe('t-api-c-2');
    expect(second.json.labNotice).toMatch(
      new RegExp(`t-api-c is taken \\(by design t-api-c \\(${first.json.id}\\)\\).*t-api-c-2`),
    );
    // A rename asks for another name; the lab stays what it was given.
    const renamed = await browser(srv, 'PUT', `/api/designs/${second.json.id}`, {
      baseVersion: 1,
      doc: design('t-api-other', { title: 'Second copy' }),
    });
    expect(renamed.status).toBe(200);
    expect(renamed.json).toMatchObject({
      name: 't-api-other',
      lab: 't-api-c-2',
      title: 'Second copy',
    });
    // The registry names the design by its new title.
    expect(engine.owners.get('t-api-c-2')).toEqual({
      kind: 'design',
      id: second.json.id,
      name: 't-api-other',
      title: 'Second copy',
      store: srv.store.path,
    });
  });

  it('frees a lab name whose design is gone with its whole store, and only then', async () => {
    // Two dashboards (two data directories) on one machine share the registry.
    const other = await startTestServer({ engine });
    const theirs = await api(other, 'POST', '/api/designs', { doc: design('t-api-gone') });
    expect(theirs.json.lab).toBe('t-api-gone');
    const mine = await api(srv, 'POST', '/api/designs', { doc: design('t-api-gone') });
    expect(mine.json.lab).toBe('t-api-gone-2');
    await other.stop(); // removes its data directory
    const again = await api(srv, 'POST', '/api/designs', { doc: design('t-api-gone') });
    expect(again.json.lab).toBe('t-api-gone');
  });

  it('imports YAML and exports the same design as YAML', async () => {
    const yaml = [
      'apiVersion: netcanvas/v1',
      'name: t-api-yaml',
      'nodes:',
      '  vlan10: { kind: vlan, vid: 10, subnet: 10.0.10.0/24 }',
      '  c1: { kind: namespace }',
      'links:',
      '  - endpoints: [c1, vlan10]',
      '',
    ].join('\n');
    const imported = await browser(srv, 'POST', '/api/designs/import', { yaml });
    expect(imported.status).toBe(201);
    expect(imported.json.doc.nodes.vlan10.vid).toBe(10);
    const exported = await browser(srv, 'GET', `/api/designs/${imported.json.id}/export`);
    expect(exported.status).toBe(200);
    expect(exported.headers['content-type']).toContain('yaml');
    expect(exported.text).toContain('name: t-api-yaml');
    // Round trip: the exported text imports as the same document under another name.
    const again = await browser(srv, 'POST', '/api/designs/import', {
      yaml: exported.text.replace('name: t-api-yaml', 'name: t-api-yaml2'),
    });
    expect(again.status).toBe(201);
    expect({ ...again.json.doc, name: 't-api-yaml' }).toEqual(imported.json.doc);

    const bad = await browser(srv, 'POST', '/api/designs/import', { yaml: 'nodes: [' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.diagnostics[0].line).toBeGreaterThan(0);
  });

  it('answers unknown ids and malformed ids with JSON, never a stack trace', async () => {
    const missing = await browser(srv, 'GET', '/api/designs/abcdefabcdef');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('not-found');
    const malformed = await browser(srv, 'GET', '/api/designs/..%2f..%2fetc');
    expect(malformed.status).toBe(400);
    const badJson = await raw(
      srv,
      'POST',
      '/api/designs',
      {
        host: srv.host,
        origin: srv.origin,
        authorization: `Bearer ${srv.secret}`,
        'content-type': 'application/json',
      },
      '{"doc": ',
    );
    expect(badJson.status).toBe(400);
    for (const r of [missing, malformed, badJson]) expect(r.text).not.toMatch(/at .*\.(ts|js):\d+/);
  });
});

describe('labs', () => {
  it("Measure's cancel ends the lab's running matrix, which answers that it was cancelled", async () => {
    const id = (await api(srv, 'POST', '/api/designs', { doc: design('t-api-mx') })).json.id;
    engine.matrixWaitsForCancel = true;
    const running = api(srv, 'POST', `/api/labs/${id}/matrix`, {});
    await until(() => engine.calls.some((c) => c.method === 'matrix'), 'the matrix started');
    const cancel = await api(srv, 'POST', `/api/labs/${id}/matrix/cancel`, {});
    expect(cancel.json).toEqual({ cancelled: true });
    const done = await running;
    expect(done.status).toBe(200);
    expect(done.json.cancelled).toBe(true);
    // Nothing left to cancel.
    expect((await api(srv, 'POST', `/api/labs/${id}/matrix/cancel`, {})).json).toEqual({
      cancelled: false,
    });
  });

  it('a ping or Measure of a bad size is refused with 400 naming the field; a good one reaches the engine', async () => {
    const id = (await api(srv, 'POST', '/api/designs', { doc: design('t-api-size') })).json.id;
    const bad: [string, unknown][] = [
      ['ping', { from: 'c1', to: 'c2', size: 65508 }],
      ['ping', { from: 'c1', to: 'c2', size: -1 }],
      ['ping', { from: 'c1', to: 'c2', size: 1400.5 }],
      ['ping', { from: 'c1', to: 'c2', size: '1400' }],
      ['matrix', { size: 70000 }],
      ['matrix', { size: null }],
    ];
    for (const [route, body] of bad) {
      const r = await api(srv, 'POST', `/api/labs/${id}/${route}`, body);
      expect(r.status, `${route} ${JSON.stringify(body)}`).toBe(400);
      expect(r.json.error.message).toMatch(/ping size .*\(size\)$/);
    }
    expect(engine.mutations()).toEqual([]);
    const ping = await api(srv, 'POST', `/api/labs/${id}/ping`, {
      from: 'c1',
      to: 'c2',
      size: 1473,
    });
    expect(ping.status, ping.text).toBe(200);
    const measure = await api(srv, 'POST', `/api/labs/${id}/matrix`, { size: 0 });
    expect(measure.status, measure.text).toBe(200);
    expect(engine.mutations().map((c) => [c.method, c.args])).toEqual([
      ['ping', { from: 'c1', to: 'c2', size: 1473 }],
      ['matrix', { size: 0 }],
    ]);
  });

  it("plan's script shows the running lab's addresses, like its ops", async () => {
    const id = (await api(srv, 'POST', '/api/designs', { doc: design('t-api-plan') })).json.id;
    engine.runningAddresses = { 'nc-t-api-plan.c1/vlan10': '10.0.10.77/24' };
    const plan = await api(srv, 'POST', `/api/labs/${id}/plan`, {});
    expect(plan.status).toBe(200);
    expect(plan.json.script).toContain('10.0.10.77/24');
  });

  it('plan, apply, status, link admin, destroy go to the engine for the stored design', async () => {
    const id = (await api(srv, 'POST', '/api/designs', { doc: design('t-api-lab') })).json.id;
    const plan = await api(srv, 'POST', `/api/labs/${id}/plan`, {});
    expect(plan.status).toBe(200);
    expect(plan.json.ops).toEqual([]);
    expect(plan.json.script).toContain('ip netns add nc-t-api-lab');
    const applied = await api(srv, 'POST', `/api/labs/${id}/apply`, {});
    expect(applied.status).toBe(200);
    expect(applied.json.ok).toBe(true);
    const labs = await api(srv, 'GET', '/api/labs');
    expect(labs.json.labs).toEqual([
      {
        lab: 't-api-lab',
        design: { id, version: 1, name: 't-api-lab' },
        owner: { kind: 'design', id, name: 't-api-lab', store: srv.store.path },
        elements: 3,
        since: null,
        status: { lab: 't-api-lab', state: 'running', elements: {} },
      },
    ]);
    const cut = await api(
      srv,
      'POST',
      `/api/labs/${id}/links/${encodeURIComponent('c1--vlan10')}/state`,
      { state: 'down' },
    );
    expect(cut.status).toBe(200);
    expect(engine.calls).toContainEqual({
      method: 'setLinkState',
      lab: 't-api-lab',
      args: { linkId: 'c1--vlan10', state: 'down' },
    });
    const badLink = await api(
      srv,
      'POST',
      `/api/labs/${id}/links/${encodeURIComponent('x y')}/state`,
      { state: 'down' },
    );
    expect(badLink.status).toBe(400);
    const badState = await api(srv, 'POST', `/api/labs/${id}/links/c1--vlan10/state`, {
      state: 'sideways',
    });
    expect(badState.status).toBe(400);
    const badPing = await api(srv, 'POST', `/api/labs/${id}/ping`, { from: 'c1', to: '$(reboot)' });
    expect(badPing.status).toBe(400);
    expect(engine.calls.filter((c) => c.method === 'ping')).toEqual([]);
    expect((await api(srv, 'POST', `/api/labs/${id}/destroy`, {})).json.removed).toEqual([
      'nc-t-api-lab',
    ]);
  });

  it('a lab running without a stored design can be destroyed by name; lab names are checked', async () => {
    engine.running.set('t-api-orphan', design('t-api-orphan') as never);
    const r = await api(srv, 'POST', '/api/labs/by-name/t-api-orphan/destroy', {});
    expect(r.json.removed).toEqual(['nc-t-api-orphan']);
    const bad = await api(
      srv,
      'POST',
      `/api/labs/by-name/${encodeURIComponent('nc-x.y')}/destroy`,
      {},
    );
    expect(bad.status).toBe(400);
    expect(engine.calls.filter((c) => c.method === 'destroy')).toEqual([
      { method: 'destroy', lab: 't-api-orphan' },
    ]);
  });

  it('two concurrent applies of one lab: exactly one is refused with 409', async () => {
    let open!: () => void;
    engine.gate = new Promise((r) => {
      open = r;
    });
    const id = (await api(srv, 'POST', '/api/designs', { doc: design('t-api-busy') })).json.id;
    const requests = [1, 2, 3].map(() => api(srv, 'POST', `/api/labs/${id}/apply`, {}));
    // All three reached the engine while the first holds the lab; then it may finish.
    await until(
      () => engine.calls.filter((c) => c.method === 'apply').length === 3,
      'three applies asked',
    );
    open();
    engine.gate = null;
    const results = await Promise.all(requests);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(2);
    expect(results.find((r) => r.status === 409)!.json.error.code).toBe('lab-busy');
    // Once it finished, the lab can be applied again.
    expect((await api(srv, 'POST', `/api/labs/${id}/apply`, {})).status).toBe(200);
  });
});
