/**
 * netcanvas command line: `pnpm netcanvas <command> [args]` from the repo root,
 * or the package's `netcanvas` bin (./bin.ts, built to dist/netcanvas.js).
 * Exit codes: 0 success, 1 the design or the operation failed, 2 bad usage.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { MAX_YAML_BYTES } from '@netcanvas/shared';
import { commands, findCommand } from './cli/commands.js';
import { json } from './cli/format.js';
import { type CliIo, UsageError } from './cli/types.js';
import { LabBusyError } from './lab/engine.js';

const GENERAL_USAGE = () => `usage: netcanvas <command> [args]

commands:
${commands.map((c) => `  ${c.name.padEnd(11)}${c.summary}`).join('\n')}
  ${'help'.padEnd(11)}this text; "netcanvas help COMMAND" for one command

FILE arguments are YAML or JSON designs; "-" reads stdin.
Add --json to a command for machine-readable output.`;

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    (name === undefined ? io.stderr : io.stdout)(`${GENERAL_USAGE()}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === 'help') {
    const wantsJson = rest.includes('--json');
    const topic = rest.filter((a) => a !== '--json');
    if (topic.length > 1) {
      io.stderr(`${GENERAL_USAGE()}\n`);
      return 2;
    }
    if (topic.length === 1) {
      const cmd = findCommand(topic[0]!);
      if (!cmd) {
        io.stderr(`unknown command "${topic[0]}"\n\n${GENERAL_USAGE()}\n`);
        return 2;
      }
      io.stdout(
        wantsJson
          ? json({ name: cmd.name, summary: cmd.summary, usage: cmd.usage })
          : `${cmd.usage}\n`,
      );
      return 0;
    }
    io.stdout(
      wantsJson
        ? json(commands.map(({ name: n, summary, usage }) => ({ name: n, summary, usage })))
        : `${GENERAL_USAGE()}\n`,
    );
    return 0;
  }
  const cmd = findCommand(name);
  if (!cmd) {
    io.stderr(`unknown command "${name}"\n\n${GENERAL_USAGE()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${cmd.usage}\n`);
    return 0;
  }
  try {
    return await cmd.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`netcanvas ${cmd.name}: ${err.message}\n\n${cmd.usage}\n`);
      return 2;
    }
    // Another change holds the lab (another terminal, the dashboard): a refusal the user acts
    // on by waiting, said in one line, not a crash with a stack trace.
    if (err instanceof LabBusyError) {
      io.stderr(`netcanvas ${cmd.name}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

async function readStdin(limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buf = chunk as Buffer;
    size += buf.length;
    // Keep one byte past the limit so the size check downstream still says "too large".
    if (size > limit + 1) break;
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** pnpm runs the script inside apps/server; INIT_CWD is where the user typed the command. */
export function processIo(cwd: string = process.env.INIT_CWD || process.cwd()): CliIo {
  return {
    cwd,
    env: process.env,
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    async readInput(file) {
      if (file === '-') return readStdin(MAX_YAML_BYTES);
      const path = resolvePath(cwd, file);
      let size: number;
      try {
        const info = await stat(path);
        if (!info.isFile()) throw new Error(`${file} is not a regular file`);
        size = info.size;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') throw new Error(`${file}: no such file (looked in ${cwd})`);
        if (code === 'EACCES') throw new Error(`${file}: permission denied`);
        throw err;
      }
      if (size > MAX_YAML_BYTES)
        throw new Error(`${file} is ${Math.ceil(size / 1024)} KiB; a design may be at most 1 MiB`);
      return readFile(path, 'utf8');
    },
  };
}
