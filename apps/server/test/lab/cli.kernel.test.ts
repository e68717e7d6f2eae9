/**
 * The lab commands as a user types them (in-process, same entry point as
 * the binary): up, up again, plan --against-running, status, check, down.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { designToYaml } from '@netcanvas/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { useEngine } from '../../src/cli/lab-commands.js';
import { LabEngine, LabState } from '../../src/lab/index.js';
import { createKernelPort } from '../../src/lab/kernel-port.js';
import { netcanvasArgv } from '../built-cli.js';
import { cliIn, labName, netnsOf, scenario } from './helpers.js';

const work = mkdtempSync(join(tmpdir(), 'nc-cli-lab-'));
const stateDir = mkdtempSync(join(tmpdir(), 'nc-cli-state-'));
useEngine(() => new LabEngine(createKernelPort(), new LabState(stateDir)));

const cli = cliIn(work);

/** The shipped CLI in its own process, on this file's state directory. */
function shippedCli(...args: string[]): Promise<{ code: number; stderr: string }> {
  const [node, argv] = netcanvasArgv(...args);
  return new Promise((done) => {
    execFile(
      node,
      argv,
      { cwd: work, env: { ...process.env, NETCANVAS_STATE_DIR: stateDir }, timeout: 60_000 },
      (err, _stdout, stderr) => done({ code: err ? Number(err.code ?? 1) : 0, stderr }),
    );
  });
}

describe('lab commands', () => {
  const lab = labName('cli');
  afterAll(async () => {
    await cli('down', lab);
    rmSync(work, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
    expect(netnsOf(lab)).toEqual([]);
  });

  it('up, up again, plan against the running lab, status, check, down', async () => {
    const design = scenario('vxlan', lab);
    writeFileSync(join(work, 'lab.yaml'), designToYaml(design));

    const up = await cli('up', 'lab.yaml');
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(new RegExp(`${lab}: up, \\d+ operations`));
    expect(up.stderr).toMatch(/verify/); // progress is shown

    const again = await cli('up', 'lab.yaml');
    expect(again.stdout).toMatch(/already up to date \(0 operations\)/);

    const same = await cli('plan', 'lab.yaml', '--against-running');
    expect(same.stdout).toMatch(/would change nothing/);

    const cut = designToYaml({
      ...design,
      links: design.links.map((l) =>
        JSON.stringify(l.endpoints) === '["r2","public"]' ? { ...l, state: 'down' } : l,
      ),
    });
    writeFileSync(join(work, 'cut.yaml'), cut);
    const diff = await cli('plan', 'cut.yaml', '--against-running');
    expect(diff.code).toBe(0);
    expect(diff.stdout).toMatch(/ip -n nc-\S+\.r2 link set dev public down/);
    expect(diff.stdout).not.toMatch(/link add/); // nothing is rebuilt

    const status = await cli('status', lab);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(`${lab}: running`);

    const check = await cli('check', lab);
    expect(check.code, check.stdout).toBe(0);
    expect(check.stdout).toMatch(/all as predicted/);

    const json = await cli('check', lab, '--json');
    const parsed = JSON.parse(json.stdout) as {
      pairs: { from: string; to: string; measured: boolean }[];
    };
    expect(parsed.pairs.find((p) => p.from === 'c1' && p.to === 'c2')?.measured).toBe(true);

    const down = await cli('down', lab);
    expect(down.stdout).toMatch(/removed 7 namespaces/);
    expect(netnsOf(lab)).toEqual([]);
    expect((await cli('status', lab)).stdout).toMatch('absent');
    const gone = await cli('check', 'lab.yaml');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/not running/);

    // One audit line per kernel change, beside the labs' state: two ups (the second ran nothing) and a down.
    const audit = readFileSync(join(stateDir, 'audit.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(
      audit.map(({ action, lab: l, design: d, ops, result, client }) => ({
        action,
        lab: l,
        design: d,
        many: ops > 0,
        result,
        client,
      })),
    ).toEqual([
      { action: 'apply', lab, design: 'lab.yaml', many: true, result: 'ok', client: 'cli' },
      { action: 'apply', lab, design: 'lab.yaml', many: false, result: 'ok', client: 'cli' },
      { action: 'destroy', lab, design: null, many: true, result: 'ok', client: 'cli' },
    ]);
    for (const line of audit) expect(Date.parse(line.time)).toBeGreaterThan(0);
  }, 180_000);

  it('two ups of one lab at once: one builds it, the other is refused in one line naming the lab, with no stack trace', async () => {
    writeFileSync(join(work, 'busy.yaml'), designToYaml(scenario('same-vlan', lab)));
    try {
      // Two processes, as two users or two terminals would run them.
      const both = await Promise.all([
        shippedCli('up', join(work, 'busy.yaml')),
        shippedCli('up', join(work, 'busy.yaml')),
      ]);
      expect(both.map((r) => r.code).sort(), JSON.stringify(both)).toEqual([0, 1]);
      const refused = both.find((r) => r.code === 1)!;
      expect(refused.stderr).toMatch(
        new RegExp(
          `^netcanvas up: lab ${lab} is already being changed; try again when the current apply finishes\\n$`,
          'm',
        ),
      );
      expect(refused.stderr, 'no stack trace').not.toMatch(/^\s+at /m);
      expect((await cli('check', lab)).stdout).toMatch(/all as predicted/);
    } finally {
      await cli('down', lab);
    }
    expect(netnsOf(lab)).toEqual([]);
  }, 120_000);
});
