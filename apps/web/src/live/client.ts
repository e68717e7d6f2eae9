import type { Design, Op } from '@netcanvas/shared';
import {
  type DeltaEvent,
  PROTOCOL_VERSION,
  parseServerMessage,
  type ServerSnapshot,
  type Topic,
} from '@netcanvas/shared';
import { download } from '../core/io';
import { useApp } from '../store';
import { ApiError, api, apiBlob, forgetSession, loginFromFragment, socketProtocols } from './api';
import {
  type ElementLiveState,
  type LinkLive,
  type LiveState,
  labDeployed,
  pairKey,
  type StorageRecovery,
  useLive,
} from './store';
import { attachDesign, type DesignRecord, deletedHere } from './workspace';

/**
 * The only module that talks to the server. Without a server the app keeps
 * working from the browser's own copy; with one, the design is saved there
 * (versioned), and the lab's live state streams in over /ws.
 */

let socket: WebSocket | null = null;
let heartbeat: ReturnType<typeof setInterval> | undefined;
let lastHeard = 0;
let heartbeatSeconds = 15;
let subscribedLab: string | null = null;
/** The document we last saved or received: an echo of it is not a remote edit. */
let serverDoc: Design | null = null;
let applyingRemote = false;
let saveTimer: ReturnType<typeof setTimeout> | undefined;
let saveRef = 0;
/** Edits sent over the socket and not yet acknowledged, by ref: saveNow waits for its own. */
const unacknowledged = new Map<string, () => void>();
const SAVE_ACK_TIMEOUT_MS = 10_000;

function acknowledge(ref: string | undefined) {
  if (ref === undefined) return;
  unacknowledged.get(ref)?.();
  unacknowledged.delete(ref);
}
let reconnectDelay = 500;

const live = () => useLive.getState();
const setLive = useLive.setState;

export function startLive() {
  void connect();
  // A design's lab is fixed by the server: editing its name saves, and follows no other lab.
  useApp.subscribe((s, old) => {
    if (s.design === old.design || applyingRemote) return;
    scheduleSave();
  });
}

interface SessionAnswer {
  session: string | null;
  storage?: { path: string; recovered: StorageRecovery | null };
}

/** A login code in the address is traded once, at the first connection. */
let loginTried = false;
let loginRefused: string | null = null;
/** Why the last socket closed, when the server said (a revoked session). */
let closedBecause: string | null = null;

async function connect() {
  setLive({ connection: 'connecting', connectionNote: null });
  if (!loginTried) {
    loginTried = true;
    loginRefused = await loginFromFragment();
  }
  let session: SessionAnswer;
  try {
    session = await api<SessionAnswer>('GET', '/session');
  } catch (err) {
    const unauthorized = err instanceof ApiError && err.status === 401;
    if (unauthorized) forgetSession();
    setLive({
      connection: 'offline',
      connectionNote: unauthorized
        ? (loginRefused ??
          closedBecause ??
          'Not logged in: run `pnpm netcanvas login` on the server’s machine and open the link it prints')
        : 'No netcanvas server: designing works, deploying needs `pnpm netcanvas serve`',
    });
    return;
  }
  loginRefused = null;
  closedBecause = null;
  setLive({ session: session.session, storage: session.storage?.recovered ?? null });
  await attachDesign();
  openSocket();
}

/**
 * Shows a document the server holds (the design just opened, or reloaded
 * after a conflict) as the one being edited: its own history, no save back.
 */
export function showServerDocument(doc: Design): boolean {
  const shown = useApp.getState().design;
  // The same content: what is on the canvas is what the server has (nothing to save).
  serverDoc = JSON.stringify(doc) === JSON.stringify(shown) ? shown : doc;
  if (serverDoc === shown) return false;
  applyingRemote = true;
  useApp.getState().loadDesign(doc);
  applyingRemote = false;
  return true;
}

let subscribedDesign: string | null = null;
/** Follows one design's edits and its lab's live state (after attaching or switching designs). */
export function watchDesign(id: string, lab: string) {
  if (subscribedDesign !== id) {
    if (subscribedDesign) send({ type: 'unsubscribe', topic: { design: subscribedDesign } });
    subscribedDesign = id;
    send({ type: 'subscribe', topic: { design: id } });
  }
  resubscribeLab(lab);
}

function scheduleSave() {
  if (live().connection !== 'online' || !live().designId) return;
  if (live().save !== 'saving') setLive({ save: 'saving' });
  clearTimeout(saveTimer);
  saveTimer = setTimeout(saveNow, 500);
}

