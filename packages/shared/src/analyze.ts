import type { Matrix, Topology } from './model.js';

/** Predicted ping matrix with forward/return paths and first failure reasons. Pure. */
export function analyze(topology: Topology, opts?: { endpoints?: string[] }): Matrix {
  throw new Error('not implemented');
}
