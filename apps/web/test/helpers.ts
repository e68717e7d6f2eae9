import type { Design } from '@netcanvas/shared';
import { designFromYaml, scenarios } from '@netcanvas/shared';
import { useAnalysis } from '../src/core/analysis';

/** Resolves once the debounced diagnosis (core/analysis.ts) has run on the latest change. */
export const analysisSettled = () =>
  new Promise<void>((resolve) => {
    const check = () => (useAnalysis.getState().running ? setTimeout(check, 5) : resolve());
    setTimeout(check, 5);
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
