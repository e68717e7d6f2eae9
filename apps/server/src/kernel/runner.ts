/**
 * runner — executes plan lines through long-lived batch workers.
 *
 *   const runner = new Runner();
 *   const res = await runner.run(lines, { onProgress });
 *   // res = { ok, done, failed?: { index, message }, outcomes }
 *   const links = await runner.query('nc-lab.r1', ['-d', 'link', 'show']);
 *   await runner.close();
 *
 * Input: one `BatchLine` per op, in plan order — the shape of the compiler's
 * `batchLine(op)`: `{ tool, netns, args }` (tool defaults to 'ip'; netns null
 * is the root namespace) plus an optional `stage`.
 *
 * Ordering: consecutive lines with the same stage form a stage. Stages run
 * one after the other; inside a stage, each worker (tool × namespace) gets its
 * lines in input order and different workers run in parallel. Lines of one
 * stage must therefore not depend on each other across namespaces; the plan's
 * kinds have that property (a veth's peer is created in an earlier stage than
 * any line that touches it), so pass `stage: op.op`. Without `stage`, the key
 * is the command words: tool, object, verb and the `type` value
 * (`ip link add type veth`), which separates every kind of the plan order.
 *
 * Writes and queries use different workers (`role` in worker.ts): a process
 * that has listed devices caches their indexes, a process that only writes
 * does not, so write workers are never fooled by a device re-created
 * elsewhere. Listings go through long-lived query workers (their output
 * names come from the kernel's messages); a query that names a device
 * (`show dev X`) runs in a fresh process, whose name lookup cannot be stale.
 *
 * Failure: the first stage with a failing line is finished (lines already
 * handed to other workers of that stage still run: they are independent by
 * the rule above), then no later stage starts. `failed` is the failing line
 * with the lowest input index and the tool's own message; `outcomes` says for
 * every line whether it ran ('ok'), failed, or was 'skipped' — what an undo
 * needs.
 *
 * Root lines `netns exec NS …` (sysctls) do not go through the root batch
 * worker: in iproute2 6.1 the child forked for `netns exec` returns into the
 * batch loop when entering the namespace fails, and then two processes
 * execute the rest of the input. They run as their own `ip netns exec`
 * processes instead (serial per namespace, `concurrency` namespaces at once);
 * a namespace's `sysctl -q -w k=v` lines of one stage share one process.
 *
 * Root lines `netns del NS` first close the workers inside NS (of any runner): a
 * worker process inside a namespace keeps it, and every device in it, alive
 * after the name is gone.
 */
import { exec, isSpawnFailure } from './exec.js';
import { assertBatchArg, assertNetnsName } from './names.js';
import {
  ALLOWED_FLAGS,
  BatchWorker,
  closeWorkersIn,
  type LineOutcome,
  type Tool,
  type WorkerKey,
} from './worker.js';

export interface BatchLine {
  tool?: Tool;
  netns: string | null;
  args: string[];
  /** Lines with the same stage that follow each other run as one stage. */
  stage?: string;
}

export type LineStatus = 'ok' | 'failed' | 'skipped';

export interface RunResult {
  ok: boolean;
  /** Lines that succeeded. */
  done: number;
  /** `spawn`: the line never ran because its process could not be started (EMFILE…). */
  failed?: { index: number; message: string; spawn?: boolean };
  /** Per input line. */
  outcomes: LineStatus[];
}

export interface RunProgress {
  done: number;
  total: number;
}

export interface RunnerOptions {
  /** Close a worker after this long without work (default 10 s). */
  idleMs?: number;
  /** Namespaces whose `netns exec` lines run at once (default 4). */
  concurrency?: number;
  /** Per-submit timeout of a worker (default 60 s). */
  timeoutMs?: number;
}

