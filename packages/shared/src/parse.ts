import type { Design } from './schema.js';
import type { Diagnostic } from './model.js';

/** Unknown JSON-ish value → Design (zod), with every structural problem as a Diagnostic. Never throws. */
export function parseDesign(input: unknown): { design?: Design; diagnostics: Diagnostic[] } {
  throw new Error('not implemented');
}
