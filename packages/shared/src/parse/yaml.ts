/**
 * The file format. Reading is defensive (size and alias caps, no prototype
 * keys, numbers only in plain decimal) and every diagnostic is placed at the
 * line and column of the YAML node it is about.
 */
import {
  Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Scalar,
  type Node as YamlNode,
} from 'yaml';
import { sortDiagnostics } from '../diagnostics.js';
import type { Diagnostic } from '../model.js';
import { elementsAtPath, linkIds, withLinkEnds } from './links.js';
import { parseDesign, parseDraft } from './parse.js';
import {
  DEFAULT_P2P_POOL,
  DEFAULT_VXLAN_PORT,
  type Design,
  type DesignNode,
  type Link,
} from './schema.js';

/** Designs are small; anything larger is a mistake or an attack. */
export const MAX_YAML_BYTES = 1024 * 1024;
/** Caps alias expansion ("billion laughs"); a design never needs many aliases. */
export const MAX_YAML_ALIASES = 100;

type Path = (string | number)[];

/** Plain decimal integers. iproute2 reads numbers with base 0 (010 is 8, 0x10 is 16): never guess. */
const CANONICAL_INT = /^-?(0|[1-9][0-9]*)$/;
/** Canvas positions are only pixels: any JSON number is fine there. */
const JSON_NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$/;

interface Loaded {
  doc?: Document.Parsed;
  lineCounter: LineCounter;
  design?: Design;
  diagnostics: Diagnostic[];
}

function documentDiagnostic(
  code: string,
  message: string,
  pos?: { line: number; col: number },
): Diagnostic {
  const d: Diagnostic = { severity: 'error', code, message, elements: [] };
  if (pos) {
    d.line = pos.line;
    d.column = pos.col;
  }
  return d;
}

/** A design nests about 6 levels; the YAML parser recurses, so absurd nesting must stop before it. */
export const MAX_YAML_DEPTH = 64;
const MAX_BLOCK_PREFIX = 256;

/**
 * Over-estimates nesting without parsing: flow brackets outside quotes and
 * comments, and the indentation plus compact indicators (`- - -`) that
 * start a line. A false alarm needs dozens of unbalanced brackets in plain text.
 */
function tooDeep(text: string): { line: number } | undefined {
  let depth = 0;
  let line = 1;
  let quote: '"' | "'" | null = null;
  let lineStart = true;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (lineStart) {
      lineStart = false;
      if (quote === null) {
        const prefix = /[ \t]*(?:[-?:][ \t]+)*/y;
        prefix.lastIndex = i;
        const m = prefix.exec(text);
        if (m && m[0].length > MAX_BLOCK_PREFIX) return { line };
      }
    }
    if (ch === '\n') {
      line++;
      lineStart = true;
      continue;
    }
    if (quote !== null) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const prev = text[i - 1];
      // Only a quote that starts a scalar opens a string ("it's" in plain text does not).
      if (prev === undefined || /[\s[{,:]/.test(prev)) quote = ch;
    } else if (ch === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      const end = text.indexOf('\n', i);
      i = (end < 0 ? text.length : end) - 1;
    } else if (ch === '[' || ch === '{') {
      if (++depth > MAX_YAML_DEPTH) return { line };
    } else if ((ch === ']' || ch === '}') && depth > 0) {
      depth--;
    }
  }
  return undefined;
}

function utf8Length(text: string): number {
  // UTF-16 length ≤ UTF-8 length, so the cheap test settles most inputs.
  if (text.length > MAX_YAML_BYTES) return text.length;
  return new TextEncoder().encode(text).length;
}

function keyOf(node: unknown): string | undefined {
  if (isScalar(node)) return node.value === null ? '' : String(node.value);
  return undefined;
}

/** Raw source text of a scalar, without its tag or anchor. */
function scalarSource(text: string, node: Scalar): string {
  const range = node.range;
  if (!range) return '';
  return text
    .slice(range[0], range[1])
    .replace(/^(\s*(![^\s]*|&[^\s]+)\s+)+/, '')
    .trim();
}

