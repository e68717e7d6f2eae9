// @vitest-environment jsdom
/**
 * The tab's side of server-ordered edits, against a fake socket: this tab's
 * edits go under nobody's, another tab's edit arriving meanwhile goes under
 * this tab's own, the server's renames are followed, and undo takes back
 * only this tab's work.
 */
import { applyOps, type EditOp } from '@netcanvas/shared';
import { beforeEach, describe, expect, it } from 'vitest';
import { KIND_DEFINITIONS } from '../src/kinds/definitions';
import { createApi } from '../src/live/api';
import { createSync, type Sync } from '../src/live/sync';
import { createStores, type Stores } from '../src/store';
import { emptyDesign } from '../src/store/design';

type Batch = { type: 'design-ops'; ref: string; ops: EditOp[]; baseVersion: number };
let sent: Batch[];
/** Who waits for the next batch on the fake socket. */
let waiting: ((b: Batch) => void)[];
let stores: Stores;
let sync: Sync;
const s = () => stores.app.getState();
const none = { set: {}, drop: [] };
/** The next batch the sync puts on the (fake) socket, after its short delay. */
const nextBatch = () => new Promise<Batch>((resolve) => waiting.push(resolve));

beforeEach(() => {
  // This test's own socket: a batch a former test's sync still sends goes to that test's.
  const log: Batch[] = [];
  const waiters: ((b: Batch) => void)[] = [];
  sent = log;
  waiting = waiters;
  stores = createStores(KIND_DEFINITIONS);
  sync = createSync({
    ...stores,
    api: createApi(),
    send: (m) => {
      const batch = m as Batch;
      log.push(batch);
      for (const w of waiters.splice(0)) w(batch);
      return true;
    },
  });
  const doc = { ...emptyDesign(), name: 'demo' };
  s().loadDesign(doc);
  stores.live.setState({ connection: 'online' });
  sync.setConnection('me');
  sync.attach({ id: 'd1', version: 1, doc, addresses: {} });
});

describe('design sync', () => {
  it('keeps both tabs’ c1, follows the server’s rename, and undoes only its own', async () => {
    s().addNode('namespace', { x: 0, y: 0 });
    const mine = await nextBatch();
    expect(mine).toMatchObject({ baseVersion: 1, ops: [{ op: 'node.add', id: 'c1' }] });

    // Another tab's c1 is stored first.
    const theirs: EditOp[] = [
      { op: 'node.add', id: 'c1', node: { kind: 'namespace', label: 'theirs' } },
    ];
    sync.remote({
      kind: 'design',
      id: 'd1',
      version: 2,
      ops: theirs,
      by: 'other',
      addresses: none,
    });
    // Shown at once: theirs as c1, this tab's renamed the way the server will.
    expect(s().design.nodes).toEqual({
      c1: { kind: 'namespace', label: 'theirs' },
      c2: { kind: 'namespace' },
    });

    // The server's answer: this tab's c1 became c2.
    const server = applyOps(applyOps({ ...emptyDesign(), name: 'demo' }, theirs).doc, mine.ops);
    sync.saved({
      version: 3,
      ref: mine.ref,
      ops: server.applied,
      renames: server.renames,
      notices: server.notices,
      addresses: { set: { 'c2/x': '10.0.0.2/24' }, drop: [] },
    });
    expect(stores.live.getState()).toMatchObject({
      version: 3,
      save: 'saved',
      addresses: { 'c2/x': '10.0.0.2/24' },
    });
    expect(s().toasts.at(-1)?.message).toMatch(/new element is c2/);

    s().undo();
    expect(Object.keys(s().design.nodes)).toEqual(['c1']);
    expect(await nextBatch()).toMatchObject({
      baseVersion: 3,
      ops: [{ op: 'node.remove', id: 'c2' }],
    });
  });

  it('an edit of another tab goes under a pending one; a conflict meant for this tab is shown', () => {
    s().addNode('router', { x: 0, y: 0 });
    s().setLabel('r1', 'mine');
    sync.remote({
      kind: 'design',
      id: 'd1',
      version: 2,
      ops: [{ op: 'doc.set', field: 'description', value: 'lesson', prev: null }],
      by: 'other',
      addresses: none,
      conflicts: [
        { editor: 'me', element: 'x', field: 'label', message: 'Your change to x was replaced' },
        { editor: 'someone', element: 'y', field: 'label', message: 'not for me' },
      ],
    });
    expect(s().design).toMatchObject({ description: 'lesson', nodes: { r1: { label: 'mine' } } });
    expect(s().toasts.map((t) => t.message)).toContain('Your change to x was replaced');
    expect(s().toasts.map((t) => t.message)).not.toContain('not for me');
  });

  it('a batch the server stored before a reconnect is not sent again; one it never got is', async () => {
    s().addNode('router', { x: 0, y: 0 });
    const first = await nextBatch();
    const stored = applyOps({ ...emptyDesign(), name: 'demo' }, first.ops).doc;
    sync.snapshot({ id: 'd1', version: 2, doc: stored, addresses: {}, refs: [first.ref] });
    expect(sent).toHaveLength(1);
    expect(stores.live.getState().version).toBe(2);

    s().addNode('vlan', { x: 0, y: 0 });
    const second = await nextBatch();
    sync.snapshot({ id: 'd1', version: 2, doc: stored, addresses: {}, refs: [first.ref] });
    expect(sent.at(-1)).toEqual(second);
    expect(Object.keys(s().design.nodes).sort()).toEqual(['r1', 'vlan1']);
  });
});

describe('a reconnect', () => {
  it('keeps edits made while the socket was down', async () => {
    s().addNode('router', { x: 0, y: 0 });
    const first = await nextBatch();
    // The server never got it; the page fetches the design again on reconnect.
    sync.attach({
      id: 'd1',
      version: 1,
      doc: { ...emptyDesign(), name: 'demo' },
      addresses: {},
      refs: [],
    });
    expect(Object.keys(s().design.nodes)).toEqual(['r1']);
    expect(sent.at(-1)).toEqual(first);
  });
});
