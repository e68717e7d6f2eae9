/**
 * An idle batch worker never keeps its process alive: a command whose work
 * is done ends at once, whatever the workers' idle timeout (the CLI's `up`,
 * `status` and `down` used to wait ten seconds for it).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// Node itself with tsx's loader (the tsx CLI would run the script in a grandchild).
const tsxLoader = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'loader.mjs'),
).href;

let running: ReturnType<typeof spawn> | null = null;
// A child that did not end is ended here, so a failing run leaves nothing behind.
afterEach(() => {
  if (running?.exitCode === null && running.signalCode === null) running.kill('SIGKILL');
  running = null;
});

describe('idle workers', () => {
  it('a process whose only handles are idle workers exits by itself, with its work done', async () => {
    const child = spawn(
      process.execPath,
      ['--import', tsxLoader, join(__dirname, 'fixtures', 'idle-worker.ts')],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    running = child;
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    // The workers would idle for an hour: only their being unref'd lets this resolve.
    const code = await new Promise<number | null>((done) => child.on('exit', done));
    expect(code).toBe(0);
    expect(JSON.parse(out).links).toContain('lo');
  });
});
