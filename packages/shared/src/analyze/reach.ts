/**
 * The all-pairs matrix in a form that scales: whether each pair answers, for
 * every pair, in one typed array, and the full result of a pair (paths,
 * reason, blame) made when it is asked for. The answers are the ones
 * analyze() gives; only the paths of pairs nobody looks at are not built.
 *
 * Given the previous result (`previous`), only the pairs whose request or
 * reply went through something the edit changed are decided again (see
 * Ledger); the others keep their answer.
 */
import type { PairResult, Topology } from '../model.js';
import { networkOf, parseIfAddress } from '../net/ipv4.js';
import { checkPingSize, type Decided, MatrixRun } from './analyze.js';
import {
  CLEAN,
  changedBetween,
  Ledger,
  partsByNs,
  RouteChange,
  routesOnly,
  TOUCHED,
} from './ledger.js';
import type { NetModel } from './model.js';
import { giveInt32, takeInt32 } from './scratch.js';

// The record states as module constants: read per pair, and an imported binding is a getter
// call each time where the module is compiled to CommonJS (tsx, the bench): a fifth of a re-analysis.
const IS_CLEAN: number = CLEAN;
const IS_TOUCHED: number = TOUCHED;

export interface Reachability {
  /** Endpoint element ids (as in Matrix), sorted. */
  endpoints: string[];
  /** The address pinged for each endpoint. */
  targets: Record<string, string>;
  /** reach[i × n + j] is 1 when endpoints[i] gets an answer from endpoints[j] (0 on the diagonal). */
  reach: Uint8Array;
  /** analyze()'s results[i][j] for this pair, made on first use and kept. */
  pair(i: number, j: number): PairResult | null;
  /** The ICMP payload the pings carry when not the default 56 bytes. */
  size?: number;
  /** How this result was made: every pair decided, or only those an edit could change. */
  readonly how: { incremental: boolean; decided: number };
}

/** What a result keeps for the next one. */
interface Kept {
  model: NetModel;
  ledger: Ledger;
  decided: Decided;
  /** The topology analysed (compared with the next one, namespace by namespace). */
  topology: Topology;
  endpoints: Map<string, { index: number; netns: string; address: string }>;
  only: string | undefined;
  ttlCut: boolean;
  /**
   * Whether a re-analysis took this result's request and reply tables over (and changed them):
   * then it is the previous of no other one (a full analysis is made instead).
   */
  spent: boolean;
}

const kept = new WeakMap<Reachability, Kept>();

/**
 * Past this many records per pair the ledger is mostly records nobody points at any more:
 * start a new one with a full analysis.
 */
const MAX_RECORDS_PER_PAIR = 4;

/**
 * Reachability of every pair of endpoints (or of `endpoints` only), paths on demand. Pure.
 * With `previous` (the result for the topology before an edit), the answers that the edit cannot
 * have changed are taken from it; the result is the same as without it.
 */
