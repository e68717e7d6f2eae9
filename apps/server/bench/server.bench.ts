/**
 * Server benchmarks: what the store, the HTTP front door and the socket
 * hub cost over the bare libraries they are built on, measured in the same
 * run so the ratios hold on any machine.
 *
 *   npx tsx bench/server.bench.ts
 *
 * 1. save: REST PUT of a design (token, Host, Origin, JSON, parse, one
 *    SQLite transaction) vs a bare better-sqlite3 insert of the same JSON.
 * 2. fan-out: hub deltas to N socket clients vs a bare `ws` broadcast of
 *    the same bytes to N clients.
 * Loopback only, bounded counts; it stops by itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import { listen } from '../src/api/server.js';
import { openStore } from '../src/store/store.js';
import { MemoryEngine } from '../test/api/memory-engine.js';

const SAVES = 300;
const CLIENTS = 50;
const DELTAS = 200;

function doc(i: number) {
  const nodes: Record<string, unknown> = {
    vlan10: { kind: 'vlan', vid: 10, subnet: '10.0.10.0/24' },
  };
  for (let c = 0; c < 40; c++) nodes[`c${c}`] = { kind: 'namespace', label: `rev ${i}` };
  const links = Object.keys(nodes)
    .filter((n) => n !== 'vlan10')
    .map((n) => ({ endpoints: [n, 'vlan10'] }));
  return { apiVersion: 'netcanvas/v1', name: 'bench', nodes, links };
}

/** Browsers keep the connection open between saves; so does the benchmark. */
const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });

function put(port: number, token: string, path: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'PUT',
        path,
        agent: keepAlive,
        headers: {
          host: `127.0.0.1:${port}`,
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function benchSave(dir: string): Promise<{ floorMs: number; serverMs: number }> {
  const bare = new Database(join(dir, 'bare.sqlite'));
  bare.pragma('journal_mode = WAL');
  bare.pragma('synchronous = NORMAL');
  bare.exec(
    'CREATE TABLE v (id TEXT, version INTEGER, doc TEXT, PRIMARY KEY (id, version)) WITHOUT ROWID',
  );
  const ins = bare.prepare('INSERT INTO v VALUES (?, ?, ?)');
  let t = performance.now();
  for (let i = 1; i <= SAVES; i++) ins.run('bench', i, JSON.stringify(doc(i)));
  const floorMs = performance.now() - t;
  bare.close();

  const store = openStore(join(dir, 'server'));
  const srv = await listen({
    store,
    engine: new MemoryEngine(),
    logger: pino({ level: 'silent' }),
    port: 0,
  });
  const id = store.create(doc(0)).id;
  t = performance.now();
  for (let i = 1; i <= SAVES; i++) {
    const status = await put(
      srv.port,
      srv.token,
      `/api/designs/${id}`,
      JSON.stringify({ baseVersion: i, doc: doc(i) }),
    );
    if (status !== 200) throw new Error(`save ${i} answered ${status}`);
  }
  const serverMs = performance.now() - t;
  keepAlive.destroy();
  await srv.close();
  store.close();
  return { floorMs, serverMs };
}

function connect(
  url: string,
  headers: Record<string, string>,
  onMessage: () => void,
): Promise<WebSocket> {
  const ws = new WebSocket(url, { headers });
  ws.on('message', onMessage);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

async function benchFanout(dir: string): Promise<{ floorMs: number; serverMs: number }> {
  const payload = JSON.stringify({
    kind: 'links',
    links: { 'c1--vlan10': { state: 'up', ends: [] } },
  });

  // Floor: a bare ws server broadcasting the same number of messages.
  const bare = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => bare.once('listening', r));
  const barePort = (bare.address() as { port: number }).port;
  let received = 0;
  let done: () => void = () => {};
  const clients: WebSocket[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    clients.push(
      await connect(`ws://127.0.0.1:${barePort}`, {}, () => {
        if (++received === CLIENTS * DELTAS) done();
      }),
    );
  }
  let t = performance.now();
  await new Promise<void>((resolve) => {
    done = resolve;
    for (let d = 0; d < DELTAS; d++) for (const c of bare.clients) c.send(payload);
  });
  const floorMs = performance.now() - t;
  for (const c of clients) c.terminate();
  await new Promise((r) => bare.close(r));

  // The hub: validated subscriptions, per-topic seq, per-client outbox.
  const store = openStore(join(dir, 'fanout'));
  const srv = await listen({
    store,
    engine: new MemoryEngine(),
    logger: pino({ level: 'silent' }),
    port: 0,
  });
  const headers = { host: `127.0.0.1:${srv.port}`, authorization: `Bearer ${srv.token}` };
  received = 0;
  const subs: WebSocket[] = [];
  let snapshots = 0;
  let allSubscribed: () => void = () => {};
  const subscribed = new Promise<void>((r) => {
    allSubscribed = r;
  });
  for (let i = 0; i < CLIENTS; i++) {
    const ws = await connect(`ws://127.0.0.1:${srv.port}/ws`, headers, () => {});
    ws.removeAllListeners('message');
    ws.on('message', (data) => {
      if (data.toString().startsWith('{"type":"snapshot"')) {
        if (++snapshots === CLIENTS) allSubscribed();
        return;
      }
      if (++received === CLIENTS * DELTAS) done();
    });
    ws.send(JSON.stringify({ type: 'subscribe', topic: { lab: 'bench' } }));
    subs.push(ws);
  }
  await subscribed;
  t = performance.now();
  await new Promise<void>((resolve) => {
    done = resolve;
    for (let d = 0; d < DELTAS; d++) {
      srv.hub.publish(
        { lab: 'bench' },
        { kind: 'links', links: { 'c1--vlan10': { state: 'up', ends: [] } } },
      );
    }
  });
  const serverMs = performance.now() - t;
  for (const s of subs) s.terminate();
  await srv.close();
  store.close();
  return { floorMs, serverMs };
}

const dir = mkdtempSync(join(tmpdir(), 'nc-bench-server-'));
try {
  const save = await benchSave(dir);
  console.log(
    `save      ${SAVES} designs: bare sqlite ${save.floorMs.toFixed(1)} ms, REST ${save.serverMs.toFixed(1)} ms ` +
      `(${(save.serverMs / SAVES).toFixed(2)} ms/save), ratio ${(save.serverMs / save.floorMs).toFixed(1)}×`,
  );
  const fan = await benchFanout(dir);
  console.log(
    `fan-out   ${DELTAS} deltas × ${CLIENTS} clients: bare ws ${fan.floorMs.toFixed(1)} ms, hub ${fan.serverMs.toFixed(1)} ms, ` +
      `ratio ${(fan.serverMs / fan.floorMs).toFixed(1)}×`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
