/**
 * Structure: unknown input → Design, every zod issue turned into a
 * Diagnostic that names the element and says what to write instead.
 */
import type { z } from 'zod';
import type { Diagnostic } from '../model.js';
import { ELEMENT_ID_RE } from '../net/names.js';
import { API_VERSION, Design, DraftDesign, NODE_KINDS } from './schema.js';

type Path = (string | number)[];
type Issue = z.core.$ZodIssue;

/** Fields each kind accepts, for "unknown field" messages and edit operations. */
export const FIELDS_BY_KIND: Record<string, readonly string[]> = {
  host: ['kind', 'mode', 'subnet', 'label'],
  namespace: ['kind', 'host', 'label'],
  vlan: ['kind', 'vid', 'subnet', 'label'],
  switch: ['kind', 'subnet', 'label'],
  router: ['kind', 'routing', 'routes', 'label'],
  vxlan: ['kind', 'vni', 'port', 'underlay', 'subnet', 'label'],
};
const DESIGN_FIELDS = [
  'apiVersion',
  'name',
  'title',
  'description',
  'nodes',
  'links',
  'addressing',
  'layout',
];
const LINK_FIELDS = ['id', 'endpoints', 'mtu', 'state'];
const ENDPOINT_FIELDS = ['node', 'ifname', 'ip', 'mac'];
const ROUTE_FIELDS = ['to', 'via'];

/** Object keys that are part of every JavaScript object; as ids they would confuse `obj[id]` lookups. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
]);

const hasOwn = (o: unknown, k: PropertyKey): boolean =>
  typeof o === 'object' && o !== null && Object.hasOwn(o, k);

function isPlainRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function endpointNodeId(ep: unknown): string | undefined {
  if (typeof ep === 'string') return ep;
  if (isPlainRecord(ep) && hasOwn(ep, 'node') && typeof ep.node === 'string') return ep.node;
  return undefined;
}

/**
 * Link ids, in design order: the link's own `id`, else `<a>--<b>` as
 * written, with `#2`, `#3`, … for the second and later links that would get
 * the same id. Works on raw (unparsed) input too, so structural diagnostics
 * can name links; entries that are not links get `links[i]`.
 */
export function linkIds(design: { links?: unknown }): string[] {
  const links = Array.isArray(design.links) ? design.links : [];
  const taken = new Set<string>();
  for (const l of links) {
    if (isPlainRecord(l) && hasOwn(l, 'id') && typeof l.id === 'string') taken.add(l.id);
  }
  const ids: string[] = [];
  links.forEach((l, i) => {
    if (isPlainRecord(l) && hasOwn(l, 'id') && typeof l.id === 'string') {
      ids.push(l.id);
      return;
    }
    const eps = isPlainRecord(l) && hasOwn(l, 'endpoints') ? l.endpoints : undefined;
    const a = Array.isArray(eps) ? endpointNodeId(eps[0]) : undefined;
    const b = Array.isArray(eps) ? endpointNodeId(eps[1]) : undefined;
    if (a === undefined || b === undefined) {
      ids.push(`links[${i}]`);
      return;
    }
    const base = `${a}--${b}`;
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}#${n}`;
    taken.add(id);
    ids.push(id);
  });
  return ids;
}

/** The ids written at each link's two ends (raw input too); undefined where an end has none. */
export function linkEnds(design: { links?: unknown }): [string | undefined, string | undefined][] {
  const links = Array.isArray(design.links) ? design.links : [];
  return links.map((l) => {
    const eps = isPlainRecord(l) && hasOwn(l, 'endpoints') ? l.endpoints : undefined;
    return Array.isArray(eps)
      ? [endpointNodeId(eps[0]), endpointNodeId(eps[1])]
      : [undefined, undefined];
  });
}

/**
 * "link r1--vlan10", or "link uplink (r1–vlan10)" for a link with its own id:
 * how a message names a link so its ends are always named too.
 */
export function linkLabel(
  id: string,
  ends: readonly [string | undefined, string | undefined],
): string {
  const [a, b] = ends;
  if (a === undefined || b === undefined || id === `${a}--${b}` || id.startsWith(`${a}--${b}#`))
    return `link ${id}`;
  return `link ${id} (${a}–${b})`;
}

/**
 * Every diagnostic about a link names the elements at its ends too, whatever
 * the link's id: a diagnostic whose path is inside `links[i]`, or whose
 * elements hold a link id that is no node id, gets the ids at that link's
 * ends (after its own elements, once each).
 */
