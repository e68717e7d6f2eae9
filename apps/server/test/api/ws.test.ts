/** The socket protocol on a real listener: snapshots, deltas, edits between clients, reconnects, slow readers. */

import { ServerMessage as ServerMessageSchema } from '@netcanvas/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { until } from '../until.js';
import { api, design, startTestServer, type TestServer, TestSocket } from './helpers.js';
import { MemoryEngine } from './memory-engine.js';

let srv: TestServer;
let engine: MemoryEngine;
let id: string;
beforeEach(async () => {
  engine = new MemoryEngine();
  srv = await startTestServer({
    engine,
    ws: {
      limits: { softBytes: 16 * 1024, hardBytes: 64 * 1024 * 1024, maxQueuedBytes: 64 * 1024 },
    },
  });
  id = srv.store.create(design('t-ws')).id;
});
afterEach(async () => {
  await srv.stop();
});

describe('protocol', () => {
  it('hello → welcome, ping → pong; every server message matches the shared schema', async () => {
    const s = await TestSocket.open(srv);
    s.send({ type: 'hello', protocol: 1 });
    s.send({ type: 'ping', t: 42 });
    await s.next((m) => m.type === 'welcome');
    expect(await s.next((m) => m.type === 'pong')).toEqual({ type: 'pong', t: 42 });
    s.send({ type: 'subscribe', topic: { design: id } });
    s.send({ type: 'subscribe', topic: { lab: 't-ws' } });
    await s.next((m) => m.type === 'snapshot' && 'lab' in m.topic);
    for (const m of s.messages) expect(ServerMessageSchema.safeParse(m).success).toBe(true);
    s.close();
  });

  it('a design subscription starts with a snapshot of the current version', async () => {
    const s = await TestSocket.open(srv);
    s.send({ type: 'subscribe', topic: { design: id } });
    const snap = await s.next((m) => m.type === 'snapshot');
    expect(snap).toMatchObject({
      type: 'snapshot',
      topic: { design: id },
      seq: 0,
      design: { id, name: 't-ws', version: 1 },
    });
    s.close();
  });

  it('two clients on one design see each other’s edits as ops; an edit from an old version still applies', async () => {
    const a = await TestSocket.open(srv);
    const b = await TestSocket.open(srv);
    for (const s of [a, b]) s.send({ type: 'subscribe', topic: { design: id } });
    const snap = await a.next((m) => m.type === 'snapshot');
    expect(snap).toMatchObject({
      design: { version: 1, addresses: { 'c1/vlan10': '10.0.10.1/24' }, refs: [] },
    });
    await b.next((m) => m.type === 'snapshot');

    a.send({
      type: 'design-ops',
      design: id,
      baseVersion: 1,
      ref: 'a-1',
      ops: [{ op: 'doc.set', field: 'description', value: 'from a', prev: null }],
    });
    expect(await a.next((m) => m.type === 'design-saved')).toEqual({
      type: 'design-saved',
      design: id,
      version: 2,
      ref: 'a-1',
      ops: [{ op: 'doc.set', field: 'description', value: 'from a', prev: null }],
      renames: {},
      notices: [],
      addresses: { set: {}, drop: [] },
    });
    const seen = await b.next((m) => m.type === 'delta' && m.event.kind === 'design');
    expect(seen).toMatchObject({
      seq: 1,
      event: { kind: 'design', id, version: 2, ref: 'a-1', ops: [{ field: 'description' }] },
    });
    // The editor gets its answer, not its own broadcast.
    expect(a.messages.filter((m) => m.type === 'delta')).toEqual([]);

    // b, still at version 1, adds an element: applied to version 2, nothing refused.
    b.send({
      type: 'design-ops',
      design: id,
      baseVersion: 1,
      ref: 'b-1',
      ops: [
        { op: 'node.add', id: 'c3', node: { kind: 'namespace' } },
        { op: 'link.add', link: { endpoints: ['c3', 'vlan10'], state: 'up' } },
      ],
    });
    const saved = await b.next((m) => m.type === 'design-saved');
    expect(saved).toMatchObject({
      version: 3,
      addresses: { set: { 'c3/vlan10': '10.0.10.3/24' } },
    });
    const back = await a.next(
      (m) => m.type === 'delta' && m.event.kind === 'design' && m.event.version === 3,
    );
    expect(back).toMatchObject({
      event: { by: expect.any(String), ops: [{ op: 'node.add' }, { op: 'link.add' }] },
    });
    const stored = srv.store.get(id);
    expect(stored.doc.description).toBe('from a');
    expect(Object.keys(stored.doc.nodes)).toContain('c3');
    expect(stored.addresses?.['c3/vlan10']).toBe('10.0.10.3/24');
    a.close();
    b.close();
  });

  it('two tabs adding c3 at once: the later one is renamed with its link, both kept', async () => {
    const a = await TestSocket.open(srv);
    const b = await TestSocket.open(srv);
    for (const s of [a, b]) s.send({ type: 'subscribe', topic: { design: id } });
    await a.next((m) => m.type === 'snapshot');
    await b.next((m) => m.type === 'snapshot');
    const add = (ref: string) => ({
      type: 'design-ops',
      design: id,
      baseVersion: 1,
      ref,
      ops: [
        {
          op: 'node.add',
          id: 'vlan20',
          node: { kind: 'vlan', vid: 20, subnet: '10.0.20.0/24' },
          auto: ['vid', 'subnet'],
        },
        { op: 'node.add', id: 'c3', node: { kind: 'namespace' }, at: { x: 1, y: 2 } },
        { op: 'link.add', link: { endpoints: ['c3', 'vlan20'], state: 'up' } },
      ],
    });
    a.send(add('a-1'));
    b.send(add('b-1'));
    await a.next((m) => m.type === 'design-saved');
    const later = await b.next((m) => m.type === 'design-saved');
    expect(later).toMatchObject({
      renames: { vlan20: 'vlan1', c3: 'c4' },
      notices: expect.arrayContaining([
        expect.objectContaining({ code: 'renamed', element: 'c4' }),
        expect.objectContaining({ code: 'renumbered', element: 'vlan1', field: 'VLAN id' }),
      ]),
    });
    const doc = srv.store.get(id).doc;
    // VLAN ids 10 and 20 and their subnets are taken: the later tab's VLAN gets the next free ones.
    expect(doc.nodes.vlan1).toEqual({ kind: 'vlan', vid: 30, subnet: '10.0.30.0/24' });
    expect(doc.links.map((l) => l.endpoints)).toEqual(
      expect.arrayContaining([
        ['c3', 'vlan20'],
        ['c4', 'vlan1'],
      ]),
    );
    // Dropped on the same spot as the other tab's c3: moved aside, so both are seen.
    expect(doc.layout?.c4).toEqual({ x: 25, y: 26 });
    a.close();
    b.close();
  });

  it('the same field set by two tabs: the later wins and the earlier editor is told which field', async () => {
    const a = await TestSocket.open(srv);
    const b = await TestSocket.open(srv);
    for (const s of [a, b]) {
      s.send({ type: 'hello', protocol: 1 });
      s.send({ type: 'subscribe', topic: { design: id } });
    }
    const aId = ((await a.next((m) => m.type === 'welcome')) as { connection: string }).connection;
    await a.next((m) => m.type === 'snapshot');
    await b.next((m) => m.type === 'snapshot');
    const label = (value: string, ref: string) => ({
      type: 'design-ops',
      design: id,
      baseVersion: 1,
      ref,
      ops: [{ op: 'node.set', id: 'c1', field: 'label', value, prev: null }],
    });
    a.send(label('from a', 'a-1'));
    await a.next((m) => m.type === 'design-saved');
    b.send(label('from b', 'b-1'));
    await b.next((m) => m.type === 'design-saved');
    const told = await a.next((m) => m.type === 'delta' && m.event.kind === 'design');
    expect(told).toMatchObject({
      event: {
        conflicts: [
          {
            editor: aId,
            element: 'c1',
            field: 'label',
            message: 'Your change to c1\'s label was replaced: another tab set it to "from b"',
          },
        ],
      },
    });
    expect(srv.store.get(id).doc.nodes.c1).toMatchObject({ label: 'from b' });
    a.close();
    b.close();
  });

  it('a batch sent twice (a reconnect before the answer) is stored once', async () => {
    const a = await TestSocket.open(srv);
    const batch = {
      type: 'design-ops',
      design: id,
      baseVersion: 1,
      ref: 'tab-1:7',
      ops: [{ op: 'node.add', id: 'r1', node: { kind: 'router' } }],
    };
    a.send(batch);
    expect(await a.next((m) => m.type === 'design-saved')).toMatchObject({ version: 2 });
    a.ws.terminate();
    const again = await TestSocket.open(srv);
    again.send({ type: 'subscribe', topic: { design: id } });
    expect(await again.next((m) => m.type === 'snapshot')).toMatchObject({
      design: { version: 2, refs: ['tab-1:7'] },
    });
    again.send(batch);
    expect(await again.next((m) => m.type === 'design-saved')).toMatchObject({
      version: 2,
      duplicate: true,
    });
    expect(srv.store.get(id).version).toBe(2);
    expect(Object.keys(srv.store.get(id).doc.nodes).filter((n) => n.startsWith('r'))).toEqual([
      'r1',
    ]);
    again.close();
  });

  it('REST saves reach socket subscribers too', async () => {
    const s = await TestSocket.open(srv);
    s.send({ type: 'subscribe', topic: { design: id } });
    await s.next((m) => m.type === 'snapshot');
    await api(srv, 'PUT', `/api/designs/${id}`, {
      baseVersion: 1,
      doc: design('t-ws', { description: 'rest' }),
    });
    expect(await s.next((m) => m.type === 'delta')).toMatchObject({
      event: { kind: 'design', version: 2, by: null },
    });
    s.close();
  });

  it('a reconnect gets a fresh snapshot with what happened while away', async () => {
    const s1 = await TestSocket.open(srv);
    s1.send({ type: 'subscribe', topic: { design: id } });
    await s1.next((m) => m.type === 'snapshot');
    s1.ws.terminate();
    srv.store.save(id, 1, design('t-ws', { description: 'while away' }));
    const s2 = await TestSocket.open(srv);
    s2.send({ type: 'subscribe', topic: { design: id } });
    const snap = await s2.next((m) => m.type === 'snapshot');
    expect(snap).toMatchObject({ design: { version: 2, doc: { description: 'while away' } } });
    s2.close();
  });

  it('apply progress of a lab reaches its subscribers as deltas with increasing seq', async () => {
    const s = await TestSocket.open(srv);
    s.send({ type: 'subscribe', topic: { lab: 't-ws' } });
    const snap = await s.next((m) => m.type === 'snapshot');
    expect(snap).toMatchObject({ lab: { status: { state: 'absent' }, apply: null } });
    await api(srv, 'POST', `/api/labs/${id}/apply`, {});
    await s.next(
      (m) => m.type === 'delta' && m.event.kind === 'apply' && m.event.progress.phase === 'done',
    );
    await s.next(
      (m) => m.type === 'delta' && m.event.kind === 'status' && m.event.status.state === 'running',
    );
    const seqs = s.messages
      .filter((m) => m.type === 'delta')
      .map((m) => (m.type === 'delta' ? m.seq : 0));
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set(seqs).size).toBe(seqs.length);
    s.close();
  });

  it('unknown designs cannot be subscribed to', async () => {
    const s = await TestSocket.open(srv);
    s.send({ type: 'subscribe', topic: { design: 'zzzzzzzzzzzz' } });
    expect(await s.next((m) => m.type === 'error')).toMatchObject({ code: 'not-found' });
    s.close();
  });
});

