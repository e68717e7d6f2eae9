/**
 * The CLI as a user runs it (the built dist/netcanvas.js, a process per
 * command, wall time from start to exit), beside a `node -e 0` floor
 * measured in the same run, in turns, so a machine that slows down slows
 * both.
 *
 *   pnpm --filter @netcanvas/server bench      (builds first; root: up/status/down change the kernel)
 *   npx tsx bench/cli.bench.ts [rounds=5]      (after `node build.mjs`)
 *
 * Per round: floor, help, floor, up --scenario vxlan, status, down (a lab
 * of this run's own name, removed at the end). Medians are printed with the
 * floor, the ratio and the target:
 *   help within 0.3 s of the floor; up under 2 s; status and down under 1 s.
 * Nothing is asserted: the machine is shared, and the line says MISSED.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const SERVER_DIR = join(import.meta.dirname, '..');
const BIN = join(SERVER_DIR, 'dist', 'netcanvas.js');
const rounds = Number(process.argv[2] ?? 5);
const lab = `bcli${process.pid.toString(36)}`;
const stateDir = mkdtempSync(join(tmpdir(), 'nc-bench-cli-'));

if (!existsSync(BIN)) throw new Error(`${BIN} is not built: run node build.mjs first`);
if (process.getuid?.() !== 0) throw new Error('the CLI benchmark brings a lab up: run it as root');

/** Wall seconds from spawn to exit; a failed command stops the benchmark. */
function timed(argv: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NETCANVAS_STATE_DIR: stateDir },
    });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      const s = (performance.now() - t0) / 1000;
      if (code === 0) resolve(s);
      else reject(new Error(`${argv.slice(1).join(' ')} exited ${code}: ${err.trim()}`));
    });
  });
}

const floor = () => timed([process.execPath, '-e', '0']);
const cli = (...args: string[]) => timed([process.execPath, BIN, ...args]);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

const times: Record<'floor' | 'help' | 'up' | 'status' | 'down', number[]> = {
  floor: [],
  help: [],
  up: [],
  status: [],
  down: [],
};
try {
  await cli('help'); // warm the file cache, as a second run would be
  for (let r = 0; r < rounds; r++) {
    times.floor.push(await floor());
    times.help.push(await cli('help'));
    times.floor.push(await floor());
    times.up.push(await cli('up', '--scenario', 'vxlan', '--name', lab));
    times.status.push(await cli('status', lab));
    times.down.push(await cli('down', lab));
  }
} finally {
  const left = readdirSync('/run/netns').filter(
    (n) => n === `nc-${lab}` || n.startsWith(`nc-${lab}.`),
  );
  if (left.length > 0) await cli('down', lab).catch(() => {});
  rmSync(stateDir, { recursive: true, force: true });
}

const f = median(times.floor);
const line = (name: string, target: string, met: boolean) => {
  const m = median(times[name as keyof typeof times]);
  console.log(
    `cli ${name.padEnd(7)} ${m.toFixed(3)} s   floor ${f.toFixed(3)} s   +${(m - f).toFixed(3)} s   ratio ${(m / f).toFixed(1)}×   target ${target}: ${met ? 'met' : 'MISSED'}`,
  );
};
console.log(
  `cli: ${rounds} rounds, medians; floor = node -e 0; load ${loadavg()[0]!.toFixed(1)} on this machine`,
);
line('help', 'floor + 0.3 s', median(times.help) - f <= 0.3);
line('up', '< 2 s (vxlan, 129 operations)', median(times.up) < 2);
line('status', '< 1 s', median(times.status) < 1);
line('down', '< 1 s', median(times.down) < 1);