export function saveNow(): Promise<void> {
  clearTimeout(saveTimer);
  const { designId, version } = live();
  const doc = useApp.getState().design;
  if (!designId || version === null || doc === serverDoc) return Promise.resolve();
  if (socket?.readyState === WebSocket.OPEN) {
    saveRef++;
    const ref = String(saveRef);
    // Resolved by the server's design-saved or error for this ref (or by a
    // lost connection, or a timeout): plan and apply read the saved design,
    // so they must not overtake the edit on its way there.
    const acknowledged = new Promise<void>((resolve) => {
      const timer = setTimeout(() => acknowledge(ref), SAVE_ACK_TIMEOUT_MS);
      unacknowledged.set(ref, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    send({
      type: 'design-edit',
      design: designId,
      baseVersion: version,
      doc,
      ref,
    });
    serverDoc = doc;
    setLive({ save: 'saving' });
    return acknowledged;
  }
  return api<DesignRecord>('PUT', `/designs/${designId}`, { baseVersion: version, doc })
    .then((rec) => {
      serverDoc = doc;
      setLive({ version: rec.version, save: 'saved' });
    })
    .catch((err) => {
      setLive({
        save: err instanceof ApiError && err.code === 'stale-version' ? 'conflict' : 'error',
      });
    });
}

function send(msg: unknown) {
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(msg));
}

function openSocket() {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  const ws = new WebSocket(url, socketProtocols());
  socket = ws;
  ws.onopen = () => {
    reconnectDelay = 500;
    lastHeard = Date.now();
    send({ type: 'hello', protocol: PROTOCOL_VERSION, client: 'netcanvas-web' });
    setLive({ connection: 'online', connectionNote: null });
    subscribedLab = null;
    subscribedDesign = null;
    const { designId, labName } = live();
    if (designId && labName) watchDesign(designId, labName);
    clearInterval(heartbeat);
    heartbeat = setInterval(() => {
      if (Date.now() - lastHeard > heartbeatSeconds * 2000 + 1000) ws.close();
      else send({ type: 'ping', t: Date.now() });
    }, heartbeatSeconds * 1000);
  };
  ws.onmessage = (e) => {
    lastHeard = Date.now();
    const { message, error } = parseServerMessage(String(e.data));
    if (!message) {
      console.warn('netcanvas: ignored a server message:', error);
      return;
    }
    switch (message.type) {
      case 'welcome':
        heartbeatSeconds = message.heartbeatSeconds;
        break;
      // A topic this tab just left (another design, its lab) may still have news in flight.
      case 'snapshot':
        if (following(message.topic)) onSnapshot(message);
        break;
      case 'delta':
        if (following(message.topic)) onDelta(message.event);
        break;
      case 'design-saved':
        setLive({ version: message.version, save: 'saved' });
        acknowledge(message.ref);
        break;
      case 'error':
        if (message.code === 'stale-version') setLive({ save: 'conflict' });
        else if (message.code === 'invalid-design') setLive({ save: 'error' });
        useApp.getState().toast(`Server: ${message.message}`, 'error');
        acknowledge(message.ref);
        break;
      default:
        break;
    }
  };
  ws.onclose = (e) => {
    if (e.code === 4401)
      closedBecause =
        'This browser’s session was revoked: run `pnpm netcanvas login` for a new link';
    clearInterval(heartbeat);
    for (const ref of [...unacknowledged.keys()]) acknowledge(ref);
    if (socket !== ws) return;
    socket = null;
    setLive({ connection: 'connecting', connectionNote: 'connection lost; retrying' });
    setTimeout(() => void connect(), reconnectDelay);
    reconnectDelay = Math.min(reconnectDelay * 2, 10_000);
  };
}

function following(topic: Topic): boolean {
  return 'lab' in topic ? topic.lab === subscribedLab : topic.design === live().designId;
}

function resubscribeLab(name: string) {
  if (subscribedLab === name) return;
  if (subscribedLab) send({ type: 'unsubscribe', topic: { lab: subscribedLab } });
  subscribedLab = name;
  setLive({ elements: {}, links: {}, measured: {}, lab: 'unknown', progress: null });
  send({ type: 'subscribe', topic: { lab: name } });
}

function linkState(l: { state: string }): LinkLive['state'] {
  return l.state === 'up' ? 'up' : l.state === 'down' ? 'down' : 'absent';
}

function onSnapshot(s: ServerSnapshot) {
  if (s.lab) {
    const links: Record<string, LinkLive> = {};
    for (const [id, l] of Object.entries(s.lab.links)) {
      const r = s.lab.rates[id];
      links[id] = { state: linkState(l), rate: r ? r.rxBps + r.txBps : 0 };
    }
    setLive({
      links,
      ...statusPatch(s.lab.status),
      progress: s.lab.apply ? progressOf(s.lab.apply) : null,
    });
  }
  if (s.design && typeof s.design.version === 'number')
    remoteDesign(s.design.doc as Design, s.design.version);
}

const sameStrings = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** The live-store patch for a lab status; exported for tests. */
export function statusPatch(
  status: {
    state: 'running' | 'partial' | 'absent';
    elements: Record<string, { state: ElementLiveState; differences: string[] }>;
  } | null,
): Pick<LiveState, 'lab' | 'elements' | 'elementNotes'> {
  if (!status) return { lab: 'absent', elements: {}, elementNotes: {} };
  const elements: Record<string, ElementLiveState> = {};
  const elementNotes: Record<string, string[]> = {};
  const oldNotes = live().elementNotes;
  for (const [id, e] of Object.entries(status.elements)) {
    elements[id] = e.state;
    if (!e.differences.length) continue;
    // Keep the old array when the notes did not change, so the element's
    // live writer (an identity check) does not repaint on every status tick.
    const old = Object.hasOwn(oldNotes, id) ? oldNotes[id] : undefined;
    elementNotes[id] = old && sameStrings(old, e.differences) ? old : e.differences;
  }
  // Absent lab: nothing is deployed, so no element carries a badge.
  return status.state === 'absent'
    ? { lab: status.state, elements: {}, elementNotes: {} }
    : { lab: status.state, elements, elementNotes };
}

function progressOf(p: { phase: string; done: number; total: number; message?: string }) {
  return {
    action: live().progress?.action ?? 'deploy',
    phase: p.phase,
    done: p.done,
    total: p.total,
    message: p.message,
    failed: p.phase === 'failed',
  } as const;
}

function onDelta(ev: DeltaEvent) {
  switch (ev.kind) {
    case 'links': {
      const links = { ...live().links };
      for (const [id, l] of Object.entries(ev.links))
        links[id] = { state: linkState(l), rate: links[id]?.rate ?? 0 };
      setLive({ links });
      break;
    }
    case 'rates': {
      const prev = live().links;
      const links: Record<string, LinkLive> = {};
      let changed = false;
      for (const [id, old] of Object.entries(prev)) {
        const r = ev.rates[id];
        const rate = r ? r.rxBps + r.txBps : 0;
        // Keep the old object when nothing moved, so that edge does not re-render.
        links[id] = old.rate === rate ? old : { ...old, rate };
        changed ||= links[id] !== old;
      }
      if (changed) setLive({ links });
      break;
    }
    case 'status':
      setLive(statusPatch(ev.status));
      break;
    case 'apply':
      setLive({ progress: progressOf(ev.progress) });
      break;
    case 'matrix': {
      const r = ev.result;
      setLive({
        measured: {
          ...live().measured,
          [pairKey(r.from, r.to)]: {
            from: r.from,
            to: r.to,
            reachable: r.reachable,
            rttMs: r.rttMs,
            output: r.output,
          },
        },
      });
      break;
    }
    case 'capture': {
      const c = live().capture;
      if (!c) break;
      const lines = [...c.lines, ...ev.lines.map((text) => ({ t: Date.now(), text }))].slice(-2000);
      setLive({
        capture: { ...c, lines, running: !ev.done, ...(ev.done ? { id: ev.capture } : {}) },
      });
      break;
    }
    case 'design':
      remoteDesign(ev.doc as Design, ev.version);
      break;
    case 'design-deleted':
      if (ev.id !== live().designId || deletedHere(ev.id)) break;
      setLive({ designId: null, labName: null, version: null, save: 'local' });
      useApp
        .getState()
        .toast('This design was deleted on the server: open or create one in Designs', 'error');
      break;
  }
}

/** Another browser (or the CLI) saved a version: show it unless it is our own echo. */
function remoteDesign(doc: Design, version: number) {
  const mine = live().version;
  if (mine !== null && version <= mine) return;
  setLive({ version, save: 'saved' });
  if (JSON.stringify(doc) === JSON.stringify(useApp.getState().design)) {
    serverDoc = useApp.getState().design;
    return;
  }
  serverDoc = doc;
  applyingRemote = true;
  const s = useApp.getState();
  const selection = s.selection;
  s.loadDesign(doc);
  s.select(selection.filter((id) => doc.nodes[id]));
  applyingRemote = false;
}

// ───────────── actions ─────────────

/**
 * After a conflict (someone else saved first), take the server's version:
 * the local edits since then are dropped, which the user chose by clicking.
 */
export async function takeServerVersion() {
  const id = live().designId;
  if (!id) return;
  const rec = await run('Reload', () => api<DesignRecord>('GET', `/designs/${id}`));
  if (rec) {
    showServerDocument(rec.doc);
    setLive({ version: rec.version, save: 'saved' });
  }
}

/**
 * Saves pending edits and waits until the server has them: plan and apply
 * read the saved design. False, with the reason shown, when it was refused.
 */
async function savedOrToast(): Promise<boolean> {
  await saveNow();
  const save = live().save;
  if (save === 'conflict' || save === 'error') {
    useApp
      .getState()
      .toast(
        save === 'conflict'
          ? 'The design was changed elsewhere: take the server version or keep yours first'
          : 'The server did not save the design: see the problems first',
        'error',
      );
    return false;
  }
  return true;
}

function designIdOrToast(): string | null {
  const id = live().designId;
  if (!id)
    useApp
      .getState()
      .toast(
        live().connection === 'online'
          ? 'No design on the server: open or create one in Designs'
          : 'Not connected to a server',
        'error',
      );
  return id;
}

async function run<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    useApp
      .getState()
      .toast(`${what} failed: ${err instanceof Error ? err.message : String(err)}`, 'error');
    return undefined;
  }
}