/** Every number written in a form other than plain decimal, with its document path. */
function nonCanonicalNumbers(text: string, doc: Document.Parsed): { path: Path; source: string }[] {
  const found: { path: Path; source: string }[] = [];
  const stack: { node: unknown; path: Path }[] = [{ node: doc.contents, path: [] }];
  let budget = 1_000_000;
  while (stack.length > 0 && budget-- > 0) {
    const { node, path } = stack.pop()!;
    if (isScalar(node)) {
      if (typeof node.value === 'number' || typeof node.value === 'bigint') {
        const source = scalarSource(text, node);
        const ok = path[0] === 'layout' ? JSON_NUMBER.test(source) : CANONICAL_INT.test(source);
        if (!ok) found.push({ path, source });
      }
    } else if (isMap(node)) {
      for (const pair of node.items) {
        const key = keyOf(pair.key) ?? '?';
        stack.push({ node: pair.value, path: [...path, key] });
      }
    } else if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) stack.push({ node: item, path: [...path, i] });
    }
  }
  return found;
}

function load(text: unknown, parse: typeof parseDesign = parseDesign): Loaded {
  const lineCounter = new LineCounter();
  if (typeof text !== 'string') {
    return {
      lineCounter,
      diagnostics: [documentDiagnostic('not-a-design', 'a design file must be text')],
    };
  }
  const size = utf8Length(text);
  if (size > MAX_YAML_BYTES) {
    return {
      lineCounter,
      diagnostics: [
        documentDiagnostic(
          'too-large',
          `the file is ${size > 10 * MAX_YAML_BYTES ? 'over 10 MiB' : `${Math.ceil(size / 1024)} KiB`}; a design may be at most 1 MiB`,
        ),
      ],
    };
  }
  const deep = tooDeep(text);
  if (deep) {
    return {
      lineCounter,
      diagnostics: [
        documentDiagnostic(
          'too-deep',
          `the file nests more than ${MAX_YAML_DEPTH} levels deep (line ${deep.line}); a design needs fewer than 10`,
          { line: deep.line, col: 1 },
        ),
      ],
    };
  }
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, {
      lineCounter,
      prettyErrors: false,
      uniqueKeys: true,
      version: '1.2',
      schema: 'core',
      merge: false,
      // 'error', not 'silent': silent also drops the error for a second document.
      logLevel: 'error',
      strict: true,
    });
  } catch (err) {
    // The parser can run out of stack on absurd nesting; that is the user's file, not our crash.
    return {
      lineCounter,
      diagnostics: [
        documentDiagnostic(
          'yaml-syntax',
          `the file could not be parsed: ${String((err as Error)?.message ?? err)}`,
        ),
      ],
    };
  }
  const diagnostics: Diagnostic[] = [];
  for (const err of doc.errors) {
    const pos = lineCounter.linePos(err.pos[0]);
    diagnostics.push(
      documentDiagnostic('yaml-syntax', `YAML syntax: ${firstLine(err.message)}`, pos),
    );
  }
  for (const warn of doc.warnings) {
    const pos = lineCounter.linePos(warn.pos[0]);
    diagnostics.push({
      ...documentDiagnostic('yaml-warning', `YAML: ${firstLine(warn.message)}`, pos),
      severity: 'warning',
    });
  }
  if (doc.errors.length > 0) return { doc, lineCounter, diagnostics };

  let ids: string[] = [];
  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    const message =
      err instanceof ReferenceError && /alias/i.test(err.message)
        ? `the file expands too many aliases (more than ${MAX_YAML_ALIASES}); write the design out without anchors and aliases`
        : `the file could not be read: ${firstLine(String((err as Error)?.message ?? err))}`;
    return {
      doc,
      lineCounter,
      diagnostics: [...diagnostics, documentDiagnostic('yaml-aliases', message)],
    };
  }
  try {
    if (typeof js === 'object' && js !== null) ids = linkIds(js as { links?: unknown });
  } catch {
    ids = [];
  }

  for (const { path, source } of nonCanonicalNumbers(text, doc)) {
    const elements = withLinkEnds(
      [{ severity: 'error', code: '', message: '', elements: elementsAtPath(path, ids), path }],
      (typeof js === 'object' && js !== null ? js : {}) as { links?: unknown },
    )[0]!.elements;
    const where = elements.length > 0 ? `${elements[0]}: ${String(path.at(-1))}` : path.join('.');
    diagnostics.push({
      severity: 'error',
      code: 'non-canonical-number',
      message: `${where} is written "${source}"; write numbers in plain decimal (netcanvas does not guess what 0x10, 010, 0o7, 1e3 or +5 mean, and iproute2 would read 010 as 8)`,
      elements,
      path,
    });
  }

  const parsed = parse(js);
  diagnostics.push(...parsed.diagnostics);
  const result: Loaded = { doc, lineCounter, diagnostics };
  if (parsed.design && !diagnostics.some((d) => d.severity === 'error'))
    result.design = parsed.design;
  return result;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

