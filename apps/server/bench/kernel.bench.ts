/**
 * Lab lifecycle on the real kernel: the netlink engine (the helper, what
 * the server uses) and the batch engine (long-lived `ip -batch` workers, its
 * fallback), against a floor measured in the same run.
 *
 *   pnpm --filter @netcanvas/server bench        # 200 namespaces
 *   npx tsx bench/kernel.bench.ts 200            # one size (namespaces)
 *   BENCH_LARGE=1 npx tsx bench/kernel.bench.ts  # then the 2,000-element lab (1,124 namespaces)
 *   BENCH_LARGE=only …                           # the 2,000-element lab alone
 *   NC_BENCH_BATCH_LARGE=1 …                     # the batch engine at the large size too (minutes)
 *   NC_BENCH_ONLY=netlink …                       # the netlink rows and the change's floor alone
 *
 * For 200 namespaces, through the lab engine of each kind: `up` (apply from
 * nothing), a one-link change with route moves (a router's link set down:
 * routes over it go or move), a full observe of the running lab from a cold
 * helper, and `down`; the peak of child processes and descriptors under this
 * process during each. The floor runs the same operations as a plain script
 * with the fewest processes a script can use (one root `ip -batch` for the
 * namespaces, one `ip netns exec … sysctl` per namespace, one `ip -n NS
 * -batch` per namespace and tool, at most 64 at once; one root `ip -batch`
 * of `netns del`).
 *
 * The 2,000-element lab (about 1,125 namespaces, 44,000 operations) goes up
 * and down through a real server (bench/live-server.ts in a child process)
 * with a socket client watching it: the up and down times, the progress
 * messages the client received (at most per second and on average), how
 * long after the last kernel step the HTTP reply came, and the peak child
 * processes and descriptors of the server while it applied and destroyed.
 *
 * Ratios are printed against the floors and the issue's targets; nothing is
 * asserted (the machine is shared).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  batchLine,
  compile,
  type Design,
  diagnose,
  generateDesign,
  type Op,
  type ServerMessage,
} from '@netcanvas/shared';
import { WebSocket } from 'ws';
import { NetlinkEngine } from '../src/kernel/netlink.js';
import { Runner } from '../src/kernel/runner.js';
import { closeWorkersIn } from '../src/kernel/worker.js';
import { LabEngine, LabState } from '../src/lab/index.js';
import { createKernelPort } from '../src/lab/kernel-port.js';
import { openStore } from '../src/store/store.js';
import { type Peak, startSampler } from './proc-sampler.js';

const here = dirname(fileURLToPath(import.meta.url));
/**
 * NC_BENCH_ONLY=netlink: the netlink engine's rows and the change's floor alone (no up/down
 * floor, no batch engine, no candidates): a minute less, for A/B runs of the change row.
 */
const NETLINK_ONLY = process.env.NC_BENCH_ONLY === 'netlink';
const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const BATCH_LARGE = process.env.NC_BENCH_BATCH_LARGE === '1';
const LARGE = ['1', 'only'].includes(process.env.BENCH_LARGE ?? '') || BATCH_LARGE;
/** After a lab goes down the kernel frees its namespaces in the background; the next up waits for that. */
const SETTLE_MS = 2000;
const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));
const FLOOR_LANES = 64;

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

/** Ops as a plain script: per group, one `ip|bridge -n NS -batch -` per namespace (root: `ip -batch -`). */
async function plainBatches(group: Op[]): Promise<void> {
  const batches = new Map<string, string[]>();
  for (const o of group) {
    const line = batchLine(o);
    const k = `${line.tool}|${line.netns ?? ''}`;
    batches.set(k, [...(batches.get(k) ?? []), line.args.join(' ')]);
  }
  await pool([...batches], FLOOR_LANES, ([k, lines]) => {
    const [tool, ns] = k.split('|') as [string, string];
    return run([tool, ...(ns ? ['-n', ns] : []), '-batch', '-'], `${lines.join('\n')}\n`);
  });
}

