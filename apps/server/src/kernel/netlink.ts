/**
 * netlink — the kernel engine for big labs: a long-lived helper process
 * (netlink-helper.py: pyroute2 under Debian's /usr/bin/python3) that works in
 * every namespace of a lab without a process per namespace.
 *
 *   const engine = new NetlinkEngine();
 *   const res = await engine.run(ops, { onProgress });   // RunResult, as Runner.run
 *   const state = await engine.observe('demo');           // ObservedState, as observe()
 *   const rows = await engine.traffic(['nc-demo.c1']);     // /proc/net/dev of each namespace
 *   await engine.close();
 *
 * Two helper processes, started on demand and closed after `idleMs` without
 * work (and by close()): a writer for `run` (the plan's ops, in order, with
 * per-op error attribution: which op failed and the kernel's message) and a
 * reader for `observe` and counters, so a status refresh or a counter poll
 * never waits behind a 40,000-op apply. The reader keeps each namespace's
 * last reading until a netlink event of that namespace says it changed (see
 * the helper), so observing a big running lab again reads only what changed.
 *
 * Protocol: JSON lines on the helper's stdin/stdout, one request at a time
 * per process (requests are queued, answers matched by id). The helper
 * re-checks every op against render.ts's rules before anything runs. The
 * processes start through spawnChild (its 'error' listener comes first; the
 * streams are touched only once the process runs), with LC_ALL=C, and
 * Python's isolated mode (-I: no PYTHON* variables, no user site). While no
 * request is pending their handles are unref'd, so a CLI command exits
 * without closing them (the helper ends when its stdin closes).
 *
 * When the helper cannot start (no python3, no pyroute2), calls reject with
 * HelperUnavailable before anything ran, and callers fall back to the batch
 * runner (`orElse`); a helper that dies during a request rejects it with an
 * ordinary error (what ran is then unknown, as with a batch worker that dies).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  emptyObserved,
  labOfNetns,
  type ObservedFdb,
  type ObservedIface,
  type ObservedRoute,
  type ObservedState,
  type Op,
  routeDestination,
} from '@netcanvas/shared';
import type { IfaceCounters, IfaceTraffic } from './counters.js';
import { parseNetDev } from './counters.js';
import { isSpawnFailure, spawnChild } from './exec.js';
import { halfMadeNetns } from './half-made.js';
import { lineSplitter } from './lines.js';
import { assertNetnsName } from './names.js';
import { type DeleteResult, labNetns, listNetns } from './netns.js';
import type { LineStatus, RunProgress, RunResult } from './runner.js';
import { closeWorkersIn } from './worker.js';

/** Debian's python3 by its absolute path: a pyenv python first on PATH does not see Debian's pyroute2. */
export const PYTHON = '/usr/bin/python3';
/**
 * The helper script: beside this module when run from source (src/kernel/),
 * dist/netlink-helper.py in the build (build.mjs copies it there; this code is
 * then in dist/ or one of its chunk directories).
 */
export const HELPER_SCRIPT =
  ['./netlink-helper.py', '../netlink-helper.py']
    .map((p) => fileURLToPath(new URL(p, import.meta.url)))
    .find((p) => existsSync(p)) ?? fileURLToPath(new URL('./netlink-helper.py', import.meta.url));

/** The helper could not be started (nothing ran): use the batch runner instead. */
export class HelperUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HelperUnavailable';
  }
}

export interface NetlinkOptions {
  python?: string;
  script?: string;
  /** Close a helper process after this long without a request (default 60 s; 0: never). */
  idleMs?: number;
  /** How long a helper may take to say it is ready (default 15 s). */
  startTimeoutMs?: number;
}

type Message = Record<string, unknown> & { id?: number | null; ok?: boolean };

interface Pending {
  onLine?: (m: Message) => void;
  /** An observe part, as its namespace and the part's JSON text (not parsed: see NetlinkEngine.part). */
  onPart?: (ns: string, text: string) => void;
  resolve: (m: Message) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** Longest line the helper may print (an observe part of one namespace, a counters answer). */
const MAX_LINE = 64 * 1024 * 1024;
const STDERR_TAIL = 4096;
/** After a failed start, the helper is not tried again for this long (each try costs a python start). */
const RETRY_AFTER_MS = 60_000;

/** One helper process, requests queued in order and answered by id. */
class HelperProcess {
  private child: ChildProcess | null = null;
  private starting: Promise<ChildProcess> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stderrTail = '';
  private idleTimer: NodeJS.Timeout | null = null;
  private pins = 0;
  private onReady: ((m: Message) => void) | null = null;
  /**
   * The op kinds this helper runs inside their own namespace only (its `LOCAL`, said when it
   * is ready): segments of them can be shared between two helpers. Empty until it started.
   */
  localKinds: ReadonlySet<string> = new Set();
  /**
   * The op kinds of which one stage's ops are independent of one another (its `STAGES`: a
   * namespace, its id, a veth pair each): a long stage of them can be shared too.
   */
  stageKinds: ReadonlySet<string> = new Set();
  /**
   * The op kinds that act on their own namespace only (its `OWN`: making it, its id): shared in
   * one segment with the local ops that follow them.
   */
  ownKinds: ReadonlySet<string> = new Set();

