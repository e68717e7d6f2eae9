/**
 * `server.json` in the state directory: where the running server listens,
 * its pid and its master token, readable by root only. `netcanvas login`
 * reads it to ask the server for a fresh login link; the server removes it
 * on a clean shutdown (a stale one is recognised by its dead pid).
 */
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface ServerFile {
  url: string;
  pid: number;
  token: string;
}

export const SERVER_FILE = 'server.json';

export function serverFilePath(stateDir: string): string {
  return join(stateDir, SERVER_FILE);
}

export function writeServerFile(stateDir: string, info: ServerFile): void {
  const target = serverFilePath(stateDir);
  const tmp = `${target}.${process.pid}.tmp`;
  // Created 0600 before anything is written: the token is never readable by others, even briefly.
  rmSync(tmp, { force: true });
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(info)}\n`);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, target);
}

/** The file's content, or null when there is none (or it is not ours to parse). */
export function readServerFile(stateDir: string): ServerFile | null {
  try {
    const v = JSON.parse(readFileSync(serverFilePath(stateDir), 'utf8')) as Partial<ServerFile>;
    if (typeof v.url === 'string' && typeof v.pid === 'number' && typeof v.token === 'string')
      return { url: v.url, pid: v.pid, token: v.token };
  } catch {
    // absent or unreadable
  }
  return null;
}

/** Removes the file if it still describes the server with this pid. */
export function removeServerFile(stateDir: string, pid: number): void {
  if (readServerFile(stateDir)?.pid === pid) rmSync(serverFilePath(stateDir), { force: true });
}
