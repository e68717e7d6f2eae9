/**
 * Designs and their versions in SQLite (better-sqlite3, WAL) inside the
 * data directory. Every save is one transaction, so a crash (even kill -9)
 * leaves either the previous version or the new one, never half of it.
 *
 * Every change is a batch of edit operations applied to the current version
 * (docs/architecture.md, "Edit operations"); a whole document (REST PUT,
 * restore) is first turned into ops against the version its writer started
 * from. Each version keeps the ops as applied, who made them, the batch's
 * ref (so a batch sent twice is stored once) and the address record the
 * server decided for it ("Address record").
 *
 * The store keeps drafts: a document is refused only when the draft reading
 * refuses it (not a design, a wrong JSON type, an invalid id key, a field
 * over its size); a bad subnet or a tunnel without underlay is saved and
 * reported by `diagnose`.
 *
 * Each design owns one lab, fixed when the design is created (the `lab`
 * column, unique) and never changed by an edit: the document's `name` is
 * only the lab name it asked for, and two designs may ask for the same one.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type {
  AddressDelta,
  AddressRecord,
  Design,
  DesignSummary,
  Diagnostic,
  EditNotice,
  EditOp,
  VersionSummary,
} from '@netcanvas/shared';
import {
  applyOps,
  DESIGN_ID_RE,
  decideAddresses,
  designToYaml,
  diffDesigns,
  draftFromYaml,
  firstFreeLabName,
  parseDraft,
  recordDelta,
  sameDesign,
  setKey,
} from '@netcanvas/shared';
import Database from 'better-sqlite3';

/** A design as lists show it: the REST answer's own type (core protocol/rest.ts). */
export type { DesignSummary, VersionSummary };

export interface DesignRecord extends DesignSummary {
  doc: Design;
  /** The addresses the server decided for this version; null when lost (rebuilt from the kernel). */
  addresses: AddressRecord | null;
}

/** What an edit batch did. */
export interface EditOutcome {
  record: DesignRecord;
  /** The ops as applied (empty: nothing changed, no version was stored). */
  applied: EditOp[];
  notices: EditNotice[];
  renames: Record<string, string>;
  /** How the address record changed from the previous version. */
  addresses: AddressDelta;
  /** The batch's ref was stored before, in `record.version`: nothing was applied now. */
  duplicate: boolean;
}

export interface EditOptions {
  /** The editor's connection id; null for REST and the server itself. */
  by?: string | null;
  /** The batch's ref: a ref already stored is not applied again. */
  ref?: string;
}

