/**
 * Structure: unknown input → Design, every zod issue turned into a
 * Diagnostic that names the element and says what to write instead.
 */
import type { Diagnostic } from '../model.js';
import { describePath, issueToDiagnostics, typeName } from './issues.js';
import { elementsAtPath, isPlainRecord, linkEnds, linkIds, withLinkEnds } from './links.js';
import { Design, DraftDesign } from './schema.js';

type Path = (string | number)[];

/** Object keys that are part of every JavaScript object; as ids they would confuse `obj[id]` lookups. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
]);

/**
 * Keys that zod drops without a word (a record silently skips `__proto__`)
 * or that would shadow Object.prototype members in every consumer's
 * `nodes[id]` lookup. Walked iteratively and only as deep as a design goes.
 */
function prototypeKeyDiagnostics(input: unknown, ids: readonly string[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  // Each entry's path as a link to its parent's, made an array only for a diagnostic: a
  // 200-namespace design has thousands of values, and a path copied for each was most of the scan.
  type At = { key: string | number; up: At | null; depth: number } | null;
  const pathOf = (at: At): Path => {
    const p: Path = [];
    for (let a = at; a; a = a.up) p.push(a.key);
    return p.reverse();
  };
  const stack: { value: unknown; at: At }[] = [{ value: input, at: null }];
  let visited = 0;
  while (stack.length > 0 && visited < 200_000) {
    const { value, at } = stack.pop()!;
    visited++;
    const depth = at ? at.depth : 0;
    if (typeof value !== 'object' || value === null || depth > 6) continue;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++)
        stack.push({ value: value[i], at: { key: i, up: at, depth: depth + 1 } });
      continue;
    }
    const keys = Object.keys(value);
    for (const key of keys) {
      if (PROTOTYPE_KEYS.has(key)) {
        const path = pathOf(at);
        const p = [...path, key];
        const idLike = (path[0] === 'nodes' || path[0] === 'layout') && path.length === 1;
        out.push({
          severity: 'error',
          code: idLike ? 'reserved-name' : 'forbidden-key',
          message: idLike
            ? `"${key}" cannot be an element id: it is a built-in name of JavaScript objects; rename it`
            : `${describePath(path, ids)} has a forbidden key "${key}"`,
          elements: idLike ? [key] : elementsAtPath(path, ids),
          path: p,
        });
      }
    }
    for (const key of keys)
      if (!PROTOTYPE_KEYS.has(key))
        stack.push({
          value: (value as Record<string, unknown>)[key],
          at: { key, up: at, depth: depth + 1 },
        });
  }
  return out;
}

/** Unknown JSON-ish value → Design (zod), with every structural problem as a Diagnostic. Never throws. */
export function parseDesign(input: unknown): { design?: Design; diagnostics: Diagnostic[] } {
  return parseWith(Design, input);
}

/**
 * The draft reading (schema.ts, `DraftDesign`): what the store accepts. Only
 * a document that is not a design map, a wrong JSON type, an invalid
 * element-id key or an oversized field is refused; a bad subnet or an empty
 * underlay is a diagnostic of `diagnose`, not a reason to lose the edit.
 */
export function parseDraft(input: unknown): { design?: Design; diagnostics: Diagnostic[] } {
  return parseWith(DraftDesign, input);
}

function parseWith(
  schema: typeof Design | typeof DraftDesign,
  input: unknown,
): { design?: Design; diagnostics: Diagnostic[] } {
  if (!isPlainRecord(input)) {
    return {
      diagnostics: [
        {
          severity: 'error',
          code: 'not-a-design',
          message: `a design is a map with apiVersion, name, nodes and links; got ${typeName(input)}`,
          elements: [],
          path: [],
        },
      ],
    };
  }
  // Getters and proxies can throw from any property read; the input is still only data to us.
  let ids: string[] = [];
  let ends: [string | undefined, string | undefined][] = [];
  let protoDiagnostics: Diagnostic[] = [];
  try {
    ids = linkIds(input);
    ends = linkEnds(input);
    protoDiagnostics = prototypeKeyDiagnostics(input, ids);
  } catch {
    ids = [];
    ends = [];
  }
  let result: ReturnType<typeof Design.safeParse>;
  try {
    result = schema.safeParse(input);
  } catch (err) {
    // zod does not throw on data, but getters and proxies on hostile input could.
    return {
      diagnostics: [
        ...protoDiagnostics,
        {
          severity: 'error',
          code: 'not-a-design',
          message: `the input could not be read as a design (${err instanceof Error ? err.message : 'unreadable value'})`,
          elements: [],
          path: [],
        },
      ],
    };
  }
  if (result.success) {
    return protoDiagnostics.length > 0
      ? { diagnostics: withLinkEnds(protoDiagnostics, input) }
      : { design: result.data, diagnostics: [] };
  }
  const diagnostics = [...protoDiagnostics];
  const seen = new Set(protoDiagnostics.map((d) => JSON.stringify(d.path)));
  for (const issue of result.error.issues) {
    for (const d of issueToDiagnostics(issue, input, ids, ends)) {
      const key = `${d.code} ${JSON.stringify(d.path)}`;
      // The prototype-key scan already said why `__proto__` is refused.
      if (d.code === 'unknown-field' && seen.has(JSON.stringify(d.path))) continue;
      if (seen.has(key)) continue;
      seen.add(key);
      diagnostics.push(d);
    }
  }
  return { diagnostics: withLinkEnds(diagnostics, input) };
}
