/**
 * The netlink helper killed (SIGKILL) in the middle of an apply: the apply
 * fails naming it, its rollback (on a fresh helper) removes everything the
 * apply made, and the next apply and `down` work as usual.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDesign } from '@netcanvas/shared';
import { expect, it } from 'vitest';
import { NetlinkEngine } from '../../src/kernel/netlink.js';
import { LabEngine, LabState } from '../../src/lab/index.js';
import { createKernelPort } from '../../src/lab/kernel-port.js';
import { labName, netnsOf } from './helpers.js';

it('a helper killed mid-apply leaves nothing half-applied: the rollback removes the lab, the next apply works', async () => {
  const lab = labName('hk');
  const netlink = new NetlinkEngine();
  const stateDir = mkdtempSync(join(tmpdir(), 'nc-helper-killed-'));
  const engine = new LabEngine(createKernelPort(undefined, { netlink }), new LabState(stateDir));
  try {
    const design = generateDesign({ seed: 13, namespaces: 120, name: lab, downLinkChance: 0 });
    const killed: number[] = [];
    const result = await engine.apply(design, (p) => {
      // From a third of the way in (namespaces made, devices half made), the writer is killed
      // at each progress report until the apply fails. A long run is shared by two helpers, and
      // a writer killed while it waits for the other one, with no request of its own in flight,
      // is replaced by a fresh one that goes on: nothing was half-made, so that is no failure.
      if (p.phase === 'run' && p.done > 0 && p.done >= p.total / 3 && p.done < p.total) {
        const pid = netlink.writerPid();
        if (pid !== undefined && !killed.includes(pid)) {
          killed.push(pid);
          process.kill(pid, 'SIGKILL');
        }
      }
    });
    expect(killed.length, 'the helper ran the apply').toBeGreaterThan(0);
    expect(result.ok).toBe(false);
    expect(result.failure?.kernelMessage).toMatch(/kernel helper .*exited \(SIGKILL\)/);
    expect(result.rollback?.state, result.rollback?.message).toBe('done');
    expect(netnsOf(lab), 'namespaces left by the rollback').toEqual([]);
    expect(killed).not.toContain(netlink.writerPid());

    const again = await engine.apply(design);
    expect(again.failure?.kernelMessage).toBeUndefined();
    expect(again.ok).toBe(true);
    expect((await engine.status(lab)).state).toBe('running');
  } finally {
    await engine.destroy(lab);
    await netlink.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
  expect(netnsOf(lab)).toEqual([]);
}, 240_000);