/** Sysctls: one `ip netns exec NS sysctl -q -w k=v …` per namespace. */
async function plainSysctls(ops: Op[]): Promise<void> {
  const sysctl = new Map<string, string[]>();
  for (const o of ops)
    if (o.op === 'sysctl')
      sysctl.set(o.netns, [...(sysctl.get(o.netns) ?? []), `${o.key}=${o.value}`]);
  await pool([...sysctl], 8, ([ns, kv]) =>
    run(['ip', 'netns', 'exec', ns, 'sysctl', '-q', '-w', ...kv]),
  );
}

/** The floor of `up`: the plan's own commands, in the fewest processes a plain script could use. */
async function floorUp(ops: Op[]): Promise<void> {
  await plainBatches(ops.filter((o) => o.op === 'netns.add' || o.op === 'netns.nsid'));
  await plainSysctls(ops);
  // Devices first (a veth's peer end must exist before anyone enslaves it), then the rest.
  const create = new Set<Op['op']>(['bridge.add', 'veth.add', 'vxlan.add']);
  await plainBatches(ops.filter((o) => create.has(o.op)));
  await plainBatches(
    ops.filter((o) => !create.has(o.op) && !['sysctl', 'netns.add', 'netns.nsid'].includes(o.op)),
  );
}

/** The floor of a change: its ops stage by stage (a stage: consecutive ops of one kind), each as plain batches. */
async function floorChange(ops: Op[]): Promise<void> {
  let start = 0;
  while (start < ops.length) {
    let end = start + 1;
    while (end < ops.length && ops[end]!.op === ops[start]!.op) end++;
    const stage = ops.slice(start, end);
    if (stage[0]!.op === 'sysctl') await plainSysctls(stage);
    else await plainBatches(stage);
    start = end;
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

async function sampled<T>(f: () => Promise<T>): Promise<{ value: T; ms: number; peak: Peak }> {
  const sampler = startSampler();
  const t0 = performance.now();
  try {
    const value = await f();
    return { value, ms: ms(t0), peak: await sampler.stop() };
  } catch (err) {
    await sampler.stop();
    throw err;
  }
}

/** A link whose state change moves routes: set down, the plan's routes differ. */
function routeMovingLink(design: Design): number {
  const routesOf = (d: Design) => {
    const t = diagnose(d).topology;
    return t ? JSON.stringify(compile(t).ops.filter((o) => o.op === 'route.add')) : '';
  };
  const before = routesOf(design);
  for (let i = 0; i < Math.min(design.links.length, 60); i++) {
    const ends = design.links[i]!.endpoints.map((e) => (typeof e === 'string' ? e : e.node));
    if (!ends.some((e) => design.nodes[e]?.kind === 'router')) continue;
    const down = {
      ...design,
      links: design.links.map((l, k) => (k === i ? { ...l, state: 'down' as const } : l)),
    };
    if (routesOf(down) !== before) return i;
  }
  return 0;
}

interface Row {
  what: string;
  value: number;
  floor?: number;
  unit: 'ms' | 'count' | '/s';
  target?: { value: number; kind: 'abs' | 'floor' };
  note?: string;
}
const rows: Row[] = [];
const fmt = (v: number, unit: Row['unit']) =>
  unit === 'ms' ? `${v.toFixed(0)} ms` : unit === '/s' ? `${v.toFixed(1)}/s` : v.toFixed(0);
function printRows(title: string, list: Row[]) {
  console.log(`\n${title}`);
  for (const r of list) {
    const ratio = r.floor !== undefined && r.floor > 0 ? `${(r.value / r.floor).toFixed(2)}×` : '';
    const target = r.target
      ? `target ≤ ${fmt(r.target.value, r.unit)}: ${r.value <= r.target.value ? 'met' : 'NOT met'}`
      : '';
    console.log(
      `  ${r.what.padEnd(50)} ${fmt(r.value, r.unit).padStart(10)}   floor ${(r.floor !== undefined ? fmt(r.floor, r.unit) : '—').padStart(10)}   ${ratio.padStart(7)}   ${target}${r.note ? `  (${r.note})` : ''}`,
    );
  }
}

type Kind = 'netlink' | 'batch';

async function engineRun(kind: Kind, design: Design, changeAt: number) {
  const lab = design.name;
  const stateDir = mkdtempSync(join(tmpdir(), 'nc-bench-'));
  const netlink = new NetlinkEngine();
  const runner = new Runner();
  const port =
    kind === 'batch' ? createKernelPort(runner) : createKernelPort(undefined, { netlink });
  const engine = new LabEngine(port, new LabState(stateDir));
  try {
    const up = await sampled(() => engine.apply(design));
    if (!up.value.ok) throw new Error(`${kind} up failed: ${up.value.failure?.kernelMessage}`);
    if (kind === 'netlink' && netlink.unavailable())
      throw new Error(`the helper did not run: ${netlink.unavailable()}`);
    const changed: Design = {
      ...design,
      links: design.links.map((l, i) => (i === changeAt ? { ...l, state: 'down' } : l)),
    };
    const change = await sampled(() => engine.apply(changed));
    if (!change.value.ok) throw new Error(`change failed: ${change.value.failure?.kernelMessage}`);
    // A full reading of the running lab from a cold helper (its cache empty), as after a
    // restart; for the batch engine, from fresh query workers.
    await Promise.all([netlink.close(), closeWorkersIn(netnsOf(lab))]);
    const observe = await sampled(() => port.observe(lab));
    // `down` as in the server, whose helper is running (a cold start is in the observe row).
    if (kind === 'netlink') (await netlink.reserve())();
    const down = await sampled(() => engine.destroy(lab));
    if (netnsOf(lab).length > 0) throw new Error('down left namespaces');
    return { up, change, observe, down, changeOps: change.value.ops };
  } finally {
    await Promise.all([netlink.close(), runner.close()]);
    for (const n of netnsOf(lab)) await run(['ip', 'netns', 'del', n]).catch(() => {});
    rmSync(stateDir, { recursive: true, force: true });
  }
}

async function benchEngines(namespaces: number) {
  const lab = `bench${namespaces}`;
  const design: Design = generateDesign({ seed: 42, namespaces, name: lab, downLinkChance: 0 });
  const checked = diagnose(design);
  if (!checked.topology) throw new Error('generated design does not resolve');
  const plan = compile(checked.topology);
  const changeAt = routeMovingLink(design);

  // Floor first, so the engines do not start with warm caches the floor lacked.
  let t = performance.now();
  let floorUpMs = Number.NaN;
  let floorDownMs = Number.NaN;
  if (!NETLINK_ONLY) {
    await floorUp(plan.ops);
    floorUpMs = ms(t);
    t = performance.now();
    await floorDown(lab);
    floorDownMs = ms(t);
    if (netnsOf(lab).length > 0) throw new Error('floor left namespaces');
    await settle();
  }

  const candidates = NETLINK_ONLY ? [] : await benchCandidates(lab, plan.ops);
  await settle();
  const netlink = await engineRun('netlink', design, changeAt);
  await settle();
  const batch = NETLINK_ONLY ? null : await engineRun('batch', design, changeAt);
  await settle();

  // The change's own ops as a plain script, on the lab as it was before the change.
  const stateDir = mkdtempSync(join(tmpdir(), 'nc-bench-'));
  const engine = new LabEngine(createKernelPort(), new LabState(stateDir));
  let floorChangeMs = Number.NaN;
  try {
    if (!(await engine.apply(design)).ok) throw new Error('setup for the change floor failed');
    t = performance.now();
    await floorChange(netlink.changeOps);
    floorChangeMs = ms(t);
  } finally {
    await engine.destroy(lab);
    rmSync(stateDir, { recursive: true, force: true });
  }

  const moves = netlink.changeOps.filter((o) => o.op.startsWith('route.')).length;
  const list: Row[] = [];
  for (const [name, r] of [
    ['netlink', netlink],
    ...(batch ? [['batch', batch] as const] : []),
  ] as const) {
    list.push(
      {
        what: `up (${name})`,
        value: r.up.ms,
        floor: floorUpMs,
        unit: 'ms',
        ...(name === 'netlink' ? { target: { value: 1500, kind: 'abs' as const } } : {}),
      },
      {
        what: `one-link change, ${r.changeOps.length} ops (${moves} route ops) (${name})`,
        value: r.change.ms,
        floor: floorChangeMs,
        unit: 'ms',
        ...(name === 'netlink' ? { target: { value: 100, kind: 'abs' as const } } : {}),
      },
      { what: `observe, cold (${name})`, value: r.observe.ms, unit: 'ms' },
      {
        what: `down (${name})`,
        value: r.down.ms,
        floor: floorDownMs,
        unit: 'ms',
        ...(name === 'netlink' ? { target: { value: 500, kind: 'abs' as const } } : {}),
      },
      {
        what: `peak child processes: up / change / observe / down (${name})`,
        value: Math.max(
          r.up.peak.children,
          r.change.peak.children,
          r.observe.peak.children,
          r.down.peak.children,
        ),
        unit: 'count',
        ...(name === 'netlink' ? { target: { value: 64, kind: 'abs' as const } } : {}),
        note: `${r.up.peak.children} / ${r.change.peak.children} / ${r.observe.peak.children} / ${r.down.peak.children}`,
      },
      {
        what: `peak descriptors, this process and its children (${name})`,
        value: Math.max(r.up.peak.descriptors, r.observe.peak.descriptors, r.down.peak.descriptors),
        unit: 'count',
        note: `up ${r.up.peak.descriptors}, observe ${r.observe.peak.descriptors}, down ${r.down.peak.descriptors}`,
      },
    );
  }
  printRows(
    `${namespaces} namespaces requested: ${checked.topology.netns.length} namespaces, ${checked.topology.interfaces.length} interfaces, ${plan.ops.length} ops (floor: a plain script)`,
    list,
  );
  printRows('candidates, against what the plain script does, in this run', candidates);
  rows.push(...list, ...candidates);
}

/**
 * The pieces of `up` measured apart, each against the plain script's way of doing the same in
 * this run: making the namespaces (the helper's unshare + bind-mount in its own process, against
 * one `ip -batch` of `netns add`), and reading a lab that does not exist yet (what `up` of a new
 * lab reads before its plan: a directory listing, no helper request).
 */
async function benchCandidates(lab: string, ops: Op[]): Promise<Row[]> {
  const adds = ops.filter((o) => o.op === 'netns.add');
  const netlink = new NetlinkEngine();
  try {
    (await netlink.reserve())(); // a running helper, as in the server
    let t = performance.now();
    await plainBatches(adds);
    const floorAdd = ms(t);
    await floorDown(lab);
    await settle();
    t = performance.now();
    const made = await netlink.run(adds);
    const helperAdd = ms(t);
    if (!made.ok) throw new Error(`netns add: ${made.failed?.message}`);
    await netlink.deleteNetns(netnsOf(lab));
    await settle();
    const port = createKernelPort(undefined, { netlink });
    t = performance.now();
    const absent = await port.observe(lab);
    const absentMs = ms(t);
    if (absent.netns.length > 0) throw new Error('the lab should be absent');
    return [
      {
        what: `make ${adds.length} namespaces (helper: unshare + mount)`,
        value: helperAdd,
        floor: floorAdd,
        unit: 'ms',
        note: 'floor: one ip -batch of netns add',
      },
      { what: 'observe a lab that does not exist yet', value: absentMs, unit: 'ms' },
    ];
  } finally {
    await netlink.close();
    for (const n of netnsOf(lab)) await run(['ip', 'netns', 'del', n]).catch(() => {});
  }
}

// ───────────────────────────── the big lab, through a server ─────────────────────────────

/**
 * A POST on a connection of its own: a kept-alive one can be closed by the server (5 s idle)
 * while the status refresh after the last reply keeps its event loop busy.
 */
function request(port: number, token: string, path: string) {
  return new Promise<{ status: number; text: string }>((ok, fail) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent: false,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        timeout: 1_200_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => ok({ status: res.statusCode ?? 0, text }));
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    req.on('timeout', () => req.destroy(new Error(`${path}: no answer`)));
    req.end('{}');
  });
}

