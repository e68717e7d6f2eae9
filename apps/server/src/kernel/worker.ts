/**
 * worker — one long-lived `ip|bridge [-n NS] -j [flags] -force -batch -` process.
 *
 *   const w = new BatchWorker({ tool: 'ip', netns: 'nc-lab.r1', flags: [] }, { idleMs: 10_000 });
 *   const outcomes = await w.submit([['link', 'set', 'dev', 'eth0', 'up']]);
 *   // outcomes[i] = { ran, ok, output, message }
 *   await w.close();
 *
 * Protocol (measured on iproute2 6.1): with `-force`, a failing line prints
 * its message and `Command failed -:N` (N = line number in the process's
 * input) and the process goes on; a successful write prints nothing; a query
 * with `-j` prints one JSON line, flushed before the next line is read.
 * After every submitted line the worker writes a sentinel line, `nc-sync`, an
 * unknown object whose `Command failed -:N` marks that everything the line
 * printed has arrived. The child's stdout and stderr are one Unix socket, so
 * the kernel's message, the JSON and the sentinel arrive in the order they
 * were written: each line's output and error are attributed exactly, with no
 * timing assumption. The sentinel costs nothing measurable (500 veth adds:
 * 0.24–0.30 ms per op with a sentinel after each, 0.35–0.51 ms without).
 *
 * Some argument errors make iproute2 exit instead of failing the line
 * (`link set dev x mtu abc`): the line after the last sentinel is then the
 * one that failed, later lines did not run (`ran: false`), and the next
 * submit starts a fresh process.
 *
 * A worker started with `-n NS` lives inside that namespace instance: if the
 * namespace is deleted and re-created, the old process would still write to
 * the deleted one. `stale()` compares the namespace inode of the process with
 * /run/netns/NS so the runner can replace it; the runner also closes a
 * namespace's workers before deleting it (a live worker keeps a deleted
 * namespace, and every device in it, alive).
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ExecError, spawnChild } from './exec.js';
import { processSlots } from './fd-budget.js';
import { assertBatchArg } from './names.js';

export type Tool = 'ip' | 'bridge';

export interface WorkerKey {
  tool: Tool;
  /** null: the root namespace. */
  netns: string | null;
  /** Global options besides -j/-force/-batch, e.g. ['-d'] or ['-s']. */
  flags: string[];
  /**
   * 'write' workers never list anything: iproute2 caches name → ifindex from
   * every dump (`show`) for the life of the process, and a device deleted and
   * re-created by another process would then be looked up by its old index
   * ("No such device"). Lookups without a dump are not cached (measured on
   * 6.1), so a write worker stays correct however long it lives.
   */
  role?: 'write' | 'query';
}

export interface LineOutcome {
  /** False when the line never reached the kernel (an earlier line killed the process). */
  ran: boolean;
  ok: boolean;
  /** What the line printed on success (a JSON line for queries, '' for writes). */
  output: string;
  /** The tool's message on failure, e.g. "RTNETLINK answers: File exists". */
  message: string;
}

export interface WorkerOptions {
  /** Close the process after this long without work (default 10 s; 0 = never). */
  idleMs?: number;
  /** Give up on a submit after this long (plus 50 ms per line) and kill the process (default 60 s). */
  timeoutMs?: number;
  onClose?: (w: BatchWorker) => void;
}

export const ALLOWED_FLAGS = new Set(['-d', '-s', '-4', '-6']);
const SENTINEL = 'nc-sync';
const SENTINEL_MESSAGE = /^Object "nc-sync" is unknown/;
const FAILED = /^Command failed -:(\d+)$/;
const MAX_BUFFER = 64 * 1024 * 1024;

let socketDir: string | null = null;
let socketSeq = 0;
function privateSocketPath(): string {
  // A directory only root can enter: no other local process can connect to
  // the socket and inject lines into a privileged worker's output.
  if (!socketDir) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netcanvas-'));
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    socketDir = dir;
  }
  return path.join(socketDir, `w${process.pid}-${++socketSeq}.sock`);
}

/**
 * A socket the child writes both stdout and stderr to, and our end of it.
 * Every step can fail for want of a descriptor (EMFILE): each failure
 * rejects, and whatever was opened is closed again.
 */
