/**
 * Half-made namespaces: a name in /run/netns with nothing mounted on it,
 * what an `ip netns add` killed between its two steps leaves (`touch
 * /run/netns/nc-x` makes one). It is reported for its own lab only, `up`
 * repairs it, `down` removes it, and the rollback of the create that made
 * it removes it too.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Design, Op } from '@netcanvas/shared';
import { describe, expect, it } from 'vitest';
import { exec } from '../../src/kernel/exec.js';
import { LabEngine, LabState } from '../../src/lab/index.js';
import { createKernelPort } from '../../src/lab/kernel-port.js';
import { api, startTestServer } from '../api/helpers.js';
import { labName, netnsOf, runCli, scenario, testLab } from './helpers.js';

/** Exactly what a kill between `ip netns add`'s two steps leaves: the name, nothing mounted. */
const halfMake = (name: string) => writeFileSync(`/run/netns/${name}`, '');

const cli = (engine: LabEngine, ...args: string[]) => runCli(engine, process.cwd(), ...args);

describe('a half-made namespace', () => {
  it('is reported for its own lab only: labs, status, plan, the CLI and GET /api/labs keep working for the others', async () => {
    const t = testLab('hm-ok');
    const other = labName('hm-bad');
    try {
      const design = scenario('same-vlan', t.lab);
      expect((await t.engine.apply(design)).ok).toBe(true);
      halfMake(`nc-${other}`);
      halfMake(`nc-${other}.c1`);

      expect(await t.engine.labs()).toEqual(expect.arrayContaining([t.lab, other]));
      expect((await t.engine.status(t.lab)).state).toBe('running');
      expect((await t.engine.plan(design)).ops).toEqual([]);

      const broken = await t.engine.status(other);
      expect(broken.state).toBe('partial');
      expect(broken.elements.c1?.state).toBe('missing');
      expect(broken.elements.c1?.differences.join('\n')).toMatch(
        new RegExp(`half-made: nc-${other}\\.c1 .*up repairs it, down removes it`),
      );

      const listed = await cli(t.engine, 'status');
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toMatch(new RegExp(`${t.lab}\\s+running`));
      expect(listed.stdout).toMatch(new RegExp(`${other}\\s+partial`));
      const one = await cli(t.engine, 'status', other);
      expect(one.stdout).toMatch(/half-made/);

      const srv = await startTestServer({ engine: t.engine });
      try {
        const labs = await api(srv, 'GET', '/api/labs');
        expect(labs.status, labs.text).toBe(200);
        const states = Object.fromEntries(
          (labs.json.labs as { lab: string; status: { state: string } }[]).map((l) => [
            l.lab,
            l.status.state,
          ]),
        );
        expect(states[t.lab]).toBe('running');
        expect(states[other]).toBe('partial');
      } finally {
        await srv.stop();
      }

      const down = await t.engine.destroy(other);
      expect(down.removed.sort()).toEqual([`nc-${other}`, `nc-${other}.c1`]);
      expect(netnsOf(other)).toEqual([]);
      expect((await t.engine.status(t.lab)).state).toBe('running');
    } finally {
      await t.engine.destroy(other);
      await t.cleanup();
      expect(netnsOf(other)).toEqual([]);
    }
  });

  it('in a running lab is named by status and repaired by up', async () => {
    const t = testLab('hm-fix');
    try {
      const design = scenario('same-vlan', t.lab);
      expect((await t.engine.apply(design)).ok).toBe(true);
      await exec(['ip', 'netns', 'del', `nc-${t.lab}.c1`]);
      halfMake(`nc-${t.lab}.c1`);

      const status = await t.engine.status(t.lab);
      expect(status.state).toBe('partial');
      expect(status.elements.c1?.state).toBe('missing');
      expect(status.elements.c1?.differences.join('\n')).toMatch(/half-made/);
      expect(status.elements.c2?.state).toBe('deployed');

      const fixed = await t.engine.apply(design);
      expect(fixed.failure?.kernelMessage).toBeUndefined();
      expect(fixed.ok).toBe(true);
      expect((await t.engine.status(t.lab)).state).toBe('running');
      const { measured } = await t.engine.matrix(design);
      expect(measured.find((m) => m.from === 'c1' && m.to === 'c2')?.measured).toBe(true);
    } finally {
      await t.cleanup();
    }
  });

  it('left by a create killed mid-way is removed by that apply’s rollback', async () => {
    const lab = labName('hm-kill');
    const real = createKernelPort();
    let killed: string | undefined;
    // The runner as it reports a worker killed in the middle of `ip netns add`: the
    // namespaces before it were made, the line in flight failed, and its name is left.
    const port = {
      ...real,
      async run(ops: Op[], opts?: Parameters<typeof real.run>[1]) {
        const at = ops.findIndex((o, i) => o.op === 'netns.add' && i >= 2);
        if (killed !== undefined || at < 0) return real.run(ops, opts);
        const before = await real.run(ops.slice(0, at), opts);
        if (!before.ok) return before;
        killed = (ops[at] as Op & { netns: string }).netns;
        halfMake(killed);
        return {
          ok: false as const,
          index: at,
          message: '(ip killed by SIGKILL)',
          ran: Array.from({ length: at }, (_, i) => i),
        };
      },
    };
    const stateDir = mkdtempSync(join(tmpdir(), 'nc-hm-kill-'));
    const engine = new LabEngine(port, new LabState(stateDir));
    try {
      const design: Design = scenario('inter-vlan', lab);
      const result = await engine.apply(design);
      expect(result.ok).toBe(false);
      expect(killed).toBeDefined();
      expect(result.failure?.kernelMessage).toMatch(/killed/);
      expect(netnsOf(lab), 'names left behind by the rollback').toEqual([]);
    } finally {
      await engine.destroy(lab);
      rmSync(stateDir, { recursive: true, force: true });
    }
    expect(netnsOf(lab)).toEqual([]);
  });
});
