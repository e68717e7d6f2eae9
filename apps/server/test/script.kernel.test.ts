/**
 * The exported bash script and the batch lines, run on the real kernel:
 * for each classic scenario, under a lab name of this test, build the lab,
 * ping c1 → c2, tear it down, and prove nothing of the lab remains.
 * Needs root (network namespaces); every namespace is `nc-t-sh…`.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  analyze,
  batchLine,
  compile,
  designFromYaml,
  generateDesign,
  type Op,
  type Plan,
  renderScript,
  resolve,
  scenarios,
  type Topology,
} from '@netcanvas/shared';
import { afterEach, describe, expect, it } from 'vitest';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** argv only, never a shell; optional stdin for batch workers. */
function run(argv: string[], input?: string, timeoutMs = 30_000): Promise<Result> {
  const [file, ...args] = argv;
  return new Promise((done) => {
    const child = execFile(
      file as string,
      args,
      { timeout: timeoutMs, maxBuffer: 8 << 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

function namespacesOf(lab: string): string[] {
  let names: string[];
  try {
    names = readdirSync('/run/netns');
  } catch {
    return [];
  }
  return names.filter((n) => n === `nc-${lab}` || n.startsWith(`nc-${lab}.`)).sort();
}

const labs: string[] = [];
const dirs: string[] = [];

afterEach(async () => {
  // Whatever happened in the test, nothing of its labs may survive it.
  for (const lab of labs.splice(0)) {
    for (const ns of namespacesOf(lab)) await run(['ip', 'netns', 'del', ns]);
    expect(namespacesOf(lab)).toEqual([]);
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function scenarioTopology(name: string, lab: string): Topology {
  const scenario = scenarios.find((s) => s.name === name);
  if (!scenario) throw new Error(`no scenario ${name}`);
  const { design, diagnostics } = designFromYaml(scenario.yaml);
  if (!design) throw new Error(`scenario ${name} does not parse: ${JSON.stringify(diagnostics)}`);
  const { topology, diagnostics: problems } = resolve({ ...design, name: lab });
  expect(problems.filter((d) => d.severity === 'error')).toEqual([]);
  return topology;
}

function endpoint(topology: Topology, node: string) {
  const found = topology.endpoints.find((e) => e.node === node);
  if (!found) throw new Error(`${node} is not an endpoint of ${topology.lab}`);
  return found;
}

/**
 * Wait until every interface the plan brings up is operational. A new veth's
 * carrier reaches the bridge and the qdisc through the kernel's link-watch
 * work, which may lag up to a second; a ping sent before that loses its ARP
 * request and waits a full second for the retry.
 */
async function waitOperational(plan: Plan, timeoutMs = 5000): Promise<void> {
  const wanted = plan.ops.filter(
    (o): o is Extract<Op, { op: 'link.state' }> =>
      o.op === 'link.state' && o.state === 'up' && o.dev !== 'lo',
  );
  const deadline = Date.now() + timeoutMs;
  let pending: string[] = [];
  do {
    pending = [];
    for (const ns of [...new Set(wanted.map((o) => o.netns))]) {
      const r = await run(['ip', '-n', ns, '-j', 'link', 'show']);
      const links = JSON.parse(r.stdout) as { ifname: string; operstate: string }[];
      const state = new Map(links.map((l) => [l.ifname, l.operstate]));
      for (const o of wanted.filter((w) => w.netns === ns)) {
        // vxlan devices report UNKNOWN: they have no carrier of their own.
        if (!['UP', 'UNKNOWN'].includes(state.get(o.dev) ?? 'MISSING'))
          pending.push(`${ns}/${o.dev}=${state.get(o.dev)}`);
      }
    }
    if (pending.length === 0) return;
    // Linkwatch batches carrier changes and this script-run lab has no monitor of ours: poll the state.
    await new Promise((r) => setTimeout(r, 50));
  } while (Date.now() < deadline);
  throw new Error(`interfaces not operational after ${timeoutMs} ms: ${pending.join(', ')}`);
}

async function ping(topology: Topology, from: string, to: string): Promise<Result> {
  return run([
    'ip',
    'netns',
    'exec',
    endpoint(topology, from).netns,
    'ping',
    // a packet every 200 ms until the first reply: a new veth may drop the first ARP
    '-c',
    '1',
    '-i',
    '0.2',
    '-w',
    '3',
    endpoint(topology, to).address,
  ]);
}

async function txPackets(netns: string, dev: string): Promise<number> {
  const r = await run(['ip', '-n', netns, '-j', '-s', 'link', 'show', 'dev', dev]);
  const [link] = JSON.parse(r.stdout) as { stats64: { tx: { packets: number } } }[];
  return link?.stats64.tx.packets ?? -1;
}

function uniqueLab(scenario: string): string {
  const lab = `t-sh-${scenario}-${randomBytes(2).toString('hex')}`;
  labs.push(lab);
  return lab;
}

describe('the exported bash script on the real kernel', () => {
  for (const scenario of ['same-vlan', 'inter-vlan', 'vxlan']) {
    it(`${scenario}: builds a lab where c1 pings c2, and its teardown leaves nothing`, async () => {
      const lab = uniqueLab(scenario);
      const topology = scenarioTopology(scenario, lab);
      const plan = compile(topology);
      const dir = mkdtempSync(path.join(tmpdir(), 'nc-script-'));
      dirs.push(dir);
      const build = path.join(dir, 'up.sh');
      const down = path.join(dir, 'down.sh');
      writeFileSync(build, renderScript(plan));
      writeFileSync(down, renderScript(plan, { teardown: true }));

      const up = await run(['bash', build]);
      expect(up.stderr).toBe('');
      expect(up.code).toBe(0);
      expect(up.stdout).toBe(`lab ${lab} is up\n`);
      expect(namespacesOf(lab)).toEqual(topology.netns.map((n) => n.name).sort());

      await waitOperational(plan);
      const there = await ping(topology, 'c1', 'c2');
      expect(there.stdout).toContain('1 received');
      expect(there.code).toBe(0);
      const back = await ping(topology, 'c2', 'c1');
      expect(back.code).toBe(0);

      if (scenario === 'vxlan') {
        // The reply and the request crossed the tunnel, not the public bridge.
        expect(await txPackets(`nc-${lab}.r1`, 'tun')).toBeGreaterThan(0);
        expect(await txPackets(`nc-${lab}.r2`, 'tun')).toBeGreaterThan(0);
      }

      const gone = await run(['bash', down]);
      expect(gone.code).toBe(0);
      expect(gone.stdout).toBe(`lab ${lab} is gone\n`);
      expect(namespacesOf(lab)).toEqual([]);

      // A second teardown finds nothing and still succeeds.
      expect((await run(['bash', down])).code).toBe(0);
    });
  }

  it('a failing build stops at the first error and says where', async () => {
    const lab = uniqueLab('fail');
    const plan = compile(scenarioTopology('same-vlan', lab));
    // The fabric namespace already exists: `ip netns add` must fail at once.
    expect((await run(['ip', 'netns', 'add', `nc-${lab}`])).code).toBe(0);
    const dir = mkdtempSync(path.join(tmpdir(), 'nc-script-'));
    dirs.push(dir);
    const build = path.join(dir, 'up.sh');
    writeFileSync(build, renderScript(plan));
    const r = await run(['bash', build]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/failed at line \d+: ip netns add nc-t-sh-fail-[0-9a-f]{4}\n/);
    expect(namespacesOf(lab)).toEqual([`nc-${lab}`]);
  });
});

describe('batch lines on the real kernel', () => {
  it('vxlan: the plan fed to ip/bridge batch workers gives the same working lab', async () => {
    const lab = uniqueLab('batch');
    const topology = scenarioTopology('vxlan', lab);
    const plan = compile(topology);
    // Consecutive ops for the same worker go in one batch, so plan order holds across workers.
    const runs: { tool: string; netns: string | null; lines: string[] }[] = [];
    for (const op of plan.ops) {
      const line = batchLine(op);
      const last = runs.at(-1);
      if (last && last.tool === line.tool && last.netns === line.netns)
        last.lines.push(line.args.join(' '));
      else runs.push({ tool: line.tool, netns: line.netns, lines: [line.args.join(' ')] });
    }
    for (const r of runs) {
      const argv = [r.tool, ...(r.netns ? ['-n', r.netns] : []), '-force', '-batch', '-'];
      const result = await run(argv, `${r.lines.join('\n')}\n`);
      expect(result.stderr, `${argv.join(' ')}\n${r.lines.join('\n')}`).toBe('');
      expect(result.code).toBe(0);
    }
    // The settings really landed in each namespace (`netns exec … sysctl` through the root batch worker).
    const forward = await run([
      'ip',
      'netns',
      'exec',
      `nc-${lab}.r1`,
      'sysctl',
      '-n',
      'net.ipv4.ip_forward',
    ]);
    expect(forward.stdout.trim()).toBe('1');
    const hostForward = await run([
      'ip',
      'netns',
      'exec',
      `nc-${lab}.node-a`,
      'sysctl',
      '-n',
      'net.ipv4.ip_forward',
    ]);
    expect(hostForward.stdout.trim()).toBe('0');
    const fdb = await run(['bridge', '-n', `nc-${lab}.r1`, 'fdb', 'show', 'dev', 'tun']);
    expect(fdb.stdout).toMatch(/00:00:00:00:00:00 dst 203\.0\.113\.2 self permanent/);

    await waitOperational(plan);
    expect((await ping(topology, 'c1', 'c2')).code).toBe(0);
  });
});

describe('the exported bash script for generated designs', () => {
  // Routed and bridged hosts, p2p links, static routers, VXLAN overlays and a
  // down link: the kernel must accept every command, and the lab it builds
  // must answer pings the way the analyzer predicts.
  for (const seed of [1, 2]) {
    it(`seed ${seed}: every command succeeds and sampled pings match the analyzer`, async () => {
      const lab = uniqueLab(`gen${seed}`);
      const { topology } = resolve(generateDesign({ seed, name: lab, elements: 30 }));
      const plan = compile(topology);
      const dir = mkdtempSync(path.join(tmpdir(), 'nc-script-'));
      dirs.push(dir);
      const build = path.join(dir, 'up.sh');
      const down = path.join(dir, 'down.sh');
      writeFileSync(build, renderScript(plan));
      writeFileSync(down, renderScript(plan, { teardown: true }));

      const up = await run(['bash', build], undefined, 120_000);
      expect(up.stderr).toBe('');
      expect(up.code).toBe(0);
      await waitOperational(plan);

      const sample = topology.endpoints.slice(0, 6).map((e) => e.node);
      const matrix = analyze(topology, { endpoints: sample });
      const pings: Promise<string>[] = [];
      matrix.endpoints.forEach((from, i) => {
        matrix.endpoints.forEach((to, j) => {
          if (i === j) return;
          const predicted = matrix.results[i]?.[j]?.reachable;
          const target = matrix.targets[to] as string;
          const argv = [
            'ip',
            'netns',
            'exec',
            endpoint(topology, from).netns,
            'ping',
            '-c',
            '1',
            '-i',
            '0.2',
            '-w',
            '2',
            target,
          ];
          pings.push(
            run(argv).then(
              (r) =>
                `${from} → ${to} (${target}): predicted ${predicted}, measured ${r.code === 0}`,
            ),
          );
        });
      });
      const lines = await Promise.all(pings);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.filter((l) => !/predicted (true|false), measured \1$/.test(l))).toEqual([]);

      expect((await run(['bash', down])).code).toBe(0);
      expect(namespacesOf(lab)).toEqual([]);
    }, 180_000);
  }
});
