import type { PairResult, Reachability, Topology } from '@netcanvas/shared';
import { useCallback, useMemo, useRef, useState } from 'react';
import { pathElements, pathSteps } from '../model/path';
import type { AppStore, HighlightTone } from '../store/app';
import { isFresh, labRunning, type MeasuredPing, pairKey } from '../store/live';
import { useAnalysis, useApp, useClient, useLesson, useLive, useStores } from '../ui/context';
import { PingSizeField } from './PingSizeField';
import { useReachability } from './useReachability';
import { useReveal } from './useReveal';

/**
 * The most endpoints shown at once. Every endpoint is analysed (reachability():
 * all pairs, paths only for the cells drawn), but a 1000-element design has
 * ~570 endpoints, 320 000 cells and a table no one can read: bigger designs
 * show a chosen part of the whole matrix.
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
  const key = pairKey(r.from, r.to);
  // One primitive per store, so a cell renders again only when its own answer changes
  // (a big matrix has 1600 cells): the measurement and whether it is fresh…
  const meas = useLive((s) => {
    const m = s.measured[key];
    return m ? `${m.reachable ? 'ok' : 'fail'}${isFresh(m, s.generation) ? '' : ' stale'}` : 'none';
  });
  // …and the student's mark, or `off` outside Predict mode.
  const mark = useLesson((s) =>
    !s.predicting
      ? 'off'
      : Object.hasOwn(s.predictions, key)
        ? s.predictions[key]
          ? 'ok'
          : 'fail'
        : 'none',
  );
  const { lesson } = useStores();
  const predicting = mark !== 'off';
  const guess = mark === 'ok' ? true : mark === 'fail' ? false : undefined;
  const stale = meas.endsWith(' stale');
  const m = meas === 'none' ? undefined : { reachable: meas.startsWith('ok') };
  // Only what was measured under the lab as it is now can contradict the prediction.
  const measured = m && !stale ? m : undefined;
  const mismatch = !predicting && measured !== undefined && measured.reachable !== r.reachable;
  const scored = predicting && guess !== undefined && measured !== undefined;
  const wrong = scored && guess !== measured.reachable;
  const said = (v: boolean) => (v ? 'reachable' : 'unreachable');
  return (
    <td
      className={`nc-cell ${predicting ? 'guessing' : r.reachable ? 'ok' : 'fail'} ${mismatch ? 'mismatch' : ''} ${stale ? 'stale' : ''} ${scored ? (wrong ? 'guess-wrong' : 'guess-right') : ''}`}
      data-testid={`matrix-cell-${r.from}-${r.to}`}
      data-predicted={r.reachable ? 'ok' : 'fail'}
      data-measured={m ? (m.reachable ? 'ok' : 'fail') : 'none'}
      data-stale={stale ? 'true' : undefined}
      data-guess={guess === undefined ? 'none' : guess ? 'ok' : 'fail'}
      title={
        predicting
          ? 'Your prediction: click for ✓ (reaches), again for ✗, again to clear'
          : stale
            ? 'Measured before the last change: Measure again'
            : r.reachable
              ? r.forward.map((h) => `${h.element}: ${h.note}`).join('\n')
              : r.reason
      }
    >
      <button
        type="button"
        className="nc-cell-btn"
        aria-label={
          predicting
            ? `${r.from} to ${r.to}: your prediction ${guess === undefined ? 'not marked' : said(guess)}${measured ? `, measured ${said(measured.reachable)}` : ''}`
            : `${r.from} to ${r.to}: ${said(r.reachable)}${
                m ? `, measured ${said(m.reachable)}${stale ? ' before the last change' : ''}` : ''
              }`
        }
        onClick={() =>
          predicting
            ? lesson
                .getState()
                .predict(r.from, r.to, guess === undefined ? true : guess ? false : undefined)
            : onPick(r)
        }
      >
        <span className="pred">
          {predicting ? (guess === undefined ? '?' : guess ? '✓' : '✗') : r.reachable ? '✓' : '✗'}
        </span>
        {m && (
          <span className={`meas ${m.reachable ? 'ok' : 'fail'}`}>{m.reachable ? '●' : '○'}</span>
        )}
      </button>
    </td>
  );
}

/**
 * A cell of the answer before the edit, drawn while the edit is analysed: its place and
 * colour only (no test id, no measurement, no action), so nothing reads it as the answer.
 */
