import type {
  AddressDelta,
  AddressRecord,
  ClientMessage,
  DeltaEvent,
  Design,
  EditNotice,
  EditOp,
} from '@netcanvas/shared';
import {
  applyOps,
  applyRecordDelta,
  DesignRecord,
  renameOps,
  renamesIn,
  SavedBatch,
  sameDesign,
} from '@netcanvas/shared';
import type { Stores } from '../store';
import type { Api } from './api';

/**
 * The browser's side of "edits are operations the server orders"
 * (docs/architecture.md, "Design sync"). This tab keeps the server's
 * document (`confirmed`, at `version`), the batch of its own edits the
 * server has not answered yet (`inflight`, at most one) and the edits made
 * since (`pending`). What the canvas shows is always `confirmed` with
 * `inflight` and `pending` applied on top: when another tab's edit arrives
 * it goes under this tab's own, so neither is lost, and every tab ends on
 * the server's document.
 */

type DesignDelta = Extract<DeltaEvent, { kind: 'design' }>;

export interface DesignSnapshot {
  id: string;
  version: number;
  doc: unknown;
  addresses?: AddressRecord | null;
  refs?: string[];
}

/** Batches are sent at most this often while the user keeps editing. */
const FLUSH_MS = 200;
const SAVE_WAIT_MS = 10_000;

/** The design sync of one tab: what live/client.ts wires to the socket, and tests drive directly. */
export interface Sync {
  /** This connection's id, as the server names it in `by` and in conflicts. */
  setConnection(id: string | undefined): void;
  /**
   * Starts editing a stored design: its version becomes this tab's document.
   * The design this tab already edits (a reconnect) is a snapshot instead:
   * edits made meanwhile are kept and sent.
   */
  attach(rec: DesignSnapshot & { doc: Design }): void;
  /** The design was deleted on the server: this tab keeps its copy, unsaved. */
  detach(): void;
  /**
   * Sends what is pending and resolves when the server has it (or the
   * connection is lost, or after a timeout): plan and apply read the stored
   * design, so they must not overtake an edit.
   */
  saveNow(): Promise<void>;
  /** The socket closed: whoever waits for a save stops waiting (the reconnect resends). */
  connectionLost(): void;
  /** The server's answer to this tab's batch. */
  saved(answer: SavedBatch): void;
  /** The server refused this tab's batch (a value of the wrong type, a name taken …). */
  refused(ref: string | undefined, message: string): void;
  /** Another tab's (or the server's) edit. */
  remote(ev: DesignDelta): void;
  /** The server's current version (a subscription, a reconnect, a resync). */
  snapshot(s: DesignSnapshot): void;
}

export interface SyncDeps extends Pick<Stores, 'app' | 'live'> {
  api: Api;
  /** Puts a message on the socket; false when it is not open (the batch then goes over REST). */
  send(message: ClientMessage): boolean;
}

