import type { AddressHints, Diagnostic, Topology } from '@netcanvas/shared';
import { hintsFrom as coreHints } from '@netcanvas/shared';

/**
 * Calls into the shared core that must never take the page down: a stage
 * that throws (or is not written yet) becomes a problem the user can read.
 */
export function attempt<T>(stage: string, fn: () => T): { value?: T; error?: Diagnostic } {
  try {
    return { value: fn() };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      error: {
        severity: 'warning',
        code: 'core-unavailable',
        message: `${stage} could not run: ${message}`,
        elements: [],
      },
    };
  }
}

/**
 * Addresses of the last topology, passed back to the core so that editing
 * never renumbers interfaces the user has already seen.
 */
export function hintsFrom(topology: Topology | undefined): AddressHints {
  if (!topology) return {};
  try {
    return coreHints(topology);
  } catch {
    // the core's reading failed: the automatic addresses are the same data
  }
  const hints: AddressHints = {};
  for (const i of topology.interfaces)
    if (i.address && i.addressOrigin === 'auto') hints[i.key] = i.address;
  return hints;
}
