import type { Diagnostic, Severity, Topology } from '@netcanvas/shared';
import { createStore, type StoreApi } from 'zustand/vanilla';

/** What the browser's own diagnosis of the design says (core/analysis.ts writes it). */
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

export type AnalysisStore = StoreApi<AnalysisState>;

export const createAnalysisStore = (): AnalysisStore =>
  createStore<AnalysisState>()(() => ({
    topology: undefined,
    diagnostics: [],
    worst: {},
    messages: {},
    running: false,
  }));