export function reachability(
  topology: Topology,
  opts?: { endpoints?: string[]; size?: number; previous?: Reachability },
): Reachability {
  const size = opts?.size;
  checkPingSize(size);
  const only = opts?.endpoints ? JSON.stringify(opts.endpoints) : undefined;
  const before = opts?.previous ? kept.get(opts.previous) : undefined;
  const changed =
    before &&
    size === undefined &&
    before.only === only &&
    !before.ttlCut &&
    !before.spent &&
    before.ledger.records < MAX_RECORDS_PER_PAIR * Math.max(before.endpoints.size ** 2, 1024)
      ? changedBetween(before.topology, topology)
      : null;
  // The unchanged namespaces' routing tables are taken from the model before.
  const run = new MatrixRun(
    topology,
    opts?.endpoints,
    before && changed ? { model: before.model, changed } : undefined,
  );
  const n = run.names.length;
  let decided: Decided | null = null;
  let ledger: Ledger | undefined;
  let count = n * n;
  if (before && changed) {
    ledger = before.ledger;
    const redone = again(run, before, changed, topology);
    // Unless moved over to this result, the tables of the result before are read no more: a
    // result is the previous of one re-analysis (Kept.spent), and its tables serve the next.
    if (!before.spent) {
      before.spent = true;
      giveInt32(before.decided.request);
      giveInt32(before.decided.reply);
    }
    if (redone) {
      decided = redone.out;
      count = redone.count;
      // A walk cut by TTL depends on the order pairs are asked in: only a full analysis says it.
      if (run.ttlCut) decided = null;
    }
  }
  const incremental = decided !== null;
  if (!decided) {
    ledger = new Ledger();
    decided = run.reachAll(ledger, size);
    count = n * n;
  }
  run.detach();
  const endpoints = new Map<string, { index: number; netns: string; address: string }>();
  const byNode = new Map(topology.endpoints.map((e) => [e.node, e]));
  run.names.forEach((name, index) => {
    const e = byNode.get(name)!;
    endpoints.set(name, { index, netns: e.netns, address: e.address });
  });
  const made = new Map<number, PairResult | null>();
  const result: Reachability = {
    endpoints: run.names,
    targets: run.targets,
    reach: decided.reach,
    pair(i, j) {
      if (!(Number.isInteger(i) && Number.isInteger(j) && i >= 0 && j >= 0 && i < n && j < n))
        throw new RangeError(`no pair (${i}, ${j}) in a matrix of ${n} endpoints`);
      const key = i * n + j;
      let r = made.get(key);
      if (r === undefined) {
        r = run.cell(i, j, size);
        made.set(key, r);
      }
      return r;
    },
    how: { incremental, decided: count },
    ...(size !== undefined ? { size } : {}),
  };
  if (size === undefined)
    kept.set(result, {
      model: run.m,
      ledger: ledger!,
      decided,
      topology,
      endpoints,
      only,
      ttlCut: run.ttlCut,
      spent: false,
    });
  return result;
}

/** How many records the ledger behind `result` holds (its tests and benches: it must not grow with every edit). */
export function ledgerRecords(result: Reachability): number {
  return kept.get(result)?.ledger.records ?? 0;
}

/**
 * Above this share of the pairs to decide again, a re-analysis is a full one (with a new ledger):
 * deciding every pair in one pass costs less than deciding most of them one by one, and the
 * ledger does not grow. Only past MIN_FALLBACK_PAIRS: a small matrix costs nothing either way.
 */
const MAX_REDO_SHARE = 0.25;
const MIN_FALLBACK_PAIRS = 16384;

/**
 * The matrix for the edited topology from the one before: pairs whose request and reply records
 * are clean keep their answer; the rest (and every pair of an endpoint that is new or moved) are
 * decided in `run`. Null when most pairs would be decided again (then a full analysis is made);
 * nothing is decided in `run` before that is known.
 *
 * The records of the result before (its request and reply tables) become this result's: a
 * result is the `previous` of one re-analysis only (see Kept.spent).
 */
