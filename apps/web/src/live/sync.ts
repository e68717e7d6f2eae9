import type {
  AddressDelta,
  AddressRecord,
  DeltaEvent,
  Design,
  EditNotice,
  EditOp,
} from '@netcanvas/shared';
import { applyOps, applyRecordDelta, renameOps, renamesIn, sameDesign } from '@netcanvas/shared';
import { onLocalEdits, useApp } from '../store';
import { api } from './api';
import { useLive } from './store';

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

/** The server's answer to a batch (`design-saved`, or the same over REST). */
export interface SavedBatch {
  version: number;
  ref?: string;
  ops?: EditOp[];
  renames?: Record<string, string>;
  notices?: EditNotice[];
  addresses?: AddressDelta;
  duplicate?: true;
}

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

/** This tab: refs are `<session>:<n>`, unique across tabs and reconnects. */
const session = Math.random().toString(36).slice(2, 10);
let refSeq = 0;
let confirmed: Design | null = null;
let version = 0;
let record: AddressRecord = {};
let inflight: { ref: string; ops: EditOp[] } | null = null;
let pending: EditOp[] = [];
/** After a refused batch, ops go one per batch, so only the refused one is lost. */
let batchLimit = Number.POSITIVE_INFINITY;
let connection: string | null = null;
let flushTimer: ReturnType<typeof setTimeout> | undefined;
let idle: (() => void)[] = [];
let transport: (message: unknown) => boolean = () => false;

const live = () => useLive.getState();
const setLive = useLive.setState;

/** Starts listening to this tab's edits; `send` puts a message on the socket (false: not open). */
export function startSync(send: (message: unknown) => boolean): void {
  transport = send;
  onLocalEdits((ops) => {
    if (!confirmed || !live().designId) return;
    pending.push(...ops);
    if (live().save !== 'saving') setLive({ save: 'saving' });
    clearTimeout(flushTimer);
    flushTimer = setTimeout(flush, FLUSH_MS);
  });
}

/** This connection's id, as the server names it in `by` and in conflicts. */
export function setConnection(id: string | undefined): void {
  connection = id ?? null;
}

/**
 * Starts editing a stored design: its version becomes this tab's document.
 * The design this tab already edits (a reconnect) is a snapshot instead:
 * edits made meanwhile are kept and sent.
 */
export function attach(rec: DesignSnapshot & { doc: Design }): void {
  if (confirmed && live().designId === rec.id) {
    snapshot(rec);
    return;
  }
  confirmed = rec.doc;
  version = rec.version;
  record = rec.addresses ?? {};
  inflight = null;
  pending = [];
  setLive({ designId: rec.id, version, save: 'saved', addresses: record });
  if (!sameDesign(rec.doc, useApp.getState().design)) {
    useApp.getState().loadDesign(rec.doc);
    window.dispatchEvent(new CustomEvent('netcanvas:fit'));
  }
}

/** The design was deleted on the server: this tab keeps its copy, unsaved. */
export function detach(): void {
  confirmed = null;
  inflight = null;
  pending = [];
  setLive({ designId: null, version: null, save: 'local', addresses: null });
  settle();
}

/**
 * Sends what is pending and resolves when the server has it (or the
 * connection is lost, or after a timeout): plan and apply read the stored
 * design, so they must not overtake an edit.
 */