export function withLinkEnds<T extends Diagnostic>(
  diagnostics: readonly T[],
  design: { links?: unknown; nodes?: unknown },
): T[] {
  // Raw input may throw from a getter; a diagnostic list is never lost for it.
  try {
    return addLinkEnds(diagnostics, design);
  } catch {
    return [...diagnostics];
  }
}

function addLinkEnds<T extends Diagnostic>(
  diagnostics: readonly T[],
  design: { links?: unknown; nodes?: unknown },
): T[] {
  const ids = linkIds(design);
  const ends = linkEnds(design);
  if (ids.length === 0) return [...diagnostics];
  const byId = new Map<string, number>();
  ids.forEach((id, i) => {
    if (!byId.has(id)) byId.set(id, i);
  });
  const nodes = isPlainRecord(design.nodes) ? design.nodes : {};
  return diagnostics.map((d) => {
    const linksOf = new Set<number>();
    if (d.path?.[0] === 'links' && typeof d.path[1] === 'number' && d.path[1] < ids.length)
      linksOf.add(d.path[1]);
    for (const e of d.elements) {
      const i = byId.get(e);
      if (i !== undefined && !hasOwn(nodes, e)) linksOf.add(i);
    }
    if (linksOf.size === 0) return d;
    const elements = [...d.elements];
    for (const i of [...linksOf].sort((x, y) => x - y)) {
      // An end that is no valid id (a typo the diagnostic is about) names nothing on the canvas.
      for (const e of [ids[i]!, ...ends[i]!])
        if (e !== undefined && (e === ids[i] || ELEMENT_ID_RE.test(e)) && !elements.includes(e))
          elements.push(e);
    }
    return elements.length === d.elements.length ? d : { ...d, elements };
  });
}

/** The element (node id or link id) a document path points into. */
export function elementsAtPath(path: readonly PropertyKey[], ids: readonly string[]): string[] {
  const [top, second] = path;
  if ((top === 'nodes' || top === 'layout') && typeof second === 'string') return [second];
  if (top === 'links' && typeof second === 'number') return [ids[second] ?? `links[${second}]`];
  return [];
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur = root;
  for (const k of path) {
    if (typeof k === 'symbol' || !hasOwn(cur, k)) return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return v.length > 40 ? `"${v.slice(0, 37)}…"` : `"${v}"`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'a list';
  return 'a map';
}

function typeName(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'number') return Number.isInteger(v) ? 'a whole number' : 'a number';
  return `a ${typeof v}`;
}

function expectedName(expected: string): string {
  switch (expected) {
    case 'object':
      return 'a map';
    case 'array':
    case 'tuple':
      return 'a list';
    case 'int':
    case 'number':
      return 'a whole number';
    default:
      return `a ${expected}`;
  }
}

/** "vlan10.vid", "link r1--vlan10, endpoint 2", "addressing.p2p" … for a message. */
export function describePath(
  path: readonly PropertyKey[],
  ids: readonly string[],
  ends: readonly [string | undefined, string | undefined][] = [],
): string {
  const p = path.map((k) => (typeof k === 'symbol' ? String(k) : k));
  if (p.length === 0) return 'the document';
  const [top, second, ...rest] = p;
  let where: string;
  let tail: (string | number)[];
  if (top === 'nodes' && second !== undefined) {
    where = String(second);
    tail = rest;
  } else if (top === 'links' && typeof second === 'number') {
    const id = ids[second];
    where =
      id === undefined
        ? `link links[${second}]`
        : linkLabel(id, ends[second] ?? [undefined, undefined]);
    tail = rest;
    if (tail[0] === 'endpoints' && typeof tail[1] === 'number') {
      const node = ends[second]?.[tail[1]];
      where += `, endpoint ${tail[1] + 1}${node !== undefined ? ` (${node})` : ''}`;
      tail = tail.slice(2);
    }
  } else if (top === 'layout' && second !== undefined) {
    where = `layout of ${second}`;
    tail = rest;
  } else {
    where = String(top);
    tail = second === undefined ? [] : [second, ...rest];
  }
  if (tail.length === 0) return where;
  if (where.includes(', endpoint ')) return `${where}, ${tail.join('.')}`;
  return `${where}.${tail
    .map((k) => (typeof k === 'number' ? `[${k}]` : k))
    .join('.')
    .replace(/\.\[/g, '[')}`;
}

