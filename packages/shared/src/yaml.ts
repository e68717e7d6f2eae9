import type { Design } from './schema.js';
import type { Diagnostic } from './model.js';

/** YAML text → Design with diagnostics carrying line/column. Never throws. */
export function designFromYaml(text: string): { design?: Design; diagnostics: Diagnostic[] } {
  throw new Error('not implemented');
}

export function designToYaml(design: Design): string {
  throw new Error('not implemented');
}