  constructor(
    readonly role: string,
    private readonly opts: Required<NetlinkOptions>,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Running with no request pending. */
  get idle(): boolean {
    return this.child !== null && this.pending.size === 0;
  }

  /** Keeps the process from closing when idle until the returned function is called. */
  async pin(): Promise<() => void> {
    await this.start();
    this.pins += 1;
    this.clearIdle();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.pins -= 1;
      this.settle();
    };
  }

  request(
    body: Record<string, unknown>,
    onLine?: (m: Message) => void,
    timeoutMs = 600_000,
    onPart?: Pending['onPart'],
  ) {
    return this.start().then(
      (child) =>
        new Promise<Message>((resolve, reject) => {
          const id = this.nextId++;
          const timer = setTimeout(() => {
            this.fail(new Error(`the kernel helper did not answer within ${timeoutMs} ms`));
            child.kill('SIGKILL');
          }, timeoutMs);
          this.pending.set(id, { onLine, onPart, resolve, reject, timer });
          this.settle();
          child.stdin!.write(`${JSON.stringify({ ...body, id })}\n`);
        }),
    );
  }

  private start(): Promise<ChildProcess> {
    if (this.child) return Promise.resolve(this.child);
    this.starting ??= this.spawn().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async spawn(): Promise<ChildProcess> {
    const { python, script, startTimeoutMs } = this.opts;
    if (!existsSync(python)) throw new HelperUnavailable(`${python} is not installed`);
    if (!existsSync(script)) throw new HelperUnavailable(`${script} is missing`);
    let child: ChildProcess;
    try {
      child = await spawnChild([python, '-I', script], ['pipe', 'pipe', 'pipe']);
    } catch (err) {
      // EMFILE and friends: the caller says what could not be started.
      if (isSpawnFailure(err)) throw err;
      throw new HelperUnavailable(err instanceof Error ? err.message : String(err));
    }
    this.stderrTail = '';
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdin!.on('error', () => {}); // a helper that died: 'close' reports it
    child.stderr!.on('data', (d: string) => {
      this.stderrTail = (this.stderrTail + d).slice(-STDERR_TAIL);
    });
    const ready = new Promise<Message>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new HelperUnavailable(`the kernel helper did not start within ${startTimeoutMs} ms`),
        );
        child.kill('SIGKILL');
      }, startTimeoutMs);
      this.onReady = (m) => {
        clearTimeout(timer);
        if (m.ready === true) resolve(m);
        else reject(new HelperUnavailable(String(m.fatal ?? 'the kernel helper did not start')));
      };
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        reject(
          new HelperUnavailable(
            `the kernel helper exited at start (${signal ?? `code ${code}`})${this.tail()}`,
          ),
        );
      });
    });
    const lines = lineSplitter(
      MAX_LINE,
      (line) => this.receive(line),
      () => {
        this.fail(new Error('the kernel helper printed a line too long to be an answer'));
        child.kill('SIGKILL');
      },
    );
    child.stdout!.on('data', (d: string) => lines.push(d));
    child.once('close', (code, signal) => {
      if (this.child === child) this.child = null;
      this.fail(
        new Error(
          `the kernel helper (${this.role}) exited (${signal ?? `code ${code}`})${this.tail()}`,
        ),
      );
    });
    let hello: Message;
    try {
      hello = await ready;
    } finally {
      this.onReady = null;
    }
    this.localKinds = new Set(Array.isArray(hello.local) ? hello.local.map(String) : []);
    this.stageKinds = new Set(Array.isArray(hello.stages) ? hello.stages.map(String) : []);
    this.ownKinds = new Set(Array.isArray(hello.own) ? hello.own.map(String) : []);
    this.child = child;
    this.settle();
    return child;
  }

  private tail(): string {
    const t = this.stderrTail.trim().split('\n').slice(-3).join(' / ');
    return t ? `: ${t}` : '';
  }

  private receive(line: string): void {
    if (line.trim() === '') return;
    if (!this.onReady && this.part(line)) return;
    let m: Message;
    try {
      m = JSON.parse(line) as Message;
    } catch {
      return; // not ours to answer; a helper bug shows as a request that times out
    }
    if (this.onReady) {
      this.onReady(m);
      return;
    }
    const p = typeof m.id === 'number' ? this.pending.get(m.id) : undefined;
    if (!p) return;
    if (m.ok === undefined) {
      p.onLine?.(m);
      return;
    }
    clearTimeout(p.timer);
    this.pending.delete(m.id as number);
    p.resolve(m);
    this.settle();
  }

  /**
   * An observe part, `{"id":N,"ns":"NAME","part":{…}}` as the helper prints it, handed on as
   * text without parsing it here: most of a big lab's parts are the same as last time, and
   * the engine parses only those that are not. False when the line is anything else.
   */
  private part(line: string): boolean {
    if (!line.startsWith(PART_ID)) return false;
    const ns = line.indexOf(PART_NS, PART_ID.length);
    if (ns < 0) return false;
    const p = this.pending.get(Number(line.slice(PART_ID.length, ns)));
    if (!p?.onPart) return false;
    const nameStart = ns + PART_NS.length;
    const nameEnd = line.indexOf('"', nameStart);
    // Namespace names are checked names: no quote or backslash inside.
    if (nameEnd < 0 || !line.startsWith(PART_TEXT, nameEnd + 1) || !line.endsWith('}'))
      return false;
    const name = line.slice(nameStart, nameEnd);
    if (name.includes('\\')) return false;
    p.onPart(name, line.slice(nameEnd + 1 + PART_TEXT.length, -1));
    return true;
  }

  private fail(err: Error): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(err);
    }
    this.settle();
  }

  /** Handles held while requests are pending, unref'd otherwise; the idle timer runs when nothing is. */
  private settle(): void {
    const child = this.child;
    if (!child) return;
    const busy = this.pending.size > 0;
    for (const s of [child.stdin, child.stdout, child.stderr] as (Socket | null)[]) {
      if (busy) s?.ref?.();
      else s?.unref?.();
    }
    if (busy) child.ref();
    else child.unref();
    this.clearIdle();
    if (!busy && this.pins === 0 && this.opts.idleMs > 0) {
      this.idleTimer = setTimeout(() => void this.close(), this.opts.idleMs);
      this.idleTimer.unref();
    }
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  async close(): Promise<void> {
    this.clearIdle();
    const child = this.child ?? (await this.starting?.catch(() => null)) ?? null;
    if (!child) return;
    this.child = null;
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 2000);
      child.once('close', () => {
        clearTimeout(kill);
        resolve();
      });
      child.stdin!.end(); // the helper ends at the end of its input
    });
  }
}