function again(
  run: MatrixRun,
  before: Kept,
  edited: Set<string>,
  topology: Topology,
): { out: Decided; count: number } | null {
  // What the changed namespaces were and are (their addresses before and after, their parts).
  const partsBefore = partsByNs(before.topology, edited);
  const parts = partsByNs(topology, edited);
  // The namespaces whose routes alone changed are told apart: only the classes they now send
  // another way are dirty in them (RouteChange), at their stops and on the ways out of them.
  const routed = new Map<string, RouteChange>();
  const changed = new Set(edited);
  for (const name of routesOnly(edited, partsBefore, parts)) {
    const o = before.model.nsIndex.get(name);
    const ns = run.m.nsIndex.get(name);
    if (o === undefined || ns === undefined) continue;
    changed.delete(name);
    routed.set(
      name,
      new RouteChange(before.model, before.model.tables[o]!, run.m, run.m.tables[ns]!),
    );
  }
  const { state, addresses, dirty, failing, segmentAt } = before.ledger.dirty(
    changed,
    run.m,
    partsBefore,
    parts,
    routed,
  );
  const n = run.names.length;
  const was = new Int32Array(n).fill(-1);
  const fresh = new Uint8Array(n);
  const hit = new Uint8Array(n);
  const byNode = new Map(topology.endpoints.map((e) => [e.node, e]));
  run.names.forEach((name, i) => {
    const old = before.endpoints.get(name);
    const e = byNode.get(name)!;
    if (old && old.netns === e.netns && old.address === e.address) was[i] = old.index;
    // An endpoint keeps its answers only if its namespace is unchanged too.
    if (changed.has(e.netns)) fresh[i] = 1;
    // Found somewhere else than before on a touched segment: asked again there.
    else if (hasChangedAddress(run.m, run.nsOf[i]!, e.address, addresses)) hit[i] = 1;
  });
  const m = before.endpoints.size;
  const { reach, request, reply } = before.decided;
  // Each endpoint at its old index, or moved (a new address, a new namespace): the moved ones are
  // decided again in full, so everything can be copied (the usual one-element edit).
  let identity = n === m;
  for (let i = 0; i < n && identity; i++) if (was[i] !== i && was[i] !== -1) identity = false;
  if (identity) for (let i = 0; i < n; i++) if (was[i] === -1) fresh[i] = 1;
  // Pass 1: which pairs are decided again (p = i × n + j). Whether the pair (i, j) — request
  // record f, reply record b — holds: as before, unless the records changed, or a touched
  // segment looks up j's target (request) or i's address (reply) (listRedo).
  // The list holds at most every pair: a spare table (scratch.ts), so no growing and no check per
  // pair; a row of a moved endpoint is listed without reading its records.
  const redo = takeInt32(n * n);
  // An endpoint's old index, or -1 when all its pairs are decided again.
  const from = new Int32Array(n);
  for (let i = 0; i < n; i++) from[i] = fresh[i] === 1 ? -1 : was[i]!;
  // Past this many pairs to decide again, a full analysis is made instead (none for a small matrix).
  const most = n * n >= MIN_FALLBACK_PAIRS ? MAX_REDO_SHARE * n * n : Number.POSITIVE_INFINITY;
  // No record is DIRTY (a container's address, link or VLAN changed: its segment is only
  // touched), or only for classes a routes-only namespace now sends another way (a route edit):
  // only the moved endpoints' pairs, the columns (request) of the endpoints that are hit or whose
  // target is in such a class, and the rows (reply) of those that are hit or have an address in
  // one can be listed, so the n² pass is not made (it was the dearest part of such an edit).
  let count: number;
  // (A DIRTY record always has a failing class behind it; without one, the full pass is the safe side.)
  if (dirty === 0 || (failing !== null && failing.length > 0)) {
    const cols = hit.slice();
    const rows = hit.slice();
    if (dirty > 0 && failing !== null)
      for (let i = 0; i < n; i++) {
        if (inClasses(run.target[i]!, failing)) cols[i] = 1;
        if (rows[i] === 0 && nsInClasses(run.m, run.nsOf[i]!, run.target[i]!, failing)) rows[i] = 1;
      }
    count = listSparse(redo, from, hit, cols, rows, m, state, request, reply);
  } else count = listRedo(redo, from, hit, m, state, request, reply);
  if (routed.size > 0 && count <= most)
    count = listRouted(
      redo,
      count,
      most,
      routed,
      run,
      from,
      hit,
      m,
      state,
      request,
      reply,
      before.ledger,
    );
  if (count > most) {
    giveInt32(redo);
    return null;
  }
  // Pass 2: the answers that hold, from the result before; then the others, decided here.
  let out: Decided;
  if (identity) {
    // The same endpoints at the same places: every answer at its place. The records move over.
    before.spent = true;
    out = { reach: reach.slice(), request, reply };
  } else {
    // Every pair is copied here or decided below (which writes all three): no initial values.
    out = { reach: new Uint8Array(n * n), request: takeInt32(n * n), reply: takeInt32(n * n) };
    const r2 = out.reach;
    const f2 = out.request;
    const b2 = out.reply;
    for (let i = 0; i < n; i++) {
      const oi = from[i]!;
      if (oi < 0) continue;
      const row = i * n;
      const old = oi * m;
      // Runs of endpoints that kept their order (an endpoint added or removed shifts the rest):
      // copied a run at a time.
      for (let j = 0; j < n; ) {
        const oj = from[j]!;
        if (oj < 0) {
          j++;
          continue;
        }
        let end = j + 1;
        while (end < n && from[end] === oj + (end - j)) end++;
        const q = old + oj;
        const len = end - j;
        r2.set(reach.subarray(q, q + len), row + j);
        f2.set(request.subarray(q, q + len), row + j);
        b2.set(reply.subarray(q, q + len), row + j);
        j = end;
      }
    }
  }
  // A record made again with the fields of one before is that one (Ledger.share).
  before.ledger.share();
  run.attach(before.ledger, segmentAt);
  for (let k = 0; k < count; k++) {
    const p = redo[k]!;
    const i = Math.floor(p / n);
    run.decide(i, p - i * n, out);
  }
  giveInt32(redo);
  return { out, count };
}

