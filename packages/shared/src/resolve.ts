import type { Design } from './schema.js';
import type { AddressHints, Diagnostic, Topology } from './model.js';

/** Design → Topology: kernel names, L2 domains, addresses, routes. Never throws on a parsed Design. */
export function resolve(design: Design, hints?: AddressHints): { topology: Topology; diagnostics: Diagnostic[] } {
  throw new Error('not implemented');
}
