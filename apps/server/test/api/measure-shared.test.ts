/**
 * One Measure per lab, shared by every tab that follows it: a second tab's (or a reloaded
 * tab's) Measure joins the running one instead of pinging every pair again beside it, a tab
 * that subscribes meanwhile gets it back with the pairs measured so far, and Cancel from any
 * tab ends it for all.
 */
import type { Design, Matrix, PingResult, ServerMessage } from '@netcanvas/shared';
import { afterEach, expect, it } from 'vitest';
import { until } from '../until.js';
import { api, design, startTestServer, type TestServer, TestSocket } from './helpers.js';
import { MemoryEngine } from './memory-engine.js';

const pair = (from: string, to: string, measured: boolean): PingResult => ({
  from,
  to,
  target: '10.0.0.1',
  reachable: true,
  forward: [],
  back: [],
  measured,
  output: `${from} → ${to}`,
});

/** A Measure of four pairs: two measured at once, the rest once `release` is called or it is cancelled. */
class SlowMeasureEngine extends MemoryEngine {
  release: () => void = () => {};
  override async matrix(
    d: Design,
    onResult?: (r: PingResult) => void,
    opts: { size?: number; signal?: AbortSignal; onStart?: (total: number) => void } = {},
  ): Promise<{ predicted: Matrix; measured: PingResult[] }> {
    this.calls.push({
      method: 'matrix',
      lab: d.name,
      ...(opts.size !== undefined ? { args: { size: opts.size } } : {}),
    });
    opts.onStart?.(4);
    const measured = [pair('c1', 'c2', true), pair('c2', 'c1', false)];
    for (const r of measured) onResult?.(r);
    await new Promise<void>((resolve) => {
      this.release = resolve;
      opts.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
    if (!opts.signal?.aborted)
      for (const r of [pair('c1', 'r1', true), pair('r1', 'c1', true)]) {
        onResult?.(r);
        measured.push(r);
      }
    return { predicted: { endpoints: [], targets: {}, results: [] }, measured };
  }
}

let srv: TestServer | undefined;
afterEach(async () => {
  await srv?.stop();
  srv = undefined;
});

const measureEvents = (s: TestSocket) =>
  s.messages.flatMap((m) =>
    m.type === 'delta' && m.event.kind === 'measure' ? [m.event.running] : [],
  );

it('a second Measure joins the running one; a tab subscribing meanwhile sees it with the pairs so far, then its end', async () => {
  const engine = new SlowMeasureEngine();
  srv = await startTestServer({ engine });
  const id = srv.store.create(design('t-measure')).id;
  const first = await TestSocket.open(srv);
  first.send({ type: 'subscribe', topic: { lab: 't-measure' } });
  await first.next((m) => m.type === 'snapshot');

  const a = api(srv, 'POST', `/api/labs/${id}/matrix`, {});
  await until(() => measureEvents(first).length === 1, 'the first tab heard the Measure start');
  expect(measureEvents(first)).toEqual([{ total: 4 }]);
  // A second tab's Measure (or a reloaded tab's): the same run, not a second one.
  const b = api(srv, 'POST', `/api/labs/${id}/matrix`, {});
  // A tab that opens now gets the running Measure and the two pairs measured so far.
  const late = await TestSocket.open(srv);
  late.send({ type: 'subscribe', topic: { lab: 't-measure' } });
  const snap = (await late.next((m) => m.type === 'snapshot')) as Extract<
    ServerMessage,
    { type: 'snapshot' }
  >;
  expect(snap.lab?.measure?.total).toBe(4);
  expect(snap.lab?.measure?.results.map((r) => `${r.from}-${r.to}:${r.measured}`)).toEqual([
    'c1-c2:true',
    'c2-c1:false',
  ]);
  await until(() => engine.calls.filter((c) => c.method === 'matrix').length === 1, 'one run');
  engine.release();
  const [ra, rb] = await Promise.all([a, b]);
  for (const r of [ra, rb]) {
    expect(r.status, r.text).toBe(200);
    expect(r.json.cancelled).toBe(false);
    expect(r.json.measured).toHaveLength(4);
  }
  expect(engine.calls.filter((c) => c.method === 'matrix')).toHaveLength(1);
  for (const s of [first, late])
    await until(() => measureEvents(s).at(-1) === null, 'every tab heard the Measure end');
  // The late tab got the rest of the pairs as they came.
  const lateResults = late.messages.flatMap((m) =>
    m.type === 'delta' && m.event.kind === 'matrix' ? [m.event.result.to] : [],
  );
  expect(lateResults).toEqual(['r1', 'c1']);
  // Over: a new subscriber sees no Measure running.
  const after = await TestSocket.open(srv);
  after.send({ type: 'subscribe', topic: { lab: 't-measure' } });
  const snap2 = (await after.next((m) => m.type === 'snapshot')) as Extract<
    ServerMessage,
    { type: 'snapshot' }
  >;
  expect(snap2.lab?.measure).toBeNull();
  for (const s of [first, late, after]) s.ws.close();
});

it('a Measure at another size while one runs is refused naming the size; Cancel from any tab ends the run for both requests', async () => {
  const engine = new SlowMeasureEngine();
  srv = await startTestServer({ engine });
  const id = srv.store.create(design('t-measure2')).id;
  const a = api(srv, 'POST', `/api/labs/${id}/matrix`, { size: 1000 });
  await until(() => engine.calls.some((c) => c.method === 'matrix'), 'the Measure started');
  const other = await api(srv, 'POST', `/api/labs/${id}/matrix`, {});
  expect(other.status).toBe(409);
  expect(other.json.error.message).toMatch(
    /^size: a Measure of t-measure2 at 1000 bytes is running: wait for it or cancel it before measuring at the default size$/,
  );
  const b = api(srv, 'POST', `/api/labs/${id}/matrix`, { size: 1000 });
  const cancel = await api(srv, 'POST', `/api/labs/${id}/matrix/cancel`, {});
  expect(cancel.json).toEqual({ cancelled: true });
  const [ra, rb] = await Promise.all([a, b]);
  for (const r of [ra, rb]) {
    expect(r.status, r.text).toBe(200);
    expect(r.json.cancelled).toBe(true);
    expect(r.json.measured).toHaveLength(2);
  }
  expect(engine.calls.filter((c) => c.method === 'matrix')).toHaveLength(1);
  // Over: the next Measure is a new run.
  const next = api(srv, 'POST', `/api/labs/${id}/matrix`, {});
  await until(() => engine.calls.filter((c) => c.method === 'matrix').length === 2, 'a new run');
  engine.release();
  expect((await next).status).toBe(200);
});
