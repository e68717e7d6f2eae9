/**
 * Live benchmark: a lab with ~2,000 interfaces (NC_BENCH_IFACES) watched at
 * 1 Hz counters for 30 s. Targets (from the issue): the server uses under 5%
 * of one core, and the p95 of kernel event → client is reported, one link
 * toggle every 500 ms and in a storm of 1,000 link toggles a second. Each number is printed
 * next to a floor measured in the same run, so the ratios hold on any
 * machine:
 *
 * - CPU: the same server process, measured for the same time with nothing
 *   subscribed (its `ip monitor` still sees the same link toggles), then
 *   with one socket client watching the lab and nothing toggled (the
 *   counters row: the 1 Hz poll and its rate messages alone), then with the
 *   client and the toggles (each toggle makes the server read the status of
 *   the namespaces its events name again, and diff them against the plan it
 *   kept: a cost of link events, not of counters). The counters row's rate
 *   messages: a lab at rest sends none (one goes when something moved).
 *   Read from /proc: the server's own time plus that of every helper it
 *   started (query workers, `ip monitor`, finished children), as % of one
 *   core. A helper that was running at the start and ended inside the
 *   window bills only its time inside it: its time at the start is
 *   subtracted from what its parent's cutime/cstime gains when it is reaped
 *   (checked with a child that burnt 1.5 s before the window and exited in
 *   it: 0.05 s billed); a grandchild whose parent exits first is lost (an
 *   undercount). The detail lines say how many ended and their time before.
 * - Latency: links are toggled with `ip -n NS link set dev X down|up`,
 *   started by this process; the clock starts when the spawn is issued. The
 *   floor is a bare LinkMonitor in this process (kernel → us); the measured
 *   path is kernel → server → WebSocket → the client's parsed message.
 *   "Down" is the event that says the interface is down; "up" is the event
 *   after which both ends are up with carrier (when the server can say so).
 * - Counters floor: the same reads the server's 1 Hz poll makes through its
 *   netlink helper (per namespace a stat of its name and a pread of its
 *   /proc/net/dev, opened inside it once), in a bare python loop at 1 Hz, as
 *   % of one core.
 * - Storm: 1,000 toggles a second for NC_BENCH_STORM_SECONDS (5) over up to
 *   200 links of one namespace, through one `ip -batch`; for each toggle the
 *   time until the bare monitor (floor) and the client show the state it
 *   asked for. A toggle overtaken by the next one of its link is not counted
 *   (a view shows the latest state only). NC_BENCH_STORMS (3) storms in a
 *   row, each printed with the load at its start; the row's ratio is their
 *   median p95 ratio, the worst printed beside it (one 5 s storm swings with
 *   whatever else the machine does meanwhile).
 *
 *   npx tsx bench/live.bench.ts          (root; NC_BENCH_SECONDS=30 by default)
 *
 * Creates one lab `nc-b<random>` under its own name, destroys it at the end
 * and checks that no namespace of it is left. Prints whether the targets
 * are met; asserts nothing.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { generateDesign, resolve, type ServerMessage } from '@netcanvas/shared';
import { WebSocket } from 'ws';
import { LinkMonitor } from '../src/kernel/monitor.js';
import { createEngine } from '../src/lab/index.js';
import { openStore } from '../src/store/store.js';

/** Interfaces in the lab (the issue: 2,000 at 1 Hz counters). */
const TARGET_IFACES = Number(process.env.NC_BENCH_IFACES ?? 2000);
/** Link events per second in the storm, and for how long. */
const STORM_RATE = 1000;
const STORM_SECONDS = Number(process.env.NC_BENCH_STORM_SECONDS ?? 5);
/** Storms in a row (each printed; the row's ratio is their median p95 ratio, the worst beside it). */
const STORMS = Math.max(1, Number(process.env.NC_BENCH_STORMS ?? 3));
const STORM_TARGET = 1.5;
const SECONDS = Number(process.env.NC_BENCH_SECONDS ?? 30);
const TOGGLE_EVERY_MS = 500;
const EVENT_TIMEOUT_MS = 5000;
const CPU_TARGET_PCT = 5;
const SETTLE_MS = 12_000;
const CLK_TCK = 100; // Linux USER_HZ; /proc times are in these ticks