export class QueryError extends Error {
  constructor(
    readonly netns: string | null,
    readonly args: string[],
    readonly kernelMessage: string,
  ) {
    super(`${args.join(' ')}${netns ? ` in ${netns}` : ''} failed: ${kernelMessage}`);
    this.name = 'QueryError';
  }
}

function stageOf(line: BatchLine): string {
  if (line.stage !== undefined) return line.stage;
  const t = line.args.indexOf('type');
  const type = t >= 0 ? ` type ${line.args[t + 1] ?? ''}` : '';
  return `${line.tool ?? 'ip'} ${line.netns === null ? 'root ' : ''}${line.args[0] ?? ''} ${line.args[1] ?? ''}${type}`;
}

function isNetnsExec(line: BatchLine): boolean {
  return (
    (line.tool ?? 'ip') === 'ip' &&
    line.netns === null &&
    line.args[0] === 'netns' &&
    line.args[1] === 'exec'
  );
}

/** `netns exec NS sysctl -q -w k=v …`: idempotent writes that can share one process. */
function isPlainSysctlWrite(args: string[]): boolean {
  return (
    args.length >= 7 &&
    args[3] === 'sysctl' &&
    args[4] === '-q' &&
    args[5] === '-w' &&
    args.slice(6).every((a) => /^[a-z0-9_.]+=[0-9]+$/.test(a))
  );
}

function keyId(k: WorkerKey): string {
  return `${k.role ?? 'write'}|${k.tool}|${k.netns ?? ''}|${k.flags.join(',')}`;
}

/** Query keywords followed by a device name. */
const NAMED_FILTER = new Set(['dev', 'master', 'br', 'brport', 'vrf']);

function parseJson<T>(netns: string | null, args: string[], output: string): T {
  const text = output.trim();
  if (text === '') return [] as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new QueryError(netns, args, `unexpected output: ${text.slice(0, 200)}`);
  }
}

async function pool<T>(items: T[], limit: number, f: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await f(items[next++]!);
  });
  await Promise.all(lanes);
}

export class Runner {
  private workers = new Map<string, BatchWorker>();
  private closed = false;

  constructor(private readonly options: RunnerOptions = {}) {}

  /** Live worker processes (for tests and diagnostics). */
  workerPids(): number[] {
    return [...this.workers.values()].map((w) => w.pid).filter((p): p is number => p !== undefined);
  }

  async run(
    lines: BatchLine[],
    opts: { onProgress?: (p: RunProgress) => void } = {},
  ): Promise<RunResult> {
    if (this.closed) throw new Error('runner is closed');
    const total = lines.length;
    const outcomes: LineStatus[] = lines.map(() => 'skipped');
    let done = 0;
    const fail = (index: number, message: string, spawn = false): RunResult => ({
      ok: false,
      done,
      failed: { index, message, ...(spawn ? { spawn } : {}) },
      outcomes,
    });

    // Check everything before anything runs: a bad argument is a bug upstream, not half a lab.
    for (const [i, line] of lines.entries()) {
      try {
        const tool = line.tool ?? 'ip';
        if (tool !== 'ip' && tool !== 'bridge') throw new Error(`unknown tool ${String(tool)}`);
        if (line.netns !== null) assertNetnsName(line.netns);
        if (line.args.length === 0) throw new Error('empty command');
        for (const a of line.args) assertBatchArg(a, `line ${i}`);
      } catch (e) {
        return fail(i, `refused before running anything: ${(e as Error).message}`);
      }
    }

    let start = 0;
    while (start < lines.length) {
      const stage = stageOf(lines[start]!);
      let end = start + 1;
      while (end < lines.length && stageOf(lines[end]!) === stage) end++;
      const failures: { index: number; message: string; spawn?: boolean }[] = [];
      const settle = (index: number, o: LineOutcome, spawn = false) => {
        if (o.ok) {
          outcomes[index] = 'ok';
          done++;
          opts.onProgress?.({ done, total });
        } else if (o.ran) {
          outcomes[index] = 'failed';
          failures.push({ index, message: o.message, spawn });
        }
      };
      await this.runStage(lines, start, end, settle);
      if (failures.length > 0) {
        failures.sort((a, b) => a.index - b.index);
        return fail(failures[0]!.index, failures[0]!.message, failures[0]!.spawn);
      }
      start = end;
    }
    return { ok: true, done, outcomes };
  }

