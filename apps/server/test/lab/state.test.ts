/**
 * The per-lab lock file: held while its process lives, taken over when the
 * holder died — including a holder killed with -9 that is still a zombie.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LabState } from '../../src/lab/state.js';

const dir = mkdtempSync(join(tmpdir(), 'nc-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lab lock', () => {
  it('is refused while a live process holds it, and taken over from a dead or zombie holder', async () => {
    const state = new LabState(dir);
    const lock = join(dir, 'labs', 'demo.lock');

    const live = spawn('sleep', ['30']);
    writeFileSync(lock, String(live.pid));
    expect(state.tryLock('demo')).toBe(false);
    live.kill('SIGKILL');
    await new Promise((r) => live.once('exit', r));
    expect(state.tryLock('demo')).toBe(true);
    expect(readFileSync(lock, 'utf8')).toBe(String(process.pid));
    state.unlock('demo');

    // A child whose parent never reaps it: after it exits it stays a zombie.
    const parent = spawn('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 30'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const zombie = await new Promise<string>((r) =>
      parent.stdout!.once('data', (d) => r(String(d).trim())),
    );
    try {
      for (let i = 0; i < 100; i++) {
        const stat = readFileSync(`/proc/${zombie}/stat`, 'utf8');
        if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      writeFileSync(lock, zombie);
      expect(state.tryLock('demo')).toBe(true);
      state.unlock('demo');
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
