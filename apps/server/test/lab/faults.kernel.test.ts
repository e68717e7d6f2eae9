/**
 * Failures: a kernel refusal halfway through an apply leaves the lab as it
 * was and names the element; a `kill -9` of `up` halfway is recovered by the
 * next `up`; two applies of one lab never run at once.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Design, designToYaml, generateDesign } from '@netcanvas/shared';
import { describe, expect, it } from 'vitest';
import { exec } from '../../src/kernel/exec.js';
import { LabBusyError } from '../../src/lab/engine.js';
import { netcanvasArgv, SERVER_DIR } from '../built-cli.js';
import { ifindexes, labName, netnsOf, scenario, testLab } from './helpers.js';

/**
 * Puts a VXLAN device with VNI 42 into r1's namespace, as someone typing
 * `ip link add` by hand would: the kernel then refuses the tunnel tun (also
 * VNI 42) when the apply reaches the vxlan stage, halfway through the plan.
 */
async function clashInR1(lab: string): Promise<void> {
  const ns = `nc-${lab}.r1`;
  if (!netnsOf(lab).includes(ns)) await exec(['ip', 'netns', 'add', ns]);
  await exec([
    'ip',
    '-n',
    ns,
    'link',
    'add',
    'name',
    'clash',
    'type',
    'vxlan',
    'id',
    '42',
    'dstport',
    '4789',
  ]);
}

describe('faults', () => {
  it('a refused operation on a fresh lab undoes everything it created and names the element', async () => {
    const t = testLab('refuse');
    try {
      await clashInR1(t.lab);
      const result = await t.engine.apply(scenario('vxlan', t.lab));
      expect(result.ok).toBe(false);
      expect(result.failure?.op.op).toBe('vxlan.add');
      expect(result.failure?.elements).toContain('r1');
      expect(result.failure?.elements).toContain('tun');
      expect(result.failure?.kernelMessage).toMatch(/VNI already exists/);
      expect(result.ops.length).toBeGreaterThan(10); // it had really started
      // Only what was there before the apply is left: the namespace the test made.
      expect(netnsOf(t.lab)).toEqual([`nc-${t.lab}.r1`]);
      expect([...(await ifindexes(t.lab)).keys()]).toEqual([`nc-${t.lab}.r1/clash`]);
    } finally {
      await t.cleanup();
    }
  });

  it('a refused change to a running lab leaves it exactly as it was', async () => {
    const t = testLab('refuse2');
    try {
      const full = scenario('vxlan', t.lab);
      const design: Design = {
        ...full,
        links: full.links.filter((l) => JSON.stringify(l.endpoints) !== '["r1","tun"]'),
      };
      expect((await t.engine.apply(design)).ok).toBe(true);
      await clashInR1(t.lab);
      const before = await ifindexes(t.lab);
      const nsBefore = netnsOf(t.lab);

      const result = await t.engine.apply({
        ...full,
        nodes: { ...full.nodes, c9: { kind: 'namespace' } },
        links: [...full.links, { endpoints: ['c9', 'vlan20'], state: 'up' }],
      });
      expect(result.ok).toBe(false);
      expect(result.failure?.elements).toEqual(expect.arrayContaining(['r1', 'tun']));
      expect(netnsOf(t.lab)).toEqual(nsBefore);
      expect(await ifindexes(t.lab)).toEqual(before);
      const status = await t.engine.status(t.lab, design);
      // Exactly as before: the lab still differs from `design` only by the device the test added.
      expect(status.elements.r1?.differences).toEqual(['unexpected or wrong: interface clash']);
      expect(
        Object.entries(status.elements).filter(([id, e]) => id !== 'r1' && e.state !== 'deployed'),
      ).toEqual([]);
    } finally {
      await t.cleanup();
    }
  });

  it('two applies of one lab at once: the second is refused as busy', async () => {
    const t = testLab('busy');
    try {
      const design = scenario('same-vlan', t.lab);
      const first = t.engine.apply(design);
      await expect(t.engine.apply(design)).rejects.toBeInstanceOf(LabBusyError);
      expect((await first).ok).toBe(true);
    } finally {
      await t.cleanup();
    }
  });

  it('kill -9 of `up` halfway: the next `up` finishes the lab and `down` removes all of it', async () => {
    const lab = labName('kill9');
    const dir = mkdtempSync(join(tmpdir(), 'nc-kill9-'));
    const file = join(dir, 'lab.yaml');
    writeFileSync(file, designToYaml(generateDesign({ seed: 7, namespaces: 20, name: lab })));
    const env = { ...process.env, NETCANVAS_STATE_DIR: dir };
    const cli = (args: string[]) =>
      spawn(...netcanvasArgv(...args), {
        cwd: SERVER_DIR,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    const finish = (child: ReturnType<typeof cli>) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        let out = '';
        child.stdout!.on('data', (d) => (out += d));
        child.stderr!.on('data', (d) => (out += d));
        child.on('close', (code) => resolve({ code, out }));
      });
    try {
      // Kill the whole process group as soon as operations are running.
      const first = spawn(...netcanvasArgv('up', file), {
        cwd: SERVER_DIR,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      await new Promise<void>((resolve) => {
        let seen = '';
        const onData = (d: Buffer) => {
          seen += d;
          if (/run \d+\//.test(seen)) {
            process.kill(-first.pid!, 'SIGKILL');
            resolve();
          }
        };
        first.stderr!.on('data', onData);
        first.on('close', () => resolve());
      });
      if (first.exitCode === null && first.signalCode === null)
        await new Promise((r) => first.once('exit', r));
      expect(netnsOf(lab).length).toBeGreaterThan(0); // it had started

      const second = await finish(cli(['up', file]));
      expect(second.code, second.out).toBe(0);
      const status = await finish(cli(['status', lab]));
      expect(status.code, status.out).toBe(0);
      expect(status.out).toMatch(new RegExp(`${lab}: running`));
      const down = await finish(cli(['down', lab]));
      expect(down.code, down.out).toBe(0);
      expect(netnsOf(lab)).toEqual([]);
    } finally {
      for (const ns of netnsOf(lab)) {
        await new Promise((r) => spawn('ip', ['netns', 'del', ns]).on('close', r));
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }, 400_000);
});