  private async runStage(
    lines: BatchLine[],
    start: number,
    end: number,
    settle: (index: number, o: LineOutcome, spawn?: boolean) => void,
  ): Promise<void> {
    const groups = new Map<string, { key: WorkerKey; indexes: number[] }>();
    const execs = new Map<string, number[]>();
    for (let i = start; i < end; i++) {
      const line = lines[i]!;
      if (isNetnsExec(line)) {
        const ns = line.args[2] ?? '';
        execs.set(ns, [...(execs.get(ns) ?? []), i]);
        continue;
      }
      const key: WorkerKey = {
        tool: line.tool ?? 'ip',
        netns: line.netns,
        flags: [],
        role: 'write',
      };
      const id = keyId(key);
      const g = groups.get(id) ?? { key, indexes: [] };
      g.indexes.push(i);
      groups.set(id, g);
      if (
        line.netns === null &&
        line.args[0] === 'netns' &&
        (line.args[1] === 'del' || line.args[1] === 'delete' || line.args[1] === 'add')
      ) {
        // Before `del`: a worker inside would keep the namespace alive.
        // Before `add`: a worker left from an earlier namespace of that name is stale.
        if (line.args[2]) await this.closeNetns([line.args[2]]);
      }
    }
    const tasks: Promise<void>[] = [];
    for (const { key, indexes } of groups.values()) {
      const worker = await this.worker(key);
      let settled = 0;
      tasks.push(
        worker
          .submit(
            indexes.map((i) => lines[i]!.args),
            (k, o) => {
              settled = k + 1;
              settle(indexes[k]!, o);
            },
          )
          .then(
            () => undefined,
            (err: Error) => {
              // The worker could not start (EMFILE…) or was closed: its first
              // line fails with the reason; it and the rest never reached the kernel.
              const first = indexes[settled];
              if (first !== undefined)
                settle(
                  first,
                  { ran: true, ok: false, output: '', message: err.message },
                  isSpawnFailure(err),
                );
            },
          ),
      );
    }
    tasks.push(
      pool([...execs.values()], this.options.concurrency ?? 4, async (indexes) => {
        const argsOf = (i: number) => lines[i]!.args;
        const run = (args: string[]) =>
          exec(['ip', ...args], {
            allowFailure: true,
            timeoutMs: this.options.timeoutMs ?? 60_000,
          }).catch((e: Error) => ({
            exitCode: -1,
            stderr: e.message,
            stdout: '',
            spawn: isSpawnFailure(e),
          }));
        // A process per sysctl is the expensive part of a plan (~12 ms each on an idle
        // machine): one `sysctl -q -w k1=v1 k2=v2 …` per namespace sets them all; if it
        // fails, each line runs alone so the failure is attributed to its own line.
        if (indexes.length > 1 && indexes.every((i) => isPlainSysctlWrite(argsOf(i)))) {
          const [first] = indexes as [number, ...number[]];
          const combined = [
            ...argsOf(first).slice(0, 6),
            ...indexes.flatMap((i) => argsOf(i).slice(6)),
          ];
          const r = await run(combined);
          if (r.exitCode === 0) {
            for (const i of indexes) settle(i, { ran: true, ok: true, output: '', message: '' });
            return;
          }
        }
        for (const i of indexes) {
          const r = await run(argsOf(i));
          const ok = r.exitCode === 0;
          settle(
            i,
            {
              ran: true,
              ok,
              output: r.stdout,
              message: ok ? '' : r.stderr.trim() || `exited with ${r.exitCode}`,
            },
            'spawn' in r && r.spawn,
          );
          if (!ok) return; // later lines of this namespace depend on it
        }
      }),
    );
    await Promise.all(tasks);
  }

