/**
 * `netcanvas check` on a lab where many pairs cannot answer: every pair is
 * measured as predicted, each unreachable pair is shown with the analyzer's
 * reason, a pair broken by hand in the kernel is reported as differing, and
 * no process or namespace is left behind.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze, designToYaml, diagnose, islandsDesign, netnsName } from '@netcanvas/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { useEngine } from '../../src/cli/lab-commands.js';
import { LabEngine, LabState } from '../../src/lab/index.js';
import { createKernelPort } from '../../src/lab/kernel-port.js';
import { childrenOf } from '../kernel/helpers.js';
import { cliIn, labName, netnsOf } from './helpers.js';

const work = mkdtempSync(join(tmpdir(), 'nc-check-lab-'));
const stateDir = mkdtempSync(join(tmpdir(), 'nc-check-state-'));
useEngine(() => new LabEngine(createKernelPort(), new LabState(stateDir)));
const cli = cliIn(work);

/**
 * The pings and fpings under this test process, started by it or by its ping helper (its
 * long-lived `ip -batch` workers and the helper itself stay).
 */
function pingsRunning(): string[] {
  const parent = new Map<number, number>();
  const pings: [number, string][] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      parent.set(Number(pid), Number(fields[1]));
      if (/ping|nsenter/.test(name)) pings.push([Number(pid), name]);
    } catch {
      // gone meanwhile
    }
  }
  const under = (pid: number) => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p))
      if (p === process.pid) return true;
    return false;
  };
  return pings.filter(([pid]) => under(pid)).map(([, name]) => name);
}

/** The ping helper under this test process while it has fpings running, or 0. */
function pingHelperBusy(): number {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('ping-helper.py')) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== process.pid) continue;
      if (childrenOf(Number(pid)).length > 0) return Number(pid);
    } catch {
      // gone meanwhile
    }
  }
  return 0;
}

interface CheckJson {
  pairs: { from: string; to: string; predicted: boolean; measured: boolean; reason?: string }[];
  mismatches: number;
}

