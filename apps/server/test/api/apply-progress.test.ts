/**
 * A big apply seen from a socket: its progress arrives coalesced (a client
 * needs ten updates a second, not one per kernel operation), and the HTTP
 * reply of an apply or a destroy comes when the kernel work is done, not
 * after the status refresh that follows it over the socket.
 */
import { ApplyAnswer, type Design, diagnose, type ServerMessage } from '@netcanvas/shared';
import { afterEach, expect, it } from 'vitest';
import type { ApplyProgress, ApplyResult, LabStatus } from '../../src/lab/engine.js';
import { PROGRESS_MS } from '../../src/live/hub.js';
import { api, design, startTestServer, type TestServer, TestSocket } from './helpers.js';
import { MemoryEngine } from './memory-engine.js';

/** An apply that reports every one of its 20,000 operations, over about half a second. */
class ChattyEngine extends MemoryEngine {
  readonly total = 20_000;
  override async apply(d: Design, onProgress?: (p: ApplyProgress) => void): Promise<ApplyResult> {
    const lab = d.name;
    onProgress?.({ lab, phase: 'plan', done: 0, total: this.total });
    for (let done = 1; done <= this.total; done++) {
      onProgress?.({ lab, phase: 'run', done, total: this.total });
      if (done % 400 === 0) await new Promise((r) => setTimeout(r, 10));
    }
    this.running.set(lab, d);
    onProgress?.({ lab, phase: 'done', done: this.total, total: this.total });
    return { lab, ok: true, ops: [], diagnostics: [] };
  }
}

/**
 * An apply that changes phase often while it reports every step, over about
 * 1.5 s: a phase change is news, but not a reason for more than ten
 * messages in a second.
 */
class PhasingEngine extends MemoryEngine {
  override async apply(d: Design, onProgress?: (p: ApplyProgress) => void): Promise<ApplyResult> {
    const lab = d.name;
    const phases = ['observe', 'plan', 'run', 'verify'] as const;
    for (let round = 0; round < 75; round++) {
      const phase = phases[round % phases.length]!;
      for (let done = 0; done < 50; done++) onProgress?.({ lab, phase, done, total: 50 });
      await new Promise((r) => setTimeout(r, 20));
    }
    this.running.set(lab, d);
    onProgress?.({ lab, phase: 'done', done: 50, total: 50 });
    return { lab, ok: true, ops: [], diagnostics: [] };
  }
}

/** A lab whose status, once it runs, takes as long as the test says. */
class SlowStatusEngine extends MemoryEngine {
  release: () => void = () => {};
  private readonly statusGate = new Promise<void>((r) => {
    this.release = r;
  });
  override async status(lab: string): Promise<LabStatus> {
    if (this.running.has(lab)) await this.statusGate;
    return super.status(lab);
  }
}

let srv: TestServer | undefined;
afterEach(async () => {
  await srv?.stop();
  srv = undefined;
});

it('a 20,000-operation apply reaches a subscriber as about ten progress messages a second, ending with done', async () => {
  const engine = new ChattyEngine();
  srv = await startTestServer({ engine });
  const id = srv.store.create(design('t-progress')).id;
  const s = await TestSocket.open(srv);
  s.send({ type: 'subscribe', topic: { lab: 't-progress' } });
  await s.next((m) => m.type === 'snapshot');

  const t0 = performance.now();
  expect((await api(srv, 'POST', `/api/labs/${id}/apply`, {})).status).toBe(200);
  const seconds = (performance.now() - t0) / 1000;
  await s.next(
    (m) => m.type === 'delta' && m.event.kind === 'apply' && m.event.progress.phase === 'done',
  );
  const progress = s.messages.flatMap((m) =>
    m.type === 'delta' && m.event.kind === 'apply' ? [m.event.progress] : [],
  );
  // One per period while it runs, plus the plan and done messages.
  expect(progress.length).toBeLessThanOrEqual(Math.ceil((seconds * 1000) / PROGRESS_MS) + 3);
  expect(progress.length).toBeGreaterThan(2); // the run is reported, not only its end
  expect(progress.at(-1)).toMatchObject({ phase: 'done', done: engine.total });
  const runs = progress.filter((p) => p.phase === 'run').map((p) => p.done);
  expect(runs).toEqual([...runs].sort((a, b) => a - b));
  s.close();
});