/** Starts listening to this tab's edits (`app.onLocalEdits`) and sends them to the server. */
export function createSync({ app, live, api, send: transport }: SyncDeps): Sync {
  /** Everything this tab's sync knows, in one place. */
  const state = {
    /** This tab: refs are `<session>:<n>`, unique across tabs and reconnects. */
    session: Math.random().toString(36).slice(2, 10),
    refSeq: 0,
    confirmed: null as Design | null,
    version: 0,
    record: {} as AddressRecord,
    inflight: null as { ref: string; ops: EditOp[] } | null,
    pending: [] as EditOp[],
    /** After a refused batch, ops go one per batch, so only the refused one is lost. */
    batchLimit: Number.POSITIVE_INFINITY,
    connection: null as string | null,
    flushTimer: undefined as ReturnType<typeof setTimeout> | undefined,
    idle: [] as (() => void)[],
  };
  const setLive = live.setState;
  const toast = (message: string, tone?: 'info' | 'error') => app.getState().toast(message, tone);

  const designId = () => live.getState().designId;

  app.onLocalEdits((ops) => {
    if (!state.confirmed || !designId()) return;
    state.pending.push(...ops);
    if (live.getState().save !== 'saving') setLive({ save: 'saving' });
    clearTimeout(state.flushTimer);
    state.flushTimer = setTimeout(flush, FLUSH_MS);
  });

  const wakeWaiting = () => {
    const waiting = state.idle;
    state.idle = [];
    for (const done of waiting) done();
  };

  function settle(): void {
    if (state.inflight || state.pending.length > 0) return;
    if (live.getState().save === 'saving') setLive({ save: 'saved' });
    wakeWaiting();
  }

  function flush(): void {
    clearTimeout(state.flushTimer);
    state.flushTimer = undefined;
    const id = designId();
    if (!id || !state.confirmed || state.inflight) return;
    if (state.pending.length === 0) {
      state.batchLimit = Number.POSITIVE_INFINITY;
      settle();
      return;
    }
    const ops = state.pending.slice(0, state.batchLimit);
    state.pending = state.pending.slice(ops.length);
    state.inflight = { ref: `${state.session}:${++state.refSeq}`, ops };
    sendBatch(id, state.inflight);
  }

  function sendBatch(id: string, batch: { ref: string; ops: EditOp[] }): void {
    const message = {
      type: 'design-ops',
      design: id,
      baseVersion: state.version,
      ...batch,
    } as const;
    if (transport(message)) return;
    // No socket: the same batch over REST, answered the same way.
    api
      .call('POST', `/designs/${id}/ops`, SavedBatch, {
        baseVersion: state.version,
        ops: batch.ops,
        ref: batch.ref,
      })
      .then(
        (answer) => sync.saved({ ...answer, ref: batch.ref }),
        (err: unknown) => sync.refused(batch.ref, err instanceof Error ? err.message : String(err)),
      );
  }

  /** Moves the server's document on by one version. */
  function advance(next: number, ops: readonly EditOp[], delta: AddressDelta | undefined): void {
    state.confirmed = applyOps(state.confirmed!, ops).doc;
    state.version = next;
    if (delta) state.record = applyRecordDelta(state.record, delta);
    setLive({ version: state.version, addresses: state.record });
  }

  /**
   * Shows the server's document with this tab's unanswered edits on top. An
   * edit whose new id another tab took meanwhile is renamed here the way the
   * server will rename it; queued edits and the history follow.
   */
  function rebase(renames: Readonly<Record<string, string>> = {}): void {
    if (!state.confirmed) return;
    let follow: Record<string, string> = { ...renames };
    if (Object.keys(follow).length > 0) state.pending = renameOps(state.pending, follow);
    const base = state.inflight
      ? applyOps(state.confirmed, state.inflight.ops).doc
      : state.confirmed;
    const r = applyOps(base, state.pending);
    if (Object.keys(r.renames).length > 0) {
      state.pending = renameOps(state.pending, r.renames);
      follow = { ...follow, ...r.renames };
    }
    app.getState().showServerDesign(r.doc, follow);
  }

  /** Asks for a fresh snapshot (after a gap in versions). */
  function resync(): void {
    const id = designId();
    if (!id) return;
    if (transport({ type: 'subscribe', topic: { design: id } })) return;
    void api.call('GET', `/designs/${id}`, DesignRecord).then(sync.snapshot, () => undefined);
  }

  /** What the server decided about this tab's batch, in one message. */
  function tell(notices: readonly EditNotice[]): void {
    if (notices.length === 0) return;
    const shown = notices.slice(0, 3).map((n) => n.message);
    if (notices.length > 3) shown.push(`and ${notices.length - 3} more`);
    toast(shown.join('; '));
  }

  const sync: Sync = {
    setConnection(id) {
      state.connection = id ?? null;
    },

    attach(rec) {
      if (state.confirmed && designId() === rec.id) {
        sync.snapshot(rec);
        return;
      }
      state.confirmed = rec.doc;
      state.version = rec.version;
      state.record = rec.addresses ?? {};
      state.inflight = null;
      state.pending = [];
      setLive({ designId: rec.id, version: state.version, save: 'saved', addresses: state.record });
      if (!sameDesign(rec.doc, app.getState().design)) {
        app.getState().loadDesign(rec.doc);
        window.dispatchEvent(new CustomEvent('netcanvas:fit', { detail: { instant: true } }));
      }
    },

    detach() {
      state.confirmed = null;
      state.inflight = null;
      state.pending = [];
      setLive({ designId: null, version: null, save: 'local', addresses: null });
      settle();
    },

    saveNow() {
      flush();
      if (!state.inflight && state.pending.length === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, SAVE_WAIT_MS);
        state.idle.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },

    connectionLost: wakeWaiting,

    saved(answer) {
      if (!state.inflight || answer.ref !== state.inflight.ref || !state.confirmed) return;
      state.inflight = null;
      const renames = answer.renames ?? {};
      if (answer.duplicate || !answer.ops) {
        // Stored before (a resend after a reconnect): the document at that version has it.
        if (answer.version > state.version) resync();
        else rebase(renames);
      } else if (answer.version !== state.version + 1) {
        // Edits of others were missed on the way: the snapshot holds them and this batch.
        resync();
        rebase(renames);
      } else {
        advance(answer.version, answer.ops, answer.addresses);
        rebase(renames);
      }
      tell((answer.notices ?? []).filter((n) => n.code !== 'overwrote'));
      flush();
    },

    refused(ref, message) {
      if (!state.inflight || ref !== state.inflight.ref) return;
      const batch = state.inflight;
      state.inflight = null;
      if (batch.ops.length > 1) {
        // Find the op at fault: the others are sent again, one per batch.
        state.pending = [...batch.ops, ...state.pending];
        state.batchLimit = 1;
      } else {
        toast(`Not saved: ${message}`, 'error');
        setLive({ save: 'error' });
      }
      rebase();
      flush();
    },

    remote(ev) {
      if (!state.confirmed || ev.id !== designId()) return;
      if (state.inflight && ev.ref === state.inflight.ref) {
        // This tab's own batch, seen from a new connection: it is the answer.
        sync.saved({
          version: ev.version,
          ref: ev.ref,
          ops: ev.ops,
          addresses: ev.addresses,
          ...(ev.renames ? { renames: ev.renames } : {}),
        });
        return;
      }
      if (ev.version <= state.version) return;
      if (ev.version !== state.version + 1) {
        resync();
        return;
      }
      advance(ev.version, ev.ops, ev.addresses);
      rebase(renamesIn(ev.ops));
      for (const c of ev.conflicts ?? [])
        if (state.connection !== null && c.editor === state.connection) toast(c.message);
    },

    snapshot(s) {
      if (!state.confirmed || s.id !== designId()) return;
      state.confirmed = s.doc as Design;
      state.version = s.version;
      state.record = s.addresses ?? {};
      setLive({ version: state.version, addresses: state.record });
      // A batch the server stored before this snapshot is in it; one it never got is sent again.
      if (state.inflight && s.refs?.includes(state.inflight.ref)) state.inflight = null;
      rebase();
      if (state.inflight) sendBatch(s.id, state.inflight);
      else flush();
    },
  };
  return sync;
}
