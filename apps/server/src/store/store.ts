/**
 * Designs and their versions in SQLite (better-sqlite3, WAL) inside the
 * data directory. Every save is one transaction, so a crash (even kill -9)
 * leaves either the previous version or the new one, never half of it.
 *
 * The store accepts a design that parses (the zod structure holds) even
 * when it still has semantic problems: a user draws incrementally and must
 * be able to save a half-finished network. A document that does not parse
 * is refused with its diagnostics.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Design, Diagnostic } from '@netcanvas/shared';
import { DESIGN_ID_RE, designFromYaml, designToYaml, parseDesign } from '@netcanvas/shared';
import Database from 'better-sqlite3';

export interface DesignSummary {
  id: string;
  name: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface DesignRecord extends DesignSummary {
  doc: Design;
}

export interface VersionSummary {
  version: number;
  name: string;
  createdAt: string;
}

/** Base class so the API can map store failures to HTTP statuses in one place. */
export class StoreError extends Error {}

/** The database file itself failed (I/O, permissions…): the message names the file. */
export class StorageError extends StoreError {
  constructor(
    readonly path: string,
    readonly sqliteCode: string,
    detail: string,
  ) {
    super(`storage ${path}: ${detail} (${sqliteCode})`);
  }
}
/** The disk holding the database is full: the write was rolled back, nothing stored before it is lost. */
export class StorageFullError extends StorageError {
  constructor(path: string, sqliteCode: string) {
    super(
      path,
      sqliteCode,
      'the disk is full; this change was not saved and the last saved version is kept. Free some space and save again',
    );
  }
}
/** The database is damaged; the server moves such a file aside when it starts. */
export class StorageCorruptError extends StorageError {
  constructor(path: string, sqliteCode: string, detail: string) {
    super(
      path,
      sqliteCode,
      `${detail}. The database is damaged: restart the server, which moves the file aside and starts an empty store (sqlite3 "${path}" .recover may rescue designs from the old file)`,
    );
  }
}

/** A corrupt database found at start and moved aside. */
export interface StoreRecovery {
  /** Where the database is (now a new, empty one). */
  path: string;
  /** Where the damaged file was moved. */
  movedTo: string;
  /** What was wrong with it (quick_check's first line, or SQLite's error). */
  reason: string;
  at: string;
}

const CORRUPT_CODES = /^SQLITE_(CORRUPT|NOTADB)/;
const FULL_CODES = /^SQLITE_FULL|^SQLITE_IOERR_(WRITE|SHMSIZE|FSYNC|TRUNCATE)$/;

function sqliteCode(err: unknown): string | null {
  const e = err as { code?: unknown; name?: unknown };
  return e?.name === 'SqliteError' && typeof e.code === 'string' ? e.code : null;
}

/** SQLite's errors as StorageErrors naming the file; anything else unchanged. */
export function storageError(err: unknown, path: string): unknown {
  const code = sqliteCode(err);
  if (!code) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'SQLITE_FULL' || (FULL_CODES.test(code) && /full|space/i.test(message)))
    return new StorageFullError(path, code);
  if (CORRUPT_CODES.test(code)) return new StorageCorruptError(path, code, message);
  return new StorageError(path, code, message);
}
export class DesignNotFoundError extends StoreError {
  constructor(
    readonly id: string,
    readonly version?: number,
  ) {
    super(
      version === undefined
        ? `design ${id} does not exist`
        : `design ${id} has no version ${version}`,
    );
  }
}
export class StaleVersionError extends StoreError {
  constructor(
    readonly id: string,
    readonly expected: number,
    readonly current: number,
  ) {
    super(`design ${id} is at version ${current}, not ${expected}: reload it, then save again`);
  }
}
export class NameTakenError extends StoreError {
  constructor(
    readonly designName: string,
    readonly ownerId: string,
  ) {
    super(`another design (${ownerId}) is already named ${designName}; lab names must be unique`);
  }
}
export class InvalidDesignError extends StoreError {
  constructor(readonly diagnostics: Diagnostic[]) {
    const first = diagnostics.find((d) => d.severity === 'error') ?? diagnostics[0];
    super(first ? `the design does not parse: ${first.message}` : 'the design does not parse');
  }
}

export interface StoreOptions {
  /** Versions kept per design; older ones are pruned on save (autosave writes many). */
  keepVersions?: number;
}

const SCHEMA_VERSION = 1;
const DEFAULT_KEEP_VERSIONS = 500;