  /**
   * One query line, answered as parsed JSON. `args` may start with global
   * options (-d, -s, -4, -6; -j is implied): each set of options has its own
   * worker, since batch lines cannot carry them.
   */
  async query<T = unknown>(netns: string | null, args: string[], tool: Tool = 'ip'): Promise<T> {
    if (this.closed) throw new Error('runner is closed');
    if (netns !== null) assertNetnsName(netns);
    const flags: string[] = [];
    let i = 0;
    for (; i < args.length && args[i]!.startsWith('-'); i++) {
      const f = args[i]!;
      if (f === '-j' || f === '-json') continue;
      if (!ALLOWED_FLAGS.has(f))
        throw new Error(`query option ${f} is not supported (allowed: -d -s -4 -6)`);
      if (!flags.includes(f)) flags.push(f);
    }
    flags.sort();
    const rest = args.slice(i);
    if (rest.some((word, k) => k > 0 && NAMED_FILTER.has(word))) {
      // iproute2 resolves a filter's device name through a cache that a
      // long-lived process filled on an earlier listing; after someone else
      // re-created the device, the filter would silently match nothing. A
      // fresh process resolves the name afresh.
      const argv = [tool, ...(netns ? ['-n', netns] : []), '-j', ...flags, ...rest];
      const r = await exec(argv, {
        allowFailure: true,
        timeoutMs: this.options.timeoutMs ?? 60_000,
      });
      if (r.exitCode !== 0)
        throw new QueryError(netns, args, r.stderr.trim() || `exited with ${r.exitCode}`);
      return parseJson<T>(netns, args, r.stdout);
    }
    const worker = await this.worker({ tool, netns, flags, role: 'query' });
    const [o] = await worker.submit([rest]);
    if (!o?.ok) throw new QueryError(netns, args, o?.message ?? 'no answer');
    return parseJson<T>(netns, args, o.output);
  }

  /**
   * The pid of a process inside NS that stays there while it is asked for
   * (this runner's `-s` query worker, started if needed, idle timer
   * restarted): /proc/PID/net/dev then gives the namespace's counters with
   * no query at all. A caller must check /proc/PID/ns/net against
   * /run/netns/NS after reading (the namespace may be re-created meanwhile).
   */
  async netnsPid(netns: string): Promise<number | undefined> {
    if (this.closed) throw new Error('runner is closed');
    assertNetnsName(netns);
    const worker = await this.worker({ tool: 'ip', netns, flags: ['-s'], role: 'query' });
    return worker.keepAlive();
  }

  /**
   * Starts the root namespace's write worker and keeps it running until the
   * returned function is called: what an apply needs to undo itself
   * (`netns del`) even when no new process can be started any more.
   */
  async reserve(): Promise<() => void> {
    if (this.closed) throw new Error('runner is closed');
    const w = await this.worker({ tool: 'ip', netns: null, flags: [], role: 'write' });
    return w.pin();
  }

  /** Close (and wait for) every worker inside these namespaces: this runner's and any other of this process. */
  async closeNetns(names: string[]): Promise<void> {
    await closeWorkersIn(names);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.workers.values()].map((w) => w.close()));
  }

  private async worker(key: WorkerKey): Promise<BatchWorker> {
    const id = keyId(key);
    const existing = this.workers.get(id);
    if (existing && !existing.closed) {
      if (!existing.stale()) return existing;
      await existing.close();
    }
    const w = new BatchWorker(key, {
      idleMs: this.options.idleMs,
      timeoutMs: this.options.timeoutMs,
      onClose: (closedWorker) => {
        if (this.workers.get(id) === closedWorker) this.workers.delete(id);
      },
    });
    this.workers.set(id, w);
    return w;
  }
}
