/**
 * An apply that cannot start a process fails cleanly, naming what failed,
 * and says what became of its undo: run on the worker it kept in reserve,
 * or deferred until processes start again (and then run). Runs in a child
 * process that uses up its own descriptors (real EMFILE, real kernel).
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../api/helpers.js';
import { cleanup, leftovers, testLab } from '../kernel/helpers.js';
import './helpers.js'; // needs root

const TSX = resolve(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
const prefix = testLab('sf');
const stateDir = tempDir('nc-sf-state-');
afterAll(async () => {
  await cleanup(`${prefix}r`);
  await cleanup(`${prefix}d`);
  rmSync(stateDir, { recursive: true, force: true });
  expect([...(await leftovers(`${prefix}r`)), ...(await leftovers(`${prefix}d`))]).toEqual([]);
});

describe('an apply that cannot start a process', { timeout: 120_000 }, () => {
  it('fails naming EMFILE; its undo runs on the reserve worker, or is deferred and runs later — and says which', () => {
    const stdout = execFileSync(
      'prlimit',
      [
        '--nofile=512:512',
        TSX,
        join(__dirname, 'fixtures', 'apply-no-descriptors.ts'),
        prefix,
        stateDir,
      ],
      { encoding: 'utf8', timeout: 110_000 },
    );
    const r = JSON.parse(stdout.trim().split('\n').at(-1)!);

    expect(r.reserve.ok).toBe(false);
    expect(r.reserve.failure).toMatch(/could not be started \(EMFILE/);
    expect(r.reserve.rollback).toMatchObject({ state: 'done' });
    expect(r.reserve.rollback.message).toMatch(/undone .* on the worker kept in reserve/);
    expect(r.reserve.last).toMatchObject({ phase: 'failed' });
    expect(r.reserve.last.message).toMatch(/EMFILE.*worker kept in reserve/);
    expect(r.reserve.left).toEqual([]);

    expect(r.deferred.ok).toBe(false);
    expect(r.deferred.failure).toMatch(/EMFILE/);
    expect(r.deferred.rollback).toMatchObject({ state: 'deferred' });
    expect(r.deferred.rollback.message).toMatch(/undo deferred: \d+ operations wait/);
    expect(r.deferred.last.message).toMatch(/undo deferred/);
    expect(r.deferred.leftWhileDeferred).toBeGreaterThan(0);
    expect(Object.values(r.deferred.deferred)[0]).toBeGreaterThan(0);
    expect(r.deferred.afterwards).toEqual({});
    expect(r.deferred.left).toEqual([]);
  });
});