describe('heartbeat', () => {
  it('a peer that stops answering pings is dropped and its subscriptions freed', async () => {
    const quick = await startTestServer({ ws: { heartbeatMs: 150 } });
    try {
      const s = await TestSocket.open(quick);
      s.send({ type: 'subscribe', topic: { lab: 't-ws-hb' } });
      await s.next((m) => m.type === 'snapshot');
      expect(quick.hub.subscribers({ lab: 't-ws-hb' })).toBe(1);
      // A frozen peer: its TCP stack still acknowledges, but it never reads the ping, so never pongs.
      (s.ws as unknown as { _socket: import('node:net').Socket })._socket.pause();
      await until(
        () => quick.hub.subscribers({ lab: 't-ws-hb' }) === 0,
        'the frozen peer dropped',
        3000,
      );
      s.ws.terminate();
    } finally {
      await quick.stop();
    }
  });

  it('a live peer survives many heartbeat periods', async () => {
    const quick = await startTestServer({ ws: { heartbeatMs: 100 } });
    try {
      const s = await TestSocket.open(quick);
      s.send({ type: 'subscribe', topic: { lab: 't-ws-hb2' } });
      await s.next((m) => m.type === 'snapshot');
      // Eight heartbeats, counted as they reach the client (it answers each with a pong).
      let pings = 0;
      s.ws.on('ping', () => {
        pings += 1;
      });
      await until(() => pings >= 8, 'eight heartbeats');
      expect(quick.hub.subscribers({ lab: 't-ws-hb2' })).toBe(1);
      expect(s.closeCode).toBeNull();
      s.close();
    } finally {
      await quick.stop();
    }
  });
});