const here = dirname(fileURLToPath(import.meta.url));
const lab = `b${Math.random().toString(36).slice(2, 8)}`;
const labNetns = () =>
  readdirSync('/run/netns').filter((n) => n === `nc-${lab}` || n.startsWith(`nc-${lab}.`));

// ───────────────────────────── the design ─────────────────────────────

function designWithIfaces(target: number) {
  // ~2.7 interfaces per namespace; search upward so the lab has at least `target`.
  for (let n = Math.floor(target / 3); ; n += 5) {
    const design = generateDesign({ seed: 20261128, namespaces: n, name: lab });
    const { topology } = resolve(design);
    if (topology.interfaces.length >= target) return { design, topology, namespaces: n };
  }
}

// ───────────────────────────── CPU from /proc ─────────────────────────────

interface ProcTimes {
  pid: number;
  comm: string;
  ppid: number;
  /** utime + stime + cutime + cstime, in ticks. */
  ticks: number;
  own: number;
}

function readProc(pid: number): ProcTimes | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const n = (i: number) => Number(f[i - 3]);
    const comm = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
    return { pid, comm, ppid: n(4), own: n(14) + n(15), ticks: n(14) + n(15) + n(16) + n(17) };
  } catch {
    return null;
  }
}

/** CPU ticks of a process and all its live descendants (finished ones are in cutime/cstime). */
function treeTicks(root: number): {
  total: number;
  node: number;
  helpers: number;
  pids: Map<number, ProcTimes>;
  reaped: number;
} {
  const all = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readProc(Number(d)))
    .filter((p): p is ProcTimes => p !== null);
  const children = new Map<number, ProcTimes[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const self = all.find((p) => p.pid === root);
  if (!self) throw new Error(`server process ${root} is gone`);
  let helpers = 0;
  const pids = new Map<number, ProcTimes>();
  const stack = [...(children.get(root) ?? [])];
  while (stack.length > 0) {
    const p = stack.pop()!;
    helpers += p.ticks;
    pids.set(p.pid, p);
    stack.push(...(children.get(p.pid) ?? []));
  }
  return {
    total: self.ticks + helpers,
    node: self.own,
    helpers: self.ticks - self.own + helpers,
    pids,
    reaped: self.ticks - self.own,
  };
}

async function cpuOver(pid: number, ms: number, during: () => Promise<void>) {
  const a = treeTicks(pid);
  const t0 = performance.now();
  await Promise.all([during(), sleep(ms)]);
  const b = treeTicks(pid);
  const secs = (performance.now() - t0) / 1000;
  const pct = (ticks: number) => (ticks / CLK_TCK / secs) * 100;
  // Which live helpers used the time, and how many were started meanwhile.
  const byComm = new Map<string, number>();
  let started = 0;
  let vanished = 0;
  for (const [pid, p] of a.pids) if (!b.pids.has(pid)) vanished += p.ticks;
  for (const [pid, p] of b.pids) {
    if (!a.pids.has(pid)) started += 1;
    const d = p.ticks - (a.pids.get(pid)?.ticks ?? 0);
    byComm.set(p.comm, (byComm.get(p.comm) ?? 0) + d);
  }
  const live = [...byComm]
    .sort((x, y) => y[1] - x[1])
    .map(([c, t]) => `${c} ${pct(t).toFixed(1)}%`)
    .join(', ');
  return {
    detail:
      `${b.pids.size} live helpers (${started} new) [${live}]; ` +
      `${a.pids.size - [...a.pids.keys()].filter((x) => b.pids.has(x)).length} ended, ` +
      `their time before: ${(vanished / CLK_TCK).toFixed(2)} s, reaped time grew ${((b.reaped - a.reaped) / CLK_TCK).toFixed(2)} s`,
    total: pct(b.total - a.total),
    node: pct(b.node - a.node),
    helpers: pct(b.helpers - a.helpers),
  };
}