export interface Store {
  readonly path: string;
  /** Set when the database was found damaged at start and moved aside. */
  readonly recovered?: StoreRecovery;
  list(): DesignSummary[];
  get(id: string, version?: number): DesignRecord;
  /** Looks a design up by its lab name (what the kernel side knows). */
  byName(name: string): DesignRecord | undefined;
  create(doc: unknown): DesignRecord;
  /** Stores `doc` as the next version when `expectedVersion` is current; StaleVersionError otherwise. */
  save(id: string, expectedVersion: number, doc: unknown): DesignRecord;
  history(id: string): VersionSummary[];
  /** Makes an old version current again, as a new version (history is never rewritten). */
  restore(id: string, version: number, expectedVersion: number): DesignRecord;
  delete(id: string): void;
  importYaml(text: string): DesignRecord;
  exportYaml(id: string, version?: number): string;
  integrityCheck(): string;
  close(): void;
}

/** Structure check; throws InvalidDesignError with every structural diagnostic. */
export function parseForStore(doc: unknown): Design {
  const { design, diagnostics } = parseDesign(doc);
  if (!design) throw new InvalidDesignError(diagnostics);
  return design;
}

function newDesignId(): string {
  // 12 base-36 characters: ~62 bits, plenty for a local store.
  const bytes = randomBytes(12);
  let id = '';
  for (const b of bytes) id += (b % 36).toString(36);
  return id;
}

interface DesignRow {
  id: string;
  name: string;
  version: number;
  created_at: number;
  updated_at: number;
}

