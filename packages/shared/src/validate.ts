import type { Design } from './schema.js';
import type { AddressHints, Diagnostic, Topology } from './model.js';

/** Design-level semantic checks (ids, kinds, duplicates, overlaps, names). Never throws. */
export function validate(design: Design): Diagnostic[] {
  throw new Error('not implemented');
}

/** parse → validate → resolve, all diagnostics together. What the CLI, server and browser call. */
export function diagnose(
  input: unknown,
  hints?: AddressHints,
): { design?: Design; topology?: Topology; diagnostics: Diagnostic[] } {
  throw new Error('not implemented');
}