export function saveNow(): Promise<void> {
  flush();
  if (!inflight && pending.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, SAVE_WAIT_MS);
    idle.push(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function settle(): void {
  if (inflight || pending.length > 0) return;
  if (live().save === 'saving') setLive({ save: 'saved' });
  const waiting = idle;
  idle = [];
  for (const done of waiting) done();
}

/** The socket closed: whoever waits for a save stops waiting (the reconnect resends). */
export function connectionLost(): void {
  const waiting = idle;
  idle = [];
  for (const done of waiting) done();
}

function flush(): void {
  clearTimeout(flushTimer);
  flushTimer = undefined;
  const id = live().designId;
  if (!id || !confirmed || inflight) return;
  if (pending.length === 0) {
    batchLimit = Number.POSITIVE_INFINITY;
    settle();
    return;
  }
  const ops = pending.slice(0, batchLimit);
  pending = pending.slice(ops.length);
  inflight = { ref: `${session}:${++refSeq}`, ops };
  send(id, inflight);
}

function send(id: string, batch: { ref: string; ops: EditOp[] }): void {
  const message = { type: 'design-ops', design: id, baseVersion: version, ...batch };
  if (transport(message)) return;
  // No socket: the same batch over REST, answered the same way.
  api<SavedBatch>('POST', `/designs/${id}/ops`, {
    baseVersion: version,
    ops: batch.ops,
    ref: batch.ref,
  }).then(
    (answer) => saved({ ...answer, ref: batch.ref }),
    (err: unknown) => refused(batch.ref, err instanceof Error ? err.message : String(err)),
  );
}

/** Moves the server's document on by one version. */
function advance(next: number, ops: readonly EditOp[], delta: AddressDelta | undefined): void {
  confirmed = applyOps(confirmed!, ops).doc;
  version = next;
  if (delta) record = applyRecordDelta(record, delta);
  setLive({ version, addresses: record });
}

/**
 * Shows the server's document with this tab's unanswered edits on top. An
 * edit whose new id another tab took meanwhile is renamed here the way the
 * server will rename it; queued edits and the history follow.
 */
function rebase(renames: Readonly<Record<string, string>> = {}): void {
  if (!confirmed) return;
  let follow: Record<string, string> = { ...renames };
  if (Object.keys(follow).length > 0) pending = renameOps(pending, follow);
  const base = inflight ? applyOps(confirmed, inflight.ops).doc : confirmed;
  const r = applyOps(base, pending);
  if (Object.keys(r.renames).length > 0) {
    pending = renameOps(pending, r.renames);
    follow = { ...follow, ...r.renames };
  }
  useApp.getState().showServerDesign(r.doc, follow);
}

/** The server's answer to this tab's batch. */
export function saved(answer: SavedBatch): void {
  if (!inflight || answer.ref !== inflight.ref || !confirmed) return;
  inflight = null;
  const renames = answer.renames ?? {};
  if (answer.duplicate || !answer.ops) {
    // Stored before (a resend after a reconnect): the document at that version has it.
    if (answer.version > version) resync();
    else rebase(renames);
  } else if (answer.version !== version + 1) {
    // Edits of others were missed on the way: the snapshot holds them and this batch.
    resync();
    rebase(renames);
  } else {
    advance(answer.version, answer.ops, answer.addresses);
    rebase(renames);
  }
  tell((answer.notices ?? []).filter((n) => n.code !== 'overwrote'));
  flush();
}

/** The server refused this tab's batch (a value of the wrong type, a name taken …). */
export function refused(ref: string | undefined, message: string): void {
  if (!inflight || ref !== inflight.ref) return;
  const batch = inflight;
  inflight = null;
  if (batch.ops.length > 1) {
    // Find the op at fault: the others are sent again, one per batch.
    pending = [...batch.ops, ...pending];
    batchLimit = 1;
  } else {
    useApp.getState().toast(`Not saved: ${message}`, 'error');
    setLive({ save: 'error' });
  }
  rebase();
  flush();
}

/** Another tab's (or the server's) edit. */
export function remote(ev: DesignDelta): void {
  if (!confirmed || ev.id !== live().designId) return;
  if (inflight && ev.ref === inflight.ref) {
    // This tab's own batch, seen from a new connection: it is the answer.
    saved({
      version: ev.version,
      ref: ev.ref,
      ops: ev.ops,
      addresses: ev.addresses,
      ...(ev.renames ? { renames: ev.renames } : {}),
    });
    return;
  }
  if (ev.version <= version) return;
  if (ev.version !== version + 1) {
    resync();
    return;
  }
  advance(ev.version, ev.ops, ev.addresses);
  rebase(renamesIn(ev.ops));
  for (const c of ev.conflicts ?? [])
    if (connection !== null && c.editor === connection) useApp.getState().toast(c.message);
}

/** The server's current version (a subscription, a reconnect, a resync). */
export function snapshot(s: DesignSnapshot): void {
  if (!confirmed || s.id !== live().designId) return;
  confirmed = s.doc as Design;
  version = s.version;
  record = s.addresses ?? {};
  setLive({ version, addresses: record });
  // A batch the server stored before this snapshot is in it; one it never got is sent again.
  if (inflight && s.refs?.includes(inflight.ref)) inflight = null;
  rebase();
  if (inflight) send(s.id, inflight);
  else flush();
}

/** Asks for a fresh snapshot (after a gap in versions). */
function resync(): void {
  const id = live().designId;
  if (!id) return;
  if (transport({ type: 'subscribe', topic: { design: id } })) return;
  void api<DesignSnapshot>('GET', `/designs/${id}`).then(snapshot, () => undefined);
}

/** What the server decided about this tab's batch, in one message. */
function tell(notices: readonly EditNotice[]): void {
  if (notices.length === 0) return;
  const shown = notices.slice(0, 3).map((n) => n.message);
  if (notices.length > 3) shown.push(`and ${notices.length - 3} more`);
  useApp.getState().toast(shown.join('; '));
}
