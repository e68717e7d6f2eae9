import type { Plan } from './model.js';

/** A standalone bash script that builds the lab (or, with teardown, removes it). */
export function renderScript(plan: Plan, opts?: { teardown?: boolean }): string {
  throw new Error('not implemented');
}

/** Human text: commands grouped by element, each with its why. */
export function renderText(plan: Plan): string {
  throw new Error('not implemented');
}
