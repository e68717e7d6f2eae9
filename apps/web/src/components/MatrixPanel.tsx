import type { PairResult, Topology } from '@netcanvas/shared';
import { analyze } from '@netcanvas/shared';
import { useCallback, useMemo, useRef, useState } from 'react';
import { attempt } from '../core/safe';
import { pathElements, pathSteps } from '../model/path';
import type { AppStore, HighlightTone } from '../store/app';
import { labRunning, pairKey } from '../store/live';
import { useAnalysis, useApp, useClient, useLive, useStores } from '../ui/context';
import { useReveal } from './useReveal';

/**
 * The most endpoints shown at once. The matrix is n² cells and n² analyses: a
 * 1000-element design has ~570 endpoints, 320 000 pairs, seconds of work and a
 * table no one can read. Bigger designs show a chosen part of it.
 */
export const MATRIX_MAX_ENDPOINTS = 40;

/**
 * Which endpoints a big design's matrix shows: the selected ones and those
 * whose id contains the filter, else the first ones by id; at most `max`.
 * Undefined when the design is small enough to show all.
 */
export function shownEndpoints(
  all: readonly string[],
  selection: readonly string[],
  filter: string,
  max = MATRIX_MAX_ENDPOINTS,
): string[] | undefined {
  if (all.length <= max) return undefined;
  const sorted = [...all].sort();
  const wanted = new Set(selection);
  const text = filter.trim().toLowerCase();
  const picked = sorted.filter((e) => wanted.has(e) || (text !== '' && e.includes(text)));
  return (picked.length > 0 ? picked : sorted).slice(0, max);
}

/** How long each element of a path waits for the one before it to light. */
const STEP_MS = 250;
/** A long path lights faster, so the whole of it shows within this. */
const STAGGER_MS = 2000;

/** A path being lit step by step: its next step, and its watch on the highlight. */
interface Stagger {
  timer: ReturnType<typeof setTimeout> | undefined;
  unwatch: () => void;
}

/** The panel's one stagger at a time (a ref: it outlives a closed drawer, as the highlight does). */
type StaggerSlot = { current: Stagger | null };

function stopStagger(slot: StaggerSlot) {
  const stagger = slot.current;
  if (!stagger) return;
  clearTimeout(stagger.timer);
  stagger.unwatch();
  slot.current = null;
}

/**
 * Lights the path of a pair hop by hop, the way the packet goes, ending with
 * the whole path lit; where a failing pair fails is lit from the start, with
 * its reason. Each step is one highlight update: only the elements whose
 * highlight changes render again.
 */
function showPair(
  app: AppStore,
  slot: StaggerSlot,
  r: PairResult,
  topology: Topology,
  reveal: (ids: readonly string[]) => void,
) {
  stopStagger(slot);
  const drawn = new Set(topology.links.filter((l) => l.index >= 0).map((l) => l.id));
  const steps = pathSteps(pathElements(r.forward, topology), (id) => drawn.has(id));
  const fail: Record<string, HighlightTone> = {};
  if (!r.reachable) for (const id of r.blame ?? []) fail[id] = 'fail';
  const route = r.forward.map((h) => h.element).join(' → ');
  const note = r.reachable
    ? `${r.from} → ${r.to} (${r.target}): ${route}`
    : `${r.from} ✗ ${r.to}: ${r.reason ?? 'unreachable'}`;
  const still = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
  const lit: Record<string, HighlightTone> = {};
  let shown: Record<string, HighlightTone> = {};
  const light = (from: number, to: number) => {
    for (const step of steps.slice(from, to)) for (const id of step) lit[id] = 'path';
    shown = { ...lit, ...fail };
    app.getState().setHighlightMap(shown, note);
  };
  if (still || steps.length < 2) light(0, steps.length);
  else {
    light(0, 1);
    const delay = Math.min(STEP_MS, STAGGER_MS / steps.length);
    let n = 1;
    const tick = () => {
      light(n, n + 1);
      n++;
      if (n < steps.length && slot.current) slot.current.timer = setTimeout(tick, delay);
      else stopStagger(slot);
    };
    slot.current = {
      timer: setTimeout(tick, delay),
      // Anyone else's highlight (another cell, Escape, a click on the pane) ends this one.
      unwatch: app.subscribe((s) => {
        if (s.highlight !== shown) stopStagger(slot);
      }),
    };
  }
  // Bring into view where it fails, or else the path itself (the view does not
  // move when it is already visible); after the banner is on screen, so the
  // view leaves room for it.
  const focus = !r.reachable && r.blame?.length ? r.blame : steps.flat();
  if (focus.length) requestAnimationFrame(() => reveal(focus));
}

