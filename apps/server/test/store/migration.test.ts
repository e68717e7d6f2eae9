/**
 * A data directory written by the schema-1 store (design names unique, no
 * lab column) opens in this one: every design keeps the lab it has been
 * running under (its name), with all its versions, and a new design asking
 * for one of those names gets the next free lab.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/store.js';

const dir = mkdtempSync(join(tmpdir(), 'nc-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const doc = (name: string, description?: string) => ({
  apiVersion: 'netcanvas/v1',
  name,
  ...(description ? { description } : {}),
  nodes: { c1: { kind: 'namespace' } },
  links: [],
  addressing: { p2p: '10.255.0.0/16' },
});

function writeSchema1(path: string) {
  const db = new Database(path);
  db.exec(`
    CREATE TABLE designs (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      version INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );
    CREATE TABLE versions (
      design_id TEXT NOT NULL REFERENCES designs(id) ON DELETE CASCADE,
      version INTEGER NOT NULL,
      name TEXT NOT NULL,
      doc TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (design_id, version)
    ) WITHOUT ROWID;
    PRAGMA user_version = 1;
  `);
  const insertDesign = db.prepare('INSERT INTO designs VALUES (?, ?, ?, ?, ?)');
  const insertVersion = db.prepare('INSERT INTO versions VALUES (?, ?, ?, ?, ?)');
  insertDesign.run('olddesign01', 'vxlan', 2, 1000, 2000);
  insertVersion.run('olddesign01', 1, 'vxlan', JSON.stringify(doc('vxlan', 'v1')), 1000);
  insertVersion.run('olddesign01', 2, 'vxlan', JSON.stringify(doc('vxlan', 'v2')), 2000);
  insertDesign.run('olddesign02', 'same-vlan', 1, 1500, 1500);
  insertVersion.run('olddesign02', 1, 'same-vlan', JSON.stringify(doc('same-vlan')), 1500);
  db.close();
}

describe('store schema 1 → 3', () => {
  it('keeps every design, version and running lab name, and frees names for new designs', () => {
    writeSchema1(join(dir, 'netcanvas.sqlite'));
    const store = openStore(dir);
    try {
      expect(store.integrityCheck()).toBe('ok');
      expect(
        store
          .list()
          .map((d) => [d.id, d.name, d.lab, d.version])
          .sort(),
      ).toEqual([
        ['olddesign01', 'vxlan', 'vxlan', 2],
        ['olddesign02', 'same-vlan', 'same-vlan', 1],
      ]);
      expect(store.get('olddesign01', 1).doc.description).toBe('v1');
      expect(store.history('olddesign01').map((v) => v.version)).toEqual([2, 1]);
      expect(store.byLab('vxlan')?.id).toBe('olddesign01');
      // Old versions have no address record yet (the server rebuilds it from the kernel once);
      // an edit decides one and is stored with its ops.
      expect(store.get('olddesign01').addresses).toBeNull();
      const edited = store.edit('olddesign01', [
        { op: 'node.set', id: 'c1', field: 'label', value: 'one' },
      ]);
      expect(edited.record.version).toBe(3);
      expect(edited.applied).toHaveLength(1);
      expect(store.get('olddesign01').doc.nodes.c1).toMatchObject({ label: 'one' });
      // Design names are no longer unique; labs are.
      const again = store.create(doc('vxlan'));
      expect(again.lab).toBe('vxlan-2');
      // Deleting still removes a design's versions (the foreign key survived the rebuild).
      store.delete('olddesign02');
      expect(() => store.get('olddesign02', 1)).toThrow(/does not exist/);
    } finally {
      store.close();
    }
    const raw = new Database(join(dir, 'netcanvas.sqlite'));
    try {
      expect(raw.pragma('user_version', { simple: true })).toBe(3);
      expect(raw.prepare('SELECT count(*) AS n FROM versions').get()).toEqual({ n: 4 });
    } finally {
      raw.close();
    }
  });
});

/**
 * Schema 2 was written in two forms (each design's lab, or each version's
 * ops and address record); a file of either form opens with what it had.
 */
