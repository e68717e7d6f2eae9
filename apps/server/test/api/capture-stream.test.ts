/**
 * Capture lines stream live: on a running vxlan scenario (real engine, real
 * kernel, real listener), a capture on r1's public interface shows the
 * tunnel's UDP 4789 packets on the socket while tcpdump is still running,
 * not when it ends. The lab uses its own name and is removed at the end
 * (checked in /run/netns). Needs root.
 */
import { readdirSync, rmSync } from 'node:fs';
import { designFromYaml, findScenario } from '@netcanvas/shared';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedRunner } from '../../src/kernel/observe.js';
import { createEngine } from '../../src/lab/index.js';
import { createKernelSources } from '../../src/live/kernel-sources.js';
import { createLabTools } from '../../src/tools/capture.js';
import { packetSocketOn } from '../kernel/helpers.js';
import '../lab/helpers.js'; // needs root: fails loudly without it
import { untilAsync } from '../until.js';
import { api, startTestServer, type TestServer, TestSocket, tempDir } from './helpers.js';

const lab = `t-cap-${Math.random().toString(36).slice(2, 8)}`;
const labNetns = () =>
  readdirSync('/run/netns').filter((n) => n === `nc-${lab}` || n.startsWith(`nc-${lab}.`));
let srv: TestServer;
let id: string;
const stateDir = tempDir('nc-cap-state-');
const dataDir = tempDir('nc-cap-data-');

beforeAll(async () => {
  srv = await startTestServer({
    engine: createEngine({ stateDir }),
    dataDir,
    sources: createKernelSources({ logger: pino({ level: 'silent' }), runner: sharedRunner() }),
    tools: createLabTools(dataDir),
  });
  const { design } = designFromYaml(findScenario('vxlan')!.yaml);
  id = srv.store.create({ ...design!, name: lab }).id;
});

afterAll(async () => {
  try {
    await srv.engine.destroy(lab);
  } finally {
    await srv.stop();
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
  expect(labNetns()).toEqual([]);
});

describe('capture over the socket', { timeout: 60_000 }, () => {
  it('a VXLAN line on r1/public reaches the client while the capture still runs', async () => {
    const applied = await api(srv, 'POST', `/api/labs/${id}/apply`, {});
    expect(applied.status, applied.text).toBe(200);
    expect(applied.json.ok, applied.text).toBe(true);

    const s = await TestSocket.open(srv);
    s.send({ type: 'subscribe', topic: { lab } });
    await s.next((m) => m.type === 'snapshot');

    // Long and roomy: only the streaming can make a line show up before it ends.
    const cap = await api(srv, 'POST', `/api/labs/${id}/captures`, {
      node: 'r1',
      dev: 'public',
      packets: 1000,
      seconds: 12,
    });
    expect(cap.status, cap.text).toBe(202);
    await untilAsync(() => packetSocketOn(`nc-${lab}.r1`, 'public'), 'tcpdump attached');

    const ping = await api(srv, 'POST', `/api/labs/${id}/ping`, { from: 'c1', to: 'c2' });
    expect(ping.json.measured, ping.text).toBe(true);
    const isCapture = (m: (typeof s.messages)[number]) =>
      m.type === 'delta' && m.event.kind === 'capture' && m.event.capture === cap.json.id;
    const linesSoFar = () =>
      s.messages.flatMap((m) =>
        isCapture(m) && m.type === 'delta' && m.event.kind === 'capture' ? m.event.lines : [],
      );
    // tcpdump prints a tunnel packet as its outer UDP line, then the frame inside it.
    await s.next(
      (m) =>
        isCapture(m) &&
        m.type === 'delta' &&
        m.event.kind === 'capture' &&
        m.event.lines.some((l) => l.includes(`> ${ping.json.target}: ICMP echo request`)),
      10_000,
    );
    const lines = linesSoFar();
    const inner = lines.findIndex((l) => l.includes(`> ${ping.json.target}: ICMP echo request`));
    expect(lines[inner - 1]).toMatch(
      /^\S+ IP [\d.]+\.\d+ > [\d.]+\.4789: VXLAN, flags \[I\] \(0x08\), vni 42$/,
    );
    // The capture has not ended: no message of it carries `done` yet.
    expect(
      s.messages.some(
        (m) => isCapture(m) && m.type === 'delta' && m.event.kind === 'capture' && !!m.event.done,
      ),
    ).toBe(false);

    // It ends by its time bound, and no tcpdump is left inside the lab when it is destroyed.
    const done = await s.next(
      (m) => isCapture(m) && m.type === 'delta' && m.event.kind === 'capture' && !!m.event.done,
      20_000,
    );
    expect(done).toMatchObject({ event: { done: { reason: 'stopped after 12 s' } } });
    s.close();
  });

  it('destroying the lab ends its running captures at once', async () => {
    const s = await TestSocket.open(srv);
    s.send({ type: 'subscribe', topic: { lab } });
    await s.next((m) => m.type === 'snapshot');
    const cap = await api(srv, 'POST', `/api/labs/${id}/captures`, {
      node: 'r2',
      dev: 'public',
      packets: 1000,
      seconds: 60,
    });
    expect(cap.status, cap.text).toBe(202);
    await untilAsync(() => packetSocketOn(`nc-${lab}.r2`, 'public'), 'tcpdump attached');
    const t0 = performance.now();
    const destroyed = await api(srv, 'POST', `/api/labs/${id}/destroy`, {});
    expect(destroyed.status, destroyed.text).toBe(200);
    // Without the stop, tcpdump would run its full minute and keep r2's namespace alive.
    await s.next(
      (m) =>
        m.type === 'delta' &&
        m.event.kind === 'capture' &&
        m.event.capture === cap.json.id &&
        !!m.event.done,
      15_000,
    );
    expect(performance.now() - t0).toBeLessThan(15_000);
    expect(labNetns()).toEqual([]);
    s.close();
  });
});
