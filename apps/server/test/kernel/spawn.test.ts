/**
 * Starting processes can fail (no descriptor left, no memory, no program):
 * every way the kernel layer starts one reports it as an error naming the
 * command and the errno, and the process goes on. And every process runs
 * in the C locale, whatever the server's, so the messages it matches are
 * the ones it knows.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTool } from '../../src/kernel/caps.js';
import { exec } from '../../src/kernel/exec.js';
import { LinkMonitor } from '../../src/kernel/monitor.js';
import { Runner } from '../../src/kernel/runner.js';
import { streamLines } from '../../src/kernel/stream.js';
import { cleanup, leftovers, testLab } from './helpers.js';

const TSX = resolve(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');

describe('a process that cannot be started', () => {
  it('with no descriptor left, exec, stream, batch worker and monitor each report EMFILE; the process lives on', () => {
    const out = execFileSync(
      'prlimit',
      ['--nofile=512:512', TSX, join(__dirname, 'fixtures', 'no-descriptors.ts')],
      { encoding: 'utf8', timeout: 60_000 },
    );
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, string>;
    expect(r.exec).toMatch(/`ip -V` could not be started \(EMFILE/);
    expect(r.stream).toBe('spawn-error');
    expect(r.worker).toMatch(/EMFILE/);
    expect(r.monitor).toMatch(/EMFILE/);
    expect(r.afterwards).toBe('ok');
    expect(r.workerAfterwards).toBe('ok');
  });

  it('a program that does not exist is an error naming it (ENOENT), never a crash', async () => {
    await expect(exec(['nc-no-such-program'])).rejects.toThrow(
      /`nc-no-such-program` could not be started \(ENOENT/,
    );
    await expect(exec(['nc-no-such-program'], { allowFailure: true })).rejects.toThrow(/ENOENT/);
    const r = await streamLines(['nc-no-such-program'], { onLine: () => {} }).done;
    expect(r.ended).toBe('spawn-error');
    expect(r.stderr).toMatch(/ENOENT/);
  });
});

describe('the C locale', () => {
  it('every process the kernel layer starts runs with LC_ALL=C, whatever the server’s locale', async () => {
    const lab = testLab('env');
    const dir = mkdtempSync(join(tmpdir(), 'nc-shims-'));
    const log = join(dir, 'spawns.log');
    const saved = { PATH: process.env.PATH, LC_ALL: process.env.LC_ALL, LANG: process.env.LANG };
    // Each tool is a shim that writes its locale to the log, then becomes the real tool.
    for (const tool of ['ip', 'bridge', 'sysctl']) {
      const real = findTool(tool);
      if (!real) throw new Error(`${tool} is not installed`);
      const shim = join(dir, tool);
      writeFileSync(
        shim,
        `#!/bin/sh\necho "${tool} LC_ALL=$LC_ALL" >> ${log}\nexec ${real} "$@"\n`,
      );
      chmodSync(shim, 0o755);
    }
    process.env.PATH = `${dir}:${saved.PATH}`;
    process.env.LC_ALL = 'de_DE.UTF-8';
    process.env.LANG = 'de_DE.UTF-8';
    const runner = new Runner({ idleMs: 0 });
    try {
      await exec(['ip', '-V']);
      await streamLines(['ip', '-V'], { onLine: () => {} }).done;
      const mon = new LinkMonitor({ onEvent: () => {} });
      await mon.start();
      await mon.close();
      const ns = `nc-${lab}`;
      const res = await runner.run([
        { netns: null, args: ['netns', 'add', ns] },
        { netns: null, args: ['netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'] },
        { netns: ns, args: ['link', 'add', 'name', 'br0', 'type', 'bridge'] },
        { tool: 'bridge', netns: ns, args: ['fdb', 'show'] },
      ]);
      expect(res.ok, JSON.stringify(res.failed)).toBe(true);
      await runner.query(ns, ['link', 'show']);
    } finally {
      await runner.close();
      Object.assign(process.env, saved);
      await cleanup(lab);
    }
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    rmSync(dir, { recursive: true, force: true });
    // exec, stream, monitor (+ its nsid listing), the root worker, a namespace worker,
    // a bridge worker, sysctl through `ip netns exec`, a query worker.
    expect(lines.length).toBeGreaterThanOrEqual(8);
    expect(lines.filter((l) => l.startsWith('sysctl'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('bridge'))).toHaveLength(1);
    expect(lines.filter((l) => !l.endsWith('LC_ALL=C'))).toEqual([]);
    expect(await leftovers(lab)).toEqual([]);
  });
});
