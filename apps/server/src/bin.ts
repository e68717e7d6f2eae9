/**
 * The `netcanvas` executable, built to dist/netcanvas.js (`pnpm build`):
 * runs one command and ends when its work does. Everything but the command
 * table loads when a command needs it (see cli/dashboard.ts and
 * cli/lab-commands.ts), so `help` starts at once.
 */
import { main, processIo } from './cli.js';

// A closed pipe (`| head`) is not an error of ours.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
main(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `netcanvas: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);
