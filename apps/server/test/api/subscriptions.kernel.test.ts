/**
 * Subscribe, then close before the first status arrives (a reload during a
 * big lab's first status): 1,000 such clients one after another, on a real
 * server with the real engine and kernel sources over a running lab, leave
 * no subscriber, no watched lab and — once the workers' idle time has
 * passed — no poller process. Before, each one stayed subscribed forever
 * and kept `ip` pollers running once a second. Needs root.
 */
import { readdirSync, rmSync } from 'node:fs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runner } from '../../src/kernel/runner.js';
import { LabEngine, LabState } from '../../src/lab/index.js';
import { createKernelPort } from '../../src/lab/kernel-port.js';
import { createKernelSources } from '../../src/live/kernel-sources.js';
import '../lab/helpers.js'; // needs root: fails loudly without it
import { api, design, startTestServer, type TestServer, TestSocket, tempDir } from './helpers.js';

const lab = `t-sub-${Math.random().toString(36).slice(2, 6)}`;
const labNetns = () =>
  readdirSync('/run/netns').filter((n) => n === `nc-${lab}` || n.startsWith(`nc-${lab}.`));
const IDLE_MS = 1500;
const runner = new Runner({ idleMs: IDLE_MS });
const stateDir = tempDir('nc-sub-state-');
let srv: TestServer;
let id: string;

beforeAll(async () => {
  srv = await startTestServer({
    engine: new LabEngine(createKernelPort(runner), new LabState(stateDir)),
    sources: createKernelSources({ logger: pino({ level: 'silent' }), runner }),
    ws: { maxClients: 64 },
  });
  id = srv.store.create(design(lab)).id;
  const applied = await api(srv, 'POST', `/api/labs/${id}/apply`, {});
  expect(applied.json.ok, applied.text).toBe(true);
});

afterAll(async () => {
  try {
    await api(srv, 'POST', `/api/labs/${id}/destroy`, {});
  } finally {
    await srv.stop();
    await runner.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
  expect(labNetns()).toEqual([]);
});

describe('subscribe, then close', { timeout: 240_000 }, () => {
  it('1,000 clients one after another leave no subscriber, no watch and no poller', async () => {
    for (let i = 0; i < 1000; i++) {
      const s = await TestSocket.open(srv);
      s.send({ type: 'subscribe', topic: { lab } });
      // Closed at once: the first status (an observe of the lab) is still being read.
      s.ws.terminate();
      await s.closed();
    }
    // Nobody watches the lab: its watch goes when the last first-status read ends…
    await expect
      .poll(() => srv.hub.activity(), { timeout: 30_000, interval: 100 })
      .toEqual({ labs: [], topics: {} });
    // …and with nothing polling, every worker process idles out.
    await expect
      .poll(() => runner.workerPids().length, { timeout: IDLE_MS * 10, interval: 200 })
      .toBe(0);

    // A client that stays still gets the lab, and its pollers come back.
    const s = await TestSocket.open(srv);
    s.send({ type: 'subscribe', topic: { lab } });
    expect(await s.next((m) => m.type === 'snapshot')).toMatchObject({
      lab: { status: { state: 'running' } },
    });
    expect(srv.hub.activity().labs).toEqual([lab]);
    s.close();
    await s.closed();
    await expect.poll(() => srv.hub.activity().labs, { timeout: 5000 }).toEqual([]);
  });
});
