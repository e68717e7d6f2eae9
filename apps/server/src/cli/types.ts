/**
 * The contract every CLI command implements. A command is one module that
 * exports a `Command`; register it in ./commands.ts. Commands write through
 * `io` only, so tests can run them in-process as well as in a subprocess.
 */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The directory relative FILE arguments are resolved against (the user's, not pnpm's). */
  cwd: string;
  /** Reads a FILE argument; `-` is stdin. Rejects with a message naming the file. */
  readInput(file: string): Promise<string>;
  env: Record<string, string | undefined>;
}

export interface Command {
  name: string;
  /** One line for `netcanvas help`. */
  summary: string;
  /** Full usage text for `netcanvas help NAME` and for usage errors. */
  usage: string;
  /** Exit code: 0 success, 1 the design or the operation failed, 2 bad usage (throw UsageError). */
  run(args: string[], io: CliIo): Promise<number>;
}

/** Thrown by a command for bad arguments: the CLI prints the command's usage on stderr and exits 2. */
export class UsageError extends Error {}
