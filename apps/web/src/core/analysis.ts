import type { Design, Diagnostic, Severity, Topology } from '@netcanvas/shared';
import { diagnose, hintsFrom } from '@netcanvas/shared';
import { create } from 'zustand';
import { labOf, useLive } from '../live/store';
import { useApp } from '../store';
import { attempt } from './safe';

export interface AnalysisState {
  /** The topology of the design as it is now; undefined while it has errors that stop resolving. */
  topology: Topology | undefined;
  diagnostics: Diagnostic[];
  /** Worst severity per element id, for badges and outlines. */
  worst: Record<string, Severity>;
  /** Messages per element id, for tooltips and the inspector. */
  messages: Record<string, Diagnostic[]>;
  running: boolean;
}

export const useAnalysis = create<AnalysisState>()(() => ({
  topology: undefined,
  diagnostics: [],
  worst: {},
  messages: {},
  running: false,
}));

const RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

export function runDiagnose(design: Design, previous?: Topology): Omit<AnalysisState, 'running'> {
  const { value, error } = attempt('diagnose', () =>
    diagnose(design, previous ? hintsFrom(previous) : {}),
  );
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

let timer: ReturnType<typeof setTimeout> | undefined;
/**
 * The last topology that resolved, kept only as address hints so that
 * fixing an error does not renumber what the user saw before it.
 */
let lastGood: Topology | undefined;

function markRunning(): void {
  if (!useAnalysis.getState().running) useAnalysis.setState({ running: true });
}

/** Diagnoses after every change, debounced so typing stays smooth on big designs. */
export function startAnalysis(delayMs = 120): () => void {
  const run = () => {
    const design = useApp.getState().design;
    // Kernel names (plan, paths) under the lab the server gave this design, so they match the kernel.
    const lab = labOf(useLive.getState().labName, design.name);
    const result = runDiagnose(lab === design.name ? design : { ...design, name: lab }, lastGood);
    if (result.topology) lastGood = result.topology;
    useAnalysis.setState({ ...result, running: false });
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
  const unsubscribe = useApp.subscribe((s, old) => {
    if (s.design !== old.design) again();
  });
  const unsubscribeLab = useLive.subscribe((s, old) => {
    if (s.labName !== old.labName) again();
  });
  return () => {
    clearTimeout(timer);
    unsubscribe();
    unsubscribeLab();
  };
}