export async function deploy() {
  const id = designIdOrToast();
  if (!id) return;
  if (!(await savedOrToast())) return;
  setLive({ progress: { action: 'deploy', phase: 'validate', done: 0, total: 0 } });
  const result = await run('Deploy', () =>
    api<{ ok: boolean; ops: unknown[]; failure?: { elements: string[]; kernelMessage: string } }>(
      'POST',
      `/labs/${id}/apply`,
      {},
    ),
  ).catch(() => undefined);
  if (!result) {
    setLive({ progress: { action: 'deploy', phase: 'failed', done: 0, total: 0, failed: true } });
    return;
  }
  if (result.ok) {
    setLive({
      progress: {
        action: 'deploy',
        phase: 'done',
        done: result.ops.length,
        total: result.ops.length,
      },
    });
    useApp
      .getState()
      .toast(
        result.ops.length
          ? `Deployed: ${result.ops.length} operations`
          : 'Already up to date: nothing to change',
      );
  } else {
    const f = result.failure;
    setLive({
      progress: {
        action: 'deploy',
        phase: 'failed',
        done: 0,
        total: 0,
        failed: true,
        message: f?.kernelMessage,
      },
    });
    useApp
      .getState()
      .toast(
        `Deploy failed${f ? ` at ${f.elements.join(', ')}: ${f.kernelMessage}` : ''}`,
        'error',
      );
    if (f) useApp.getState().setHighlight(f.elements, 'fail', f.kernelMessage);
  }
}

