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

describe('store schema 1 → 2', () => {
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
      expect(raw.pragma('user_version', { simple: true })).toBe(2);
      expect(raw.prepare('SELECT count(*) AS n FROM versions').get()).toEqual({ n: 3 });
    } finally {
      raw.close();
    }
  });
});