/** How an observe part's line starts, names its namespace and then its part (netlink-helper.py's emit). */
const PART_ID = '{"id":';
const PART_NS = ',"ns":"';
const PART_TEXT = ',"part":';
/** Parsed parts kept (their text and what it says), one per namespace: more than the largest lab. */
const PARTS_KEPT = 4096;

/** Namespaces from which the writer and the reader share a reading (each a request costs ~1 ms). */
const SHARED_READ = 8;
/** Ops from which a run starts the reader too (if it does not run): the verification that follows reads in both. */
const READER_FOR_OPS = 400;

/**
 * A run of this many ops shares its segments of this many local ops, and its stages of this
 * many ops of a kind the helper runs op by op independently (each ~0.5–1 ms), between the helpers.
 */
const SHARE_RUN = 400;
const SHARE_SEGMENT = 200;
const SHARE_STAGE = 64;
/** The reader's share of a segment goes in requests of at most this many ops. */
const READER_CHUNK = 1000;
/** …and of at most this many ops of a stage (a veth pair is ~1 ms where a local op is ~0.25). */
const READER_STAGE_CHUNK = 250;

/**
 * The [start, end) of the segments a run shares (none for a short run): consecutive ops of the
 * writer's localKinds and ownKinds (each namespace's to one process: nothing in them depends on
 * another namespace's), when 200 or more, or 64 or more of own kinds; and stages (consecutive ops
 * of one kind) of its other stageKinds (veths, which reach into two namespaces).
 */
