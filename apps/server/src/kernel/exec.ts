/**
 * exec — run one program from an argv array (execa 9). Never a shell.
 *
 *   const { stdout } = await exec(['ip', '-j', 'netns', 'list-id']);
 *
 * - `timeoutMs` (default 10 s): the child gets SIGKILL and the promise rejects.
 * - `maxOutput` (default 16 MiB, stdout and stderr each): beyond it the child
 *   is killed and the promise rejects, so a runaway tool cannot exhaust memory.
 * - A non-zero exit rejects with ExecError unless `allowFailure` is set, in
 *   which case the result carries the exit code.
 * - A program that cannot be started (EMFILE: no descriptor left, ENOMEM,
 *   ENOENT) rejects with ExecError reason 'spawn' and the errno in `code`,
 *   even with `allowFailure`: there is no exit code to report.
 * Every error carries the argv, exit code (or signal) and stderr, so a caller
 * can say which command failed and what the kernel answered.
 *
 * `childEnv()` is the one place that builds a child's environment: every
 * process the server starts (here, and the long-lived ones in worker.ts,
 * monitor.ts, stream.ts through `spawnChild`) runs with LC_ALL=C, so the
 * messages we match never depend on the user's locale.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import fs from 'node:fs';
import { execa } from 'execa';

export interface ExecOptions {
  timeoutMs?: number;
  maxOutput?: number;
  /** Written to the child's stdin, which is then closed. */
  input?: string;
  /** Resolve with the exit code instead of rejecting on a non-zero exit. */
  allowFailure?: boolean;
}

export interface ExecResult {
  argv: string[];
  exitCode: number;
  stdout: string;
  stderr: string;
}

export type ExecFailure = 'exit' | 'timeout' | 'output-limit' | 'spawn';

export class ExecError extends Error {
  constructor(
    readonly argv: string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    readonly reason: ExecFailure,
    readonly signal: NodeJS.Signals | null = null,
    /** The errno code when the program could not be started (EMFILE, ENOMEM, ENOENT…). */
    readonly code: string | null = null,
  ) {
    const what =
      reason === 'timeout'
        ? 'timed out'
        : reason === 'output-limit'
          ? 'produced too much output'
          : reason === 'spawn'
            ? `could not be started${code ? ` (${code}${SPAWN_HINT[code] ?? ''})` : ''}`
            : signal
              ? `was killed by ${signal}`
              : `exited with ${exitCode}`;
    const detail = stderr.trim().split('\n').slice(-3).join(' / ');
    super(`\`${argv.join(' ')}\` ${what}${detail ? `: ${detail}` : ''}`);
    this.name = 'ExecError';
  }
}

const SPAWN_HINT: Record<string, string> = {
  EMFILE: ': this process has no file descriptor left',
  ENFILE: ': the system has no file descriptor left',
  ENOMEM: ': out of memory',
  EAGAIN: ': too many processes',
  ENOENT: ': program not found',
  EACCES: ': permission denied',
};

