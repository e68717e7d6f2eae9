/**
 * Storage that survives: a database damaged in the middle or in its header
 * is found at start (quick_check), moved aside, and the server starts with
 * an empty store and says so — in its output and on /api/session, naming
 * both files. A full disk is a 507 naming the file, and the last version
 * stays. Needs root (a small tmpfs is mounted inside the test's own mount
 * namespace).
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer } from '../../src/api/server.js';
import { openStore, StorageCorruptError, storageError } from '../../src/store/store.js';
import { netcanvasArgv, SERVER_DIR } from '../built-cli.js';
import '../lab/helpers.js'; // needs root: fails loudly without it
import { api, design, startTestServer, tempDir } from './helpers.js';
import { MemoryEngine } from './memory-engine.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** A data directory whose database holds enough designs to have a middle. */
function filledStore(): { dataDir: string; path: string } {
  const dataDir = tempDir('nc-store-');
  const store = openStore(dataDir);
  for (let i = 0; i < 40; i++)
    store.create(design(`t-st-${i}`, { description: 'x'.repeat(3000 + i) }));
  const path = store.path;
  store.close();
  cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
  return { dataDir, path };
}

function overwrite(path: string, offset: number, bytes: number): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.alloc(bytes, 0xab), 0, bytes, offset);
  } finally {
    closeSync(fd);
  }
}

describe('a damaged database', () => {
  it('garbage written into its middle is found at start: moved aside, an empty store, said on /api/session', async () => {
    const { dataDir, path } = filledStore();
    const pages = statSync(path).size / 4096;
    overwrite(path, Math.floor(pages / 2) * 4096, 4096);
    const stateDir = tempDir('nc-store-state-');
    const running = await startServer({
      dataDir,
      stateDir,
      port: 0,
      engine: new MemoryEngine(),
      logger: pino({ level: 'silent' }),
    });
    cleanup.push(async () => {
      await running.close();
      rmSync(stateDir, { recursive: true, force: true });
    });
    expect(running.recovered?.path).toBe(path);
    expect(running.recovered?.reason).toMatch(/quick_check|malformed|corrupt/i);
    const movedTo = running.recovered!.movedTo;
    expect(movedTo).toMatch(/netcanvas\.sqlite\.corrupt-/);
    expect(existsSync(movedTo)).toBe(true);
    const srv = { port: running.port, host: `127.0.0.1:${running.port}`, token: running.token };
    const me = await api(srv as never, 'GET', '/api/session');
    expect(me.json.storage).toMatchObject({ path, recovered: { path, movedTo } });
    expect((await api(srv as never, 'GET', '/api/designs')).json.designs).toEqual([]);
  });

  it('a damaged header is moved aside too; `serve` prints both paths and what may rescue the old file', async () => {
    const { dataDir, path } = filledStore();
    overwrite(path, 0, 100);
    const stateDir = tempDir('nc-store-state-');
    cleanup.push(() => rmSync(stateDir, { recursive: true, force: true }));
    const child = spawn(...netcanvasArgv('serve', '--port', '0', '--data-dir', dataDir), {
      cwd: SERVER_DIR,
      env: { ...process.env, NETCANVAS_STATE_DIR: stateDir },
    });
    child.stderr.resume();
    let out = '';
    await new Promise<void>((done, fail) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (/#login=/.test(out)) done();
      });
      child.once('exit', (code) => fail(new Error(`serve exited (${code}): ${out}`)));
    });
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    expect(out).toMatch(/DAMAGED \(.*file is not a database/);
    expect(out).toContain(path);
    const moved = readdirSync(dataDir).find((f) => f.startsWith('netcanvas.sqlite.corrupt-'));
    expect(moved).toBeDefined();
    expect(out).toContain(join(dataDir, moved!));
    expect(out).toMatch(/\.recover/);
  });

  it('SQLite’s own errors become storage errors that name the file and what to do', () => {
    const dir = tempDir('nc-store-');
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'x.sqlite');
    writeFileSync(path, Buffer.alloc(8192, 0xab));
    let raw: unknown;
    try {
      new Database(path).pragma('user_version');
    } catch (err) {
      raw = err;
    }
    expect(String(raw)).toMatch(/file is not a database/);
    const e = storageError(raw, path);
    expect(e).toBeInstanceOf(StorageCorruptError);
    expect((e as Error).message).toContain(path);
    expect((e as Error).message).toMatch(/restart the server.*\.recover/);
  });
});

describe('a full disk', () => {
  it('a save on a full tmpfs is a 507 naming the file; the last version stays, and saving works once there is room', async () => {
    const dir = tempDir('nc-full-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
    cleanup.push(() => {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    });
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    const srv = await startTestServer({ dataDir });
    cleanup.push(() => srv.stop());
    const created = await api(srv, 'POST', '/api/designs', { doc: design('t-full') });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    // Fill what is left of the disk.
    const filler = join(dir, 'filler');
    const fd = openSync(filler, 'w');
    try {
      for (;;) writeSync(fd, Buffer.alloc(16 * 1024, 1));
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      closeSync(fd);
    }
    // ~300 KB of JSON: more than the disk has left.
    const nodes: Record<string, unknown> = {};
    for (let i = 0; i < 3000; i++) nodes[`n${i}`] = { kind: 'namespace', label: 'z'.repeat(64) };
    const big = { ...design('t-full'), nodes: { ...design('t-full').nodes, ...nodes } };
    const full = await api(srv, 'PUT', `/api/designs/${id}`, { baseVersion: 1, doc: big });
    expect(full.status).toBe(507);
    expect(full.json.error.code).toBe('storage-full');
    expect(full.json.error.message).toContain(srv.store.path);
    const kept = await api(srv, 'GET', `/api/designs/${id}`);
    expect(kept.status).toBe(200);
    expect(kept.json.version).toBe(1);
    expect(Object.keys(kept.json.doc.nodes)).toHaveLength(3);

    rmSync(filler);
    const saved = await api(srv, 'PUT', `/api/designs/${id}`, { baseVersion: 1, doc: big });
    expect(saved.status).toBe(200);
    expect(saved.json.version).toBe(2);
  });
});