// ───────────────────────────── helpers ─────────────────────────────

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

function request(
  port: number,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown; text: string }> {
  return fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(600_000),
  }).then(async (r) => {
    const text = await r.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: r.status, json, text };
  });
}

function startServerChild(dataDir: string, stateDir: string) {
  const child = spawn(
    process.execPath,
    [
      // NC_BENCH_PROFILE=DIR writes a V8 CPU profile of the server there when it stops.
      ...(process.env.NC_BENCH_PROFILE
        ? ['--cpu-prof', '--cpu-prof-dir', process.env.NC_BENCH_PROFILE]
        : []),
      '--import',
      'tsx',
      join(here, 'live-server.ts'),
      dataDir,
      stateDir,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], cwd: join(here, '..') },
  );
  return new Promise<{ child: ChildProcess; port: number; token: string }>((ok, fail) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (l) => {
      const { port, token } = JSON.parse(l) as { port: number; token: string };
      ok({ child, port, token });
    });
    child.once('exit', (code) => fail(new Error(`server exited with ${code} before listening`)));
  });
}

function runIp(args: string[]): Promise<void> {
  return new Promise((ok, fail) => {
    const p = spawn('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], shell: false });
    let err = '';
    p.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
    });
    p.on('error', fail);
    p.on('close', (code) =>
      code === 0 ? ok() : fail(new Error(`ip ${args.join(' ')}: ${err.trim()}`)),
    );
  });
}

// ───────────────────────────── link toggling ─────────────────────────────

interface Candidate {
  link: string;
  netns: string;
  dev: string;
  peer: { netns: string; dev: string };
}

type EndState = { up: boolean; operstate: string };
const endKey = (netns: string, dev: string) => `${netns}/${dev}`;

class Waiters<T> {
  private list: { pred: (x: T) => boolean; done: (at: number) => void }[] = [];
  wait(pred: (x: T) => boolean): Promise<number> {
    return new Promise((done) => this.list.push({ pred, done }));
  }
  feed(x: T, at: number): void {
    this.list = this.list.filter((w) => {
      if (!w.pred(x)) return true;
      w.done(at);
      return false;
    });
  }
  clear(): void {
    this.list = [];
  }
}

const within = (p: Promise<number>) =>
  Promise.race([p, sleep(EVENT_TIMEOUT_MS).then(() => Number.NaN)]);

async function toggleLinks(
  candidates: Candidate[],
  ms: number,
  monitorEvents: Waiters<{ key: string; ends: Map<string, EndState> }>,
  clientEvents: Waiters<Record<string, { state: string }>> | null,
) {
  const floor: number[] = [];
  const client: number[] = [];
  let lostFloor = 0;
  let lostClient = 0;
  const stopAt = performance.now() + ms;
  let i = 0;
  while (performance.now() + TOGGLE_EVERY_MS < stopAt) {
    const slot = performance.now();
    const c = candidates[Math.floor(i / 2) % candidates.length]!;
    const down = i % 2 === 0;
    i += 1;
    const a = endKey(c.netns, c.dev);
    const b = endKey(c.peer.netns, c.peer.dev);
    const fullyUp = (ends: Map<string, EndState>) =>
      [a, b].every((k) => ends.get(k)?.up && ends.get(k)?.operstate === 'UP');
    const mon = within(
      monitorEvents.wait(({ key, ends }) =>
        down ? key === a && !ends.get(a)!.up : (key === a || key === b) && fullyUp(ends),
      ),
    );
    const cli = clientEvents
      ? within(clientEvents.wait((links) => links[c.link]?.state === (down ? 'down' : 'up')))
      : Promise.resolve(Number.NaN);
    const t0 = performance.now();
    await runIp(['-n', c.netns, 'link', 'set', 'dev', c.dev, down ? 'down' : 'up']);
    const [tm, tc] = await Promise.all([mon, cli]);
    if (Number.isNaN(tm)) lostFloor += 1;
    if (clientEvents && Number.isNaN(tc)) lostClient += 1;
    if (!Number.isNaN(tm)) floor.push(tm - t0);
    if (!Number.isNaN(tc)) client.push(tc - t0);
    await sleep(Math.max(0, TOGGLE_EVERY_MS - (performance.now() - slot)));
  }
  // Leave every toggled link up for the next phase.
  if (i % 2 === 1) {
    const c = candidates[Math.floor((i - 1) / 2) % candidates.length]!;
    await runIp(['-n', c.netns, 'link', 'set', 'dev', c.dev, 'up']);
    await sleep(300);
  }
  monitorEvents.clear();
  clientEvents?.clear();
  return { floor, client, lostFloor, lostClient, toggles: i };
}