/** Diagnostics whose position is best shown at the key rather than the value. */
const AT_KEY = new Set([
  'unknown-field',
  'invalid-id',
  'reserved-name',
  'forbidden-key',
  'layout-dangling',
]);

function nodeStart(node: unknown): number | undefined {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as YamlNode).range;
    if (range) return range[0];
  }
  return undefined;
}

/** Offset of the YAML node at `path` (or its nearest existing ancestor). */
function locate(doc: Document.Parsed, path: Path, atKey: boolean): number | undefined {
  let node: unknown = doc.contents;
  let best = nodeStart(node);
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyOf(p.key) === String(seg));
      if (!pair) return best;
      const last = i === path.length - 1;
      if ((last && atKey) || pair.value === null) return nodeStart(pair.key) ?? best;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      if (node === undefined) return best;
    } else {
      return best;
    }
    best = nodeStart(node) ?? best;
  }
  return best;
}

function positioned(loaded: Loaded, diagnostics: Diagnostic[], ids: string[]): Diagnostic[] {
  const { doc, lineCounter } = loaded;
  if (!doc) return diagnostics;
  return diagnostics.map((d) => {
    if (d.line !== undefined) return d;
    let path = d.path;
    if (!path && d.elements.length > 0) {
      // Diagnostics from later stages name elements; show the element's own entry.
      const first = d.elements[0]!;
      const linkIndex = ids.indexOf(first);
      path = linkIndex >= 0 ? ['links', linkIndex] : ['nodes', first];
    }
    if (!path) return d;
    const offset = locate(doc, path, AT_KEY.has(d.code));
    if (offset === undefined) return d;
    const pos = lineCounter.linePos(offset);
    return { ...d, line: pos.line, column: pos.col };
  });
}

/** YAML text → Design with diagnostics carrying line/column. Never throws. */
export function designFromYaml(text: string): { design?: Design; diagnostics: Diagnostic[] } {
  return readYaml(text, parseDesign);
}

function readYaml(
  text: string,
  parse: typeof parseDesign,
): { design?: Design; diagnostics: Diagnostic[] } {
  const loaded = load(text, parse);
  const ids = loaded.design ? linkIds(loaded.design) : [];
  const diagnostics = sortDiagnostics(positioned(loaded, loaded.diagnostics, ids));
  return loaded.design ? { design: loaded.design, diagnostics } : { diagnostics };
}

/**
 * YAML text → a draft (what the store accepts and an import opens): refused
 * only when it is not YAML, breaks the reading limits, has a wrong type, an
 * invalid id key or a number not in plain decimal.
 */
export function draftFromYaml(text: string): { design?: Design; diagnostics: Diagnostic[] } {
  return readYaml(text, parseDraft);
}

/**
 * YAML text read as a design, with what it takes to place any later
 * diagnostic about it (validate's, resolve's) at its line and column.
 */
export function yamlSource(text: string): {
  design?: Design;
  diagnostics: Diagnostic[];
  place(diagnostics: Diagnostic[]): Diagnostic[];
} {
  const loaded = load(text);
  const ids = loaded.design ? linkIds(loaded.design) : [];
  const place = (diagnostics: Diagnostic[]) => positioned(loaded, diagnostics, ids);
  return loaded.design
    ? { design: loaded.design, diagnostics: loaded.diagnostics, place }
    : { diagnostics: loaded.diagnostics, place };
}

// ───────────────────────────── writing ─────────────────────────────