describe('check: failures do not wait, and are explained', () => {
  const lab = labName('check');
  const design = islandsDesign({ name: lab, perVlan: 4 });
  afterAll(async () => {
    await cli('down', lab);
    rmSync(work, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
    expect(netnsOf(lab), 'namespaces left behind').toEqual([]);
  });

  it('measures every pair as predicted, with the reason for each pair that cannot answer', async () => {
    writeFileSync(join(work, 'lab.yaml'), designToYaml(design));
    const up = await cli('up', 'lab.yaml');
    expect(up.code, up.stderr).toBe(0);

    const predicted = analyze(diagnose(design).topology!);
    const json = await cli('check', lab, '--json');
    expect(json.code, json.stdout).toBe(0);
    const result = JSON.parse(json.stdout) as CheckJson;
    const n = predicted.endpoints.length;
    expect(result.pairs).toHaveLength(n * (n - 1));
    expect(result.mismatches).toBe(0);
    const unreachable = result.pairs.filter((p) => !p.predicted);
    // Every pair across the routed part and the island (v30 has no router) cannot answer.
    expect(unreachable).toHaveLength(2 * 4 * (2 * 4 + 1));
    for (const p of result.pairs) {
      const i = predicted.endpoints.indexOf(p.from);
      const j = predicted.endpoints.indexOf(p.to);
      const want = predicted.results[i]![j]!;
      expect(p.measured, `${p.from} → ${p.to}`).toBe(want.reachable);
      expect(p.predicted).toBe(want.reachable);
      expect(p.reason).toBe(want.reason);
    }
    expect(unreachable.every((p) => /\w/.test(p.reason ?? ''))).toBe(true);

    const text = await cli('check', lab);
    expect(text.code, text.stdout).toBe(0);
    expect(text.stdout).toMatch(`${lab}: ${n * (n - 1)} pairs, all as predicted`);
    const shown = text.stdout.split('unreachable, as predicted:\n')[1] ?? '';
    for (const p of unreachable) expect(shown).toContain(`  ${p.from} → ${p.to}: ${p.reason}\n`);
    expect(pingsRunning(), 'no ping or fping outlives the check').toEqual([]);
  });

  it('a pair predicted silent that answers is reported as answering (its one short probe sees it)', async () => {
    // The kernel runs the lab as designed; the check predicts from a copy with n10-1's link down,
    // so n10-1's pairs are predicted silent and answer.
    const engine = new LabEngine(createKernelPort(), new LabState(stateDir));
    const cut = {
      ...design,
      links: design.links.map((l) =>
        l.endpoints.includes('n10-1') ? { ...l, state: 'down' as const } : l,
      ),
    };
    const { measured } = await engine.matrix(cut);
    const differing = measured.filter((p) => p.measured !== p.reachable);
    // n10-1 and the 8 others of the routed part (and r1), both ways.
    expect(differing).toHaveLength(2 * (2 * 4));
    expect(differing.every((p) => !p.reachable && p.measured)).toBe(true);
    expect(differing.every((p) => p.from === 'n10-1' || p.to === 'n10-1')).toBe(true);
    expect(pingsRunning()).toEqual([]);
  });

  it('the ping helper killed in the middle of a check: its unanswered fpings run from the server, every pair as predicted', async () => {
    const engine = new LabEngine(createKernelPort(), new LabState(stateDir));
    const checking = engine.matrix(design);
    let killed = 0;
    for (let waited = 0; !killed && waited < 10_000; waited += 5) {
      const helper = pingHelperBusy();
      if (helper) {
        process.kill(helper, 'SIGKILL');
        killed = helper;
      } else await new Promise((r) => setTimeout(r, 5));
    }
    expect(killed, 'the helper was seen running fpings').toBeGreaterThan(0);
    const { measured } = await checking;
    expect(measured.length).toBeGreaterThan(0);
    expect(measured.filter((p) => p.measured !== p.reachable)).toEqual([]);
    expect(pingsRunning()).toEqual([]);
  });

  it('a pair broken by hand in the kernel is reported as differing from the prediction', async () => {
    const topology = diagnose(design).topology!;
    const ns = netnsName(lab, 'n10-1');
    const dev = topology.interfaces.find((f) => f.netns === ns && f.name !== 'lo')!.name;
    execFileSync('ip', ['-n', ns, 'link', 'set', 'dev', dev, 'down']);
    const json = await cli('check', lab, '--json');
    expect(json.code).toBe(1);
    const result = JSON.parse(json.stdout) as CheckJson;
    const differing = result.pairs.filter((p) => p.measured !== p.predicted);
    expect(differing.length).toBe(result.mismatches);
    // n10-1 reaches nobody now, and nobody reaches it: 2 × (the 8 others of the routed part and r1).
    expect(differing).toHaveLength(2 * (2 * 4));
    expect(differing.every((p) => p.from === 'n10-1' || p.to === 'n10-1')).toBe(true);
    expect(differing.every((p) => p.predicted && !p.measured)).toBe(true);
    const text = await cli('check', lab);
    expect(text.stdout).toMatch(
      /MEASURED DIFFERS FROM PREDICTED:\n {2}n10-1 → \S+ \(10\.0\.\d+\.\d+\): predicted reachable, measured unreachable/,
    );
    expect(pingsRunning()).toEqual([]);
  }, 120_000);

  it('a namespace deleted by hand: its pairs are measured silent and reported, the rest of the check goes on', async () => {
    const ns = netnsName(lab, 'n10-1');
    execFileSync('ip', ['netns', 'del', ns]);
    const engine = new LabEngine(createKernelPort(), new LabState(stateDir));
    const n = analyze(diagnose(design).topology!).endpoints.length;
    // Plain, then sized (a sized check flushes every namespace's path MTUs first).
    for (const size of [undefined, 1000]) {
      const { measured } = await engine.matrix(design, undefined, size ? { size } : {});
      expect(measured).toHaveLength(n * (n - 1));
      const differing = measured.filter((p) => p.measured !== p.reachable);
      expect(differing).toHaveLength(2 * (2 * 4));
      expect(differing.every((p) => p.reachable && !p.measured)).toBe(true);
      expect(differing.every((p) => p.from === 'n10-1' || p.to === 'n10-1')).toBe(true);
      for (const p of measured.filter((p) => p.from === 'n10-1'))
        expect(p.output, `${p.from} → ${p.to}`).toContain(`${ns} is gone`);
    }
    expect(pingsRunning()).toEqual([]);
  }, 120_000);
});

describe('check: a lab needing more neighbour entries than the kernel table holds', () => {
  // 61 endpoints in three VLANs: about 1,220 ARP entries, more than the 1,024 the kernel's one
  // neighbour table (shared by every namespace) holds. The first pass drops the pings whose
  // entries it refuses; they are asked again after the lab's caches are flushed.
  const lab = labName('neigh');
  const design = islandsDesign({ name: lab, perVlan: 20 });
  const state = mkdtempSync(join(tmpdir(), 'nc-check-neigh-'));
  const engine = new LabEngine(createKernelPort(), new LabState(state));
  afterAll(async () => {
    await engine.destroy(lab);
    rmSync(state, { recursive: true, force: true });
    expect(netnsOf(lab)).toEqual([]);
  });

  it('measures all 3,660 pairs as predicted', async () => {
    expect((await engine.apply(design)).ok).toBe(true);
    const { measured } = await engine.matrix(design);
    expect(measured).toHaveLength(61 * 60);
    const differing = measured
      .filter((p) => p.measured !== p.reachable)
      .map((p) => `${p.from} → ${p.to}`);
    expect(differing).toEqual([]);
    expect(pingsRunning()).toEqual([]);
  }, 120_000);
});