function Cell({ r, onPick }: { r: PairResult; onPick: (r: PairResult) => void }) {
  const measured = useLive((s) => s.measured[pairKey(r.from, r.to)]);
  const mismatch = measured !== undefined && measured.reachable !== r.reachable;
  return (
    <td
      className={`nc-cell ${r.reachable ? 'ok' : 'fail'} ${mismatch ? 'mismatch' : ''}`}
      data-testid={`matrix-cell-${r.from}-${r.to}`}
      data-predicted={r.reachable ? 'ok' : 'fail'}
      data-measured={measured ? (measured.reachable ? 'ok' : 'fail') : 'none'}
      title={r.reachable ? r.forward.map((h) => `${h.element}: ${h.note}`).join('\n') : r.reason}
    >
      <button
        type="button"
        className="nc-cell-btn"
        aria-label={`${r.from} to ${r.to}: ${r.reachable ? 'reachable' : 'unreachable'}${
          measured ? `, measured ${measured.reachable ? 'reachable' : 'unreachable'}` : ''
        }`}
        onClick={() => onPick(r)}
      >
        <span className="pred">{r.reachable ? '✓' : '✗'}</span>
        {measured && (
          <span className={`meas ${measured.reachable ? 'ok' : 'fail'}`}>
            {measured.reachable ? '●' : '○'}
          </span>
        )}
      </button>
    </td>
  );
}

export function MatrixPanel() {
  const topology = useAnalysis((s) => s.topology);
  const online = useLive(labRunning);
  const selection = useApp((s) => s.selection);
  const [filter, setFilter] = useState('');
  const all = useMemo(() => topology?.endpoints.map((e) => e.node) ?? [], [topology]);
  const shown = shownEndpoints(all, selection, filter);
  const shownKey = shown?.join(' ');
  // biome-ignore lint/correctness/useExhaustiveDependencies: shownKey stands for shown, whose identity changes every render
  const result = useMemo(
    () =>
      topology
        ? attempt('analyze', () => analyze(topology, shown ? { endpoints: shown } : undefined))
        : null,
    [topology, shownKey],
  );
  const reveal = useReveal();
  const { app } = useStores();
  const { runMatrix } = useClient().lab;
  const stagger = useRef<Stagger | null>(null);
  const onPick = useCallback(
    (r: PairResult) => topology && showPair(app, stagger, r, topology, reveal),
    [app, topology, reveal],
  );
  if (!result)
    return <div className="nc-panel-empty">No prediction: fix the errors in Problems first.</div>;
  if (!result.value) return <div className="nc-panel-empty">{result.error?.message}</div>;
  const m = result.value;
  if (m.endpoints.length < 2)
    return (
      <div className="nc-panel-empty">
        Add at least two addressed elements (namespaces, hosts, routers) to predict pings.
      </div>
    );
  const ok = m.results.flat().filter((r) => r && r.from !== r.to && r.reachable).length;
  const total = m.endpoints.length * (m.endpoints.length - 1);
  return (
    <div className="nc-matrix" data-testid="matrix-panel">
      <div className="nc-panel-bar">
        <span className="nc-muted">
          Predicted: {ok}/{total} pairs reach each other. Click a cell to see the path. ✓/✗
          predicted · ●/○ measured
        </span>
        {shown && (
          <label className="nc-matrix-subset" data-testid="matrix-subset">
            {shown.length} of {all.length} endpoints: the selected ones, or
            <input
              value={filter}
              placeholder="filter by id"
              spellCheck={false}
              onChange={(e) => setFilter(e.target.value)}
              data-testid="matrix-filter"
            />
          </label>
        )}
        <div className="nc-spacer" />
        <button
          type="button"
          disabled={!online}
          onClick={() => void runMatrix()}
          data-testid="matrix-measure"
          title={online ? 'Ping every pair in the running lab' : 'Deploy the lab to measure'}
        >
          Measure
        </button>
      </div>
      <div className="nc-matrix-scroll">
        <table>
          <thead>
            <tr>
              <th className="corner">from \ to</th>
              {m.endpoints.map((e) => (
                <th key={e} title={m.targets[e]}>
                  {e}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {m.endpoints.map((from, i) => (
              <tr key={from}>
                <th title={m.targets[from]}>
                  {from} <span className="nc-muted mono">{m.targets[from]}</span>
                </th>
                {m.endpoints.map((to, j) => {
                  const r = m.results[i]?.[j];
                  return i === j || !r ? (
                    <td key={to} className="nc-cell self" />
                  ) : (
                    <Cell key={to} r={r} onPick={onPick} />
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
