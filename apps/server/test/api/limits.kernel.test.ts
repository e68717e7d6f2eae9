/**
 * No client can exhaust the server: a real `netcanvas serve` limited to 160
 * file descriptors (prlimit, from its start, so its descriptor budget is
 * computed from it) applies a 61-namespace lab, then takes 8,000 half-open
 * connections (connected, never a request), and answers its owner within
 * 5 s after they close. Before, it died with `spawn ip EMFILE` on its own
 * during the apply. The lab is removed at the end (checked in /run/netns).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readServerFile, serverFilePath } from '../../src/api/server-file.js';
import '../lab/helpers.js'; // needs root: fails loudly without it
import { netcanvasArgv, SERVER_DIR } from '../built-cli.js';
import { alive } from '../kernel/helpers.js';
import { tempDir } from './helpers.js';

const lab = `t-fd-${Math.random().toString(36).slice(2, 6)}`;
const labNetns = () =>
  readdirSync('/run/netns').filter((n) => n === `nc-${lab}` || n.startsWith(`nc-${lab}.`));
const stateDir = tempDir('nc-fd-state-');
const dataDir = tempDir('nc-fd-data-');
let child: ChildProcess;
let serverPid = 0;
let url = '';
let token = '';
let serverLog = '';

/** 60 containers on one VLAN: 61 namespaces with the fabric. */
function bigDesign() {
  const nodes: Record<string, unknown> = {
    vlan10: { kind: 'vlan', vid: 10, subnet: '10.0.0.0/24' },
  };
  const links: unknown[] = [];
  for (let i = 1; i <= 60; i++) {
    nodes[`c${i}`] = { kind: 'namespace' };
    links.push({ endpoints: [`c${i}`, 'vlan10'] });
  }
  return { apiVersion: 'netcanvas/v1', name: lab, nodes, links };
}

async function owner(method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}/api${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(120_000),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the test reads whatever JSON came back
  return { status: res.status, json: (await res.json().catch(() => null)) as any };
}

beforeAll(async () => {
  child = spawn(
    'prlimit',
    ['--nofile=160:160', ...netcanvasArgv('serve', '--port', '0', '--data-dir', dataDir).flat()],
    {
      cwd: SERVER_DIR,
      env: { ...process.env, NETCANVAS_STATE_DIR: stateDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stderr!.on('data', (c: Buffer) => {
    serverLog += c.toString();
  });
  await new Promise<void>((done, fail) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (/#login=/.test(out)) done();
    });
    child.once('exit', (code) => fail(new Error(`serve exited (${code}) before printing: ${out}`)));
  });
  const info = readServerFile(stateDir);
  if (!info) throw new Error('no server.json');
  ({ url, token } = info);
  serverPid = info.pid;
}, 90_000);

afterAll(async () => {
  try {
    if (labNetns().length > 0) await owner('POST', `/labs/by-name/${lab}/destroy`, {});
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
  expect(labNetns()).toEqual([]);
  // A clean shutdown removes the master token's file.
  expect(existsSync(serverFilePath(stateDir))).toBe(false);
  rmSync(stateDir, { recursive: true, force: true });
}, 120_000);

describe('a server with 160 descriptors', { timeout: 300_000 }, () => {
  it('applies a 61-namespace lab, survives 8,000 half-open connections and answers within 5 s after', async () => {
    const created = await owner('POST', '/designs', { doc: bigDesign() });
    expect(created.status).toBe(201);
    const applied = await owner('POST', `/labs/${created.json.id}/apply`, {});
    expect(
      applied.status,
      `${JSON.stringify(applied.json).slice(0, 500)}\n${serverLog.slice(-2000)}`,
    ).toBe(200);
    expect(applied.json.ok).toBe(true);
    expect(labNetns()).toHaveLength(61);
    expect(alive(serverPid)).toBe(true);

    // 8,000 connections that never send a byte, 400 at a time.
    const held: net.Socket[] = [];
    let connected = 0;
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(
        Array.from(
          { length: 400 },
          () =>
            new Promise<void>((done) => {
              const sock = net.connect(Number(new URL(url).port), '127.0.0.1');
              held.push(sock);
              sock.once('connect', () => {
                connected += 1;
                done();
              });
              sock.once('error', () => done());
              sock.once('close', () => done());
            }),
        ),
      );
    }
    expect(connected).toBeGreaterThan(0);
    expect(alive(serverPid)).toBe(true);
    for (const s of held) s.destroy();

    // The owner asks as a browser would: again until answered (a connection
    // that arrives while the closed ones still count toward the cap is dropped).
    const t0 = performance.now();
    let me: Awaited<ReturnType<typeof owner>> | null = null;
    const failures: string[] = [];
    while (!me && performance.now() - t0 < 5000) {
      me = await owner('GET', '/session').catch((err: Error) => {
        failures.push(String(err.cause ?? err));
        return null;
      });
    }
    expect(me?.status, failures.slice(-3).join('; ')).toBe(200);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(alive(serverPid)).toBe(true);

    const destroyed = await owner('POST', `/labs/${created.json.id}/destroy`, {});
    expect(destroyed.status).toBe(200);
    expect(labNetns()).toEqual([]);
  });
});