function sharedSegments(
  ops: readonly Op[],
  kinds: { local: ReadonlySet<string>; own: ReadonlySet<string>; stages: ReadonlySet<string> },
): [number, number][] {
  const { local, own, stages } = kinds;
  const out: [number, number][] = [];
  if (ops.length < SHARE_RUN) return out;
  const chained = (k: string) => local.has(k) || own.has(k);
  let i = 0;
  while (i < ops.length) {
    const start = i;
    const kind = ops[i]!.op;
    if (chained(kind)) {
      let owned = 0;
      for (; i < ops.length && chained(ops[i]!.op); i++) if (own.has(ops[i]!.op)) owned++;
      if (i - start >= SHARE_SEGMENT || owned >= SHARE_STAGE) out.push([start, i]);
    } else {
      while (i < ops.length && ops[i]!.op === kind) i++;
      if (stages.has(kind) && i - start >= SHARE_STAGE) out.push([start, i]);
    }
  }
  return out;
}

/** The hash share of a namespace no run placed (see NetlinkEngine.shareOf). */
function hashShare(name: string): 0 | 1 {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) | 0;
  return (h & 1) as 0 | 1;
}

type Part = Pick<ObservedState, 'interfaces' | 'routes' | 'fdb' | 'sysctls'>;

/** Frozen all the way down: a part is shared by every reading that shows the same text. */
function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** A stripped op: what the kernel needs (source and why stay here). */
function wire(op: Op): Record<string, unknown> {
  const { source: _source, why: _why, ...kernel } = op;
  return kernel;
}

export class NetlinkEngine {
  private readonly writer: HelperProcess;
  private readonly reader: HelperProcess;
  private unavailableUntil = 0;
  private unavailableReason = '';
  /** Each namespace's last part: its text and what it says (routes in observe()'s spelling). */
  private readonly parts = new Map<string, { text: string; part: Part }>();
  /** Which helper runs and reads each namespace a shared run placed (see shareOf). */
  private readonly shares = new Map<string, 0 | 1>();

  constructor(opts: NetlinkOptions = {}) {
    const full: Required<NetlinkOptions> = {
      python: opts.python ?? PYTHON,
      script: opts.script ?? HELPER_SCRIPT,
      idleMs: opts.idleMs ?? 60_000,
      startTimeoutMs: opts.startTimeoutMs ?? 15_000,
    };
    this.writer = new HelperProcess('writer', full);
    this.reader = new HelperProcess('reader', full);
  }

  /** Helper processes alive now (for tests and diagnostics). */
  pids(): number[] {
    return [this.writer.pid, this.reader.pid].filter((p): p is number => p !== undefined);
  }

  /** The process running ops now, if any (what a test kills to see an apply survive it). */
  writerPid(): number | undefined {
    return this.writer.pid;
  }

  /** True while a helper process runs (then it costs nothing to use). */
  running(): boolean {
    return this.writer.running || this.reader.running;
  }

  /** Why the helper is not used right now, or null. */
  unavailable(): string | null {
    return Date.now() < this.unavailableUntil ? this.unavailableReason : null;
  }

  /**
   * `f` on the helper, or `fallback` when the helper cannot be started (then
   * it is not tried again for a minute). Errors of `f` itself are `f`'s.
   */
  async orElse<T>(f: (n: NetlinkEngine) => Promise<T>, fallback: () => Promise<T>): Promise<T> {
    if (this.unavailable()) return fallback();
    try {
      return await f(this);
    } catch (err) {
      if (!(err instanceof HelperUnavailable)) throw err;
      this.unavailableUntil = Date.now() + RETRY_AFTER_MS;
      this.unavailableReason = err.message;
      return fallback();
    }
  }

  /**
   * Runs ops in order (each stage's namespaces one after the other). Stops at
   * the first failure: `failed` is that op and the kernel's message,
   * `outcomes` says which ops ran. A namespace about to be deleted or made
   * first loses any batch worker inside it (it would keep the namespace alive,
   * or be stale).
   */
  async run(ops: Op[], opts: { onProgress?: (p: RunProgress) => void } = {}): Promise<RunResult> {
    const total = ops.length;
    const touched = ops
      .filter((o) => o.op === 'netns.del' || o.op === 'netns.add')
      .map((o) => (o as Op & { netns: string }).netns);
    if (touched.length > 0) await closeWorkersIn(touched);
    let readerUp: Promise<boolean> = Promise.resolve(this.reader.running);
    if (total >= READER_FOR_OPS && !this.reader.running && !this.unavailable())
      readerUp = this.reader.pin().then(
        (release) => {
          release();
          return true;
        },
        () => false,
      );
    // The writer says which kinds it runs inside their namespace when it is ready: a long run
    // starts it first (the run would start it anyway) to know which segments it can share.
    if (total >= SHARE_RUN && !this.writer.running) (await this.writer.pin())();
    const shared = sharedSegments(ops, {
      local: this.writer.localKinds,
      own: this.writer.ownKinds,
      stages: this.writer.stageKinds,
    });
    if (shared.length > 0) {
      this.place(ops, shared);
      return this.runShared(ops, shared, readerUp, opts);
    }
    const answer = await this.writer.request(
      { cmd: 'run', ops: ops.map(wire) },
      (m) => {
        if (typeof m.progress === 'number') opts.onProgress?.({ done: m.progress, total });
      },
      600_000 + 20 * total,
    );
    const done = Number(answer.done ?? 0);
    if (answer.ok) return { ok: true, done, outcomes: ops.map(() => 'ok') };
    if (typeof answer.error === 'string') throw new Error(answer.error);
    const failed = answer.failed as { index: number; message: string };
    const outcomes: LineStatus[] = ops.map(() => 'skipped');
    for (const i of (answer.ran as number[] | undefined) ?? []) outcomes[i] = 'ok';
    outcomes[failed.index] = 'failed';
    return { ok: false, done, failed, outcomes };
  }

