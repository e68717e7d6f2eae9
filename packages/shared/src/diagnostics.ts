/**
 * Diagnostics: how one is made, the order every list is given in, and the
 * wording helpers their sentences share.
 */
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

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Deterministic order: errors first, then by element id, code, path and message. */
export function compareDiagnostics(x: Diagnostic, y: Diagnostic): number {
  const cmp = (p: string, q: string) => (p < q ? -1 : p > q ? 1 : 0);
  return (
    SEVERITY_RANK[x.severity] - SEVERITY_RANK[y.severity] ||
    cmp(x.elements.join(','), y.elements.join(',')) ||
    cmp(x.code, y.code) ||
    cmp(JSON.stringify(x.path ?? []), JSON.stringify(y.path ?? [])) ||
    cmp(x.message, y.message)
  );
}

export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const unique: Diagnostic[] = [];
  for (const d of list) {
    const key = `${d.severity}\u0000${d.code}\u0000${d.elements.join(',')}\u0000${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(d);
  }
  return unique.sort(compareDiagnostics);
}
