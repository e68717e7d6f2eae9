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
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type {
  AddressDelta,
  AddressRecord,
  Design,
  Diagnostic,
  EditNotice,
  EditOp,
} from '@netcanvas/shared';
import {
  applyOps,
  DESIGN_ID_RE,
  decideAddresses,
  designToYaml,
  diffDesigns,
  draftFromYaml,
  parseDraft,
  recordDelta,
  sameDesign,
  setKey,
} from '@netcanvas/shared';
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

export interface VersionSummary {
  version: number;
  name: string;
  createdAt: string;
}

/** Base class so the API can map store failures to HTTP statuses in one place. */
export class StoreError extends Error {}
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

const SCHEMA_VERSION = 2;
const DEFAULT_KEEP_VERSIONS = 500;

export interface Store {
  readonly path: string;
  list(): DesignSummary[];
  get(id: string, version?: number): DesignRecord;
  /** Looks a design up by its lab name (what the kernel side knows). */
  byName(name: string): DesignRecord | undefined;
  create(doc: unknown): DesignRecord;
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
  restore(id: string, version: number, options?: EditOptions): EditOutcome;
  delete(id: string): void;
  importYaml(text: string): DesignRecord;
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
  version: number;
  created_at: number;
  updated_at: number;
}

export function openStore(dataDir: string, options: StoreOptions = {}): Store {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, 'netcanvas.sqlite');
  const db = new Database(path);
  const keep = options.keepVersions ?? DEFAULT_KEEP_VERSIONS;
  db.pragma('journal_mode = WAL');
  // WAL + NORMAL survives a process crash (kill -9) without losing a commit;
  // only a power loss may drop the last transactions, acceptable for a local tool.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');

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
  if (userVersion < 2) {
    // Schema 2: each version keeps its ops, editor, batch ref and address record.
    db.exec(`
      ALTER TABLE versions ADD COLUMN ops TEXT;
      ALTER TABLE versions ADD COLUMN editor TEXT;
      ALTER TABLE versions ADD COLUMN ref TEXT;
      ALTER TABLE versions ADD COLUMN addresses TEXT;
      PRAGMA user_version = 2;
    `);
  }

  const q = {
    list: db.prepare<[], DesignRow>('SELECT * FROM designs ORDER BY name'),
    design: db.prepare<[string], DesignRow>('SELECT * FROM designs WHERE id = ?'),
    byName: db.prepare<[string], DesignRow>('SELECT * FROM designs WHERE name = ?'),
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
      'INSERT INTO designs (id, name, version, created_at, updated_at) VALUES (?, ?, 1, ?, ?)',
    ),
    bump: db.prepare(
      'UPDATE designs SET version = ?, name = ?, updated_at = ? WHERE id = ? AND version = ?',
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
      addresses: v.addresses === null ? null : (JSON.parse(v.addresses) as AddressRecord),
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
    const addresses = decideAddresses(design, null);
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
      checkName(doc.name, id);
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
      q.bump.run(next, doc.name, now, id, current.version);
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

  return {
    path,
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
    edit(id, ops, options = {}) {
      return editTx(id, ops, options);
    },
    save(id, baseVersion, doc, options = {}) {
      const current = row(id);
      // The version the writer started from, if still kept; else the current one.
      const from =
        baseVersion < current.version && q.version.get(id, baseVersion)
          ? record(current, baseVersion).doc
          : record(current).doc;
      return editTx(id, opsTowards(from, doc), options);
    },
    history(id) {
      row(id);
      return q.history
        .all(id)
        .map((v) => ({ version: v.version, name: v.name, createdAt: iso(v.created_at) }));
    },
    restore(id, version, options = {}) {
      const current = row(id);
      const old = record(current, version);
      return editTx(id, opsTowards(record(current).doc, old.doc), options);
    },
    delete(id) {
      if (q.delete.run(id).changes === 0) throw new DesignNotFoundError(id);
    },
    importYaml(text) {
      const { design, diagnostics } = draftFromYaml(text);
      if (!design) throw new InvalidDesignError(diagnostics);
      return createTx(design);
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
}

export function isDesignId(id: string): boolean {
  return DESIGN_ID_RE.test(id);
}
