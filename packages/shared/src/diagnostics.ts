/** Wording helpers for resolve's diagnostics and route explanations. */
import type { Diagnostic, Severity } from './model.js';

/** "a", "a and b", "a, b and c"; long lists end with "and N more". */
export function listNames(names: readonly string[], max = 6): string {
  if (names.length === 0) return '';
  if (names.length > max) {
    const shown = names.slice(0, max - 1);
    return `${shown.join(', ')} and ${names.length - shown.length} more`;
  }
  if (names.length === 1) return names[0]!;
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

export function plural(count: number, one: string, many: string): string {
  return count === 1 ? one : many;
}

export function diagnostic(
  severity: Severity,
  code: string,
  message: string,
  elements: string[],
  path?: (string | number)[],
): Diagnostic {
  const result: Diagnostic = { severity, code, message, elements: [...new Set(elements)] };
  if (path !== undefined) result.path = path;
  return result;
}
