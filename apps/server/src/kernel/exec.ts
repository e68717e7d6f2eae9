/**
 * exec — run one program from an argv array. Never a shell.
 *
 *   const { stdout } = await exec(['ip', '-j', 'netns', 'list-id']);
 *
 * - `timeoutMs` (default 10 s): the child gets SIGKILL and the promise rejects.
 * - `maxOutput` (default 16 MiB, stdout and stderr each): beyond it the child
 *   is killed and the promise rejects, so a runaway tool cannot exhaust memory.
 * - A non-zero exit rejects with ExecError unless `allowFailure` is set, in
 *   which case the result carries the exit code.
 * Every error carries the argv, exit code (or signal) and stderr, so a caller
 * can say which command failed and what the kernel answered.
 */
import { spawn } from 'node:child_process';

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

export class ExecError extends Error {
  constructor(
    readonly argv: string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    readonly reason: 'exit' | 'timeout' | 'output-limit' | 'spawn',
    readonly signal: NodeJS.Signals | null = null,
  ) {
    const what =
      reason === 'timeout'
        ? 'timed out'
        : reason === 'output-limit'
          ? 'produced too much output'
          : reason === 'spawn'
            ? 'could not be started'
            : signal
              ? `was killed by ${signal}`
              : `exited with ${exitCode}`;
    const detail = stderr.trim().split('\n').slice(-3).join(' / ');
    super(`\`${argv.join(' ')}\` ${what}${detail ? `: ${detail}` : ''}`);
    this.name = 'ExecError';
  }
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_OUTPUT = 16 * 1024 * 1024;

export function exec(argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
  const [file, ...args] = argv;
  if (!file) return Promise.reject(new Error('exec: empty argv'));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxOutput = options.maxOutput ?? DEFAULT_MAX_OUTPUT;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      shell: false,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outLen = 0;
    let errLen = 0;
    let failure: 'timeout' | 'output-limit' | 'spawn' | null = null;
    let spawnMessage = '';
    const timer = setTimeout(() => {
      failure = 'timeout';
      child.kill('SIGKILL');
    }, timeoutMs);
    const take = (chunks: Buffer[], chunk: Buffer, len: number): number => {
      if (len + chunk.length > maxOutput) {
        failure ??= 'output-limit';
        child.kill('SIGKILL');
        return len;
      }
      chunks.push(chunk);
      return len + chunk.length;
    };
    child.stdout!.on('data', (c: Buffer) => {
      outLen = take(out, c, outLen);
    });
    child.stderr!.on('data', (c: Buffer) => {
      errLen = take(err, c, errLen);
    });
    child.on('error', (e) => {
      failure = 'spawn';
      spawnMessage = e.message;
    });
    if (options.input !== undefined && child.stdin) {
      child.stdin.on('error', () => {}); // a child that exits early closes its stdin: its exit status tells the story
      child.stdin.end(options.input);
    }
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8') + spawnMessage;
      if (failure) return reject(new ExecError(argv, code, stderr, failure, signal));
      if (code !== 0 && !options.allowFailure)
        return reject(new ExecError(argv, code, stderr, 'exit', signal));
      resolve({ argv, exitCode: code ?? -1, stdout, stderr });
    });
  });
}
