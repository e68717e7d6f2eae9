import type { Diagnostic } from '@netcanvas/shared';

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