/**
 * Pass 1 of again(): lists into `redo` the pairs (p = i × n + j) whose answer may have changed,
 * and returns how many. `from`: each endpoint's old index (-1: every pair of it); `hit`: whether
 * its address is a changed one found on a touched segment; `m`: the old number of endpoints;
 * `state`: the records' states (Ledger.dirty); `request`, `reply`: the old records per pair. A
 * function of its own, small enough to be compiled well: it reads every pair.
 */
function listRedo(
  redo: Int32Array,
  from: Int32Array,
  hit: Uint8Array,
  m: number,
  state: Uint8Array,
  request: Int32Array,
  reply: Int32Array,
): number {
  const n = from.length;
  let count = 0;
  for (let i = 0; i < n; i++) count = listRow(redo, count, i, m, from, hit, state, request, reply);
  return count;
}

/**
 * The pairs of row `i` whose request or reply record is DIRTY, or TOUCHED and reads a hit
 * endpoint (every pair of a new endpoint's row), appended to `redo` from `count`; returns the
 * new count.
 */
function listRow(
  redo: Int32Array,
  count: number,
  i: number,
  m: number,
  from: Int32Array,
  hit: Uint8Array,
  state: Uint8Array,
  request: Int32Array,
  reply: Int32Array,
): number {
  const n = from.length;
  const row = i * n;
  const oi = from[i]!;
  if (oi < 0) {
    for (let j = 0; j < n; j++) redo[count++] = row + j;
    return count;
  }
  const old = oi * m;
  const hitI = hit[i]!;
  for (let j = 0; j < n; j++) {
    const oj = from[j]!;
    if (oj < 0) {
      redo[count++] = row + j;
      continue;
    }
    const q = old + oj;
    const sf = state[request[q]!]!;
    if (sf !== IS_CLEAN && (sf !== IS_TOUCHED || hit[j] === 1)) {
      redo[count++] = row + j;
      continue;
    }
    const b = reply[q]!;
    if (b >= 0) {
      const sb = state[b]!;
      if (sb !== IS_CLEAN && (sb !== IS_TOUCHED || hitI === 1)) redo[count++] = row + j;
    }
  }
  return count;
}

/**
 * listRedo's pairs (same order) without reading every pair: `cols` are the endpoints whose
 * request may be listed (hit, or a target in a class that now goes another way), `rows` those
 * whose reply may be (hit, or an address in such a class): every DIRTY record's destination is in
 * such a class (Ledger.dirty's `failing`), and a TOUCHED one counts only for a hit endpoint. A
 * row of `rows` is read in full; any other row only at the moved endpoints and `cols`.
 */
function listSparse(
  redo: Int32Array,
  from: Int32Array,
  hit: Uint8Array,
  cols: Uint8Array,
  rows: Uint8Array,
  m: number,
  state: Uint8Array,
  request: Int32Array,
  reply: Int32Array,
): number {
  const n = from.length;
  const some: number[] = [];
  for (let j = 0; j < n; j++) if (from[j]! < 0 || cols[j] === 1) some.push(j);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const oi = from[i]!;
    if (oi < 0 || rows[i] === 1) {
      count = listRow(redo, count, i, m, from, hit, state, request, reply);
      continue;
    }
    const row = i * n;
    const old = oi * m;
    for (let k = 0; k < some.length; k++) {
      const j = some[k]!;
      const oj = from[j]!;
      if (oj < 0) {
        redo[count++] = row + j;
        continue;
      }
      const sf = state[request[old + oj]!]!;
      if (sf !== IS_CLEAN && (sf !== IS_TOUCHED || hit[j] === 1)) redo[count++] = row + j;
    }
  }
  return count;
}