function startServerChild(dataDir: string, stateDir: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(here, 'live-server.ts'), dataDir, stateDir],
    { stdio: ['ignore', 'pipe', 'inherit'], cwd: join(here, '..') },
  );
  return new Promise<{ child: ChildProcess; port: number; token: string }>((ok, fail) => {
    createInterface({ input: child.stdout! }).once('line', (l) => {
      const { port, token } = JSON.parse(l) as { port: number; token: string };
      ok({ child, port, token });
    });
    child.once('exit', (code) => fail(new Error(`server exited with ${code} before listening`)));
  });
}

async function benchLarge() {
  const lab = 'benchbig';
  const design = generateDesign({ seed: 2026, elements: 2000, name: lab, downLinkChance: 0 });
  const checked = diagnose(design);
  if (!checked.topology) throw new Error('generated design does not resolve');
  const plan = compile(checked.topology);
  const nsCount = checked.topology.netns.length;

  // NC_BENCH_NO_FLOOR=1: the engine alone (while profiling it; the floor takes minutes).
  let floorUpMs = Number.NaN;
  let floorDownMs = Number.NaN;
  let t = performance.now();
  if (process.env.NC_BENCH_NO_FLOOR !== '1') {
    await floorUp(plan.ops);
    floorUpMs = ms(t);
    t = performance.now();
    await floorDown(lab);
    floorDownMs = ms(t);
    await settle();
  }

  const dataDir = mkdtempSync(join(tmpdir(), 'nc-bench-big-data-'));
  const stateDir = mkdtempSync(join(tmpdir(), 'nc-bench-big-state-'));
  const store = openStore(dataDir);
  const id = store.create(design).id;
  store.close();
  const server = await startServerChild(dataDir, stateDir);
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, {
    headers: { authorization: `Bearer ${server.token}` },
  });
  const progressAt: number[] = [];
  const phaseAt = new Map<string, number>();
  let doneAt = Number.NaN;
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as ServerMessage;
    if (m.type === 'delta' && m.event.kind === 'apply') {
      const at = performance.now();
      progressAt.push(at);
      if (!phaseAt.has(m.event.progress.phase)) phaseAt.set(m.event.progress.phase, at);
      if (m.event.progress.phase === 'done' || m.event.progress.phase === 'failed') doneAt = at;
    }
  });
  await new Promise<void>((ok, fail) => ws.once('open', () => ok()).once('error', fail));
  ws.send(JSON.stringify({ type: 'subscribe', topic: { lab } }));
  await new Promise((r) => setTimeout(r, 500)); // the subscribe's first snapshot
  const samplerRoot = server.child.pid!;
  try {
    const sampler = startSamplerOf(samplerRoot);
    t = performance.now();
    const up = await request(server.port, server.token, `/api/labs/${id}/apply`);
    const replyAt = performance.now();
    const upMs = replyAt - t;
    const upPeak = await sampler.stop();
    if (up.status !== 200) throw new Error(`apply failed (${up.status}): ${up.text.slice(0, 400)}`);
    const ops = (JSON.parse(up.text) as { ops: unknown[] }).ops.length;
    const seconds = upMs / 1000;
    let perSecond = 0;
    for (const a of progressAt)
      perSecond = Math.max(perSecond, progressAt.filter((b) => b >= a && b < a + 1000).length);

    // Where the time went, as the socket client saw the apply's phases.
    const phases = [...phaseAt].map(([p, at]) => `${p} ${((at - t) / 1000).toFixed(1)} s`);
    console.log(
      `\n  up: the phases began at ${phases.join(', ')}; the reply at ${(upMs / 1000).toFixed(1)} s`,
    );
    const downSampler = startSamplerOf(samplerRoot);
    t = performance.now();
    const down = await request(server.port, server.token, `/api/labs/${id}/destroy`);
    const downMs = ms(t);
    const downPeak = await downSampler.stop();
    if (down.status !== 200) throw new Error(`destroy failed (${down.status}): ${down.text}`);
    if (netnsOf(lab).length > 0) throw new Error('destroy left namespaces');

    const list: Row[] = [
      {
        what: 'up, through the server (netlink)',
        value: upMs,
        floor: floorUpMs,
        unit: 'ms',
        target: { value: 15_000, kind: 'abs' },
      },
      {
        what: 'down, through the server (netlink)',
        value: downMs,
        floor: floorDownMs,
        unit: 'ms',
        target: { value: 5000, kind: 'abs' },
      },
      {
        what: 'progress messages to a socket client, most in 1 s',
        value: perSecond,
        unit: 'count',
        target: { value: 10, kind: 'abs' },
        note: `${progressAt.length} messages in ${seconds.toFixed(1)} s for ${ops} ops: ${(progressAt.length / seconds).toFixed(1)}/s on average`,
      },
      {
        what: 'HTTP reply after the last progress message',
        value: replyAt - doneAt,
        unit: 'ms',
        note: 'the status refresh follows over the socket',
      },
      {
        what: 'peak child processes of the server: up / down',
        value: Math.max(upPeak.children, downPeak.children),
        unit: 'count',
        target: { value: 64, kind: 'abs' },
        note: `${upPeak.children} / ${downPeak.children}`,
      },
      {
        what: 'peak descriptors of the server and its children',
        value: Math.max(upPeak.descriptors, downPeak.descriptors),
        unit: 'count',
        note: `up ${upPeak.descriptors}, down ${downPeak.descriptors}`,
      },
    ];
    printRows(
      `2,000 elements: ${nsCount} namespaces, ${checked.topology.interfaces.length} interfaces, ${plan.ops.length} ops (floor: a plain script)`,
      list,
    );
    rows.push(...list);
    if (BATCH_LARGE) {
      const batch = await engineRun('batch', design, routeMovingLink(design));
      printRows('the same lab on the batch engine', [
        { what: 'up (batch)', value: batch.up.ms, floor: floorUpMs, unit: 'ms' },
        { what: 'down (batch)', value: batch.down.ms, floor: floorDownMs, unit: 'ms' },
        {
          what: 'peak child processes during up (batch)',
          value: batch.up.peak.children,
          unit: 'count',
        },
      ]);
    }
  } finally {
    ws.close();
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
    for (const n of netnsOf(lab)) await run(['ip', 'netns', 'del', n]).catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** Every 20 ms: at 2 ms the sampler's own walk of /proc took a fifth of a core from the server it watched. */
function startSamplerOf(pid: number) {
  return startSampler(20, pid);
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
console.log(
  `kernel lifecycle benchmark — load average at start ${load()} (this machine is shared)`,
);
if (process.env.BENCH_LARGE !== 'only')
  for (const n of sizes.length > 0 ? sizes : [200]) await benchEngines(n);
if (LARGE) await benchLarge();
console.log(`\nload average at end ${load()}`);
process.exit(0);