describe('store schema 2, either form → 3', () => {
  it('designs with labs, versions without ops: the labs are kept, the columns added', () => {
    const at = mkdtempSync(join(dir, 'labs-'));
    const db = new Database(join(at, 'netcanvas.sqlite'));
    db.exec(`
      CREATE TABLE designs (id TEXT PRIMARY KEY, name TEXT NOT NULL, title TEXT,
        lab TEXT NOT NULL UNIQUE, version INTEGER NOT NULL, created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL);
      CREATE TABLE versions (design_id TEXT NOT NULL REFERENCES designs(id) ON DELETE CASCADE,
        version INTEGER NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
        created_at INTEGER NOT NULL, PRIMARY KEY (design_id, version)) WITHOUT ROWID;
      PRAGMA user_version = 2;
    `);
    db.prepare('INSERT INTO designs VALUES (?, ?, ?, ?, 1, 0, 0)').run(
      'twodesign001',
      'vxlan',
      'Class demo',
      'vxlan-2',
    );
    db.prepare('INSERT INTO versions VALUES (?, 1, ?, ?, 0)').run(
      'twodesign001',
      'vxlan',
      JSON.stringify({ ...doc('vxlan'), title: 'Class demo' }),
    );
    db.close();
    const store = openStore(at);
    try {
      const rec = store.get('twodesign001');
      expect([rec.lab, rec.name, rec.title, rec.addresses]).toEqual([
        'vxlan-2',
        'vxlan',
        'Class demo',
        null,
      ]);
      const out = store.edit('twodesign001', [
        { op: 'node.set', id: 'c1', field: 'label', value: 'one' },
      ]);
      expect(out.record.lab).toBe('vxlan-2');
      expect(store.recentRefs('twodesign001')).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('versions with ops and records, designs without labs: each design keeps its name as its lab', () => {
    const at = mkdtempSync(join(dir, 'ops-'));
    const db = new Database(join(at, 'netcanvas.sqlite'));
    db.exec(`
      CREATE TABLE designs (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE,
        version INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
      CREATE TABLE versions (design_id TEXT NOT NULL REFERENCES designs(id) ON DELETE CASCADE,
        version INTEGER NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
        created_at INTEGER NOT NULL, ops TEXT, editor TEXT, ref TEXT, addresses TEXT,
        PRIMARY KEY (design_id, version)) WITHOUT ROWID;
      PRAGMA user_version = 2;
    `);
    db.prepare('INSERT INTO designs VALUES (?, ?, 2, 0, 0)').run('opsdesign001', 'same-vlan');
    const insert = db.prepare('INSERT INTO versions VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)');
    insert.run(
      'opsdesign001',
      1,
      'same-vlan',
      JSON.stringify(doc('same-vlan')),
      null,
      null,
      null,
      '{}',
    );
    insert.run(
      'opsdesign001',
      2,
      'same-vlan',
      JSON.stringify(doc('same-vlan', 'v2')),
      JSON.stringify([{ op: 'doc.set', field: 'description', value: 'v2', prev: null }]),
      'conn01',
      'tab:1',
      JSON.stringify({ 'c1/eth0': '10.0.0.2/24' }),
    );
    db.close();
    const store = openStore(at);
    try {
      const rec = store.get('opsdesign001');
      expect([rec.lab, rec.version, rec.addresses]).toEqual([
        'same-vlan',
        2,
        { 'c1/eth0': '10.0.0.2/24' },
      ]);
      expect(store.recentRefs('opsdesign001')).toEqual(['tab:1']);
      expect(store.lastEditor('opsdesign001', '|description', 3)).toBe('conn01');
      // Names are no longer unique: a second same-vlan gets the next lab.
      expect(store.create(doc('same-vlan')).lab).toBe('same-vlan-2');
    } finally {
      store.close();
    }
  });
});