/** Whether `address` (-1: none) is inside one of the prefixes. */
function inClasses(address: number, classes: { net: number; len: number }[]): boolean {
  if (address < 0) return false;
  for (const c of classes) if (networkOf(address, c.len) === c.net) return true;
  return false;
}

/** Whether the endpoint's target or an address of its namespace `ns` is inside one of the prefixes. */
function nsInClasses(
  model: NetModel,
  ns: number,
  target: number,
  classes: { net: number; len: number }[],
): boolean {
  if (inClasses(target, classes)) return true;
  const list = model.nsIfaces[ns]!;
  for (let k = 0; k < list.length; k++) if (inClasses(model.addr[list[k]!]!, classes)) return true;
  return false;
}

/**
 * After listRedo: lists the pairs of endpoints in a namespace whose routes alone changed (not
 * listed there) whose way out of that namespace now goes another way — the request of its row,
 * the reply of its column (both origin records: see Ledger.holdsFor). Returns the new count.
 */
function listRouted(
  redo: Int32Array,
  count: number,
  most: number,
  routed: Map<string, RouteChange>,
  run: MatrixRun,
  from: Int32Array,
  hit: Uint8Array,
  m: number,
  state: Uint8Array,
  request: Int32Array,
  reply: Int32Array,
  ledger: Ledger,
): number {
  const n = from.length;
  const changeOf: (RouteChange | undefined)[] = run.nsOf.map((ns) => routed.get(run.m.nsName[ns]!));
  // Whether listRedo listed the pair (its condition, again).
  const listed = (i: number, j: number): boolean => {
    const oi = from[i]!;
    const oj = from[j]!;
    if (oi < 0 || oj < 0) return true;
    const q = oi * m + oj;
    const sf = state[request[q]!]!;
    if (sf !== IS_CLEAN && (sf !== IS_TOUCHED || hit[j] === 1)) return true;
    const b = reply[q]!;
    if (b < 0) return false;
    const sb = state[b]!;
    return sb !== IS_CLEAN && (sb !== IS_TOUCHED || hit[i] === 1);
  };
  const moved = (i: number, j: number): boolean => {
    const q = from[i]! * m + from[j]!;
    const ci = changeOf[i];
    const cj = changeOf[j];
    // A pair inside one namespace is delivered there, whatever its routes.
    if (run.nsOf[i] === run.nsOf[j]) return false;
    return (
      (ci !== undefined && !ledger.holdsFor(request[q]!, ci)) ||
      (cj !== undefined && !ledger.holdsFor(reply[q]!, cj))
    );
  };
  for (let i = 0; i < n; i++) {
    if (!changeOf[i]) continue;
    // Past this many, again() makes a full analysis: no need to list the rest.
    if (count > most) break;
    for (let j = 0; j < n; j++)
      if (i !== j && !listed(i, j) && moved(i, j)) redo[count++] = i * n + j;
    // Its column: pairs whose source is in such a namespace too were seen in their row.
    for (let k = 0; k < n; k++)
      if (k !== i && !changeOf[k] && !listed(k, i) && moved(k, i)) redo[count++] = k * n + i;
  }
  return count;
}

/**
 * Whether the endpoint's address or an address of its namespace `ns` is among the changed ones.
 * Its namespace's addresses are the model's, parsed once (parsing them here for every endpoint
 * was a tenth of again()).
 */
function hasChangedAddress(
  model: NetModel,
  ns: number,
  address: string,
  changed: Set<number>,
): boolean {
  if (changed.size === 0) return false;
  const own = parseIfAddress(address);
  if (own && changed.has(own.addr | 0)) return true;
  const list = model.nsIfaces[ns]!;
  for (let k = 0; k < list.length; k++) {
    const a = model.addr[list[k]!]!;
    if (a >= 0 && changed.has(a | 0)) return true;
  }
  return false;
}
