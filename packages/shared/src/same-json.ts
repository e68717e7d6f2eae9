/** Deep equality of plain values, for the plan made again (replan.ts, compile.ts). */
/**
 * Equal as values (own keys in any order; a key holding `undefined` is a key); `skip`: a key of
 * the top object left out.
 */
export function sameJson(a: unknown, b: unknown, skip?: string): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let na = 0;
  for (const k in ra) {
    if (!Object.hasOwn(ra, k) || k === skip) continue;
    na++;
    if (!Object.hasOwn(rb, k) || !sameJson(ra[k], rb[k])) return false;
  }
  let nb = 0;
  for (const k in rb) if (Object.hasOwn(rb, k) && k !== skip) nb++;
  return na === nb;
}
