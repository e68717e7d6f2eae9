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
import { until } from '../until.js';

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
      await until(() => {
        const stat = readFileSync(`/proc/${zombie}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
      }, `${zombie} a zombie`);
      writeFileSync(lock, zombie);
      expect(state.tryLock('demo')).toBe(true);
      state.unlock('demo');
    } finally {
      parent.kill('SIGKILL');
    }
  });
});

describe('lab ownership registry', () => {
  it('gives a name to its first claimant only, and frees it only for its owner', () => {
    const { owners } = new LabState(dir);
    const design = { kind: 'design', id: 'abcd1234', name: 'vxlan' } as const;
    expect(owners.claim('vxlan', design)).toEqual(design);
    expect(owners.claim('vxlan', { kind: 'cli' })).toEqual(design);
    owners.release('vxlan', { kind: 'cli' });
    expect(owners.get('vxlan')).toEqual(design);
    // Another process (the CLI) reads the same directory.
    expect(new LabState(dir).owners.list()).toEqual([{ lab: 'vxlan', owner: design }]);
    owners.set('vxlan', { ...design, title: 'Two sites' });
    expect(owners.get('vxlan')).toEqual({ ...design, title: 'Two sites' });
    owners.release('vxlan', design);
    expect(owners.get('vxlan')).toBeUndefined();
    // A file that is not a record of ours is replaced by the next claim.
    writeFileSync(join(dir, 'labs', 'junk.owner'), 'not json');
    expect(owners.get('junk')).toBeUndefined();
    expect(owners.claim('junk', { kind: 'cli' })).toEqual({ kind: 'cli' });
    expect(() => owners.claim('../etc', { kind: 'cli' })).toThrow(/invalid lab name/);
  });
});