  /**
   * A long run whose long segments of local ops, and long stages of the writer's stageKinds
   * (namespaces made, their ids, veth pairs), are shared between the writer and the reader
   * (once it has started; without it, the writer runs them alone),
   * each namespace's ops to the process that reads it (shareOf: its sockets are then warm for
   * the verification): two cores run them. The first request checks every op (a refused op
   * refuses the whole run before anything runs, as in one request) and runs those before the
   * first shared segment; the others follow in order, a shared one as one request to the writer
   * and requests of at most READER_CHUNK ops (READER_STAGE_CHUNK of a stage) to the reader (a
   * refresh waits one of them), and
   * a segment that is not shared as one request to the writer. A failure stops the run after
   * the segment it is in (the other process's ops of that segment, of other namespaces, may
   * have run, as in a stage): the first failure in plan order is reported, every op that ran.
   */
  private async runShared(
    ops: Op[],
    shared: [number, number][],
    readerUp: Promise<boolean>,
    opts: { onProgress?: (p: RunProgress) => void },
  ): Promise<RunResult> {
    const total = ops.length;
    const outcomes: LineStatus[] = ops.map(() => 'skipped');
    let done = 0;
    const going = new Map<object, number>();
    const progress = () => {
      let n = done;
      for (const v of going.values()) n += v;
      opts.onProgress?.({ done: n, total });
    };
    const request = async (
      helper: HelperProcess,
      idx: number[],
      upto?: number,
    ): Promise<{ index: number; message: string } | undefined> => {
      const key = {};
      going.set(key, 0);
      try {
        const answer = await helper.request(
          {
            cmd: 'run',
            ops: idx.map((i) => wire(ops[i]!)),
            ...(upto !== undefined ? { upto } : {}),
          },
          (m) => {
            if (typeof m.progress !== 'number') return;
            going.set(key, m.progress);
            progress();
          },
          600_000 + 20 * idx.length,
        );
        if (typeof answer.error === 'string') throw new Error(answer.error);
        const ran = answer.ok
          ? idx.slice(0, upto ?? idx.length)
          : ((answer.ran as number[] | undefined) ?? []).map((j) => idx[j]!);
        for (const i of ran) outcomes[i] = 'ok';
        done += ran.length;
        if (answer.ok) return undefined;
        const failed = answer.failed as { index: number; message: string };
        return { index: idx[failed.index]!, message: failed.message };
      } finally {
        going.delete(key);
      }
    };
    const result = (failures: ({ index: number; message: string } | undefined)[]): RunResult => {
      const first = failures
        .filter((f): f is { index: number; message: string } => f !== undefined)
        .sort((a, b) => a.index - b.index)[0];
      if (!first) return { ok: true, done, outcomes };
      outcomes[first.index] = 'failed';
      return { ok: false, done, failed: first, outcomes };
    };
    const all = ops.map((_, i) => i);
    let from = shared[0]![0];
    const firstFailure = await request(this.writer, all, from);
    if (firstFailure) return result([firstFailure]);
    for (const [start, end] of shared) {
      if (from < start) {
        const failure = await request(this.writer, all.slice(from, start));
        if (failure) return result([failure]);
      }
      const idx = all.slice(start, end);
      // The reader started with the apply (prestart) or the run: its start overlaps the first
      // requests. A stage of veths (a few hundred ms at most) does not wait for it; a segment
      // of local and own ops does.
      const first = ops[start]!.op;
      const stage = !this.writer.localKinds.has(first) && !this.writer.ownKinds.has(first);
      const readerReady = stage ? this.reader.idle : (await readerUp) && this.reader.running;
      if (!readerReady) {
        const failure = await request(this.writer, idx);
        if (failure) return result([failure]);
      } else {
        const theirs = idx.filter((i) => this.shareOf((ops[i] as { netns: string }).netns) === 1);
        const mine = idx.filter((i) => this.shareOf((ops[i] as { netns: string }).netns) === 0);
        const readerPart = async () => {
          const chunk = stage ? READER_STAGE_CHUNK : READER_CHUNK;
          for (let k = 0; k < theirs.length; k += chunk) {
            const failure = await request(this.reader, theirs.slice(k, k + chunk));
            if (failure) return failure;
          }
          return undefined;
        };
        const settled = await Promise.allSettled([request(this.writer, mine), readerPart()]);
        const rejected = settled.find((s) => s.status === 'rejected');
        if (rejected) throw (rejected as PromiseRejectedResult).reason;
        const failures = settled.map((s) => (s as PromiseFulfilledResult<undefined>).value);
        if (failures.some((f) => f !== undefined)) return result(failures);
      }
      from = end;
    }
    if (from < ops.length) return result([await request(this.writer, all.slice(from))]);
    return result([]);
  }

