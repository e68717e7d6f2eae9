import type { Design } from '@netcanvas/shared';
import { designFromYaml, scenarios } from '@netcanvas/shared';
import type { AnalysisStore } from '../src/store/analysis';

/**
 * Resolves once the debounced diagnosis (core/analysis.ts) has run on the
 * latest change: a change marks the store `running` at once, and the run
 * clears it, so this waits for that store event rather than for time.
 */
export const analysisSettled = (analysis: AnalysisStore) =>
  new Promise<void>((resolve) => {
    if (!analysis.getState().running) return resolve();
    const stop = analysis.subscribe((s) => {
      if (s.running) return;
      stop();
      resolve();
    });
  });

/** A built-in scenario as the gallery opens it. */
export function scenario(name: string): Design {
  const sc = scenarios.find((s) => s.name === name);
  if (!sc) throw new Error(`no scenario ${name}`);
  return designFromYaml(sc.yaml).design!;
}

/**
 * What c1's packet to c2 crosses in the inter-vlan scenario, in order: its
 * host, the host's uplink, vlan10, r1, vlan20, the other host, c2.
 */
export const INTER_VLAN_C1_TO_C2 = [
  'c1',
  'node-a',
  'node-a--vlan10',
  'vlan10',
  'r1--vlan10',
  'r1',
  'r1--vlan20',
  'vlan20',
  'node-b--vlan20',
  'node-b',
  'c2',
] as const;
