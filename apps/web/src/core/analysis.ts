import type {
  AddressRecord,
  Design,
  Diagnostic,
  Severity,
  Topology,
  TopologyText,
} from '@netcanvas/shared';
import {
  diagnose,
  hintsFrom,
  recordHints,
  sameTopologyText,
  topologyText as textOf,
} from '@netcanvas/shared';
import type { Stores } from '../store';
import type { AnalysisState } from '../store/analysis';
import { labOf } from '../store/live';
import { attempt } from './safe';

const RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

const texts = new WeakMap<Topology, TopologyText>();

/**
 * A topology as the JSON text of each of its lists (shared analyze/share.ts), made once per
 * topology object: how the diagnosis tells a topology that resolves the same, and what the
 * matrix's worker is sent (strings cross to a worker in one copy; an object graph is walked).
 * The worker takes over each list whose text did not change (TopologyReader), so an edit of a
 * container's address is not parsed and compared again in its 7,193 routes.
 */
export function topologyText(topology: Topology): TopologyText {
  let text = texts.get(topology);
  if (text === undefined) {
    text = textOf(topology);
    texts.set(topology, text);
  }
  return text;
}

/**
 * Diagnoses with the server's address record as hints (DESIGN.md §7: the
 * browser shows the addresses the server decided); the last topology of
 * this tab fills in what the record does not hold yet (an element dropped
 * a moment ago, or no server at all: then those addresses are provisional).
 */
export function runDiagnose(
  design: Design,
  previous?: Topology,
  record?: AddressRecord | null,
): Omit<AnalysisState, 'running'> {
  const hints = {
    ...(previous ? hintsFrom(previous) : {}),
    ...(record ? recordHints(record, design.name) : {}),
  };
  const { value, error } = attempt('diagnose', () => diagnose(design, hints));
  const diagnostics = value ? value.diagnostics : [error!];
  const worst: Record<string, Severity> = {};
  const messages: Record<string, Diagnostic[]> = {};
  for (const d of diagnostics) {
    for (const el of d.elements) {
      const list = messages[el] ?? [];
      list.push(d);
      messages[el] = list;
      const w = worst[el];
      if (!w || RANK[d.severity] > RANK[w]) worst[el] = d.severity;
    }
  }
  // Always present, even when undefined: the store merges, and an absent key
  // would leave the last design's topology on show.
  return { diagnostics, worst, messages, topology: value?.topology };
}

/**
 * Diagnoses after every change of the design (or of the lab and address
 * record it is shown under), debounced so typing stays smooth on big
 * designs. Returns the way to stop.
 */
export function startAnalysis(
  { app, live, analysis }: Pick<Stores, 'app' | 'live' | 'analysis'>,
  delayMs = 120,
): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  /**
   * The last topology that resolved, kept only as address hints so that
   * fixing an error does not renumber what the user saw before it.
   */
  let lastGood: Topology | undefined;
  /** The topology this diagnosis showed last: one that resolves the same keeps its object. */
  let shown: Topology | undefined;
  const markRunning = () => {
    if (!analysis.getState().running) analysis.setState({ running: true });
  };
  const run = () => {
    const design = app.getState().design;
    // Kernel names (plan, paths) under the lab the server gave this design, so they match the
    // kernel; addresses from the server's record of this design (keyed by element, so by any lab).
    const { labName, addresses } = live.getState();
    const lab = labOf(labName, design.name);
    const result = runDiagnose(
      lab === design.name ? design : { ...design, name: lab },
      lastGood,
      addresses,
    );
    // The server's record of a version that changed no address (after every edit and
    // deploy) resolves the same topology: keeping the object spares whatever depends on
    // it (the matrix's analysis, the link ends) a redo with the same answer.
    const now = analysis.getState().topology;
    if (result.topology && shown && shown === now)
      if (sameTopologyText(topologyText(result.topology), topologyText(now))) result.topology = now;
    shown = result.topology;
    if (result.topology) lastGood = result.topology;
    analysis.setState({ ...result, running: false });
  };
  // The first diagnosis waits for the first paint: the canvas of a big design
  // shows a few hundred milliseconds sooner, and its problems a moment later.
  markRunning();
  requestAnimationFrame(() => {
    timer = setTimeout(run, 0);
  });
  const again = () => {
    markRunning();
    clearTimeout(timer);
    timer = setTimeout(run, delayMs);
  };
  const unsubscribe = app.subscribe((s, old) => {
    if (s.design !== old.design) again();
  });
  // Another lab (a design switch), or the server's record of a new version
  // (after an edit, an apply, a reload), changes what is shown.
  const unsubscribeLive = live.subscribe((s, old) => {
    if (s.labName !== old.labName || s.addresses !== old.addresses) again();
  });
  return () => {
    clearTimeout(timer);
    unsubscribe();
    unsubscribeLive();
  };
}
