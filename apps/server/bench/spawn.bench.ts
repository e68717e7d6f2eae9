/**
 * What starting a long-lived process costs this process: Node's spawn (what
 * kernel/exec.ts's spawnChild uses for batch workers, `ip monitor` and
 * streamed tools) against execa 9 (what exec() uses for one-shot commands).
 * Each start is an `ip -force -batch -` worker, as the runner starts one per
 * namespace, ended at once by closing its stdin.
 *
 *   npx tsx bench/spawn.bench.ts [starts=100]
 *
 * Printed: this process's CPU per start (user + system, the cost a lab of a
 * thousand namespaces pays two thousand times) and wall time, medians of 4
 * rounds taken in turns, and their ratio. The reason spawnChild stays raw
 * is this line (docs/architecture.md, "The kernel layer").
 */
import { spawn } from 'node:child_process';
import { execa } from 'execa';

const N = Number(process.argv[2] ?? 100);
const ROUNDS = 4;

async function viaSpawn(): Promise<void> {
  const c = spawn('ip', ['-force', '-batch', '-'], { stdio: ['pipe', 'ignore', 'ignore'] });
  await new Promise((r) => c.once('spawn', r));
  c.stdin!.end();
  await new Promise((r) => c.once('close', r));
}

async function viaExeca(): Promise<void> {
  const c = execa('ip', ['-force', '-batch', '-'], {
    stdin: 'pipe',
    stdout: 'ignore',
    stderr: 'ignore',
    reject: false,
    buffer: false,
  });
  c.stdin!.end();
  await c;
}

async function measure(start: () => Promise<void>): Promise<{ cpu: number; wall: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await start();
  const cpu = process.cpuUsage(cpu0);
  return { cpu: (cpu.user + cpu.system) / 1000 / N, wall: (performance.now() - t0) / N };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const raw: { cpu: number; wall: number }[] = [];
const ex: { cpu: number; wall: number }[] = [];
for (let r = 0; r < ROUNDS; r++) {
  raw.push(await measure(viaSpawn));
  ex.push(await measure(viaExeca));
}
const rc = median(raw.map((m) => m.cpu));
const ec = median(ex.map((m) => m.cpu));
const rw = median(raw.map((m) => m.wall));
const ew = median(ex.map((m) => m.wall));
console.log(
  `spawn     ${N} worker starts × ${ROUNDS}: spawn ${rc.toFixed(2)} ms CPU (${rw.toFixed(1)} ms wall), ` +
    `execa ${ec.toFixed(2)} ms CPU (${ew.toFixed(1)} ms wall) per start; execa/spawn CPU ${(ec / rc).toFixed(2)}×`,
);