function fieldsFor(path: readonly PropertyKey[], input: unknown): readonly string[] | undefined {
  const p = path;
  if (p.length === 0) return DESIGN_FIELDS;
  if (p[0] === 'nodes' && p.length === 2) {
    const kind = valueAt(input, [...p, 'kind']);
    return typeof kind === 'string' && hasOwn(FIELDS_BY_KIND, kind)
      ? FIELDS_BY_KIND[kind]
      : undefined;
  }
  if (p[0] === 'nodes' && p[2] === 'routes') return ROUTE_FIELDS;
  if (p[0] === 'links' && p.length === 2) return LINK_FIELDS;
  if (p[0] === 'links' && p[2] === 'endpoints') return ENDPOINT_FIELDS;
  if (p[0] === 'addressing') return ['p2p'];
  if (p[0] === 'layout') return ['x', 'y'];
  return undefined;
}

/** Closest valid field by edit distance, for "did you mean". */
function closest(word: string, options: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const o of options) {
    const d = editDistance(word.toLowerCase(), o.toLowerCase());
    if (d < bestDistance) {
      best = o;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Number.POSITIVE_INFINITY;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        prev[j]! + 1,
        cur[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length]!;
}

function issueToDiagnostics(
  issue: Issue,
  input: unknown,
  ids: readonly string[],
  ends: readonly [string | undefined, string | undefined][] = [],
): Diagnostic[] {
  const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
  const where = describePath(path, ids, ends);
  const got = valueAt(input, path);
  const diag = (code: string, message: string, p: Path = path): Diagnostic => ({
    severity: 'error',
    code,
    message,
    elements: elementsAtPath(p, ids),
    path: p,
  });

  switch (issue.code) {
    case 'unrecognized_keys': {
      const valid = fieldsFor(path, input);
      return issue.keys.map((key) => {
        const guess = valid ? closest(key, valid) : undefined;
        const owner = path.length === 0 ? 'the document' : where;
        let message = `${owner} has an unknown field "${key}"`;
        if (guess) message += `; did you mean "${guess}"?`;
        else if (valid) message += `; valid fields: ${valid.join(', ')}`;
        return diag('unknown-field', message, [...path, key]);
      });
    }
    case 'invalid_union': {
      if ('discriminator' in issue && issue.discriminator === 'kind') {
        const node = String(path[1]);
        const kind = valueAt(input, path);
        const list = NODE_KINDS.join(', ');
        if (kind === undefined) {
          return [diag('missing-kind', `${node} has no kind; give it one of: ${list}`)];
        }
        const guess = typeof kind === 'string' ? closest(kind, NODE_KINDS) : undefined;
        return [
          diag(
            'unknown-kind',
            `${node} has unknown kind ${show(kind)}${guess ? ` (did you mean "${guess}"?)` : ''}; valid kinds: ${list}`,
          ),
        ];
      }
      // Endpoint (id or object) and route target (CIDR or "default"): report
      // the branch that matches the input's type, so the student sees one reason.
      const branches = issue.errors;
      if (path.includes('endpoints')) {
        if (typeof got === 'string' || isPlainRecord(got)) {
          // The branch that did not fail on the type itself is the one the user meant.
          const pick = branches.find((b) =>
            b.every((i) => i.code !== 'invalid_type' || i.path.length > 0),
          );
          if (pick) {
            return pick.flatMap((i) =>
              issueToDiagnostics({ ...i, path: [...path, ...i.path] } as Issue, input, ids, ends),
            );
          }
        }
        return [
          diag(
            'invalid-endpoint',
            `${where} is ${typeName(got)}; an endpoint is a node id or { node, ifname?, ip?, mac? }`,
          ),
        ];
      }
      if (path.at(-1) === 'to') {
        return [
          diag(
            'invalid-value',
            `${where} is ${show(got)}; expected a subnet such as 10.0.20.0/24 or "default"`,
          ),
        ];
      }
      return [diag('invalid-value', `${where} is not valid: ${issue.message}`)];
    }
    case 'invalid_type': {
      if (got === undefined) {
        const field = path.at(-1);
        const owner = describePath(path.slice(0, -1), ids, ends);
        return [diag('missing-field', `${owner} is missing the required field "${String(field)}"`)];
      }
      if (issue.expected === 'int') {
        return [diag('invalid-type', `${where} must be a whole number, not ${show(got)}`)];
      }
      return [
        diag(
          'invalid-type',
          `${where} must be ${expectedName(issue.expected)}, not ${typeName(got)}`,
        ),
      ];
    }
    case 'invalid_value': {
      if (path.length === 1 && path[0] === 'apiVersion') {
        if (got === undefined) {
          return [
            diag(
              'api-version',
              `the document has no apiVersion; start it with apiVersion: ${API_VERSION}`,
            ),
          ];
        }
        return [
          diag(
            'api-version',
            `apiVersion must be "${API_VERSION}" (got ${show(got)}); this netcanvas reads ${API_VERSION} files`,
          ),
        ];
      }
      const values = issue.values.map((v) => `"${String(v)}"`).join(', ');
      return [diag('invalid-value', `${where} is ${show(got)}; expected one of ${values}`)];
    }
    case 'invalid_format':
      // A tunnel drawn before its underlay exists: say what to do, not which regex failed.
      if (got === '' && path.at(-1) === 'underlay')
        return [
          diag(
            'missing-underlay',
            `${String(path[1])} has no underlay: choose the switch or VLAN that carries the tunnel`,
          ),
        ];
      return [diag('invalid-format', `${where} is ${show(got)}: ${issue.message}`)];
    case 'too_small':
    case 'too_big': {
      if (issue.origin === 'array' && path.at(-1) === 'endpoints') {
        return [
          diag(
            'invalid-link',
            `${where} has ${Array.isArray(got) ? got.length : 0} endpoints; a link joins exactly two`,
          ),
        ];
      }
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') {
        const range = rangeOf(path);
        const limit =
          issue.code === 'too_small' ? `at least ${issue.minimum}` : `at most ${issue.maximum}`;
        return [diag('out-of-range', `${where} is ${show(got)}; it must be ${range ?? limit}`)];
      }
      if (issue.origin === 'array') {
        return [
          diag(
            'too-many',
            `${where} has too many entries (${issue.code === 'too_big' ? `at most ${issue.maximum}` : `at least ${issue.minimum}`})`,
          ),
        ];
      }
      if (issue.origin === 'string') {
        return [
          diag(
            'too-long',
            `${where} is too long (at most ${'maximum' in issue ? issue.maximum : '?'} characters)`,
          ),
        ];
      }
      return [diag('invalid-value', `${where}: ${issue.message}`)];
    }
    case 'invalid_key': {
      const key = path.at(-1);
      const kind = path[0] === 'layout' ? 'layout key' : 'node id';
      return [
        diag(
          'invalid-id',
          `${kind} ${show(key)} is not valid: ids are 1–31 characters of lower-case letters, digits and "-", starting with a letter`,
        ),
      ];
    }
    default:
      return [diag('invalid', `${where}: ${issue.message}`)];
  }
}