async function mergedOutput(): Promise<{ childEnd: net.Socket; ourEnd: net.Socket }> {
  const file = privateSocketPath();
  const server = net.createServer();
  let childEnd: net.Socket | null = null;
  try {
    return await new Promise((resolve, reject) => {
      let connected = false;
      let accepted: net.Socket | null = null;
      server.on('error', reject); // listen or accept failed
      server.once('connection', (ourEnd: net.Socket) => {
        ourEnd.on('error', () => {});
        if (connected) resolve({ childEnd: childEnd!, ourEnd });
        else accepted = ourEnd;
      });
      server.listen(file, () => {
        childEnd = net.connect(file);
        childEnd.on('error', reject);
        childEnd.once('connect', () => {
          connected = true;
          if (accepted) resolve({ childEnd: childEnd!, ourEnd: accepted });
        });
      });
    });
  } catch (err) {
    (childEnd as net.Socket | null)?.destroy();
    throw err;
  } finally {
    server.close();
    fs.rmSync(file, { force: true });
  }
}

interface Item {
  line: number;
  sentinel: number;
  failed: boolean;
  message: string;
  done: boolean;
}

interface Job {
  items: Item[];
  outcomes: LineOutcome[];
  next: number;
  resolve: (o: LineOutcome[]) => void;
  timer: NodeJS.Timeout | null;
  onOutcome: ((index: number, outcome: LineOutcome) => void) | undefined;
}

/** Every open worker of this process, whichever runner made it. */
const openWorkers = new Set<BatchWorker>();

/**
 * Closes every worker of this process inside these namespaces and waits for
 * them to exit: a process inside a namespace keeps it (and its devices) alive
 * after `ip netns del` removes the name.
 */
export async function closeWorkersIn(netns: Iterable<string>): Promise<void> {
  const names = new Set(netns);
  await Promise.all(
    [...openWorkers]
      .filter((w) => w.key.netns !== null && names.has(w.key.netns))
      .map((w) => w.close()),
  );
}

export class BatchWorker {
  private child: ChildProcess | null = null;
  /** Our end of the socket the child writes its output to. */
  private output: net.Socket | null = null;
  private starting: Promise<void> | null = null;
  private lineNo = 0;
  private pending: string[] = [];
  private partial = '';
  private bufferedBytes = 0;
  private job: Job | null = null;
  private queue: Array<() => void> = [];
  private busy = false;
  private idleTimer: NodeJS.Timeout | null = null;
  private exited: Promise<void> = Promise.resolve();
  private exitInfo = '';
  private pins = 0;
  lastUsed = 0;
  closed = false;

