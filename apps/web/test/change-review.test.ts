// @vitest-environment jsdom
import type { Op } from '@netcanvas/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { applyOrReview, cancelChange, confirmChange } from '../src/live/client';
import { useLive } from '../src/live/store';
import { attach, detach, startSync } from '../src/live/sync';
import { useApp } from '../src/store';
import { emptyDesign } from '../src/store/design';

// The server, faked at the fetch boundary: what these tests check is the
// order in which the dashboard asks it things, not what the kernel does
// (e2e/tests/live.spec.ts applies a reviewed change to a real lab).
const addR2: Op = {
  op: 'netns.add',
  netns: 'nc-demo.r2',
  source: ['r2'],
  why: 'router r2: its own network stack',
};
let calls: string[];
let version: number;
// No socket in these tests: edits go over REST.
startSync(() => false);

beforeEach(() => {
  calls = [];
  version = 1;
  const doc = { ...emptyDesign(), name: 'demo' };
  useApp.getState().loadDesign(doc);
  useLive.setState({ connection: 'online', lab: 'running', change: null, progress: null });
  detach();
  attach({ id: 'd1', version: 1, doc, addresses: {} });
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      const call = `${init.method} ${url}`;
      calls.push(call);
      const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200 });
      if (call === 'POST /api/designs/d1/ops') {
        version++;
        const { ops } = JSON.parse(String(init.body)) as { ops: unknown[] };
        return json({ version, ops, renames: {}, notices: [], addresses: { set: {}, drop: [] } });
      }
      if (call === 'POST /api/labs/d1/plan') return json({ ops: [addR2], diagnostics: [] });
      if (call === 'POST /api/labs/d1/apply') return json({ ok: true, ops: [addR2] });
      return new Response('{}', { status: 404 });
    }),
  );
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('Apply on a running lab', () => {
  it('saves, then shows the change, and applies only when confirmed', async () => {
    useApp.getState().addNode('router', { x: 0, y: 0 });
    await applyOrReview();
    expect(calls).toEqual(['POST /api/designs/d1/ops', 'POST /api/labs/d1/plan']);
    expect(useLive.getState().change?.ops).toEqual([addR2]);
    await confirmChange();
    expect(calls.at(-1)).toBe('POST /api/labs/d1/apply');
    expect(useLive.getState().change).toBeNull();
    expect(useLive.getState().progress).toMatchObject({ phase: 'done', done: 1 });
  });

  it('applies nothing when cancelled', async () => {
    await applyOrReview();
    cancelChange();
    expect(useLive.getState().change).toBeNull();
    expect(calls).not.toContain('POST /api/labs/d1/apply');
  });

  it('reviews again, instead of applying, when the design changed after the review', async () => {
    await applyOrReview();
    // Another browser saved a version meanwhile (the socket reports it).
    useLive.setState({ version: 7 });
    calls = [];
    await confirmChange();
    expect(calls).toEqual(['POST /api/labs/d1/plan']);
    expect(useLive.getState().change?.version).toBe(7);
  });

  it('deploys a lab that is not running without a review', async () => {
    useLive.setState({ lab: 'absent' });
    await applyOrReview();
    expect(calls).not.toContain('POST /api/labs/d1/plan');
    expect(calls).toContain('POST /api/labs/d1/apply');
  });

  it('says so, and shows no dialog, when the lab already matches', async () => {
    vi.mocked(fetch).mockImplementation(async (url) =>
      String(url).endsWith('/plan')
        ? new Response(JSON.stringify({ ops: [] }), { status: 200 })
        : new Response('{}', { status: 200 }),
    );
    await applyOrReview();
    expect(useLive.getState().change).toBeNull();
    expect(useApp.getState().toasts.at(-1)?.message).toMatch(/already matches/);
  });
});
