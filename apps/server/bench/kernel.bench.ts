/**
 * Lab lifecycle on the real kernel, against a floor measured in the same run.
 *
 *   pnpm --filter @netcanvas/server bench            # 50, 200 and 1000 namespaces
 *   npx tsx bench/kernel.bench.ts 50 200             # chosen sizes
 *
 * For each size: `up` (apply from nothing), a one-link change to the running
 * lab (a link set down), and `down`, through the lab engine. The floor
 * creates the same kernel objects with the fastest plain script this file
 * can write: one root `ip -batch` for the namespaces, one `sysctl` process
 * per namespace, then one `ip -n NS -batch` per namespace and stage group,
 * all namespaces at once, and one root `ip -batch` of `netns del`. Ratios
 * are printed against it; nothing is asserted (the machine is shared).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  batchLine,
  compile,
  type Design,
  diagnose,
  generateDesign,
  type Op,
} from '@netcanvas/shared';
import { LabEngine, LabState } from '../src/lab/index.js';
import { createKernelPort } from '../src/lab/kernel-port.js';

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const SIZES = sizes.length > 0 ? sizes : [50, 200, 1000];

function run(argv: string[], input?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${argv.join(' ')}: ${err.trim()}`)),
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

async function pool<T>(items: T[], limit: number, f: (t: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await f(items[next++]!);
    }),
  );
}

const netnsOf = (lab: string) =>
  readdirSync('/run/netns').filter((n) => n === `nc-${lab}` || n.startsWith(`nc-${lab}.`));

/** The floor: the plan's own commands, in the fewest processes a plain script could use. */
async function floorUp(ops: Op[]): Promise<void> {
  const root = ops.filter((o) => o.op === 'netns.add' || o.op === 'netns.nsid');
  await run(['ip', '-batch', '-'], root.map((o) => `${batchLine(o).args.join(' ')}\n`).join(''));
  const sysctl = new Map<string, string[]>();
  for (const o of ops)
    if (o.op === 'sysctl')
      sysctl.set(o.netns, [...(sysctl.get(o.netns) ?? []), `${o.key}=${o.value}`]);
  await pool([...sysctl], 8, ([ns, kv]) =>
    run(['ip', 'netns', 'exec', ns, 'sysctl', '-q', '-w', ...kv]),
  );
  // Devices first (a veth's peer end must exist before anyone enslaves it), then the rest.
  const create = new Set<Op['op']>(['bridge.add', 'veth.add', 'vxlan.add']);
  for (const group of [
    ops.filter((o) => create.has(o.op)),
    ops.filter((o) => !create.has(o.op) && !['sysctl', 'netns.add', 'netns.nsid'].includes(o.op)),
  ]) {
    const batches = new Map<string, string[]>();
    for (const o of group) {
      const line = batchLine(o);
      const k = `${line.tool}|${line.netns}`;
      batches.set(k, [...(batches.get(k) ?? []), line.args.join(' ')]);
    }
    await Promise.all(
      [...batches].map(([k, lines]) => {
        const [tool, ns] = k.split('|') as [string, string];
        return run([tool, '-n', ns, '-batch', '-'], `${lines.join('\n')}\n`);
      }),
    );
  }
}

async function floorDown(lab: string): Promise<void> {
  await run(
    ['ip', '-batch', '-'],
    netnsOf(lab)
      .map((n) => `netns del ${n}\n`)
      .join(''),
  );
}

const ms = (t0: number) => performance.now() - t0;
const fmt = (x: number) => `${x.toFixed(0).padStart(6)} ms`;

async function bench(namespaces: number) {
  const lab = `bench${namespaces}`;
  const design: Design = generateDesign({ seed: 42, namespaces, name: lab, downLinkChance: 0 });
  const checked = diagnose(design);
  if (!checked.topology) throw new Error('generated design does not resolve');
  const plan = compile(checked.topology);
  const nsCount = checked.topology.netns.length;
  const ifaces = checked.topology.interfaces.length;

  // Floor first, so the engine does not start with warm caches the floor lacked.
  let t = performance.now();
  await floorUp(plan.ops);
  const floorUpMs = ms(t);
  t = performance.now();
  await floorDown(lab);
  const floorDownMs = ms(t);
  if (netnsOf(lab).length > 0) throw new Error('floor left namespaces');

  const stateDir = mkdtempSync(join(tmpdir(), 'nc-bench-'));
  const engine = new LabEngine(createKernelPort(), new LabState(stateDir));
  try {
    t = performance.now();
    const up = await engine.apply(design);
    const upMs = ms(t);
    if (!up.ok) throw new Error(`up failed: ${up.failure?.kernelMessage}`);

    // One-link change: the first link set down, applied to the running lab.
    const changed: Design = {
      ...design,
      links: design.links.map((l, i) => (i === 0 ? { ...l, state: 'down' } : l)),
    };
    t = performance.now();
    const change = await engine.apply(changed);
    const changeMs = ms(t);
    if (!change.ok) throw new Error(`change failed: ${change.failure?.kernelMessage}`);

    t = performance.now();
    await engine.destroy(lab);
    const downMs = ms(t);
    if (netnsOf(lab).length > 0) throw new Error('down left namespaces');

    console.log(
      `\n${namespaces} namespaces requested: ${nsCount} namespaces, ${ifaces} interfaces, ${plan.ops.length} ops`,
    );
    console.log(
      `  up      netcanvas ${fmt(upMs)}   floor ${fmt(floorUpMs)}   ratio ${(upMs / floorUpMs).toFixed(2)}×  (target ≤ 1.5×)`,
    );
    console.log(`  change  netcanvas ${fmt(changeMs)}   (${change.ops.length} ops)`);
    console.log(
      `  down    netcanvas ${fmt(downMs)}   floor ${fmt(floorDownMs)}   ratio ${(downMs / floorDownMs).toFixed(2)}×`,
    );
    if (namespaces === 200) {
      console.log(
        `  targets at 200: up < 1500 ms ${upMs < 1500 ? 'met' : 'NOT met'}; down < 1000 ms ${downMs < 1000 ? 'met' : 'NOT met'}; one-link change < 100 ms ${changeMs < 100 ? 'met' : 'NOT met'}`,
      );
    }
  } finally {
    for (const n of netnsOf(lab)) await run(['ip', 'netns', 'del', n]).catch(() => {});
    rmSync(stateDir, { recursive: true, force: true });
  }
}

console.log(
  `kernel lifecycle benchmark — load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} on this machine`,
);
for (const n of SIZES) await bench(n);
process.exit(0);