  constructor(
    readonly key: WorkerKey,
    private readonly options: WorkerOptions = {},
  ) {
    for (const f of key.flags)
      if (!ALLOWED_FLAGS.has(f)) throw new Error(`worker flag ${f} is not allowed`);
    openWorkers.add(this);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get argv(): string[] {
    const ns = this.key.netns ? ['-n', this.key.netns] : [];
    return [this.key.tool, ...ns, '-j', ...this.key.flags, '-force', '-batch', '-'];
  }

  /** True when the process is bound to a namespace that is no longer /run/netns/NS. */
  stale(): boolean {
    if (!this.child?.pid || !this.key.netns) return false;
    try {
      const mine = fs.statSync(`/proc/${this.child.pid}/ns/net`);
      const named = fs.statSync(`/run/netns/${this.key.netns}`);
      return mine.ino !== named.ino || mine.dev !== named.dev;
    } catch {
      return true;
    }
  }

  /** Run the lines in order; resolves with one outcome per line (never rejects for kernel errors). */
  submit(
    lines: string[][],
    onOutcome?: (index: number, outcome: LineOutcome) => void,
  ): Promise<LineOutcome[]> {
    if (this.closed) return Promise.reject(new Error(`worker ${this.argv.join(' ')} is closed`));
    let text: string[];
    try {
      text = lines.map((args, i) => {
        if (args.length === 0) throw new Error(`line ${i}: empty command`);
        for (const a of args)
          assertBatchArg(
            a,
            `${this.key.tool}${this.key.netns ? ` -n ${this.key.netns}` : ''} line ${i}`,
          );
        return args.join(' ');
      });
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<LineOutcome[]>((resolve, reject) => {
      const go = () => {
        if (this.closed) {
          // queued behind a job that was running when close() came
          reject(new Error(`worker ${this.argv.join(' ')} is closed`));
          const nextJob = this.queue.shift();
          if (nextJob) nextJob();
          return;
        }
        this.busy = true;
        this.clearIdle();
        this.hold(true);
        this.runJob(text, onOutcome)
          .then(resolve, reject)
          .finally(() => {
            this.busy = false;
            this.lastUsed = performance.now();
            const nextJob = this.queue.shift();
            if (nextJob) nextJob();
            else {
              this.hold(false);
              this.armIdle();
              processSlots.wake();
            }
          });
      };
      if (this.busy) this.queue.push(go);
      else go();
    });
  }

  /**
   * Starts the process if needed and restarts its idle timer without a line:
   * for callers that only need a live process inside the namespace (its pid,
   * for per-namespace procfs files).
   */
  async keepAlive(): Promise<number | undefined> {
    if (this.closed) return undefined;
    await this.ensureStarted();
    this.lastUsed = performance.now();
    if (!this.busy) {
      this.clearIdle();
      this.armIdle();
    }
    return this.pid;
  }

  /** Idle, unpinned and running: the slot pool may close it for a new worker. */
  evictable(): boolean {
    return !this.closed && !this.busy && this.queue.length === 0 && this.pins === 0 && !!this.child;
  }

  /**
   * Keeps the process running (no idle close, no eviction) until the
   * returned function is called: a worker held in reserve for an undo.
   */
  async pin(): Promise<() => void> {
    this.pins += 1;
    this.clearIdle();
    try {
      await this.ensureStarted();
    } catch (err) {
      this.pins -= 1;
      throw err;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.pins -= 1;
      if (this.pins === 0 && !this.busy) {
        this.armIdle();
        processSlots.wake();
      }
    };
  }

  /** Ends the process (stdin closed, then SIGKILL if it lingers) and waits for it to exit. */
  async close(): Promise<void> {
    this.closed = true;
    openWorkers.delete(this);
    this.clearIdle();
    if (this.starting) await this.starting.catch(() => {});
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.stdin?.end();
      const killer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await this.exited;
      clearTimeout(killer);
    }
    this.options.onClose?.(this);
  }

  /**
   * An idle worker never keeps this process alive: its process and the
   * pipes to it are unref'd between jobs, so a CLI command ends when its work
   * does (the worker then reads end-of-file on its stdin and exits). A job
   * in progress holds them.
   */
  private hold(held: boolean): void {
    // A piped stdin is a net.Socket (a pipe handle), which Node types as a Writable.
    const handles = [this.child, this.child?.stdin as net.Socket | null | undefined, this.output];
    for (const h of handles) {
      if (held) h?.ref();
      else h?.unref();
    }
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private armIdle(): void {
    const idleMs = this.options.idleMs ?? 10_000;
    if (idleMs <= 0 || this.closed || this.pins > 0) return;
    this.clearIdle();
    this.idleTimer = setTimeout(() => void this.close(), idleMs);
    this.idleTimer.unref();
  }

  private async ensureStarted(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) return;
    this.starting ??= this.start().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async start(): Promise<void> {
    // A slot first: the process and its two descriptors count against this
    // process's budget (fd-budget.ts), so a big lab cannot exhaust it.
    await processSlots.acquire(this);
    if (this.closed) {
      processSlots.release(this);
      throw new Error(`worker ${this.argv.join(' ')} is closed`);
    }
    let child: ChildProcess;
    let ourEnd: net.Socket;
    try {
      const ends = await mergedOutput().catch((e: NodeJS.ErrnoException) => {
        // No socket for its output (EMFILE…) is no process either: the same error as a failed spawn.
        throw new ExecError(this.argv, null, e.message, 'spawn', null, e.code ?? null);
      });
      ourEnd = ends.ourEnd;
      try {
        child = await spawnChild(this.argv, ['pipe', ends.childEnd, ends.childEnd]);
      } catch (err) {
        ourEnd.destroy();
        throw err;
      } finally {
        ends.childEnd.destroy();
      }
    } catch (err) {
      processSlots.release(this);
      throw err;
    }
    this.child = child;
    this.output = ourEnd;
    this.hold(this.busy);
    this.lineNo = 0;
    this.pending = [];
    this.partial = '';
    this.bufferedBytes = 0;
    this.exitInfo = '';
    child.stdin!.on('error', () => {}); // EPIPE after an exit is reported through the exit handler
    ourEnd.setEncoding('utf8');
    ourEnd.on('data', (chunk: string) => this.onData(chunk));
    let outputEnded!: () => void;
    const ended = new Promise<void>((r) => (outputEnded = r));
    ourEnd.on('close', () => outputEnded());
    const exitedChild = new Promise<void>((resolve) => {
      child.on('error', (e) => {
        this.exitInfo ||= e.message;
      });
      child.on('close', (code, signal) => {
        this.exitInfo ||= signal ? `killed by ${signal}` : `exited with ${code}`;
        resolve();
      });
    });
    // Both must be over before the job is failed: the last words of the
    // process (its error message) may still be in the socket.
    this.exited = Promise.all([exitedChild, ended]).then(() => {
      processSlots.release(this);
      this.onExit();
    });
  }

  private async runJob(
    lines: string[],
    onOutcome?: (index: number, outcome: LineOutcome) => void,
  ): Promise<LineOutcome[]> {
    await this.ensureStarted();
    return new Promise<LineOutcome[]>((resolve) => {
      const items: Item[] = [];
      let text = '';
      for (const l of lines) {
        const line = ++this.lineNo;
        const sentinel = ++this.lineNo;
        items.push({ line, sentinel, failed: false, message: '', done: false });
        text += `${l}\n${SENTINEL}\n`;
      }
      const job: Job = {
        items,
        outcomes: [],
        next: 0,
        resolve,
        timer: null,
        onOutcome,
      };
      // A big stage on a loaded machine is slow, not stuck: allow time per line.
      const timeoutMs = (this.options.timeoutMs ?? 60_000) + lines.length * 50;
      job.timer = setTimeout(() => {
        this.exitInfo = `no answer within ${timeoutMs} ms`;
        this.child?.kill('SIGKILL');
      }, timeoutMs);
      this.job = job;
      this.pending = [];
      if (lines.length === 0) return this.finishJob();
      this.child!.stdin!.write(text);
    });
  }

  private finishJob(): void {
    const job = this.job;
    if (!job) return;
    if (job.timer) clearTimeout(job.timer);
    this.job = null;
    job.resolve(job.outcomes);
  }

  private onData(chunk: string): void {
    this.bufferedBytes += chunk.length;
    if (this.bufferedBytes > MAX_BUFFER) {
      this.exitInfo = `output larger than ${MAX_BUFFER} bytes`;
      this.child?.kill('SIGKILL');
      return;
    }
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const l of lines) this.onLine(l);
  }

  private onLine(text: string): void {
    const job = this.job;
    const m = FAILED.exec(text);
    if (!m) {
      this.pending.push(text);
      return;
    }
    this.bufferedBytes = 0;
    const n = Number(m[1]);
    const item = job?.items[job.next];
    if (!job || !item) {
      this.pending = [];
      return;
    }
    if (n === item.line) {
      item.failed = true;
      item.message = this.pending.join('\n').trim();
      this.pending = [];
    } else if (n === item.sentinel) {
      if (this.pending.length > 0 && SENTINEL_MESSAGE.test(this.pending[this.pending.length - 1]!))
        this.pending.pop();
      const output = item.failed ? '' : this.pending.join('\n');
      this.record(job, { ran: true, ok: !item.failed, output, message: item.message });
      this.pending = [];
      job.next++;
      if (job.next === job.items.length) this.finishJob();
    } else {
      this.pending.push(text);
    }
  }

  private record(job: Job, outcome: LineOutcome): void {
    job.onOutcome?.(job.outcomes.length, outcome);
    job.outcomes.push(outcome);
  }

  private onExit(): void {
    const tail = this.partial;
    this.partial = '';
    if (tail) this.pending.push(tail);
    const job = this.job;
    if (job) {
      const message = [this.pending.join('\n').trim(), `(${this.key.tool} ${this.exitInfo})`]
        .filter(Boolean)
        .join(' ');
      const first = job.next;
      for (let i = first; i < job.items.length; i++) {
        const item = job.items[i]!;
        job.next = i;
        if (i === first)
          this.record(job, {
            ran: true,
            ok: false,
            output: '',
            message: item.failed ? item.message : message,
          });
        else
          this.record(job, {
            ran: false,
            ok: false,
            output: '',
            message: 'not run: an earlier line stopped the worker',
          });
      }
      job.next = job.items.length;
      this.finishJob();
    }
    this.pending = [];
    this.child = null;
  }
}