function OldCell({ r }: { r: PairResult }) {
  return (
    <td className={`nc-cell ${r.reachable ? 'ok' : 'fail'}`}>
      <span className="nc-cell-btn">
        <span className="pred">{r.reachable ? '✓' : '✗'}</span>
      </span>
    </td>
  );
}

export interface ScoredMark {
  r: PairResult;
  /** The student's mark: reaches or not. */
  guess: boolean;
  /** What the lab said (a fresh measurement). */
  real: boolean;
}

/**
 * The student's marks that have a fresh measurement, each with the analyzer's
 * answer for its pair (for the reason), in the matrix's order. Walks the
 * marks, not every pair of endpoints: a 1000-element design has ~320 000
 * pairs and a student marks a few dozen.
 */
export function scoreMarks(
  matrix: Pick<Reachability, 'endpoints' | 'pair'>,
  index: ReadonlyMap<string, number>,
  predictions: Readonly<Record<string, boolean>>,
  measured: Readonly<Record<string, MeasuredPing>>,
  generation: number,
): ScoredMark[] {
  const found: { at: number; mark: ScoredMark }[] = [];
  for (const [key, guess] of Object.entries(predictions)) {
    const m = Object.hasOwn(measured, key) ? measured[key] : undefined;
    if (!isFresh(m, generation)) continue;
    const i = index.get(m.from);
    const j = index.get(m.to);
    if (i === undefined || j === undefined || i === j) continue;
    const r = matrix.pair(i, j);
    if (r)
      found.push({ at: i * matrix.endpoints.length + j, mark: { r, guess, real: m.reachable } });
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.mark);
}