/**
 * The counters floor: the reads the server's 1 Hz poll makes through its netlink helper (its
 * `net_dev`: each namespace's /proc/thread-self/net/dev opened inside it once, with setns, then
 * every second a stat of /run/netns/NAME, to see the name still names that namespace, and a
 * pread of the open file, compared with the text read before), in a bare python loop at 1 Hz,
 * for `ms`. The opening (one setns each) is before the clock starts, as the helper's happens at
 * the first poll. Returns that loop's CPU as % of one core.
 */
async function countersFloor(netns: string[], ms: number) {
  const script = [
    'import ctypes, os, sys, time',
    'libc = ctypes.CDLL(None, use_errno=True)',
    "root = os.open('/proc/self/ns/net', os.O_RDONLY)",
    'names = sys.argv[2:]',
    'files = {}',
    'for name in names:',
    "    fd = os.open('/run/netns/' + name, os.O_RDONLY)",
    '    libc.setns(fd, 0x40000000)',
    "    files[name] = (os.open('/proc/thread-self/net/dev', os.O_RDONLY), os.fstat(fd).st_ino)",
    '    os.close(fd)',
    '    libc.setns(root, 0x40000000)',
    'last = {}',
    'end = time.monotonic() + float(sys.argv[1])',
    't0 = os.times()',
    'n = 0',
    'while time.monotonic() < end:',
    '    tick = time.monotonic()',
    '    for name in names:',
    '        fd, ino = files[name]',
    "        if os.stat('/run/netns/' + name).st_ino != ino: continue",
    "        text = os.pread(fd, 1 << 16, 0).decode('utf-8', 'replace')",
    '        if last.get(name) != text: last[name] = text; n += 1',
    '    time.sleep(max(0, 1 - (time.monotonic() - tick)))',
    't1 = os.times()',
    'print((t1.user - t0.user + t1.system - t0.system) / float(sys.argv[1]) * 100)',
  ].join('\n');
  const child = spawn('python3', ['-c', script, String(ms / 1000), ...netns], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  await new Promise((r) => child.once('exit', r));
  return { pct: Number(out.trim()), namespaces: netns.length };
}

/**
 * A storm: STORM_RATE link toggles a second for `seconds`, written to one `ip -batch` in the
 * namespace with the most links. For each command, the time until the bare monitor and the
 * client show that link in the state it asked for (when a later command for the same link came
 * first, the earlier one is not counted: the view only ever shows the latest state).
 */
async function storm(
  candidates: Candidate[],
  seconds: number,
  onMonitor: (f: (key: string, up: boolean, at: number) => void) => void,
  onClient: (f: (links: Record<string, { state: string }>, at: number) => void) => void,
) {
  const byNs = new Map<string, Candidate[]>();
  for (const c of candidates) byNs.set(c.netns, [...(byNs.get(c.netns) ?? []), c]);
  const [netns, links] = [...byNs].sort((a, b) => b[1].length - a[1].length)[0]!;
  const chosen = links.slice(0, 200);
  const pendingMon = new Map<string, { up: boolean; at: number }>();
  const pendingCli = new Map<string, { up: boolean; at: number }>();
  const floor: number[] = [];
  const client: number[] = [];
  const byKey = new Map(chosen.map((c) => [endKey(c.netns, c.dev), c]));
  onMonitor((key, up, at) => {
    const c = byKey.get(key);
    const p = c && pendingMon.get(c.link);
    if (p && p.up === up) {
      floor.push(at - p.at);
      pendingMon.delete(c.link);
    }
  });
  onClient((state, at) => {
    for (const [link, p] of pendingCli)
      if (state[link] && (state[link]!.state === 'up') === p.up) {
        client.push(at - p.at);
        pendingCli.delete(link);
      }
  });
  const batch = spawn('ip', ['-n', netns, '-force', '-batch', '-'], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  const isUp = new Map(chosen.map((c) => [c.link, true]));
  const t0 = performance.now();
  let sent = 0;
  while (performance.now() - t0 < seconds * 1000) {
    const due = Math.floor(((performance.now() - t0) / 1000) * STORM_RATE);
    let lines = '';
    const at = performance.now();
    for (; sent < due; sent++) {
      const c = chosen[sent % chosen.length]!;
      const up = !isUp.get(c.link);
      isUp.set(c.link, up);
      lines += `link set dev ${c.dev} ${up ? 'up' : 'down'}\n`;
      pendingMon.set(c.link, { up, at });
      pendingCli.set(c.link, { up, at });
    }
    if (lines) batch.stdin!.write(lines);
    await sleep(5);
  }
  const written = sent / ((performance.now() - t0) / 1000);
  let lines = '';
  for (const c of chosen) if (!isUp.get(c.link)) lines += `link set dev ${c.dev} up\n`;
  batch.stdin!.end(lines);
  await new Promise((r) => batch.once('exit', r));
  // How fast ip and the kernel took them: on a loaded machine, slower than they were written.
  const rate = sent / ((performance.now() - t0) / 1000);
  await sleep(EVENT_TIMEOUT_MS);
  return {
    netns,
    links: chosen.length,
    sent,
    written,
    rate,
    floor,
    client,
    lostFloor: pendingMon.size,
    lostClient: pendingCli.size,
  };
}

// ───────────────────────────── main ─────────────────────────────

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.log('live.bench: needs root (it creates a lab); skipped');
    return;
  }
  const { design, topology, namespaces } = designWithIfaces(TARGET_IFACES);
  const dataDir = mkdtempSync(join(tmpdir(), 'nc-bench-live-data-'));
  const stateDir = mkdtempSync(join(tmpdir(), 'nc-bench-live-state-'));
  const store = openStore(dataDir);
  const id = store.create(design).id;
  store.close();

  console.log(
    `live: lab ${lab}: ${namespaces} namespaces, ${topology.interfaces.length} interfaces, ` +
      `${design.links.length} links; ${SECONDS} s per phase; load ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
  );

  const server = await startServerChild(dataDir, stateDir);
  const pid = server.child.pid!;
  const endsSeen = new Map<string, EndState>();
  let stormMonitor: ((key: string, up: boolean, at: number) => void) | null = null;
  let stormClient: ((links: Record<string, { state: string }>, at: number) => void) | null = null;
  const monitorEvents = new Waiters<{ key: string; ends: Map<string, EndState> }>();
  const monitor = new LinkMonitor({
    filter: (ns) => ns === `nc-${lab}` || ns.startsWith(`nc-${lab}.`),
    onEvent: (e) => {
      const at = performance.now();
      const key = endKey(e.netns, e.ifname);
      endsSeen.set(key, { up: e.up && !e.deleted, operstate: e.operstate });
      monitorEvents.feed({ key, ends: endsSeen }, at);
      stormMonitor?.(key, e.up && !e.deleted, at);
    },
  });
  let ws: WebSocket | null = null;
  try {
    let t = performance.now();
    const applied = await request(server.port, server.token, 'POST', `/api/labs/${id}/apply`, {});
    if (applied.status !== 200 || !(applied.json as { ok?: boolean })?.ok)
      throw new Error(`apply failed (${applied.status}): ${applied.text.slice(0, 500)}`);
    console.log(`live: applied in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    await monitor.start();

    // Veth links (both ends in the lab) that the design wants up.
    const candidates: Candidate[] = topology.interfaces
      .filter((i) => i.kind === 'veth' && i.link && i.peer && i.up !== false)
      .map((i) => ({
        link: i.link!,
        netns: i.netns,
        dev: i.name,
        peer: { netns: i.peer!.netns, dev: i.peer!.name },
      }));
    const seededEnds = (cands: Candidate[]) => {
      for (const c of cands) {
        endsSeen.set(endKey(c.netns, c.dev), { up: true, operstate: 'UP' });
        endsSeen.set(endKey(c.peer.netns, c.peer.dev), { up: true, operstate: 'UP' });
      }
    };

    // Phase 1: the floor. Same server, nothing subscribed, same toggles.
    // Steady state: the apply's workers idle out (10 s) first, or their exit would be billed here.
    await sleep(SETTLE_MS);
    let chosen = candidates.slice(0, 20);
    seededEnds(chosen);
    const idle = await cpuOver(pid, SECONDS * 1000, async () => {
      await toggleLinks(chosen, SECONDS * 1000, monitorEvents, null);
    });

    // Phase 2: one client watches the lab.
    ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    const clientEvents = new Waiters<Record<string, { state: string }>>();
    let snapshot: ServerMessage | null = null;
    let rateMessages = 0;
    /** Every link's latest state the client was told, from the snapshot and the deltas after it. */
    const linksSeen: Record<string, { state: string }> = {};
    ws.on('message', (data) => {
      const at = performance.now();
      const m = JSON.parse(data.toString()) as ServerMessage;
      if (m.type === 'snapshot') {
        snapshot = m;
        Object.assign(linksSeen, m.lab?.links ?? {});
      }
      if (m.type === 'delta' && m.event.kind === 'links') Object.assign(linksSeen, m.event.links);
      if (m.type === 'delta' && m.event.kind === 'links') {
        clientEvents.feed(m.event.links, at);
        stormClient?.(m.event.links, at);
      }
      if (m.type === 'delta' && m.event.kind === 'rates') rateMessages += 1;
    });
    await new Promise<void>((ok, fail) => {
      ws!.once('open', () => ok());
      ws!.once('error', fail);
    });
    t = performance.now();
    ws.send(JSON.stringify({ type: 'subscribe', topic: { lab } }));
    while (!snapshot && performance.now() - t < 240_000) await sleep(20);
    if (!snapshot) throw new Error('no snapshot within 240 s');
    const snap = snapshot as ServerMessage;
    const liveLinks = snap.type === 'snapshot' ? (snap.lab?.links ?? {}) : {};
    console.log(
      `live: first snapshot after ${(performance.now() - t).toFixed(0)} ms, ` +
        `${Object.keys(liveLinks).length} links`,
    );
    // On a loaded machine the first snapshot may come before the lab's status is read: wait for
    // the links to be reported up.
    const upNow = () => candidates.filter((c) => linksSeen[c.link]?.state === 'up');
    while (upNow().length < 20 && performance.now() - t < 120_000) await sleep(100);
    chosen = upNow().slice(0, 20);
    if (chosen.length === 0)
      throw new Error('no link is up in the snapshot or the deltas after it');
    seededEnds(chosen);
    // Steady state again: the snapshot's one-off status read (workers per namespace) idles out.
    await sleep(SETTLE_MS);
    // The counters row: one client on the lab, nothing toggled, so all the server does is its
    // 1 Hz counters poll and the rate messages. (Each toggle below makes the server read the
    // status of the toggled namespaces again: a cost of link events, billed to the toggle phase,
    // not to counters.)
    const ratesBefore = rateMessages;
    const counting = await cpuOver(pid, SECONDS * 1000, async () => {});
    const countingRates = rateMessages - ratesBefore;
    let lat = {
      floor: [] as number[],
      client: [] as number[],
      lostFloor: 0,
      lostClient: 0,
      toggles: 0,
    };
    const busy = await cpuOver(pid, SECONDS * 1000, async () => {
      lat = await toggleLinks(chosen, SECONDS * 1000, monitorEvents, clientEvents);
    });

    // The counters floor: the same reads, in a bare loop.
    const bare = await countersFloor(labNetns(), SECONDS * 1000);
    // The storms, with the client still watching: one storm's p95 swings with whatever else the
    // machine does in those 5 s, so several in a row, each printed, the median ratio the row's.
    const storms: (Awaited<ReturnType<typeof storm>> & { load: number[] })[] = [];
    // What the server and its helpers spend while the storms last (and their status reads after).
    const stormCpu = await cpuOver(pid, 0, async () => {
      for (let i = 0; i < STORMS; i++) {
        const load = loadavg();
        const st = await storm(
          candidates,
          STORM_SECONDS,
          (f) => {
            stormMonitor = f;
          },
          (f) => {
            stormClient = f;
          },
        );
        storms.push({ ...st, load });
      }
    });
    stormMonitor = null;
    stormClient = null;

    const f = (x: number) => x.toFixed(1);
    const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
    console.log('');
    console.log(`CPU (% of one core, server + its ip helpers)   node only   helpers`);
    console.log(
      `  idle, nothing subscribed  ${f(idle.total).padStart(6)} %          ${f(idle.node).padStart(5)} %   ${f(idle.helpers).padStart(5)} %`,
    );
    console.log(
      `  one client on the lab     ${f(busy.total).padStart(6)} %          ${f(busy.node).padStart(5)} %   ${f(busy.helpers).padStart(5)} %`,
    );
    console.log(
      `  ratio to idle             ${ratio(busy.total, idle.total).padStart(8)}; added by watching: ${f(busy.total - idle.total)} %; ${rateMessages} rate messages`,
    );
    console.log(
      `  one client, no toggles    ${f(counting.total).padStart(6)} %          ${f(counting.node).padStart(5)} %   ${f(counting.helpers).padStart(5)} %   (the counters row; ${countingRates} rate messages)`,
    );
    const p = (xs: number[], q: number) => f(percentile(xs, q));
    console.log(`  idle: ${idle.detail}`);
    console.log(`  counters: ${counting.detail}`);
    console.log(`  busy: ${busy.detail}`);
    console.log(
      `Latency kernel event → (ms), ${lat.toggles} toggles of ${chosen.length} links, not seen within ${EVENT_TIMEOUT_MS} ms: ${lat.lostFloor} by the monitor, ${lat.lostClient} by the client`,
    );
    console.log(`                          p50      p95      max`);
    console.log(
      `  bare LinkMonitor     ${p(lat.floor, 50).padStart(7)}  ${p(lat.floor, 95).padStart(7)}  ${p(lat.floor, 100).padStart(7)}`,
    );
    console.log(
      `  WebSocket client     ${p(lat.client, 50).padStart(7)}  ${p(lat.client, 95).padStart(7)}  ${p(lat.client, 100).padStart(7)}`,
    );
    console.log(
      `  ratio                ${ratio(percentile(lat.client, 50), percentile(lat.floor, 50)).padStart(7)}  ${ratio(percentile(lat.client, 95), percentile(lat.floor, 95)).padStart(7)}`,
    );
    console.log(
      `Counters at 1 Hz, ${topology.interfaces.length} interfaces: one client on the lab, no link toggled, ${f(counting.total)} % of a core; ` +
        `floor (the same stat + pread of /proc/net/dev of ${bare.namespaces} namespaces in a bare python loop) ${f(bare.pct)} %; ` +
        `ratio ${ratio(counting.total, bare.pct)}; target < ${CPU_TARGET_PCT} %`,
    );
    const stormRatios: number[] = [];
    for (const [i, st] of storms.entries()) {
      stormRatios.push(percentile(st.client, 95) / percentile(st.floor, 95));
      console.log(
        `Storm ${i + 1}/${storms.length} (load ${st.load.map((x) => x.toFixed(1)).join(' ')}): ${st.sent} link toggles written in ${STORM_SECONDS} s (${st.written.toFixed(0)}/s; ip applied ${st.rate.toFixed(0)}/s) over ${st.links} links of ${st.netns}; ` +
          `latest state not shown within ${EVENT_TIMEOUT_MS} ms: ${st.lostFloor} by the monitor, ${st.lostClient} by the client`,
      );
      console.log(`                          p50      p95      max   (ms, command → shown)`);
      console.log(
        `  bare LinkMonitor     ${p(st.floor, 50).padStart(7)}  ${p(st.floor, 95).padStart(7)}  ${p(st.floor, 100).padStart(7)}   (${st.floor.length} seen)`,
      );
      console.log(
        `  WebSocket client     ${p(st.client, 50).padStart(7)}  ${p(st.client, 95).padStart(7)}  ${p(st.client, 100).padStart(7)}   (${st.client.length} seen)`,
      );
      console.log(
        `  ratio                ${ratio(percentile(st.client, 50), percentile(st.floor, 50)).padStart(7)}  ${ratio(percentile(st.client, 95), percentile(st.floor, 95)).padStart(7)}`,
      );
    }
    console.log(
      `  CPU while the storms ran (with ${EVENT_TIMEOUT_MS / 1000} s after each): ${f(stormCpu.total)} % of a core (node ${f(stormCpu.node)} %, helpers ${f(stormCpu.helpers)} %): ${stormCpu.detail}`,
    );
    const sortedRatios = [...stormRatios].sort((x, y) => x - y);
    const medianRatio = sortedRatios[Math.floor((sortedRatios.length - 1) / 2)]!;
    const worstRatio = sortedRatios[sortedRatios.length - 1]!;
    console.log(
      `TARGET kernel event → client under ${STORM_RATE} link events/s, p95 ≤ ${STORM_TARGET}× the bare monitor's: ${medianRatio <= STORM_TARGET ? 'MET' : 'NOT MET'} (median of ${storms.length} storms ${medianRatio.toFixed(2)}×, worst ${worstRatio.toFixed(2)}×; each: ${stormRatios.map((r) => `${r.toFixed(2)}×`).join(' ')})`,
    );
    const cpuOk = counting.total < CPU_TARGET_PCT;
    console.log(
      `TARGET live counters at 1 Hz, ${topology.interfaces.length} interfaces, CPU < ${CPU_TARGET_PCT}% of one core: ${cpuOk ? 'MET' : 'NOT MET'} (${f(counting.total)} %, node alone ${f(counting.node)} %, floor ${f(bare.pct)} %)`,
    );
    console.log(
      `p95 kernel event → client: ${p(lat.client, 95)} ms (bare monitor ${p(lat.floor, 95)} ms)`,
    );
    console.log(
      `load after: ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    ws?.close();
    await monitor.close();
    const destroyed = await request(
      server.port,
      server.token,
      'POST',
      `/api/labs/${id}/destroy`,
      {},
    ).catch((e: unknown) => ({ status: 0, text: String(e) }));
    if (destroyed.status !== 200) {
      console.log(`live: destroy through the server failed (${destroyed.text}); destroying here`);
      await createEngine({ stateDir }).destroy(lab);
    }
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
    const left = labNetns();
    console.log(
      left.length === 0
        ? `live: lab ${lab} destroyed, no namespace left`
        : `live: NAMESPACES LEFT: ${left.join(' ')}`,
    );
    if (left.length > 0) process.exitCode = 1;
  }
}

await main();