function rangeOf(path: readonly PropertyKey[]): string | undefined {
  switch (path.at(-1)) {
    case 'vid':
      return 'a VLAN id from 1 to 4094 (0 and 4095 are reserved by 802.1Q)';
    case 'vni':
      return 'a VNI from 1 to 16777215 (24 bits)';
    case 'port':
      return 'a UDP port from 1 to 65535';
    case 'mtu':
      return 'an MTU from 576 to 9000';
    default:
      return undefined;
  }
}

/**
 * Keys that zod drops without a word (a record silently skips `__proto__`)
 * or that would shadow Object.prototype members in every consumer's
 * `nodes[id]` lookup. Walked iteratively and only as deep as a design goes.
 */
function prototypeKeyDiagnostics(input: unknown, ids: readonly string[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const stack: { value: unknown; path: Path }[] = [{ value: input, path: [] }];
  let visited = 0;
  while (stack.length > 0 && visited < 200_000) {
    const { value, path } = stack.pop()!;
    visited++;
    if (typeof value !== 'object' || value === null || path.length > 6) continue;
    const keys = Array.isArray(value) ? [] : Object.keys(value);
    for (const key of keys) {
      if (PROTOTYPE_KEYS.has(key)) {
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
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) stack.push({ value: v, path: [...path, i] });
    } else {
      for (const key of keys)
        if (!PROTOTYPE_KEYS.has(key))
          stack.push({ value: (value as Record<string, unknown>)[key], path: [...path, key] });
    }
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
