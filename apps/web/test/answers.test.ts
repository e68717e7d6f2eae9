// @vitest-environment jsdom
/**
 * REST answers are parsed like the socket's messages: an answer of another
 * shape (a server of another version, a proxy's page) is refused with the
 * field at fault named, never cast into the stores as if it were right.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { emptyDesign } from '../src/store/design';
import { freshApp, type TestApp } from './app';

let page: TestApp;
/** What the fake server answers, by `METHOD /api/path`. */
let answers: Record<string, unknown>;

beforeEach(() => {
  page = freshApp();
  answers = {};
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      const key = `${init.method} ${url}`;
      if (!(key in answers)) return new Response('{}', { status: 404 });
      return new Response(JSON.stringify(answers[key]), { status: 200 });
    }),
  );
});
afterEach(() => {
  vi.unstubAllGlobals();
});

/** Attached to design d1 with a running lab, as after a deploy. */
function attached() {
  const doc = { ...emptyDesign(), name: 'demo' };
  page.app().loadDesign(doc);
  page.stores.live.setState({ connection: 'online', lab: 'running' });
  page.client.sync.attach({ id: 'd1', version: 1, doc, addresses: {} });
}

describe('an answer of the wrong shape', () => {
  it('leaves the designs list as it was and says which field did not fit', async () => {
    answers['GET /api/designs'] = { designs: [{ id: 'd1', lab: 7 }] };
    answers['GET /api/labs'] = { labs: [] };
    await page.client.workspace.refreshDesigns();
    const { designs, error } = page.client.workspace.store.getState();
    expect(designs).toBeNull();
    expect(error).toMatch(/GET \/designs: the server's answer does not fit \(designs\.0\.name: /);
  });

  it('is a failed deploy, not a deploy of `undefined` operations', async () => {
    attached();
    page.stores.live.setState({ lab: 'absent' });
    answers['POST /api/labs/d1/apply'] = { lab: 'l1', ok: true, diagnostics: [] };
    await page.client.lab.deploy();
    expect(page.stores.live.getState().progress).toMatchObject({ phase: 'failed', failed: true });
    expect(page.app().toasts.at(-1)?.message).toMatch(
      /^Deploy failed: POST \/labs\/d1\/apply: the server's answer does not fit \(ops: /,
    );
  });

  it('is a failed ping, not a measured one', async () => {
    attached();
    answers['POST /api/labs/d1/ping'] = { output: 'PING 10.0.0.2', reachable: true };
    await page.client.lab.ping('c1', 'c2');
    expect(page.stores.live.getState().tools[0]).toMatchObject({
      title: 'ping c1 → c2',
      running: false,
      ok: false,
      output: 'failed',
    });
    expect(page.stores.live.getState().measured).toEqual({});
  });
});

describe('a session answer of the wrong shape', () => {
  it('says what did not fit in the status bar, rather than that there is no server', async () => {
    answers['GET /api/session'] = { via: 'session' };
    const offline = new Promise<string | null>((resolve) => {
      const stop = page.stores.live.subscribe((s) => {
        if (s.connection !== 'offline') return;
        stop();
        resolve(s.connectionNote);
      });
    });
    page.client.start();
    expect(await offline).toMatch(/GET \/session: the server's answer does not fit \(session: /);
  });
});

describe('an answer of the right shape', () => {
  it('fills the designs view', async () => {
    const summary = {
      id: 'd1',
      name: 'demo',
      lab: 'demo',
      version: 3,
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    };
    answers['GET /api/designs'] = { designs: [summary] };
    answers['GET /api/labs'] = { labs: [] };
    await page.client.workspace.refreshDesigns();
    expect(page.client.workspace.store.getState()).toMatchObject({
      designs: [summary],
      labs: [],
      error: null,
    });
  });
});