/** The student's marks against fresh measurements; paths and reasons only for the pairs marked. */
function Score({ matrix }: { matrix: Reachability }) {
  const predictions = useLesson((s) => s.predictions);
  const measured = useLive((s) => s.measured);
  const generation = useLive((s) => s.generation);
  const index = useMemo(() => new Map(matrix.endpoints.map((e, i) => [e, i])), [matrix]);
  const scored = scoreMarks(matrix, index, predictions, measured, generation);
  if (scored.length === 0) return null;
  const wrong = scored.filter((x) => x.guess !== x.real);
  return (
    <div className="nc-score" data-testid="predict-score" role="status" aria-live="polite">
      <strong data-testid="predict-score-total">
        {scored.length - wrong.length} of {scored.length} predictions right
      </strong>
      {wrong.length > 0 && (
        <ul>
          {wrong.map(({ r, guess, real }) => (
            <li key={`${r.from}>${r.to}`} data-testid={`predict-wrong-${r.from}-${r.to}`}>
              {r.from} → {r.to}: you said {guess ? '✓' : '✗'}, the lab says {real ? '✓' : '✗'}.{' '}
              {real
                ? `It goes ${r.forward.map((h) => h.element).join(' → ')}.`
                : (r.reason ?? 'It is not reachable.')}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Measure's progress (fresh results of this run) and its Cancel. */
function Measuring() {
  const measuring = useLive((s) => s.measuring);
  const got = useLive(
    (s) => Object.values(s.measured).filter((m) => m.generation === s.generation).length,
  );
  const { cancelMatrix } = useClient().lab;
  if (!measuring) return null;
  return (
    <span className="nc-measuring" data-testid="matrix-progress" role="status">
      <progress max={measuring.total} value={Math.min(got, measuring.total)} /> {got}/
      {measuring.total}
      <button type="button" onClick={() => void cancelMatrix()} data-testid="matrix-cancel">
        Cancel
      </button>
    </span>
  );
}

export function MatrixPanel() {
  const topology = useAnalysis((s) => s.topology);
  const online = useLive(labRunning);
  const selection = useApp((s) => s.selection);
  const [filter, setFilter] = useState('');
  const all = useMemo(() => topology?.endpoints.map((e) => e.node) ?? [], [topology]);
  const shown = shownEndpoints(all, selection, filter);
  const size = useApp((s) => s.pingSize);
  const predicting = useLesson((s) => s.predicting);
  // The score says why a marked pair fails: its path comes with the answer too.
  const predictions = useLesson((s) => s.predictions);
  const marked = useMemo(
    () => (predicting ? Object.keys(predictions).sort() : []),
    [predicting, predictions],
  );
  // Predicted at the size Measure pings with: an MTU too small on a path fails it in both.
  // Analysed off the page's thread; the last answer is kept there, so after an edit only
  // the pairs it can change are decided again.
  const result = useReachability(topology, size, shown, marked);
  const drawn = result.rows;
  const drawnKey = drawn?.join(' ');
  // biome-ignore lint/correctness/useExhaustiveDependencies: drawnKey stands for drawn
  const rows = useMemo(() => {
    const m = result.value ?? result.stale;
    if (!m) return [];
    const index = new Map(m.endpoints.map((e, i) => [e, i]));
    return drawn
      ? drawn.flatMap((e) => (index.has(e) ? [index.get(e)!] : []))
      : m.endpoints.map((_, i) => i);
  }, [result.value, result.stale, drawnKey]);
  const reveal = useReveal();
  const { app, lesson } = useStores();
  const { runMatrix } = useClient().lab;
  const measuring = useLive((s) => s.measuring !== null);
  const setPredicting = useLesson((s) => s.setPredicting);
  const stagger = useRef<Stagger | null>(null);
  const onPick = useCallback(
    (r: PairResult) => {
      if (!topology) return;
      lesson.getState().noteExplained(r.from, r.to);
      showPair(app, stagger, r, topology, reveal);
    },
    [app, lesson, topology, reveal],
  );
  if (!topology)
    return <div className="nc-panel-empty">No prediction: fix the errors in Problems first.</div>;
  if (!result.pending && !result.value)
    return <div className="nc-panel-empty">{result.error?.message}</div>;
  // While an edit is analysed the last answer stays in place, dimmed and inert: the table
  // keeps its size and scroll, and nothing in it can be taken for this design's answer.
  const m = result.value ?? result.stale;
  const ready = result.value !== undefined;
  if ((result.value ? result.value.endpoints.length : all.length) < 2)
    return (
      <div className="nc-panel-empty">
        Add at least two addressed elements (namespaces, hosts, routers) to predict pings.
      </div>
    );
  let ok = 0;
  const fresh = result.value;
  if (fresh) for (const bit of fresh.reach) ok += bit;
  const total = fresh ? fresh.endpoints.length * (fresh.endpoints.length - 1) : 0;
  return (
    <div
      className="nc-matrix"
      data-testid="matrix-panel"
      data-state={ready ? 'ready' : 'analyzing'}
      aria-busy={ready ? undefined : true}
    >
      <div className="nc-panel-bar">
        {!ready ? (
          // The last answer is for the design before the edit: it is not shown as this one's.
          <span className="nc-muted" data-testid="matrix-analyzing" role="status">
            Analyzing {all.length} endpoints…
          </span>
        ) : (
          <span className="nc-muted nc-matrix-summary" data-testid="matrix-summary">
            {predicting
              ? 'Predict: click each cell, ✓ if the ping gets through, ✗ if not; then Measure.'
              : `Predicted${size !== undefined ? ` at ${size} bytes` : ''}: ${ok}/${total} pairs reach each other. Click a cell to see the path. ✓/✗ predicted · ●/○ measured`}
          </span>
        )}
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
        <label className="nc-predict-toggle">
          <input
            type="checkbox"
            checked={predicting}
            onChange={(e) => setPredicting(e.target.checked)}
            data-testid="matrix-predict"
          />
          Predict
        </label>
        <PingSizeField testid="matrix-size" />
        <Measuring />
        <button
          type="button"
          disabled={!online || measuring}
          onClick={() => void runMatrix()}
          data-testid="matrix-measure"
          title={online ? 'Ping every pair in the running lab' : 'Deploy the lab to measure'}
        >
          {measuring ? 'Measuring…' : 'Measure'}
        </button>
      </div>
      {fresh && predicting && <Score matrix={fresh} />}
      <div className="nc-matrix-scroll">
        {m && (
          <table
            {...(ready ? {} : { className: 'nc-matrix-stale', inert: true, 'aria-hidden': true })}
            data-testid={ready ? 'matrix-table' : 'matrix-stale'}
          >
            <thead>
              <tr>
                <th className="corner">from \ to</th>
                {rows.map((j) => (
                  <th key={j} title={m.targets[m.endpoints[j]!]}>
                    {m.endpoints[j]}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((i) => {
                const from = m.endpoints[i]!;
                return (
                  <tr key={from}>
                    <th title={m.targets[from]}>
                      {from} <span className="nc-muted mono">{m.targets[from]}</span>
                    </th>
                    {rows.map((j) => {
                      const r = m.pair(i, j);
                      return i === j || !r ? (
                        <td key={j} className="nc-cell self" />
                      ) : ready ? (
                        <Cell key={j} r={r} onPick={onPick} />
                      ) : (
                        <OldCell key={j} r={r} />
                      );
                    })}
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