describe('slow readers', () => {
  it('a client that stops reading gets coalesced link updates and a fresh snapshot, not an unbounded queue', async () => {
    const s = await TestSocket.open(srv);
    s.send({ type: 'subscribe', topic: { lab: 't-ws' } });
    await s.next((m) => m.type === 'snapshot');
    const tcp = (s.ws as unknown as { _socket: import('node:net').Socket })._socket;
    tcp.pause();
    const line = 'x'.repeat(8 * 1024);
    const published = 3000;
    for (let i = 0; i < published; i++) {
      srv.hub.publish({ lab: 't-ws' }, { kind: 'capture', capture: 'c', lines: [line, String(i)] });
      srv.hub.publish(
        { lab: 't-ws' },
        { kind: 'links', links: { [`l${i % 3}`]: { state: i % 2 ? 'up' : 'down', ends: [] } } },
      );
    }
    tcp.resume();
    const before = s.messages.length;
    // After catching up it is resynchronised with a snapshot.
    await s.next((m) => m.type === 'snapshot' && s.messages.indexOf(m) > before, 20_000);
    const deltas = s.messages.filter((m) => m.type === 'delta');
    expect(deltas.length).toBeLessThan(published * 2);
    s.close();
  });
});

describe('the outbox is bounded in bytes', () => {
  it('non-reading subscribers during saves of a big design hold at most the byte cap each, then catch up with a snapshot', async () => {
    const big = await startTestServer({
      ws: {
        limits: { softBytes: 64 * 1024, hardBytes: 64 * 1024 * 1024, maxQueuedBytes: 512 * 1024 },
      },
    });
    try {
      // Every save relabels all 1500 elements, so each broadcast (the ops as applied) is big.
      const doc = (v: number) => {
        const nodes: Record<string, unknown> = {};
        for (let i = 0; i < 1500; i++)
          nodes[`n${i}`] = { kind: 'namespace', label: `v${v}-`.padEnd(60, 'x') };
        return {
          ...design('t-big'),
          description: `v${v}`,
          nodes: { ...design('t-big').nodes, ...nodes },
        };
      };
      const d = big.store.create(doc(0)).id;
      const readers = await Promise.all([0, 1, 2].map(() => TestSocket.open(big)));
      for (const r of readers) r.send({ type: 'subscribe', topic: { design: d } });
      await Promise.all(readers.map((r) => r.next((m) => m.type === 'snapshot')));
      const tcp = (s: TestSocket) =>
        (s.ws as unknown as { _socket: import('node:net').Socket })._socket;
      for (const r of readers) tcp(r).pause();
      let most = 0;
      for (let v = 1; v <= 60; v++) {
        const saved = await api(big, 'PUT', `/api/designs/${d}`, { baseVersion: v, doc: doc(v) });
        expect(saved.status).toBe(200);
        most = Math.max(most, ...big.outboxBytes());
      }
      // 60 saves of ~200 KB of ops each: ~12 MB per reader, were it queued.
      expect(most).toBeGreaterThan(0);
      expect(most).toBeLessThanOrEqual(512 * 1024);
      for (const r of readers) tcp(r).resume();
      // Each catches up with the latest version.
      for (const r of readers)
        await r.next(
          (m) =>
            (m.type === 'snapshot' && m.design?.version === 61) ||
            (m.type === 'delta' && m.event.kind === 'design' && m.event.version === 61),
          20_000,
        );
      for (const r of readers) r.close();
    } finally {
      await big.stop();
    }
  });
});
