/**
 * The CLI as it ships: dist/netcanvas.js, built by test/build.global.ts
 * before any test file runs, so subprocess tests run the code under test
 * on plain Node, as a user does.
 */
import { join } from 'node:path';

export const SERVER_DIR = join(import.meta.dirname, '..');
/** The package's `bin`. */
export const NETCANVAS_BIN = join(SERVER_DIR, 'dist', 'netcanvas.js');
/** argv that runs the built CLI with `args` (through this Node). */
export const netcanvasArgv = (...args: string[]): [string, string[]] => [
  process.execPath,
  [NETCANVAS_BIN, ...args],
];
