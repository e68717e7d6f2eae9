/**
 * stream — run one program from an argv array and hand its stdout to a
 * callback line by line, as the program prints it. Never a shell.
 *
 *   const run = streamLines(['ip', 'netns', 'exec', ns, 'tcpdump', '-l', …], {
 *     onLine: (line) => …,
 *     maxLines: 5000,
 *     timeoutMs: 30_000,
 *   });
 *   …
 *   run.stop();                   // optional: ends the program early
 *   const r = await run.done;     // { exitCode, signal, lines, bytes, stderr, ended }
 *
 * exec() collects everything and answers once the program exits; tools whose
 * output is the point while they run (tcpdump, ping) need this instead.
 * Bounds, each of which stops the program:
 * - `maxLines` lines delivered (the last one is delivered, later ones are not);
 * - `maxBytes` bytes read from stdout (default 16 MiB), so one endless line
 *   cannot exhaust memory either;
 * - `timeoutMs` (default 60 s).
 * Stopping sends `stopSignal` (default SIGTERM: tcpdump and `timeout` both
 * finish cleanly on it) and SIGKILL after `killAfterMs` if the program is
 * still there. `done` never rejects: a program that could not be started
 * resolves with `ended: 'spawn-error'` and the reason in `stderr`, so the
 * caller reports it the same way as any other end.
 * A trailing line without a newline is delivered when stdout closes.
 */
import type { ChildProcess } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { spawnChild } from './exec.js';

export interface StreamOptions {
  onLine: (line: string) => void;
  maxLines?: number;
  maxBytes?: number;
  timeoutMs?: number;
  stopSignal?: NodeJS.Signals;
  killAfterMs?: number;
}

/** Why the program ended: on its own, or which bound (or stop()) ended it. */
export type StreamEnd = 'exit' | 'lines' | 'bytes' | 'timeout' | 'stopped' | 'spawn-error';

export interface StreamResult {
  argv: string[];
  /** null when a signal ended the program. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  ended: StreamEnd;
  /** Lines delivered to onLine. */
  lines: number;
  bytes: number;
  /** The last few KiB of stderr. */
  stderr: string;
}

export interface StreamHandle {
  readonly pid: number | undefined;
  readonly done: Promise<StreamResult>;
  /** Ends the program (no-op once it has ended). */
  stop(): void;
}

export const STREAM_DEFAULT_TIMEOUT_MS = 60_000;
export const STREAM_DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
const STDERR_KEEP = 4096;

export function streamLines(argv: string[], options: StreamOptions): StreamHandle {
  const [file, ...args] = argv;
  if (!file) throw new Error('streamLines: empty argv');
  const maxLines = options.maxLines ?? Number.POSITIVE_INFINITY;
  const maxBytes = options.maxBytes ?? STREAM_DEFAULT_MAX_BYTES;
  const timeoutMs = options.timeoutMs ?? STREAM_DEFAULT_TIMEOUT_MS;
  const stopSignal = options.stopSignal ?? 'SIGTERM';
  const killAfterMs = options.killAfterMs ?? 2000;
  for (const [name, v] of [
    ['maxLines', maxLines],
    ['maxBytes', maxBytes],
    ['timeoutMs', timeoutMs],
    ['killAfterMs', killAfterMs],
  ] as const) {
    if (!(v > 0)) throw new Error(`streamLines: ${name} must be positive, got ${v}`);
  }

  let child: ChildProcess | null = null;
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let lines = 0;
  let bytes = 0;
  let stderr = '';
  let ended: StreamEnd | null = null;
  let exited = false;
  let killTimer: NodeJS.Timeout | null = null;

  const kill = (): void => {
    if (!child || exited) return;
    child.kill(stopSignal);
    killTimer = setTimeout(() => {
      if (!exited) child?.kill('SIGKILL');
    }, killAfterMs);
    killTimer.unref();
  };
  const end = (why: StreamEnd): void => {
    if (ended || exited) return;
    ended = why;
    kill();
  };
  const deliver = (line: string): void => {
    if (lines >= maxLines) return;
    lines += 1;
    try {
      options.onLine(line);
    } catch {
      // A failing consumer must not leave the program running unbounded.
      end('stopped');
    }
    if (lines >= maxLines) end('lines');
  };
  const timer = setTimeout(() => end('timeout'), timeoutMs);

  const done = spawnChild([file, ...args], ['ignore', 'pipe', 'pipe']).then(
    (c) =>
      new Promise<StreamResult>((resolve) => {
        child = c;
        // stop() or the timeout came while the program was starting.
        if (ended) kill();
        c.stdout!.on('data', (chunk: Buffer) => {
          if (lines >= maxLines) return;
          bytes += chunk.length;
          if (bytes > maxBytes) {
            end('bytes');
            return;
          }
          const parts = (partial + decoder.write(chunk)).split('\n');
          partial = parts.pop() ?? '';
          for (const p of parts) deliver(p.endsWith('\r') ? p.slice(0, -1) : p);
        });
        c.stderr!.on('data', (chunk: Buffer) => {
          stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEEP);
        });
        c.on('close', (code, signal) => {
          exited = true;
          clearTimeout(timer);
          if (killTimer) clearTimeout(killTimer);
          const rest = partial + decoder.end();
          if (rest.length > 0 && ended !== 'bytes') deliver(rest);
          resolve({ argv, exitCode: code, signal, ended: ended ?? 'exit', lines, bytes, stderr });
        });
      }),
    (err: Error): StreamResult => {
      exited = true;
      clearTimeout(timer);
      return {
        argv,
        exitCode: null,
        signal: null,
        ended: 'spawn-error',
        lines: 0,
        bytes: 0,
        stderr: err.message,
      };
    },
  );

  return {
    get pid() {
      return child?.pid;
    },
    done,
    stop: () => end('stopped'),
  };
}