/**
 * Apply on a running lab: first ask the server what would change (it observes
 * the kernel and diffs), and show that; `confirmChange` then applies. A lab
 * that is not running is deployed straight away: its whole plan is in the
 * plan drawer.
 */
export async function applyOrReview() {
  if (!labDeployed(live().lab)) return deploy();
  const id = designIdOrToast();
  if (!id) return;
  if (!(await savedOrToast())) return;
  const planned = await run('Planning the change', () =>
    api<{ ops: Op[] }>('POST', `/labs/${id}/plan`, {}),
  );
  if (!planned) return;
  if (planned.ops.length === 0) {
    setLive({ change: null });
    useApp.getState().toast('The running lab already matches the design: nothing to apply');
    return;
  }
  setLive({ change: { version: live().version, ops: planned.ops } });
}

export async function confirmChange() {
  const change = live().change;
  if (!change) return;
  if (change.version !== live().version) {
    // Edited (here or in another browser) since the review: review what would run now.
    useApp.getState().toast('The design changed since this review: here is the change now');
    return applyOrReview();
  }
  setLive({ change: null });
  await deploy();
}

export function cancelChange() {
  setLive({ change: null });
}

export async function destroy() {
  const id = designIdOrToast();
  if (!id) return;
  setLive({ progress: { action: 'destroy', phase: 'run', done: 0, total: 0 } });
  const r = await run('Destroy', () =>
    api<{ removed: string[] }>('POST', `/labs/${id}/destroy`, {}),
  );
  setLive({
    progress: r
      ? { action: 'destroy', phase: 'done', done: r.removed.length, total: r.removed.length }
      : null,
    measured: {},
  });
  if (r) useApp.getState().toast(`Destroyed: ${r.removed.length} namespaces removed`);
}

