/**
 * Where an apply's time goes: `up` of a generated lab, a one-link change with route moves and
 * `down` through the lab engine on the netlink helper, each call of the kernel port timed (the
 * rest of an apply is node's own work: resolve, compile, diff), and the helper's own time per op
 * kind. For profiling, not a benchmark (bench/kernel.bench.ts prints the rows against floors):
 *
 *   /work/tools/iso npx tsx bench/apply-phases.ts [namespaces]
 *   node --cpu-prof --import tsx bench/apply-phases.ts   # + a CPU profile of node's part
 *   NC_HELPER_PROFILE=/tmp/dir …                          # + a cProfile of each helper request
 *   CHANGE_PROFILE=/tmp/dir …                             # + a CPU profile of each change alone
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Design, generateDesign } from '@netcanvas/shared';
import { NetlinkEngine } from '../src/kernel/netlink.js';
import { LabEngine, LabState } from '../src/lab/index.js';
import { createKernelPort } from '../src/lab/kernel-port.js';
import type { EngineKernel } from '../src/lab/lab-engine.js';

const namespaces = Number(process.argv[2] ?? 200);
const lab = `phase${namespaces}`;
const design: Design = process.env.ELEMENTS
  ? generateDesign({
      seed: 2026,
      elements: Number(process.env.ELEMENTS),
      name: lab,
      downLinkChance: 0,
    })
  : generateDesign({ seed: 42, namespaces, name: lab, downLinkChance: 0 });
const changeAt = Number(process.env.CHANGE_AT ?? 0);

const spent = new Map<string, number>();
const calls: { k: string; at: number; ms: number; n?: number }[] = [];
let phaseStart = 0;
function timed<T extends object>(name: string, o: T): T {
  return new Proxy(o, {
    get(target, key, recv) {
      const v = Reflect.get(target, key, recv);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        const t0 = performance.now();
        const out = v.apply(target, args);
        const add = () => {
          const k = `${name}.${String(key)}`;
          spent.set(k, (spent.get(k) ?? 0) + performance.now() - t0);
          const a0 = args[0];
          const n = Array.isArray(a0)
            ? a0.length
            : Array.isArray(args[1])
              ? (args[1] as []).length
              : undefined;
          calls.push({
            k,
            at: t0 - phaseStart,
            ms: performance.now() - t0,
            ...(n !== undefined ? { n } : {}),
          });
        };
        if (out instanceof Promise) return out.finally(add);
        add();
        return out;
      };
    },
  });
}

const netlink = new NetlinkEngine();
const kernel = timed('port', createKernelPort(undefined, { netlink })) as EngineKernel;
const stateDir = mkdtempSync(join(tmpdir(), 'nc-phases-'));
const engine = new LabEngine(kernel, new LabState(stateDir));

const profileDir = process.env.CHANGE_PROFILE;
const inspector = profileDir ? new Session() : null;
if (inspector) {
  inspector.connect();
  await inspector.post('Profiler.enable');
  await inspector.post('Profiler.setSamplingInterval', { interval: 100 });
}

/** CPU time of the helper processes (ns, from /proc/PID/schedstat; a process gone counts 0). */
function helperCpuNs(): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of netlink.pids()) {
    try {
      out.set(pid, Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]));
    } catch {
      out.set(pid, 0);
    }
  }
  return out;
}

async function phase(name: string, f: () => Promise<unknown>) {
  const profiled = inspector && name.startsWith('one-link');
  if (profiled) await inspector.post('Profiler.start');
  spent.clear();
  calls.length = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const helper0 = helperCpuNs();
  phaseStart = t0;
  await f();
  const total = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  let helperNs = 0;
  for (const [pid, ns] of helperCpuNs()) helperNs += ns - (helper0.get(pid) ?? 0);
  if (profiled) {
    const { profile } = await inspector.post('Profiler.stop');
    const file = join(
      profileDir!,
      `${name.replace(/\W+/g, '-')}-${calls.length}-${Date.now()}.cpuprofile`,
    );
    writeFileSync(file, JSON.stringify(profile));
  }
  const port = [...spent.values()].reduce((a, b) => a + b, 0);
  console.log(
    `\n${name}: ${total.toFixed(0)} ms (load ${loadavg()[0]!.toFixed(2)}; node's CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms, the helpers' ${(helperNs / 1e6).toFixed(0)} ms)`,
  );
  for (const [k, v] of [...spent].sort((a, b) => b[1] - a[1]))
    console.log(`  ${k.padEnd(24)} ${v.toFixed(1).padStart(8)} ms`);
  console.log(`  ${'node (the rest)'.padEnd(24)} ${(total - port).toFixed(1).padStart(8)} ms`);
  for (const c of calls)
    console.log(
      `    at ${c.at.toFixed(0).padStart(6)} ms  ${c.k}${c.n !== undefined ? `(${c.n})` : ''} ${c.ms.toFixed(1)} ms`,
    );
}

try {
  await phase('up', async () => {
    const r = await engine.apply(design);
    if (!r.ok) throw new Error(r.failure?.kernelMessage);
  });
  const changed: Design = {
    ...design,
    links: design.links.map((l, i) => (i === changeAt ? { ...l, state: 'down' } : l)),
  };
  for (let k = 1; k <= Number(process.env.CHANGES ?? 3); k++) {
    await phase(`one-link change (${k % 2 ? 'down' : 'up'})`, async () => {
      const r = await engine.apply(k % 2 ? changed : design);
      if (!r.ok) throw new Error(r.failure?.kernelMessage);
      console.log(`  ops ${r.ops.length}`);
    });
  }
  await phase('down', () => engine.destroy(lab));
} finally {
  await netlink.close();
  for (const n of readdirSync('/run/netns').filter((n) => n.startsWith(`nc-${lab}`)))
    console.log('left', n);
  rmSync(stateDir, { recursive: true, force: true });
}
process.exit(0);
