import type { Design, Diagnostic, Severity, Topology } from '@netcanvas/shared';
import { diagnose } from '@netcanvas/shared';
import { create } from 'zustand';
import { useApp } from '../store';
import { attempt, hintsFrom } from './safe';

export interface AnalysisState {
  /** The design these results belong to (results lag edits by the debounce). */
  design: Design | null;
  topology?: Topology;
  diagnostics: Diagnostic[];
  /** Worst severity per element id, for badges and outlines. */
  worst: Record<string, Severity>;
  /** Messages per element id, for tooltips and the inspector. */
  messages: Record<string, Diagnostic[]>;
  running: boolean;
}

export const useAnalysis = create<AnalysisState>()(() => ({
  design: null,
  diagnostics: [],
  worst: {},
  messages: {},
  running: false,
}));

const RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

export function runDiagnose(design: Design, previous?: Topology): Omit<AnalysisState, 'running'> {
  const { value, error } = attempt('diagnose', () => diagnose(design, hintsFrom(previous)));
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
  return {
    design,
    diagnostics,
    worst,
    messages,
    ...(value?.topology ? { topology: value.topology } : {}),
  };
}

let timer: ReturnType<typeof setTimeout> | undefined;

/** Diagnoses after every change, debounced so typing stays smooth on big designs. */
export function startAnalysis(delayMs = 120): () => void {
  const run = () => {
    const design = useApp.getState().design;
    const prev = useAnalysis.getState().topology;
    useAnalysis.setState({ ...runDiagnose(design, prev), running: false });
  };
  // The first diagnosis waits for the first paint: the canvas of a big design
  // shows a few hundred milliseconds sooner, and its problems a moment later.
  useAnalysis.setState({ running: true });
  requestAnimationFrame(() => {
    timer = setTimeout(run, 0);
  });
  const unsubscribe = useApp.subscribe((s, old) => {
    if (s.design === old.design) return;
    useAnalysis.setState({ running: true });
    clearTimeout(timer);
    timer = setTimeout(run, delayMs);
  });
  return () => {
    clearTimeout(timer);
    unsubscribe();
  };
}
