/**
 * The audit log: one JSON line per kernel change, whoever asked — the
 * server (on behalf of a browser session or the master token) or the CLI.
 *
 *   {"level":"info","time":"2026-…","action":"apply","lab":"demo","design":"k3…",
 *    "ops":42,"result":"ok","client":"session:9f…","msg":"kernel change"}
 *
 * It lives in the state directory (`audit.log`, root-only), beside the
 * labs' lock files, so the server and the CLI write the same file. Lines
 * are appended synchronously: a line is on disk before the answer leaves.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { defaultStateDir } from './state.js';

export type AuditAction = 'apply' | 'destroy' | 'link-state' | 'capture-start' | 'capture-stop';

export interface AuditEntry {
  action: AuditAction;
  lab: string;
  /** The stored design's id (the server), or the file / scenario it came from (the CLI); null when unknown. */
  design: string | null;
  /** Kernel operations run (0 when nothing changed). */
  ops: number;
  result: 'ok' | 'failed' | 'error';
  /** `cli`, `master` (a client of the server holding the master token) or `session:<id>` (a browser). */
  client: string;
  message?: string;
}

export interface AuditLog {
  readonly path: string;
  /** One line: the entry and whatever else names the change (link, capture, rollback…). */
  record(entry: AuditEntry & Record<string, unknown>): void;
  close(): void;
}

export function openAuditLog(stateDir: string = defaultStateDir()): AuditLog {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const path = join(stateDir, 'audit.log');
  // Created root-only before pino opens it for appending.
  closeSync(openSync(path, 'a', 0o600));
  const dest = pino.destination({ dest: path, sync: true, append: true });
  const logger: Logger = pino(
    {
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    dest,
  );
  return {
    path,
    record(entry) {
      logger.info(entry, 'kernel change');
    },
    close() {
      dest.flushSync();
      dest.end();
    },
  };
}

/** For callers that were given no log (pure HTTP tests). */
export const noAudit: AuditLog = { path: '', record() {}, close() {} };