  /**
   * Which of the two helpers runs a namespace's share of a shared run and reads it when they
   * share a reading: always the same one, so each keeps its own readings and warm sockets.
   * Placed by the first shared run that has ops in it (place), else by a hash of its name.
   */
  private shareOf(name: string): 0 | 1 {
    return this.shares.get(name) ?? hashShare(name);
  }

  /**
   * Places the namespaces of a shared run's segments that no run placed yet, the busiest first,
   * each with the helper that has fewer of the run's ops so far (a hash left one with a fifth
   * more than the other in a 200-namespace lab, and both wait for the slower at each segment's
   * end and at the verification's). Placed namespaces stay where they are.
   */
  private place(ops: readonly Op[], shared: readonly [number, number][]): void {
    const weight = new Map<string, number>();
    for (const [start, end] of shared)
      for (let i = start; i < end; i++) {
        const ns = (ops[i] as { netns: string }).netns;
        weight.set(ns, (weight.get(ns) ?? 0) + 1);
      }
    const load = [0, 0];
    const fresh: [string, number][] = [];
    for (const [ns, w] of weight) {
      const placed = this.shares.get(ns);
      if (placed === undefined) fresh.push([ns, w]);
      else load[placed]! += w;
    }
    fresh.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    for (const [ns, w] of fresh) {
      const to: 0 | 1 = load[0]! <= load[1]! ? 0 : 1;
      this.shares.set(ns, to);
      load[to]! += w;
    }
    while (this.shares.size > PARTS_KEPT) this.shares.delete(this.shares.keys().next().value!);
  }

  /** Starts the writer and the reader now, if they can (python starts overlap the plan); a failure shows at the run. */
  prestart(): void {
    if (this.unavailable()) return;
    // The reader too: a long run shares its first stage (the namespaces made) with it, and a
    // short one leaves it for the status refreshes that follow an apply.
    for (const helper of [this.writer, this.reader])
      helper.pin().then(
        (release) => release(),
        () => {},
      );
  }

  /** Keeps the writer running (not closed when idle) until released: an apply's undo needs no new process. */
  reserve(): Promise<() => void> {
    return this.writer.pin();
  }

