/** Designs survive a restart and a kill -9 in the middle of a stream of saves. */
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/store.js';
import { design, raw, tempDir } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
// Node itself with tsx's loader, not the tsx CLI: the CLI runs the script in a grandchild, and a
// kill -9 must hit the process that writes the database.
const tsxLoader = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'loader.mjs'),
).href;
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0))
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function child(script: string, arg: string): ChildProcess {
  const c = spawn(process.execPath, ['--import', tsxLoader, join(here, 'fixtures', script), arg], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(c);
  return c;
}

function lines(c: ChildProcess, onLine: (l: string) => void): void {
  let buf = '';
  c.stdout!.setEncoding('utf8');
  c.stdout!.on('data', (chunk: string) => {
    const parts = (buf + chunk).split('\n');
    buf = parts.pop() ?? '';
    for (const p of parts) onLine(p);
  });
}

function waitFor(c: ChildProcess, re: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let err = '';
    c.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const t = setTimeout(() => reject(new Error(`child did not print ${re}: ${err}`)), timeoutMs);
    lines(c, (l) => {
      const m = l.match(re);
      if (m) {
        clearTimeout(t);
        resolve(m);
      }
    });
  });
}

describe('persistence', () => {
  it('designs and their history are intact in a new server process on the same data directory', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const first = child('serve-child.ts', dir);
    const [, port1, token1] = await waitFor(first, /^READY (\d+) (\S+)$/);
    const h1 = {
      host: `127.0.0.1:${port1}`,
      authorization: `Bearer ${token1}`,
      'content-type': 'application/json',
    };
    const a = await raw(
      { port: Number(port1) },
      'POST',
      '/api/designs',
      h1,
      JSON.stringify({ doc: design('t-persist-a') }),
    );
    await raw(
      { port: Number(port1) },
      'PUT',
      `/api/designs/${a.json.id}`,
      h1,
      JSON.stringify({ baseVersion: 1, doc: design('t-persist-a', { description: 'v2' }) }),
    );
    await raw(
      { port: Number(port1) },
      'POST',
      '/api/designs',
      h1,
      JSON.stringify({ doc: design('t-persist-b') }),
    );
    // A browser logs in on the first server.
    const code = await raw({ port: Number(port1) }, 'POST', '/api/login/codes', h1, '{}');
    const login = await raw(
      { port: Number(port1) },
      'POST',
      '/api/login',
      { host: h1.host, 'content-type': 'application/json' },
      JSON.stringify({ code: code.json.code }),
    );
    expect(login.status).toBe(201);
    const closed = waitFor(first, /^CLOSED$/);
    first.kill('SIGTERM');
    await closed;

    const second = child('serve-child.ts', dir);
    const [, port2, token2] = await waitFor(second, /^READY (\d+) (\S+)$/);
    expect(token2).not.toBe(token1); // a new token each start
    const h2 = { host: `127.0.0.1:${port2}`, authorization: `Bearer ${token2}` };
    const list = await raw({ port: Number(port2) }, 'GET', '/api/designs', h2);
    expect(
      list.json.designs.map((d: { name: string; version: number }) => [d.name, d.version]).sort(),
    ).toEqual([
      ['t-persist-a', 2],
      ['t-persist-b', 1],
    ]);
    const got = await raw({ port: Number(port2) }, 'GET', `/api/designs/${a.json.id}`, h2);
    expect(got.json.doc.description).toBe('v2');
    // The old token is dead.
    const old = await raw({ port: Number(port2) }, 'GET', '/api/designs', {
      ...h2,
      authorization: `Bearer ${token1}`,
    });
    expect(old.status).toBe(401);
    // And so is every browser session: a restart logs everyone out.
    const session = await raw({ port: Number(port2) }, 'GET', '/api/designs', {
      host: h2.host,
      authorization: `Bearer ${login.json.secret}`,
    });
    expect(session.status).toBe(401);
  });

  it('kill -9 during a stream of saves: the database checks ok and holds the last committed version', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const c = child('save-loop.ts', dir);
    let last = 0;
    const killed = new Promise<void>((resolve) => {
      lines(c, (l) => {
        const m = l.match(/^committed (\d+)$/);
        if (!m) return;
        last = Number(m[1]);
        if (last >= 300 && c.signalCode === null) {
          c.kill('SIGKILL');
        }
      });
      // 'close': after the pipe is drained, so `last` is the last line the child wrote.
      c.on('close', () => resolve());
    });
    await killed;
    expect(c.signalCode).toBe('SIGKILL');
    const store = openStore(dir);
    try {
      expect(store.integrityCheck()).toBe('ok');
      const rec = store.byLab('t-crash')!;
      // The child may have committed one more after its last line was written.
      expect(rec.version).toBeGreaterThanOrEqual(last);
      expect(rec.version).toBeLessThanOrEqual(last + 1);
      expect(rec.doc.description).toBe(`v${rec.version}`);
      expect(store.history(rec.id)[0]!.version).toBe(rec.version);
    } finally {
      store.close();
    }
  });
});
