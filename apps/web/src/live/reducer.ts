import type { DeltaEvent, LabStatusSchema, PingResult, ServerSnapshot } from '@netcanvas/shared';
import type { z } from 'zod';
import { type LinkLive, type LiveState, type MeasuredPing, pairKey } from '../store/live';

/**
 * The live reducer: what the server says about the lab this tab follows,
 * turned into the live store's entries. Pure: each function takes the
 * store's state and one message and returns the entries that change (the
 * caller sets them), keeping every object that did not change, so the views
 * subscribed to it do not repaint.
 */

type LabSnapshot = NonNullable<ServerSnapshot['lab']>;
/** The deltas about a lab (the design's are the sync's: live/sync.ts). */
export type LabDelta = Exclude<DeltaEvent, { kind: 'design' | 'design-deleted' }>;
type LabStatus = z.infer<typeof LabStatusSchema>;
type Patch = Partial<LiveState>;

/** A lab this tab starts to follow: nothing is known of it until its snapshot. */
export const LAB_UNKNOWN = {
  elements: {},
  links: {},
  measured: {},
  lab: 'unknown',
  progress: null,
} as const satisfies Patch;

function linkState(l: { state: string }): LinkLive['state'] {
  return l.state === 'up' ? 'up' : l.state === 'down' ? 'down' : 'absent';
}

const sameStrings = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** The entries a lab status sets: each element's state and its notes. */
export function statusPatch(
  state: Pick<LiveState, 'elementNotes'>,
  status: Pick<LabStatus, 'state' | 'elements'> | null,
): Pick<LiveState, 'lab' | 'elements' | 'elementNotes'> {
  if (!status) return { lab: 'absent', elements: {}, elementNotes: {} };
  const elements: LiveState['elements'] = {};
  const elementNotes: LiveState['elementNotes'] = {};
  const oldNotes = state.elementNotes;
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

function progressOf(
  state: Pick<LiveState, 'progress'>,
  p: { phase: string; done: number; total: number; message?: string },
): NonNullable<LiveState['progress']> {
  return {
    action: state.progress?.action ?? 'deploy',
    phase: p.phase,
    done: p.done,
    total: p.total,
    message: p.message,
    failed: p.phase === 'failed',
  };
}

/** A lab snapshot (a subscription, a reconnect): every link, the status, an apply in progress. */
export function labSnapshot(state: LiveState, s: LabSnapshot): Patch {
  const links: Record<string, LinkLive> = {};
  for (const [id, l] of Object.entries(s.links)) {
    const r = s.rates[id];
    links[id] = { state: linkState(l), rate: r ? r.rxBps + r.txBps : 0 };
  }
  return {
    links,
    ...statusPatch(state, s.status),
    progress: s.apply ? progressOf(state, s.apply) : null,
    // A Measure running (started in another tab, or in this one before a reload): shown with
    // the pairs it measured so far; the rest arrive as `matrix` deltas.
    measuring: s.measure ? { total: s.measure.total } : null,
    ...(s.measure
      ? {
          measured: Object.fromEntries(
            s.measure.results.map((r) => [pairKey(r.from, r.to), measuredPing(state, r)]),
          ),
        }
      : {}),
  };
}

/** One measured pair as the table keeps it. */
function measuredPing(state: LiveState, r: PingResult): MeasuredPing {
  return {
    from: r.from,
    to: r.to,
    // What the kernel said; `r.reachable` is the analyzer's prediction.
    reachable: r.measured,
    rttMs: r.rttMs,
    output: r.output,
    generation: state.generation,
  };
}

/** One lab delta; null when it changes nothing. `now` stamps capture lines. */
export function labDelta(state: LiveState, ev: LabDelta, now: number): Patch | null {
  switch (ev.kind) {
    case 'links': {
      const links = { ...state.links };
      let changed = false;
      for (const [id, l] of Object.entries(ev.links)) {
        const was = links[id]?.state;
        links[id] = { state: linkState(l), rate: links[id]?.rate ?? 0 };
        changed ||= was !== undefined && was !== links[id].state;
      }
      // A link went down or came back (cut here, in another tab, or by hand):
      // what was measured before describes another lab.
      return changed ? { links, generation: state.generation + 1 } : { links };
    }
    case 'rates': {
      const links: Record<string, LinkLive> = {};
      let changed = false;
      for (const [id, old] of Object.entries(state.links)) {
        const r = ev.rates[id];
        const rate = r ? r.rxBps + r.txBps : 0;
        // Keep the old object when nothing moved, so that edge does not re-render.
        links[id] = old.rate === rate ? old : { ...old, rate };
        changed ||= links[id] !== old;
      }
      return changed ? { links } : null;
    }
    case 'status':
      return statusPatch(state, ev.status);
    case 'apply':
      return { progress: progressOf(state, ev.progress) };
    case 'measure':
      // A Measure began, in this tab or another: every tab's table starts afresh with it.
      return ev.running
        ? { measured: {}, measuring: { total: ev.running.total } }
        : state.measuring
          ? { measuring: null }
          : null;
    case 'matrix': {
      const r = ev.result;
      return {
        measured: { ...state.measured, [pairKey(r.from, r.to)]: measuredPing(state, r) },
      };
    }
    case 'capture': {
      const c = state.capture;
      if (!c) return null;
      const lines = [...c.lines, ...ev.lines.map((text) => ({ t: now, text }))].slice(-2000);
      return {
        capture: { ...c, lines, running: !ev.done, ...(ev.done ? { id: ev.capture } : {}) },
      };
    }
  }
}
