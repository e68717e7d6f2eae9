/**
 * Every zod issue turned into a Diagnostic that names the element and says
 * what to write instead.
 */
import type { z } from 'zod';
import type { Diagnostic } from '../model.js';
import { elementsAtPath, hasOwn, isPlainRecord, linkLabel } from './links.js';
import { API_VERSION, NODE_KINDS } from './schema.js';

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

export function typeName(v: unknown): string {
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

export function issueToDiagnostics(
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
