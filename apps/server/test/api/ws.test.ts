/** The socket protocol on a real listener: snapshots, deltas, edits between clients, reconnects, slow readers. */

import { ServerMessage as ServerMessageSchema } from '@netcanvas/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

  it('two clients on one design see each other’s edits; a stale edit is refused with the current version', async () => {
    const a = await TestSocket.open(srv);
    const b = await TestSocket.open(srv);
    for (const s of [a, b]) s.send({ type: 'subscribe', topic: { design: id } });
    await a.next((m) => m.type === 'snapshot');
    await b.next((m) => m.type === 'snapshot');

    a.send({
      type: 'design-edit',
      design: id,
      baseVersion: 1,
      doc: design('t-ws', { description: 'from a' }),
      ref: 'e1',
    });
    expect(await a.next((m) => m.type === 'design-saved')).toEqual({
      type: 'design-saved',
      design: id,
      version: 2,
      ref: 'e1',
    });
    const seen = await b.next((m) => m.type === 'delta' && m.event.kind === 'design');
    expect(seen).toMatchObject({
      seq: 1,
      event: { kind: 'design', id, version: 2, doc: { description: 'from a' } },
    });

    // b edits on top of a's version; a sees it.
    b.send({
      type: 'design-edit',
      design: id,
      baseVersion: 2,
      doc: design('t-ws', { description: 'from b' }),
    });
    const back = await a.next(
      (m) => m.type === 'delta' && m.event.kind === 'design' && m.event.version === 3,
    );
    expect(back).toMatchObject({ seq: 2, event: { doc: { description: 'from b' } } });

    // a, still at version 2 locally after a missed update, is told what is current.
    a.send({ type: 'design-edit', design: id, baseVersion: 2, doc: design('t-ws'), ref: 'late' });
    expect(await a.next((m) => m.type === 'error')).toMatchObject({
      code: 'stale-version',
      currentVersion: 3,
      ref: 'late',
    });
    expect(srv.store.get(id).doc.description).toBe('from b');
    a.close();
    b.close();
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
      const deadline = Date.now() + 3000;
      while (quick.hub.subscribers({ lab: 't-ws-hb' }) > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(quick.hub.subscribers({ lab: 't-ws-hb' })).toBe(0);
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
      await new Promise((r) => setTimeout(r, 800));
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
      const nodes: Record<string, unknown> = {};
      for (let i = 0; i < 1500; i++) nodes[`n${i}`] = { kind: 'namespace', label: 'x'.repeat(60) };
      const doc = (v: number) => ({
        ...design('t-big'),
        description: `v${v}`,
        nodes: { ...design('t-big').nodes, ...nodes },
      });
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
      // 60 saves of ~130 KB each: ~8 MB per reader, were it queued.
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