/** Opens the file and checks it (quick_check); throws SqliteError or a corruption reason. */
function openChecked(path: string): Database.Database {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    // WAL + NORMAL survives a process crash (kill -9) without losing a commit;
    // only a power loss may drop the last transactions, acceptable for a local tool.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const check = db.pragma('quick_check', { simple: true }) as string;
    if (check !== 'ok') {
      const e = new Error(`quick_check: ${String(check).split('\n')[0]}`) as Error & {
        code: string;
      };
      e.name = 'SqliteError';
      e.code = 'SQLITE_CORRUPT';
      throw e;
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Renames a damaged database (and its -wal/-shm files) aside; returns the new name. */
function moveAside(path: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const target = `${path}.corrupt-${stamp}`;
  renameSync(path, target);
  for (const ext of ['-wal', '-shm'])
    if (existsSync(path + ext)) renameSync(path + ext, target + ext);
  return target;
}

export function openStore(dataDir: string, options: StoreOptions = {}): Store {
  const path = join(dataDir, 'netcanvas.sqlite');
  let db: Database.Database;
  let recovered: StoreRecovery | undefined;
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    try {
      db = openChecked(path);
    } catch (err) {
      const code = sqliteCode(err);
      if (!code || !CORRUPT_CODES.test(code)) throw err;
      // A damaged file is kept for rescue, never written to again; the server starts empty.
      const reason = err instanceof Error ? err.message : String(err);
      const movedTo = moveAside(path);
      recovered = { path, movedTo, reason, at: new Date().toISOString() };
      db = openChecked(path);
    }
  } catch (err) {
    const e = storageError(err, path);
    if (e instanceof StoreError) throw e;
    const errno = err as NodeJS.ErrnoException;
    throw new StorageError(path, errno.code ?? 'error', errno.message ?? String(err));
  }
  const keep = options.keepVersions ?? DEFAULT_KEEP_VERSIONS;

  const userVersion = db.pragma('user_version', { simple: true }) as number;
  if (userVersion > SCHEMA_VERSION) {
    db.close();
    throw new StoreError(
      `${path} was written by a newer netcanvas (schema ${userVersion}); this one knows ${SCHEMA_VERSION}`,
    );
  }
  if (userVersion < 1) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS designs (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        version INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS versions (
        design_id TEXT NOT NULL REFERENCES designs(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        name TEXT NOT NULL,
        doc TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (design_id, version)
      ) WITHOUT ROWID;
      PRAGMA user_version = 1;
    `);
  }

  const q = {
    list: db.prepare<[], DesignRow>('SELECT * FROM designs ORDER BY name'),
    design: db.prepare<[string], DesignRow>('SELECT * FROM designs WHERE id = ?'),
    byName: db.prepare<[string], DesignRow>('SELECT * FROM designs WHERE name = ?'),
    version: db.prepare<[string, number], { doc: string; created_at: number }>(
      'SELECT doc, created_at FROM versions WHERE design_id = ? AND version = ?',
    ),
    history: db.prepare<[string], { version: number; name: string; created_at: number }>(
      'SELECT version, name, created_at FROM versions WHERE design_id = ? ORDER BY version DESC',
    ),
    insertDesign: db.prepare(
      'INSERT INTO designs (id, name, version, created_at, updated_at) VALUES (?, ?, 1, ?, ?)',
    ),
    bump: db.prepare(
      'UPDATE designs SET version = ?, name = ?, updated_at = ? WHERE id = ? AND version = ?',
    ),
    insertVersion: db.prepare(
      'INSERT INTO versions (design_id, version, name, doc, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
    prune: db.prepare('DELETE FROM versions WHERE design_id = ? AND version <= ?'),
    delete: db.prepare('DELETE FROM designs WHERE id = ?'),
  };

  const iso = (ms: number) => new Date(ms).toISOString();

  function row(id: string): DesignRow {
    const r = q.design.get(id);
    if (!r) throw new DesignNotFoundError(id);
    return r;
  }

  function record(r: DesignRow, version = r.version): DesignRecord {
    const v = q.version.get(r.id, version);
    if (!v) throw new DesignNotFoundError(r.id, version);
    return {
      id: r.id,
      name: r.name,
      version,
      createdAt: iso(r.created_at),
      updatedAt: iso(version === r.version ? r.updated_at : v.created_at),
      doc: JSON.parse(v.doc) as Design,
    };
  }

  function checkName(name: string, id: string | null): void {
    const owner = q.byName.get(name);
    if (owner && owner.id !== id) throw new NameTakenError(name, owner.id);
  }

  const createTx = db.transaction((design: Design): DesignRecord => {
    checkName(design.name, null);
    const now = Date.now();
    let id = newDesignId();
    while (q.design.get(id)) id = newDesignId();
    q.insertDesign.run(id, design.name, now, now);
    q.insertVersion.run(id, 1, design.name, JSON.stringify(design), now);
    return record(row(id));
  });

  const saveTx = db.transaction((id: string, expected: number, design: Design): DesignRecord => {
    const current = row(id);
    if (current.version !== expected) throw new StaleVersionError(id, expected, current.version);
    checkName(design.name, id);
    const next = current.version + 1;
    const now = Date.now();
    q.insertVersion.run(id, next, design.name, JSON.stringify(design), now);
    const changed = q.bump.run(next, design.name, now, id, expected).changes;
    // The version check above and this guarded update are in one transaction;
    // the guard is a second line of defence should another writer share the file.
    if (changed !== 1) throw new StaleVersionError(id, expected, row(id).version);
    if (keep > 0 && next > keep) q.prune.run(id, next - keep);
    return record(row(id));
  });

  const store: Store = {
    path,
    ...(recovered ? { recovered } : {}),
    list: () =>
      q.list.all().map((r) => ({
        id: r.id,
        name: r.name,
        version: r.version,
        createdAt: iso(r.created_at),
        updatedAt: iso(r.updated_at),
      })),
    get(id, version) {
      return record(row(id), version);
    },
    byName(name) {
      const r = q.byName.get(name);
      return r ? record(r) : undefined;
    },
    create(doc) {
      return createTx(parseForStore(doc));
    },
    save(id, expectedVersion, doc) {
      return saveTx(id, expectedVersion, parseForStore(doc));
    },
    history(id) {
      row(id);
      return q.history
        .all(id)
        .map((v) => ({ version: v.version, name: v.name, createdAt: iso(v.created_at) }));
    },
    restore(id, version, expectedVersion) {
      const old = record(row(id), version);
      return saveTx(id, expectedVersion, old.doc);
    },
    delete(id) {
      if (q.delete.run(id).changes === 0) throw new DesignNotFoundError(id);
    },
    importYaml(text) {
      const { design, diagnostics } = designFromYaml(text);
      if (!design) throw new InvalidDesignError(diagnostics);
      return createTx(design);
    },
    exportYaml(id, version) {
      return designToYaml(record(row(id), version).doc);
    },
    integrityCheck() {
      return db.pragma('integrity_check', { simple: true }) as string;
    },
    close() {
      if (db.open) db.close();
    },
  };
  // Every SQLite failure leaves the store as a StorageError that names the file.
  for (const key of Object.keys(store) as (keyof Store)[]) {
    const f = store[key];
    if (typeof f !== 'function') continue;
    (store as unknown as Record<string, unknown>)[key] = (...args: unknown[]) => {
      try {
        return (f as (...a: unknown[]) => unknown)(...args);
      } catch (err) {
        throw storageError(err, path);
      }
    };
  }
  return store;
}

export function isDesignId(id: string): boolean {
  return DESIGN_ID_RE.test(id);
}