/** The design as the lab layer must see it: under the lab the record owns, whatever its name asks for. */
export function labDesignOf(rec: DesignRecord): Design {
  return { ...rec.doc, name: rec.lab };
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
export class LabTakenError extends StoreError {
  constructor(
    readonly lab: string,
    readonly ownerId?: string,
  ) {
    super(
      ownerId
        ? `lab ${lab} already belongs to design ${ownerId}`
        : `no free lab name near ${lab}: delete a design or destroy a lab first`,
    );
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

/**
 * 1: designs and versions. 2 was reached by two branches at once, one
 * adding each design's lab, the other each version's ops and addresses;
 * 3 has both.
 */
const SCHEMA_VERSION = 3;
const DEFAULT_KEEP_VERSIONS = 500;

export interface CreateOptions {
  /**
   * Whether a lab name is free outside this store (the ownership registry,
   * the kernel); it may claim the name for design `id` as it answers. Names
   * other stored designs own are never offered.
   */
  claimLab?: (lab: string, id: string) => boolean;
  /** An explicit adoption: exactly this lab (LabTakenError when a stored design owns it). */
  lab?: string;
  /** Addresses to keep (an adopted lab's, as the kernel shows them); the rest are decided. */
  addresses?: AddressRecord;
}

export interface Store {
  readonly path: string;
  /** Set when the database was found damaged at start and moved aside. */
  readonly recovered?: StoreRecovery;
  /** Most recently changed first. */
  list(): DesignSummary[];
  get(id: string, version?: number): DesignRecord;
  has(id: string): boolean;
  /** The design that owns a lab (what the kernel side knows). */
  byLab(lab: string): DesignRecord | undefined;
  /** Stores a new design and fixes its lab: its `name` when free, else the next free `name-N`. */
  create(doc: unknown, options?: CreateOptions): DesignRecord;
  /**
   * Applies an edit batch to the current version and stores the result as
   * the next version (nothing is stored when nothing changed).
   */
  edit(id: string, ops: readonly EditOp[], options?: EditOptions): EditOutcome;
  /**
   * A whole document written by someone who started from `baseVersion`:
   * stored as the ops between that version and `doc`, applied to the
   * current one, so edits made meanwhile by others are kept.
   */
  save(id: string, baseVersion: number, doc: unknown, options?: EditOptions): EditOutcome;
  history(id: string): VersionSummary[];
  /** Makes an old version current again, as a new version (history is never rewritten). */
  /**
   * Goes back to `version`. From a writer who saw `baseVersion`, only what
   * differs between that and `version` is undone: edits made since stay.
   */
  restore(id: string, version: number, baseVersion?: number, options?: EditOptions): EditOutcome;
  delete(id: string): void;
  importYaml(text: string, options?: CreateOptions): DesignRecord;
  exportYaml(id: string, version?: number): string;
  /** Keeps a rebuilt address record beside a version that had lost its own. */
  setAddresses(id: string, version: number, addresses: AddressRecord): void;
  /** Refs of the latest stored edit batches, newest first. */
  recentRefs(id: string, limit?: number): string[];
  /**
   * Who made the latest change before version `before` to what `setKey`
   * names: a connection id, null for REST, undefined when not kept.
   */
  lastEditor(id: string, key: string, before: number): string | null | undefined;
  integrityCheck(): string;
  close(): void;
}

/** The draft reading; throws InvalidDesignError with every diagnostic of a document it refuses. */
export function parseForStore(doc: unknown): Design {
  const { design, diagnostics } = parseDraft(doc);
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
  title: string | null;
  lab: string;
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
  const DESIGNS = (table: string) => `
      CREATE TABLE ${table} (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        title TEXT,
        lab TEXT NOT NULL UNIQUE,
        version INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );`;
  const columns = (table: string) =>
    new Set((db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name));
  if (userVersion < 1) {
    db.exec(`
      ${DESIGNS('designs')}
      CREATE TABLE versions (
        design_id TEXT NOT NULL REFERENCES designs(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        name TEXT NOT NULL,
        doc TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        ops TEXT,
        editor TEXT,
        ref TEXT,
        addresses TEXT,
        PRIMARY KEY (design_id, version)
      ) WITHOUT ROWID;
      PRAGMA user_version = ${SCHEMA_VERSION};
    `);
  } else if (userVersion < SCHEMA_VERSION) {
    // Schema 3 is schema 1 with two steps, each taken when its columns are
    // missing: so a schema-2 file written by either step alone (an earlier
    // build had one or the other) opens too.
    db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        if (!columns('designs').has('lab')) {
          // Design names were unique and there was no lab: each design keeps
          // the lab it has been running under (its name). SQLite cannot drop
          // a UNIQUE constraint, so the table is rebuilt (its documented
          // 12-step way, with foreign keys off so dropping the old table
          // cascades to no version).
          db.exec(`
            ${DESIGNS('designs_v2')}
            INSERT INTO designs_v2 (id, name, title, lab, version, created_at, updated_at)
              SELECT id, name, NULL, name, version, created_at, updated_at FROM designs;
            DROP TABLE designs;
            ALTER TABLE designs_v2 RENAME TO designs;
          `);
        }
        // Each version keeps its ops, editor, batch ref and address record
        // (null for older versions: the record is rebuilt from the kernel once).
        const have = columns('versions');
        for (const column of ['ops', 'editor', 'ref', 'addresses'])
          if (!have.has(column)) db.exec(`ALTER TABLE versions ADD COLUMN ${column} TEXT`);
        db.pragma(`user_version = ${SCHEMA_VERSION}`);
        const broken = db.pragma('foreign_key_check') as unknown[];
        if (broken.length > 0)
          throw new StoreError(`${path}: migration broke ${broken.length} rows`);
      })();
    } finally {
      db.pragma('foreign_keys = ON');
    }
  }

  const q = {
    list: db.prepare<[], DesignRow>('SELECT * FROM designs ORDER BY updated_at DESC, id'),
    design: db.prepare<[string], DesignRow>('SELECT * FROM designs WHERE id = ?'),
    byLab: db.prepare<[string], DesignRow>('SELECT * FROM designs WHERE lab = ?'),
    version: db.prepare<
      [string, number],
      { doc: string; created_at: number; addresses: string | null }
    >('SELECT doc, created_at, addresses FROM versions WHERE design_id = ? AND version = ?'),
    byRef: db.prepare<[string, string], { version: number }>(
      'SELECT version FROM versions WHERE design_id = ? AND ref = ?',
    ),
    refs: db.prepare<[string, number], { ref: string }>(
      'SELECT ref FROM versions WHERE design_id = ? AND ref IS NOT NULL ORDER BY version DESC LIMIT ?',
    ),
    edits: db.prepare<[string, number], { ops: string; editor: string | null }>(
      'SELECT ops, editor FROM versions WHERE design_id = ? AND version < ? AND ops IS NOT NULL ORDER BY version DESC',
    ),
    setAddresses: db.prepare(
      'UPDATE versions SET addresses = ? WHERE design_id = ? AND version = ?',
    ),
    history: db.prepare<[string], { version: number; name: string; created_at: number }>(
      'SELECT version, name, created_at FROM versions WHERE design_id = ? ORDER BY version DESC',
    ),
    insertDesign: db.prepare(
      'INSERT INTO designs (id, name, title, lab, version, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?)',
    ),
    bump: db.prepare(
      'UPDATE designs SET version = ?, name = ?, title = ?, updated_at = ? WHERE id = ? AND version = ?',
    ),
    insertVersion: db.prepare(
      'INSERT INTO versions (design_id, version, name, doc, created_at, ops, editor, ref, addresses) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
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

  function summary(r: DesignRow): DesignSummary {
    return {
      id: r.id,
      name: r.name,
      ...(r.title !== null ? { title: r.title } : {}),
      lab: r.lab,
      version: r.version,
      createdAt: iso(r.created_at),
      updatedAt: iso(r.updated_at),
    };
  }

  function record(r: DesignRow, version = r.version): DesignRecord {
    const v = q.version.get(r.id, version);
    if (!v) throw new DesignNotFoundError(r.id, version);
    const doc = JSON.parse(v.doc) as Design;
    const { title: _title, ...rest } = summary(r);
    return {
      ...rest,
      // An old version is shown as it was, under the lab the design owns.
      name: doc.name,
      ...(doc.title !== undefined ? { title: doc.title } : {}),
      version,
      updatedAt: iso(version === r.version ? r.updated_at : v.created_at),
      doc,
      addresses: v.addresses === null ? null : (JSON.parse(v.addresses) as AddressRecord),
    };
  }

  /** The document a writer started from: `baseVersion` if still kept and older, else the current one. */
  function seenAt(current: DesignRow, baseVersion: number | undefined): Design {
    return baseVersion !== undefined &&
      baseVersion < current.version &&
      q.version.get(current.id, baseVersion)
      ? record(current, baseVersion).doc
      : record(current).doc;
  }

  const createTx = db.transaction((design: Design, options: CreateOptions): DesignRecord => {
    const now = Date.now();
    let id = newDesignId();
    while (q.design.get(id)) id = newDesignId();
    let lab: string | null;
    if (options.lab !== undefined) {
      const owner = q.byLab.get(options.lab);
      if (owner) throw new LabTakenError(options.lab, owner.id);
      lab = options.lab;
    } else {
      lab = firstFreeLabName(
        design.name,
        (name) => !q.byLab.get(name) && (options.claimLab?.(name, id) ?? true),
      );
      if (lab === null) throw new LabTakenError(design.name);
    }
    q.insertDesign.run(id, design.name, design.title ?? null, lab, now, now);
    const addresses = decideAddresses(design, options.addresses ?? null);
    q.insertVersion.run(
      id,
      1,
      design.name,
      JSON.stringify(design),
      now,
      null,
      null,
      null,
      JSON.stringify(addresses),
    );
    return record(row(id));
  });

  const editTx = db.transaction(
    (id: string, ops: readonly EditOp[], options: EditOptions): EditOutcome => {
      const current = row(id);
      const base = record(current);
      const none = { applied: [], notices: [], renames: {}, addresses: { set: {}, drop: [] } };
      if (options.ref !== undefined) {
        const seen = q.byRef.get(id, options.ref);
        if (seen) return { ...none, record: record(current, seen.version), duplicate: true };
      }
      const result = applyOps(base.doc, ops);
      let doc = result.doc;
      const applied = result.applied;
      const design = parseForStore(doc);
      // The stored form has the schema's defaults; its ops say so, so every client converges on it.
      if (!sameDesign(design, doc)) {
        const normalised = applyOps(doc, diffDesigns(doc, design));
        applied.push(...normalised.applied);
        doc = normalised.doc;
      }
      if (applied.length === 0) {
        return { ...none, notices: result.notices, record: base, duplicate: false };
      }
      const addresses = decideAddresses(doc, base.addresses, applied);
      const next = current.version + 1;
      const now = Date.now();
      q.insertVersion.run(
        id,
        next,
        doc.name,
        JSON.stringify(doc),
        now,
        JSON.stringify(applied),
        options.by ?? null,
        options.ref ?? null,
        JSON.stringify(addresses),
      );
      q.bump.run(next, doc.name, doc.title ?? null, now, id, current.version);
      if (keep > 0 && next > keep) q.prune.run(id, next - keep);
      return {
        record: record(row(id)),
        applied,
        notices: result.notices,
        renames: result.renames,
        addresses: recordDelta(base.addresses ?? {}, addresses),
        duplicate: false,
      };
    },
  );

  /** The ops that turn `from` into the document `doc` (parsed as a draft). */
  function opsTowards(from: Design, doc: unknown): EditOp[] {
    return diffDesigns(from, parseForStore(doc));
  }

  const store: Store = {
    path,
    ...(recovered ? { recovered } : {}),
    list: () => q.list.all().map(summary),
    get(id, version) {
      return record(row(id), version);
    },
    has(id) {
      return q.design.get(id) !== undefined;
    },
    byLab(lab) {
      const r = q.byLab.get(lab);
      return r ? record(r) : undefined;
    },
    create(doc, options = {}) {
      return createTx(parseForStore(doc), options);
    },
    edit(id, ops, options = {}) {
      return editTx(id, ops, options);
    },
    save(id, baseVersion, doc, options = {}) {
      const current = row(id);
      return editTx(id, opsTowards(seenAt(current, baseVersion), doc), options);
    },
    history(id) {
      row(id);
      return q.history
        .all(id)
        .map((v) => ({ version: v.version, name: v.name, createdAt: iso(v.created_at) }));
    },
    restore(id, version, baseVersion, options = {}) {
      const current = row(id);
      const old = record(current, version);
      return editTx(id, opsTowards(seenAt(current, baseVersion), old.doc), options);
    },
    delete(id) {
      if (q.delete.run(id).changes === 0) throw new DesignNotFoundError(id);
    },
    importYaml(text, options = {}) {
      const { design, diagnostics } = draftFromYaml(text);
      if (!design) throw new InvalidDesignError(diagnostics);
      return createTx(design, options);
    },
    exportYaml(id, version) {
      return designToYaml(record(row(id), version).doc);
    },
    setAddresses(id, version, addresses) {
      q.setAddresses.run(JSON.stringify(addresses), id, version);
    },
    recentRefs(id, limit = 50) {
      return q.refs.all(id, limit).map((r) => r.ref);
    },
    lastEditor(id, key, before) {
      for (const v of q.edits.iterate(id, before)) {
        const ops = JSON.parse(v.ops) as EditOp[];
        if (ops.some((op) => setKey(op) === key)) return v.editor;
      }
      return undefined;
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