/** True for an error that says a process could not be started at all. */
export function isSpawnFailure(err: unknown): err is ExecError {
  return err instanceof ExecError && err.reason === 'spawn';
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_OUTPUT = 16 * 1024 * 1024;

/** The environment of every child process: ours, with the C locale. */
export function childEnv(): NodeJS.ProcessEnv {
  return { ...process.env, LC_ALL: 'C', LANG: 'C' };
}

/** Descriptors a one-shot process needs while it starts (pipes for stdin/stdout/stderr, exec's error pipe). */
const SPAWN_DESCRIPTORS = 8;

/**
 * True when this process can still open `n` descriptors: opens them, then
 * closes them again. execa 9 does not survive EMFILE (it reads
 * `subprocess.stdio`, which Node leaves null, and the subprocess's 'error'
 * is then emitted with no listener: the process dies), so exec asks first.
 */
function descriptorsLeft(n: number): boolean {
  const fds: number[] = [];
  try {
    for (let i = 0; i < n; i++) fds.push(fs.openSync('/dev/null', 'r'));
    return true;
  } catch {
    return false;
  } finally {
    for (const fd of fds) fs.closeSync(fd);
  }
}

export async function exec(argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
  const [file, ...args] = argv;
  if (!file) throw new Error('exec: empty argv');
  // Checked and spawned in one synchronous stretch: no other callback runs in between.
  if (!descriptorsLeft(SPAWN_DESCRIPTORS))
    throw new ExecError(argv, null, `spawn ${file} EMFILE`, 'spawn', null, 'EMFILE');
  const r = await execa(file, args, {
    env: childEnv(),
    extendEnv: false,
    shell: false,
    reject: false,
    stripFinalNewline: false,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    killSignal: 'SIGKILL',
    maxBuffer: options.maxOutput ?? DEFAULT_MAX_OUTPUT,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
  });
  const stdout = typeof r.stdout === 'string' ? r.stdout : '';
  const stderr = typeof r.stderr === 'string' ? r.stderr : '';
  const signal = (r.signal ?? null) as NodeJS.Signals | null;
  if (r.timedOut) throw new ExecError(argv, null, stderr, 'timeout', signal);
  if (r.isMaxBuffer) throw new ExecError(argv, null, stderr, 'output-limit', signal);
  if (r.exitCode === undefined && r.signal === undefined) {
    // Never started: execa reports the spawn error (EMFILE, ENOENT…) as its cause.
    const cause = r.cause as NodeJS.ErrnoException | undefined;
    throw new ExecError(
      argv,
      null,
      cause?.message ?? r.shortMessage ?? 'not started',
      'spawn',
      null,
      cause?.code ?? null,
    );
  }
  const exitCode = r.exitCode ?? -1;
  if (exitCode !== 0 && !options.allowFailure)
    throw new ExecError(argv, r.exitCode ?? null, stderr, 'exit', signal);
  return { argv, exitCode, stdout, stderr };
}

/**
 * Last line of defence for the server process: a spawn error (EMFILE,
 * ENFILE, ENOMEM, EAGAIN) emitted on a child process nobody listens to —
 * what execa leaves behind when it cannot handle a failed spawn — is logged
 * instead of ending the process. Any other uncaught error still ends it.
 */
export function surviveLostSpawnErrors(log: (err: Error) => void): void {
  process.on('uncaughtException', (err: NodeJS.ErrnoException) => {
    if (
      typeof err?.syscall === 'string' &&
      err.syscall.startsWith('spawn') &&
      ['EMFILE', 'ENFILE', 'ENOMEM', 'EAGAIN'].includes(err.code ?? '')
    ) {
      log(err);
      return;
    }
    process.stderr.write(`${err?.stack ?? String(err)}\n`);
    process.exit(1);
  });
}

/**
 * Starts a long-lived process (batch worker, monitor, stream). Resolves once
 * the process runs; rejects with ExecError reason 'spawn' when it cannot be
 * started. The 'error' listener is attached before anything else touches the
 * child, and stays: a child that fails later reports through 'close'.
 * Callers touch `child.stdin/stdout/stderr` only after this resolves (with
 * EMFILE, Node never creates them).
 */
export function spawnChild(argv: string[], stdio: SpawnOptions['stdio']): Promise<ChildProcess> {
  const [file, ...args] = argv;
  if (!file) return Promise.reject(new Error('spawnChild: empty argv'));
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    const fail = (e: NodeJS.ErrnoException) =>
      reject(new ExecError(argv, null, e.message, 'spawn', null, e.code ?? null));
    try {
      child = spawn(file, args, { stdio, shell: false, env: childEnv() });
    } catch (e) {
      fail(e as NodeJS.ErrnoException);
      return;
    }
    let started = false;
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (!started) fail(e);
    });
    child.once('spawn', () => {
      started = true;
      resolve(child);
    });
  });
}
