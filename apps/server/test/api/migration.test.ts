/**
 * A data directory from before address records (schema 1) opens, and the
 * first read of a design rebuilds its lost record from the addresses the
 * kernel shows: the only time the kernel decides an address.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { api, startTestServer, type TestServer, tempDir } from './helpers.js';
import { MemoryEngine } from './memory-engine.js';

let srv: TestServer | undefined;
afterEach(async () => {
  await srv?.stop();
});

const lab = 't-mig';
/** c2 was deleted while the lab ran: the kernel keeps c3 at .4, a fresh allocation would say .3. */
const doc = {
  apiVersion: 'netcanvas/v1',
  name: lab,
  nodes: {
    vlan10: { kind: 'vlan', vid: 10, subnet: '10.0.10.0/24' },
    r1: { kind: 'router', routing: 'auto', routes: [] },
    c1: { kind: 'namespace' },
    c3: { kind: 'namespace' },
  },
  links: [
    { endpoints: ['r1', 'vlan10'], state: 'up' },
    { endpoints: ['c1', 'vlan10'], state: 'up' },
    { endpoints: ['c3', 'vlan10'], state: 'up' },
  ],
  addressing: { p2p: '10.255.0.0/16' },
};

it('a schema-1 store opens; the lost record is rebuilt from the kernel, then kept', async () => {
  const dataDir = tempDir('nc-mig-');
  const db = new Database(join(dataDir, 'netcanvas.sqlite'));
  db.exec(`
    CREATE TABLE designs (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, version INTEGER NOT NULL,
      created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
    CREATE TABLE versions (design_id TEXT NOT NULL REFERENCES designs(id) ON DELETE CASCADE,
      version INTEGER NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL, created_at INTEGER NOT NULL,
      PRIMARY KEY (design_id, version)) WITHOUT ROWID;
    PRAGMA user_version = 1;
  `);
  db.prepare('INSERT INTO designs VALUES (?, ?, 3, 0, 0)').run('olddesign1', lab);
  db.prepare('INSERT INTO versions VALUES (?, 3, ?, ?, 0)').run(
    'olddesign1',
    lab,
    JSON.stringify(doc),
  );
  db.close();

  const engine = new MemoryEngine();
  engine.runningAddresses = {
    [`nc-${lab}.r1/vlan10`]: '10.0.10.1/24',
    [`nc-${lab}.c1/vlan10`]: '10.0.10.2/24',
    [`nc-${lab}.c3/vlan10`]: '10.0.10.4/24',
  };
  srv = await startTestServer({ engine, dataDir });
  const got = await api(srv, 'GET', '/api/designs/olddesign1');
  expect(got.status, got.text).toBe(200);
  expect(got.json.addresses).toEqual({
    'r1/vlan10': '10.0.10.1/24',
    'c1/vlan10': '10.0.10.2/24',
    'c3/vlan10': '10.0.10.4/24',
  });

  // From now on the record is the authority: the kernel is not asked again.
  engine.runningAddresses = {};
  const grown = await api(srv, 'PUT', '/api/designs/olddesign1', {
    baseVersion: 3,
    doc: {
      ...doc,
      nodes: { ...doc.nodes, c4: { kind: 'namespace' } },
      links: [...doc.links, { endpoints: ['c4', 'vlan10'] }],
    },
  });
  expect(grown.status, grown.text).toBe(200);
  const after = srv.store.get('olddesign1');
  expect(after.addresses).toMatchObject({
    'c3/vlan10': '10.0.10.4/24',
    'c4/vlan10': '10.0.10.3/24',
  });
  expect(engine.calls.filter((c) => c.method === 'addresses')).toHaveLength(1);
});