/** A node with its kind first and schema defaults left out, so files stay short. */
function nodeForYaml(node: DesignNode): Record<string, unknown> {
  const out: Record<string, unknown> = { kind: node.kind };
  switch (node.kind) {
    case 'host':
      if (node.mode !== 'bridged') out.mode = node.mode;
      if (node.subnet !== undefined) out.subnet = node.subnet;
      break;
    case 'namespace':
      if (node.host !== undefined) out.host = node.host;
      break;
    case 'vlan':
      out.vid = node.vid;
      out.subnet = node.subnet;
      break;
    case 'switch':
      if (node.subnet !== undefined) out.subnet = node.subnet;
      break;
    case 'router':
      if (node.routing !== 'auto') out.routing = node.routing;
      if (node.routes.length > 0) out.routes = node.routes.map((r) => ({ to: r.to, via: r.via }));
      break;
    case 'vxlan':
      out.vni = node.vni;
      if (node.port !== DEFAULT_VXLAN_PORT) out.port = node.port;
      out.underlay = node.underlay;
      out.subnet = node.subnet;
      break;
  }
  if (node.label !== undefined) out.label = node.label;
  return out;
}

function linkForYaml(link: Link): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (link.id !== undefined) out.id = link.id;
  out.endpoints = link.endpoints.map((ep) => {
    if (typeof ep === 'string') return ep;
    const o: Record<string, unknown> = { node: ep.node };
    if (ep.ifname !== undefined) o.ifname = ep.ifname;
    if (ep.ip !== undefined) o.ip = ep.ip;
    if (ep.mac !== undefined) o.mac = ep.mac;
    return o;
  });
  if (link.mtu !== undefined) out.mtu = link.mtu;
  if (link.state !== 'up') out.state = link.state;
  return out;
}

/** Design → readable YAML: fixed key order, one flow-style line per node, defaults omitted. Round-trips. */
export function designToYaml(design: Design): string {
  const root: Record<string, unknown> = { apiVersion: design.apiVersion, name: design.name };
  if (design.title !== undefined) root.title = design.title;
  if (design.description !== undefined) root.description = design.description;
  const nodes: Record<string, unknown> = {};
  for (const [id, node] of Object.entries(design.nodes)) nodes[id] = nodeForYaml(node);
  root.nodes = nodes;
  root.links = design.links.map(linkForYaml);
  if (design.addressing.p2p !== DEFAULT_P2P_POOL) root.addressing = { p2p: design.addressing.p2p };
  if (design.layout !== undefined) {
    const layout: Record<string, unknown> = {};
    for (const [id, pos] of Object.entries(design.layout)) layout[id] = { x: pos.x, y: pos.y };
    root.layout = layout;
  }

  const doc = new Document(root, { version: '1.2' });
  const flowValuesOf = (key: string) => {
    const coll = doc.get(key, true);
    if (isMap(coll))
      for (const pair of coll.items)
        if (isMap(pair.value) || isSeq(pair.value)) pair.value.flow = true;
  };
  flowValuesOf('nodes');
  flowValuesOf('layout');
  const links = doc.get('links', true);
  if (isSeq(links)) {
    for (const link of links.items) {
      if (!isMap(link)) continue;
      const endpoints = link.get('endpoints', true);
      if (isSeq(endpoints)) endpoints.flow = true;
    }
  }
  return alignFlowEntries(doc.toString({ lineWidth: 0, flowCollectionPadding: true }));
}

/**
 * Lines up the `{` of one-line entries under `nodes:` and `layout:` (as in
 * the scenarios), so a design reads as a table. Ids are plain
 * `[a-z][a-z0-9-]*`, so padding after the colon changes no value.
 */
function alignFlowEntries(text: string): string {
  const lines = text.split('\n');
  const entry = /^ {2}([a-z][a-z0-9-]*): \{/;
  let i = 0;
  while (i < lines.length) {
    if (lines[i] !== 'nodes:' && lines[i] !== 'layout:') {
      i++;
      continue;
    }
    let end = i + 1;
    while (end < lines.length && entry.test(lines[end]!)) end++;
    const width = Math.max(0, ...lines.slice(i + 1, end).map((l) => entry.exec(l)![1]!.length));
    for (let j = i + 1; j < end; j++) {
      lines[j] = lines[j]!.replace(
        entry,
        (_, id: string) => `  ${id}:${' '.repeat(width - id.length + 1)}{`,
      );
    }
    i = end;
  }
  // `[a, b]` for endpoints, as people write them; the padding is only wanted inside maps.
  for (let j = 0; j < lines.length; j++) {
    lines[j] = lines[j]!.replace(/^((?: {2}- | {4})endpoints: )\[ (.*) \]$/, '$1[$2]');
  }
  return lines.join('\n');
}
