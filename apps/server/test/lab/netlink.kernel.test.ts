/**
 * The netlink helper behind the kernel port: without python3 or pyroute2 the
 * port falls back to the `ip -batch` runner (the lab still goes up and
 * down), and the helper, root, refuses an op outside render.ts's rules
 * before anything runs.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Op } from '@netcanvas/shared';
import { expect, it } from 'vitest';
import { NetlinkEngine } from '../../src/kernel/netlink.js';
import { LabEngine, LabState } from '../../src/lab/index.js';
import { createKernelPort } from '../../src/lab/kernel-port.js';
import { labName, netnsOf, scenario } from './helpers.js';

async function upAndDown(netlink: NetlinkEngine) {
  const lab = labName('fb');
  const stateDir = mkdtempSync(join(tmpdir(), 'nc-fallback-'));
  const engine = new LabEngine(createKernelPort(undefined, { netlink }), new LabState(stateDir));
  try {
    const result = await engine.apply(scenario('inter-vlan', lab));
    expect(result.failure?.kernelMessage).toBeUndefined();
    expect(result.ok).toBe(true);
    expect((await engine.status(lab)).state).toBe('running');
    const ping = await engine.ping(scenario('inter-vlan', lab), 'c1', 'c2');
    expect([ping.reachable, ping.measured]).toEqual([true, true]);
  } finally {
    await engine.destroy(lab);
    rmSync(stateDir, { recursive: true, force: true });
  }
  expect(netnsOf(lab)).toEqual([]);
}

it('without python3 the lab goes up and down on the ip -batch runner', async () => {
  const netlink = new NetlinkEngine({ python: '/nonexistent/python3' });
  await upAndDown(netlink);
  expect(netlink.unavailable()).toMatch(/nonexistent\/python3 is not installed/);
  expect(netlink.pids()).toEqual([]);
});

it('without pyroute2 (the helper says so at start) the lab goes up and down on the ip -batch runner', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nc-no-pyroute2-'));
  try {
    // What netlink-helper.py prints when its import of pyroute2 fails.
    const script = join(dir, 'helper.py');
    writeFileSync(
      script,
      'import sys\nsys.stdout.write(\'{"fatal": "pyroute2 is not available: No module named pyroute2"}\\n\')\nsys.exit(3)\n',
    );
    chmodSync(script, 0o644);
    const netlink = new NetlinkEngine({ script });
    await upAndDown(netlink);
    expect(netlink.unavailable()).toMatch(/pyroute2 is not available/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('the helper refuses an op outside the rules before running anything', async () => {
  const netlink = new NetlinkEngine();
  const lab = labName('rf');
  try {
    const ops = [
      { op: 'netns.add', netns: `nc-${lab}`, source: [], why: 'a fine one' },
      { op: 'netns.add', netns: '../../etc/x', source: [], why: 'a path, not a name' },
    ] as unknown as Op[];
    const res = await netlink.run(ops);
    expect(res.ok).toBe(false);
    expect(res.failed?.message).toMatch(/refused before running anything: op 1/);
    expect(res.outcomes).toEqual(['failed', 'skipped']);
    expect(netnsOf(lab)).toEqual([]);
  } finally {
    await netlink.close();
  }
});
