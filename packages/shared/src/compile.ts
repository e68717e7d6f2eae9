import type { Plan, Topology } from './model.js';

/** Topology → Plan. Pure and deterministic. */
export function compile(topology: Topology): Plan {
  throw new Error('not implemented');
}