/** Cutting a link changes the design (so the prediction follows) and, when the lab runs, the kernel. */
export async function setLinkLive(linkId: string, state: 'up' | 'down') {
  useApp.getState().setLinkState(linkId, state);
  const id = live().designId;
  if (!id || !labDeployed(live().lab)) return;
  await saveNow();
  await run(state === 'down' ? 'Cut' : 'Restore', () =>
    api('POST', `/labs/${id}/links/${encodeURIComponent(linkId)}/state`, { state }),
  );
}

let toolSeq = 0;
async function tool(
  title: string,
  path: string,
  body: unknown,
  format: (r: never) => { output: string; ok: boolean },
) {
  const id = designIdOrToast();
  if (!id) return;
  const runId = `t${++toolSeq}`;
  setLive({
    tools: [{ id: runId, title, output: '', running: true }, ...live().tools].slice(0, 20),
  });
  useApp.getState().setPanel('capture');
  const result = await run(title, () => api<never>('POST', `/labs/${id}${path}`, body));
  const done = result ? format(result) : { output: 'failed', ok: false };
  setLive({
    tools: live().tools.map((t) => (t.id === runId ? { ...t, running: false, ...done } : t)),
  });
}

export function ping(from: string, to: string) {
  return tool(
    `ping ${from} → ${to}`,
    '/ping',
    { from, to },
    (r: { output: string; reachable: boolean; measured: boolean }) => {
      setLive({
        measured: {
          ...live().measured,
          [pairKey(from, to)]: { from, to, reachable: r.measured ?? r.reachable, output: r.output },
        },
      });
      return { output: r.output, ok: r.measured ?? r.reachable };
    },
  );
}

export function traceroute(from: string, to: string) {
  return tool(
    `traceroute ${from} → ${to}`,
    '/traceroute',
    { from, to },
    (r: {
      output?: string;
      reached?: boolean;
      hops?: { ttl: number; address: string | null; element?: string | null }[];
    }) => {
      // Name the hops and draw them on the canvas: the elements the probes came back from.
      const hops = r.hops ?? [];
      const named = hops.map((h) => (h.address ? `${h.element ?? '?'} (${h.address})` : '*'));
      const path = [from, ...hops.map((h) => h.element).filter((e): e is string => !!e)];
      const map: Record<string, 'path'> = {};
      for (const id of path) map[id] = 'path';
      useApp
        .getState()
        .setHighlightMap(map, `traceroute ${from} → ${to}: ${[from, ...named].join(' → ')}`);
      return {
        output: `${[from, ...named].join(' → ')}\n\n${r.output ?? ''}`,
        ok: r.reached !== false,
      };
    },
  );
}

export async function runMatrix() {
  const id = designIdOrToast();
  if (!id) return;
  setLive({ measured: {} });
  await run('Measure', () => api('POST', `/labs/${id}/matrix`, {}));
}

export async function startCapture(node: string, dev: string, packets = 50, seconds = 15) {
  const id = designIdOrToast();
  if (!id) return;
  setLive({ capture: { target: `${node}/${dev}`, running: true, lines: [] } });
  // Show the lines where they arrive, as ping and traceroute do.
  useApp.getState().setPanel('capture');
  const r = await run('Capture', () =>
    api<{ id: string }>('POST', `/labs/${id}/captures`, { node, dev, packets, seconds }),
  );
  if (!r) setLive({ capture: null });
  else setLive({ capture: { ...live().capture!, id: r.id } });
}

/** The finished capture's pcap, fetched with the session header and saved from memory. */
export async function downloadCapture(id: string) {
  const blob = await run('Download', () => apiBlob(`/captures/${encodeURIComponent(id)}`));
  if (blob) download(`${id}.pcap`, blob, 'application/vnd.tcpdump.pcap');
}

export interface SessionRow {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  client: string;
  current: boolean;
}

export async function listSessions(): Promise<SessionRow[] | undefined> {
  const r = await run('Sessions', () => api<{ sessions: SessionRow[] }>('GET', '/sessions'));
  return r?.sessions;
}

export async function revokeSession(id: string): Promise<boolean> {
  const r = await run('Revoke', () =>
    api('DELETE', `/sessions/${encodeURIComponent(id)}`).then(() => true),
  );
  return r === true;
}