it('an apply that keeps changing phase sends no second more than ten progress messages', async () => {
  srv = await startTestServer({ engine: new PhasingEngine() });
  const id = srv.store.create(design('t-phases')).id;
  const s = await TestSocket.open(srv);
  s.send({ type: 'subscribe', topic: { lab: 't-phases' } });
  await s.next((m) => m.type === 'snapshot');
  const arrived: number[] = [];
  s.ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as ServerMessage;
    if (m.type === 'delta' && m.event.kind === 'apply') arrived.push(performance.now());
  });

  expect((await api(srv, 'POST', `/api/labs/${id}/apply`, {})).status).toBe(200);
  await s.next(
    (m) => m.type === 'delta' && m.event.kind === 'apply' && m.event.progress.phase === 'done',
  );
  // The busiest second, starting at any message.
  const busiest = Math.max(
    ...arrived.map((t) => arrived.filter((u) => u >= t && u < t + 1000).length),
  );
  expect(arrived.length).toBeGreaterThan(5); // the phases are reported, not only the end
  expect(busiest).toBeLessThanOrEqual(10);
  s.close();
});

it('the apply reply does not wait for the status refresh; the status follows over the socket', async () => {
  const engine = new SlowStatusEngine();
  srv = await startTestServer({ engine });
  const id = srv.store.create(design('t-reply')).id;
  const s = await TestSocket.open(srv);
  s.send({ type: 'subscribe', topic: { lab: 't-reply' } });
  await s.next((m) => m.type === 'snapshot'); // absent: not gated

  const reply = api(srv, 'POST', `/api/labs/${id}/apply`, {});
  const outcome = await Promise.race([
    reply.then((r) => r.status),
    new Promise<string>((r) => setTimeout(() => r('still waiting'), 5000)),
  ]);
  expect(outcome).toBe(200);
  expect(s.messages.some((m) => m.type === 'delta' && m.event.kind === 'status')).toBe(false);

  engine.release();
  await s.next(
    (m) => m.type === 'delta' && m.event.kind === 'status' && m.event.status.state === 'running',
  );
  s.close();
});

it('the destroy reply does not wait for the status refresh either; the absent lab follows over the socket', async () => {
  const engine = new SlowStatusEngine();
  srv = await startTestServer({ engine });
  const id = srv.store.create(design('t-down')).id;
  engine.running.set('t-down', design('t-down') as never);
  engine.release(); // the running lab's first status is not what this test is about
  const s = await TestSocket.open(srv);
  s.send({ type: 'subscribe', topic: { lab: 't-down' } });
  await s.next((m) => m.type === 'snapshot');

  let release: () => void = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const read = engine.status.bind(engine);
  engine.status = async (lab: string) => {
    await gate; // a slow status read of the lab once destroy begins
    return read(lab);
  };
  const before = s.messages.length;
  const reply = api(srv, 'POST', `/api/labs/${id}/destroy`, {});
  const outcome = await Promise.race([
    reply.then((r) => r.status),
    new Promise<string>((r) => setTimeout(() => r('still waiting'), 5000)),
  ]);
  expect(outcome).toBe(200);
  expect(engine.running.has('t-down')).toBe(false);
  expect(
    s.messages.slice(before).some((m) => m.type === 'delta' && m.event.kind === 'status'),
  ).toBe(false);

  release();
  await s.next(
    (m) => m.type === 'delta' && m.event.kind === 'status' && m.event.status.state === 'absent',
  );
  s.close();
});

it('the apply reply carries the ops and diagnostics but not the resolved topology, and the web parses it', async () => {
  class TopologyEngine extends MemoryEngine {
    override async apply(d: Design): Promise<ApplyResult> {
      const result = await super.apply(d);
      return { ...result, topology: diagnose(d).topology! };
    }
  }
  srv = await startTestServer({ engine: new TopologyEngine() });
  const id = srv.store.create(design('t-small')).id;
  const r = await api(srv, 'POST', `/api/labs/${id}/apply`, {});
  expect(r.status).toBe(200);
  expect(r.json).not.toHaveProperty('topology');
  expect(ApplyAnswer.parse(r.json)).toMatchObject({ lab: 't-small', ok: true, ops: [] });
});
