// @vitest-environment jsdom
import type { Op } from '@netcanvas/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { emptyDesign } from '../src/store/design';
import { freshApp, type TestApp } from './app';

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
let page: TestApp;
const live = () => page.stores.live;
const lab = () => page.client.lab;

beforeEach(() => {
  calls = [];
  version = 1;
  // A client never started: no socket, so edits go over REST.
  page = freshApp();
  const doc = { ...emptyDesign(), name: 'demo' };
  page.app().loadDesign(doc);
  live().setState({ connection: 'online', lab: 'running' });
  page.client.sync.attach({ id: 'd1', version: 1, doc, addresses: {} });
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
      if (call === 'POST /api/labs/d1/apply')
        return json({ lab: 'l1', ok: true, ops: [addR2], diagnostics: [] });
      return new Response('{}', { status: 404 });
    }),
  );
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('Apply on a running lab', () => {
  it('saves, then shows the change, and applies only when confirmed', async () => {
    page.app().addNode('router', { x: 0, y: 0 });
    await lab().applyOrReview();
    expect(calls).toEqual(['POST /api/designs/d1/ops', 'POST /api/labs/d1/plan']);
    expect(live().getState().change?.ops).toEqual([addR2]);
    await lab().confirmChange();
    expect(calls.at(-1)).toBe('POST /api/labs/d1/apply');
    expect(live().getState().change).toBeNull();
    expect(live().getState().progress).toMatchObject({ phase: 'done', done: 1 });
  });

  it('applies nothing when cancelled', async () => {
    await lab().applyOrReview();
    lab().cancelChange();
    expect(live().getState().change).toBeNull();
    expect(calls).not.toContain('POST /api/labs/d1/apply');
  });

  it('reviews again, instead of applying, when the design changed after the review', async () => {
    await lab().applyOrReview();
    // Another browser saved a version meanwhile (the socket reports it).
    live().setState({ version: 7 });
    calls = [];
    await lab().confirmChange();
    expect(calls).toEqual(['POST /api/labs/d1/plan']);
    expect(live().getState().change?.version).toBe(7);
  });

  it('deploys a lab that is not running without a review', async () => {
    live().setState({ lab: 'absent' });
    await lab().applyOrReview();
    expect(calls).not.toContain('POST /api/labs/d1/plan');
    expect(calls).toContain('POST /api/labs/d1/apply');
  });

  it('says so, and shows no dialog, when the lab already matches', async () => {
    vi.mocked(fetch).mockImplementation(async (url) =>
      String(url).endsWith('/plan')
        ? new Response(JSON.stringify({ ops: [] }), { status: 200 })
        : new Response('{}', { status: 200 }),
    );
    await lab().applyOrReview();
    expect(live().getState().change).toBeNull();
    expect(page.app().toasts.at(-1)?.message).toMatch(/already matches/);
  });
});
