/**
 * `check` at scale on the real kernel, against a floor measured in the same run.
 *
 *   pnpm --filter @netcanvas/server bench          (inside iso)
 *   npx tsx bench/check.bench.ts [perVlan]         (default 11: 34 endpoints, 1,122 pairs)
 *
 * The lab: two VLANs behind a router and a third VLAN with no router, so about
 * half the pairs cannot answer (islandsDesign). `check` is the lab engine's
 * matrix(): every pair predicted, then measured. The floor is the least any
 * check must do: get the answers of the pairs that do answer, one fping per
 * source namespace over its reachable targets, as many at once as check runs,
 * without the analysis and without the pairs that cannot answer. Also printed:
 * the most ping processes seen at once (sampled every 20 ms), and the time
 * check spends reading the lab back from the kernel (observe). Nothing is
 * asserted (the machine is shared); the target line says met or not met.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze, diagnose, islandsDesign, netnsName } from '@netcanvas/shared';
import { LabEngine, LabState } from '../src/lab/index.js';
import { createKernelPort } from '../src/lab/kernel-port.js';
import { CHECK_CONCURRENCY } from '../src/lab/lab-engine.js';

const perVlan = Number(process.argv[2] ?? 11);
const TARGET_MS = 5000;
/** As many fpings at once as check runs. */
const CONCURRENCY = CHECK_CONCURRENCY;

function run(argv: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', () => resolve(out));
  });
}

/** Ping processes (ping, fping) under this process running now (started by it or by its ping helper). */
function pingsNow(): number {
  const parent = new Map<number, number>();
  const pings: number[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      parent.set(Number(pid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      if (/^f?ping$/.test(name)) pings.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  const under = (pid: number) => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p))
      if (p === process.pid) return true;
    return false;
  };
  return pings.filter(under).length;
}

async function main() {
  const lab = `chk${perVlan}`;
  const design = islandsDesign({ name: lab, perVlan });
  const topology = diagnose(design).topology!;
  const predicted = analyze(topology);
  const n = predicted.endpoints.length;
  let answering = 0;
  for (const row of predicted.results) for (const r of row) if (r?.reachable) answering++;
  const stateDir = mkdtempSync(join(tmpdir(), 'nc-check-bench-'));
  const kernel = createKernelPort();
  const engine = new LabEngine(kernel, new LabState(stateDir));
  console.log(
    `check benchmark: ${n} endpoints, ${n * (n - 1)} pairs, ${answering} answer, ${n * (n - 1) - answering} cannot (load ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')})`,
  );
  try {
    const up = await engine.apply(design);
    if (!up.ok) throw new Error('the lab did not come up');
    // The floor: fping of the answering targets, one process per source, CONCURRENCY at once.
    const bySource = new Map<string, string[]>();
    for (const row of predicted.results)
      for (const r of row)
        if (r?.reachable) {
          const ns = netnsName(lab, r.from);
          bySource.set(ns, [...(bySource.get(ns) ?? []), r.target]);
        }
    const sources = [...bySource];
    // One warm-up of each so neither side pays the first ARP alone.
    await engine.matrix(design);
    const floors: number[] = [];
    const checks: number[] = [];
    const reads: number[] = [];
    let peak = 0;
    let mismatches = 0;
    for (let round = 0; round < 3; round++) {
      let t0 = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < sources.length) {
            const [ns, targets] = sources[next++]!;
            await run([
              'ip',
              'netns',
              'exec',
              ns,
              'fping',
              '-q',
              '-r',
              '3',
              '-t',
              '200',
              // 1 ms between addresses, as check sends them.
              '-i',
              '1',
              ...targets,
            ]);
          }
        }),
      );
      floors.push(performance.now() - t0);
      const sampler = setInterval(() => {
        peak = Math.max(peak, pingsNow());
      }, 20);
      t0 = performance.now();
      const { measured } = await engine.matrix(design);
      checks.push(performance.now() - t0);
      clearInterval(sampler);
      // Part of every check: reading the lab back from the kernel for the prediction.
      t0 = performance.now();
      await kernel.observe(lab);
      reads.push(performance.now() - t0);
      mismatches += measured.filter((m) => m.measured !== m.reachable).length;
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const check = med(checks);
    const floor = med(floors);
    console.log(
      `  check   netcanvas ${check.toFixed(0).padStart(6)} ms   floor ${floor.toFixed(0).padStart(6)} ms   ratio ${(check / floor).toFixed(2)}×   ` +
        `(${mismatches} mismatches; at most ${peak} ping processes at once)`,
    );
    console.log(
      `          of which reading the lab from the kernel (observe, for the prediction): ${med(reads).toFixed(0)} ms`,
    );
    console.log(
      `TARGET "check of 1,000 pairs, half unreachable, in under ${TARGET_MS / 1000} s": ${check < TARGET_MS ? 'MET' : 'NOT MET'} — ${n * (n - 1)} pairs in ${check.toFixed(0)} ms`,
    );
  } finally {
    await engine.destroy(lab);
    rmSync(stateDir, { recursive: true, force: true });
  }
}

await main();