  /** The lab's state, read in the reader (as observe() in observe.ts, same shape); `only`: just these namespaces. */
  async observe(lab: string, only?: readonly string[]): Promise<ObservedState> {
    let names: string[];
    let halfMade: string[];
    if (only) {
      // Named namespaces (an apply's verification): the helper says which are gone or
      // half-made, without a listing of /run/netns and the mount table first.
      names = [...new Set(only)].filter((n) => labOfNetns(n) === lab).sort();
      for (const n of names) assertNetnsName(n);
      halfMade = [];
    } else {
      const all = await labNetns(lab);
      halfMade = halfMadeNetns(all);
      names = all.filter((n) => !halfMade.includes(n));
    }
    const state: ObservedState = emptyObserved(lab);
    if (names.length > 0) {
      const parts = new Map<string, Part>();
      const read = async (helper: HelperProcess, list: string[]) => {
        const answer = await helper.request(
          { cmd: 'observe', netns: list },
          (m) => {
            const ns = String(m.ns);
            if (m.part) parts.set(ns, this.part(ns, JSON.stringify(m.part)));
            else if (m.missing === 'half-made') halfMade.push(ns);
          },
          120_000 + 50 * list.length,
          (ns, text) => parts.set(ns, this.part(ns, text)),
        );
        if (!answer.ok) throw new Error(`observe ${lab}: ${String(answer.error)}`);
      };
      // The writer reads when it has nothing else to do (apply's verification right after its
      // run, a change's plan): it holds warm sockets and fresh readings of what it just changed.
      // While it runs ops, the reader does, so a refresh never waits behind an apply. When both
      // run and the writer is free, they share a reading of several namespaces (each always the
      // same share, so each keeps its own readings and sockets warm): two cores read it.
      const writerFree = this.writer.running && this.writer.idle;
      if (writerFree && this.reader.running && names.length >= SHARED_READ) {
        const mine = names.filter((n) => this.shareOf(n) === 0);
        const theirs = names.filter((n) => this.shareOf(n) === 1);
        await Promise.all([read(this.writer, mine), read(this.reader, theirs)]);
      } else await read(writerFree ? this.writer : this.reader, names);
      for (const ns of names) {
        const part = parts.get(ns);
        if (!part) continue; // deleted while it was read
        state.netns.push(ns);
        state.interfaces.push(...part.interfaces);
        state.routes.push(...part.routes);
        state.fdb.push(...part.fdb);
        state.sysctls.push(...part.sysctls);
      }
    }
    if (halfMade.length > 0) state.halfMade = halfMade.sort();
    return state;
  }

  /**
   * What a namespace's part says: parsed (routes in observe()'s spelling) and frozen, or the
   * same objects as last time when the helper printed the same text (a namespace nothing
   * changed in: most of a lab on a change), so a 200-namespace reading parses a handful.
   */
  private part(ns: string, text: string): Part {
    const kept = this.parts.get(ns);
    if (kept?.text === text) return kept.part;
    const raw = JSON.parse(text) as Part;
    const part: Part = deepFreeze({
      interfaces: raw.interfaces as ObservedIface[],
      routes: (raw.routes as ObservedRoute[]).map((r) => ({
        ...r,
        to: routeDestination(r.to) ?? r.to,
      })),
      fdb: raw.fdb as ObservedFdb[],
      sysctls: raw.sysctls,
    });
    this.parts.delete(ns);
    this.parts.set(ns, { text, part });
    if (this.parts.size > PARTS_KEPT) this.parts.delete(this.parts.keys().next().value!);
    return part;
  }

  private async counters(netns: string[], withState: boolean) {
    for (const n of netns) assertNetnsName(n);
    if (netns.length === 0) return {};
    const answer = await this.reader.request(
      { cmd: 'counters', netns, state: withState },
      undefined,
      60_000 + 20 * netns.length,
    );
    if (!answer.ok) throw new Error(`counters: ${String(answer.error)}`);
    return answer.rows as Record<string, { dev: string; links?: [string, boolean, string][] }>;
  }

  /** Counters of every device (not lo) of these namespaces; missing namespaces are left out. */
  async traffic(netns: string[]): Promise<Map<string, IfaceTraffic[]>> {
    const rows = await this.counters(netns, false);
    return new Map(Object.entries(rows).map(([ns, r]) => [ns, parseNetDev(ns, r.dev)]));
  }

  /** Per namespace, its devices' counters as last parsed, and which reader process sent the text. */
  private readonly netDevRows = new Map<string, { pid: number; rows: IfaceTraffic[] }>();

  /**
   * As traffic, from files the reader keeps open in each namespace (`net_dev`: a pread each,
   * no setns); a namespace whose text did not change since the reader last sent it comes back
   * as its name only, and its rows are the ones parsed then. Missing namespaces are left out.
   */
  async netDevTraffic(netns: string[]): Promise<Map<string, IfaceTraffic[]>> {
    return (await this.netDev(netns, [])).traffic;
  }

  /**
   * As listing (counters with each device's state), through the same open files, the state
   * from a netlink dump through a pyroute2 socket kept beside each file.
   */
  async netDevListing(netns: string[]): Promise<IfaceCounters[]> {
    return (await this.netDevRead(netns, netns)).listing;
  }

  /**
   * netDevTraffic of `netns` and, in the same request, netDevListing of `listed` (some of them):
   * a poll that lists a few namespaces in full wakes the reader once.
   */
  async netDevRead(
    netns: string[],
    listed: string[],
  ): Promise<{ traffic: Map<string, IfaceTraffic[]>; listing: IfaceCounters[] }> {
    const { traffic, links } = await this.netDev(netns, listed);
    return {
      traffic,
      listing: [...links].flatMap(([ns, devs]) => withTraffic(ns, devs, traffic.get(ns) ?? [])),
    };
  }

