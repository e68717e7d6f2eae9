/**
 * Deep equality of plain data (what a Topology, a plan and a design's JSON are made of): the
 * analyzer's topology comparison (analyze/ledger.ts) and the plan made again (replan.ts,
 * compile.ts). Own keys in any order; a key holding `undefined` is a key (for "not set" read as
 * absent, the edit layer has `sameValue`). `skip`: a key of the top object left out.
 */
export function sameJson(a: unknown, b: unknown, skip?: string): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let k = 0; k < a.length; k++) if (!sameJson(a[k], b[k])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let keys = 0;
  for (const k in x) {
    if (k === skip) continue;
    // Most fields are strings and numbers: compared here, without a call each.
    const u = x[k];
    const v = y[k];
    if (u !== v && (typeof u !== 'object' || !sameJson(u, v))) return false;
    keys++;
  }
  // Same values under every key of a; b has no other key (an absent key reads as undefined).
  for (const k in y) {
    if (k === skip) continue;
    if (!(k in x)) return false;
    keys--;
  }
  return keys === 0;
}