  private async netDev(netns: string[], state: string[]) {
    for (const n of netns) assertNetnsName(n);
    const out = new Map<string, IfaceTraffic[]>();
    const links = new Map<string, [string, boolean, string][]>();
    if (netns.length === 0) return { traffic: out, links };
    const pid = this.reader.pid;
    const known = netns.filter((n) => pid !== undefined && this.netDevRows.get(n)?.pid === pid);
    let answer: Message;
    try {
      answer = await this.reader.request(
        // Every name known (a lab at rest): `true`, not the names again.
        { cmd: 'net_dev', netns, known: known.length === netns.length ? true : known, state },
        undefined,
        60_000 + 20 * netns.length,
      );
      if (!answer.ok) throw new Error(`net_dev: ${String(answer.error)}`);
    } catch (err) {
      // What the reader last sent is no longer known for sure.
      this.netDevRows.clear();
      throw err;
    }
    const from = Number(answer.pid);
    const rows = answer.rows as Record<string, string>;
    const gone = new Set(answer.gone as string[]);
    for (const n of netns) {
      const text = rows[n];
      if (text !== undefined) {
        const parsed = parseNetDev(n, text);
        this.netDevRows.set(n, { pid: from, rows: parsed });
        out.set(n, parsed);
        continue;
      }
      // Neither sent nor gone: the same text as this reader sent last.
      const had = this.netDevRows.get(n);
      if (!gone.has(n) && had && had.pid === from) out.set(n, had.rows);
    }
    // Namespaces that went (or were not asked for any more) are forgotten.
    for (const n of netns) if (!out.has(n)) this.netDevRows.delete(n);
    if (this.netDevRows.size > 4 * netns.length + 4096)
      for (const [n, r] of this.netDevRows) if (r.pid !== from) this.netDevRows.delete(n);
    for (const [n, devs] of Object.entries(
      (answer.links ?? {}) as Record<string, [string, boolean, string][]>,
    ))
      if (out.has(n)) links.set(n, devs);
    return { traffic: out, links };
  }

  /** Counters with each device's state (as readCounters). */
  async listing(netns: string[]): Promise<IfaceCounters[]> {
    const rows = await this.counters(netns, true);
    return Object.entries(rows).flatMap(([ns, r]) =>
      withTraffic(ns, r.links ?? [], parseNetDev(ns, r.dev)),
    );
  }

  /** Deletes namespaces (as deleteNetns in netns.ts): a name already gone counts as deleted. */
  async deleteNetns(names: string[]): Promise<DeleteResult> {
    for (const n of names) assertNetnsName(n);
    const present = new Set(await listNetns());
    let targets = [...new Set(names)].filter((n) => present.has(n));
    const failed: DeleteResult['failed'] = [];
    const all = targets;
    while (targets.length > 0) {
      const ops = targets.map(
        (netns): Op => ({ op: 'netns.del', netns, source: [], why: 'delete the namespace' }),
      );
      const res = await this.run(ops);
      if (res.ok) break;
      const at = res.failed!.index;
      failed.push({ netns: targets[at]!, message: res.failed!.message });
      targets = targets.filter((_, i) => res.outcomes[i] === 'skipped');
    }
    const after = new Set(await listNetns());
    return {
      removed: all.filter((n) => !after.has(n)),
      failed: failed.filter((f) => after.has(f.netns)),
    };
  }

  async close(): Promise<void> {
    await Promise.all([this.writer.close(), this.reader.close()]);
  }
}

let shared: NetlinkEngine | null = null;
/** The process-wide engine (its helpers close when idle). */
export function sharedNetlink(): NetlinkEngine {
  shared ??= new NetlinkEngine();
  return shared;
}

/** Each device's state ([name, up, operstate]) with its counters, 0 for a device /proc/net/dev lacks. */
function withTraffic(
  netns: string,
  devs: readonly (readonly [string, boolean, string])[],
  traffic: readonly IfaceTraffic[],
): IfaceCounters[] {
  const byName = new Map(traffic.map((t) => [t.ifname, t]));
  return devs.map(([ifname, up, operstate]) => {
    const t = byName.get(ifname);
    return {
      netns,
      ifname,
      up,
      operstate,
      rxBytes: t?.rxBytes ?? 0,
      txBytes: t?.txBytes ?? 0,
      rxPackets: t?.rxPackets ?? 0,
      txPackets: t?.txPackets ?? 0,
    };
  });
}
