/**
 * The CLI as a user runs it. The contract that only a process can show (exit
 * codes, stdin, INIT_CWD, stdout vs stderr) runs the built CLI
 * (dist/netcanvas.js) as a real subprocess; the rest calls the same `main`
 * in-process.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PingSize } from '@netcanvas/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { main, processIo } from '../src/cli.js';
import { NETCANVAS_BIN, netcanvasArgv, SERVER_DIR } from './built-cli.js';

const work = mkdtempSync(join(tmpdir(), 'netcanvas-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `netcanvas ARGS` as pnpm runs it: cwd apps/server, INIT_CWD the user's directory. */
async function spawnCli(args: string[], input = '') {
  const child = spawn(...netcanvasArgv(...args), {
    cwd: SERVER_DIR,
    env: { PATH: process.env.PATH, INIT_CWD: work },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  child.stdin.end(input);
  const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
  return { code, stdout, stderr };
}

/** The same entry point in-process, with the user's directory set to `work`. */
async function cli(args: string[], input = '') {
  let stdout = '';
  let stderr = '';
  const io = processIo(work);
  const code = await main(args, {
    ...io,
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    readInput: (file) => (file === '-' ? Promise.resolve(input) : io.readInput(file)),
  });
  return { code, stdout, stderr };
}

function file(name: string, text: string): string {
  writeFileSync(join(work, name), text);
  return name;
}

const BROKEN = `apiVersion: netcanvas/v1
name: broken
nodes:
  vlan10: { kind: vlan, vid: 10, subnet: 10.0.10.0/24 }
  vlan20: { kind: vlan, vid: 10, subnet: 10.0.20.0/24 }
  r1: { kind: router }
links:
  - endpoints: [r1, vlan10]
  - endpoints: [r1, vlan20]
`;

const HEX_VNI = `apiVersion: netcanvas/v1
name: hex
nodes:
  pub: { kind: switch, subnet: 203.0.113.0/24 }
  tun: { kind: vxlan, vni: 0x10, underlay: pub, subnet: 172.16.0.0/29 }
`;

describe('netcanvas as a process', () => {
  it("the package's bin is the built CLI, and it runs by itself on plain Node", async () => {
    const pkg = JSON.parse(readFileSync(join(SERVER_DIR, 'package.json'), 'utf8'));
    const bin = join(SERVER_DIR, pkg.bin.netcanvas);
    expect(bin).toBe(NETCANVAS_BIN);
    // Executed directly: its first line names node, no TypeScript loader is involved.
    const child = spawn(bin, ['help'], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(code).toBe(0);
    expect(out).toMatch(/^usage: netcanvas <command>/);
    expect(out).toContain('serve');
  });

  it("prints a scenario, then validates the saved file relative to the user's directory", async () => {
    const printed = await spawnCli(['scenario', 'vxlan']);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain(
      'tun:    { kind: vxlan, vni: 42, underlay: public, subnet: 172.16.42.0/29 }',
    );
    file('vxlan.yaml', printed.stdout);
    const r = await spawnCli(['validate', 'vxlan.yaml']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('vxlan.yaml: valid (0 errors, 0 warnings)\n');
    expect(r.code).toBe(0);
  });

  it('validate: one line per problem, exit 1', async () => {
    file('broken.yaml', BROKEN);
    const r = await spawnCli(['validate', 'broken.yaml']);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')).toContainEqual(
      expect.stringMatching(
        /^error {2}vlan10,vlan20 {2}duplicate-vid {2}5:30 {2}vlan10 and vlan20 both use VLAN id 10/,
      ),
    );
    expect(r.stderr).toContain('broken.yaml: invalid (1 error');
  });

  it('validate - reads stdin and refuses 0x10 as a VNI', async () => {
    const r = await spawnCli(['validate', '-'], HEX_VNI);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^error {2}tun {2}non-canonical-number {2}5:28 {2}/m);
  });

  it('plan --format sh writes only the script on stdout', async () => {
    file('iv.yaml', (await cli(['scenario', 'inter-vlan'])).stdout);
    const sh = await spawnCli(['plan', 'iv.yaml', '--format', 'sh']);
    expect(sh.code).toBe(0);
    expect(sh.stdout.startsWith('#!/usr/bin/env bash\n')).toBe(true);
    expect(sh.stdout).toContain('nc-inter-vlan.r1');
  });

  it('an unknown command prints usage on stderr and exits 2', async () => {
    const r = await spawnCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('unknown command "frobnicate"');
    expect(r.stderr).toContain('usage: netcanvas <command>');
  });
});

describe('netcanvas commands', () => {
  it('lists the scenarios as a table', async () => {
    const r = await cli(['scenarios']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+TITLE\s+TEACHES$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual([
      'same-vlan',
      'inter-vlan',
      'vxlan',
    ]);
  });

  it('lists the scenarios as JSON with --json', async () => {
    const r = await cli(['scenarios', '--json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { name: string; tryThis: string[] }[];
    expect(list.map((s) => s.name)).toEqual(['same-vlan', 'inter-vlan', 'vxlan']);
    expect(list[2]!.tryThis.join(' ')).toContain('r2--public');
  });

  it('scenario --json carries the lesson with the YAML', async () => {
    const r = await cli(['scenario', 'same-vlan', '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as { yaml: string; teaches: string };
    expect(s.yaml).toContain('name: same-vlan');
    expect(s.teaches.split('\n')).toHaveLength(2);
  });

  it('refuses an unknown scenario with the names it knows', async () => {
    const r = await cli(['scenario', 'bgp']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('same-vlan, inter-vlan, vxlan');
  });

  it('validate --json gives the diagnostics to machines', async () => {
    file('broken.yaml', BROKEN);
    const r = await cli(['validate', 'broken.yaml', '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { ok: boolean; diagnostics: unknown[] };
    expect(out.ok).toBe(false);
    expect(out.diagnostics).toContainEqual(
      expect.objectContaining({ code: 'duplicate-vid', elements: ['vlan10', 'vlan20'], line: 5 }),
    );
  });

  it('validate passes on warnings only', async () => {
    file(
      'warn.yaml',
      `apiVersion: netcanvas/v1\nname: warn\nnodes:\n  r1: { kind: router }\nlayout:\n  ghost: { x: 1, y: 2 }\n`,
    );
    const r = await cli(['validate', 'warn.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^warning {2}ghost {2}layout-dangling {2}6:3 {2}/m);
  });

  it('validate names a missing file and where it looked', async () => {
    const r = await cli(['validate', 'nope.yaml']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`nope.yaml: no such file (looked in ${work})`);
  });

  it('plan prints text, the teardown script and JSON', async () => {
    file('iv.yaml', (await cli(['scenario', 'inter-vlan'])).stdout);
    const text = await cli(['plan', 'iv.yaml']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('ip netns add nc-inter-vlan');

    const teardown = await cli(['plan', 'iv.yaml', '--format', 'sh', '--teardown']);
    expect(teardown.code).toBe(0);
    expect(teardown.stdout).toContain('netns del');
    expect(teardown.stdout).not.toContain('link add');

    const json = await cli(['plan', 'iv.yaml', '--json']);
    const out = JSON.parse(json.stdout) as {
      ok: boolean;
      plan: { lab: string; ops: { op: string }[] };
    };
    expect(out.ok).toBe(true);
    expect(out.plan.lab).toBe('inter-vlan');
    expect(out.plan.ops[0]!.op).toBe('netns.add');
  });

  it('plan - --against-running reads stdin once and plans the whole lab when none runs', async () => {
    const yaml = `apiVersion: netcanvas/v1
name: nc-stdin-once
nodes:
  a: { kind: namespace }
`;
    let reads = 0;
    let stdout = '';
    let stderr = '';
    const io = processIo(work);
    const code = await main(['plan', '-', '--against-running', '--json'], {
      ...io,
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      // stdin: the second read finds it already consumed.
      readInput: (f) => (f === '-' ? Promise.resolve(reads++ === 0 ? yaml : '') : io.readInput(f)),
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(reads).toBe(1);
    const out = JSON.parse(stdout) as { ok: boolean; ops: { op: string }[] };
    expect(out.ok).toBe(true);
    expect(out.ops[0]!.op).toBe('netns.add');
  });

  it('plan refuses a design with errors and prints them instead', async () => {
    file('broken.yaml', BROKEN);
    const r = await cli(['plan', 'broken.yaml', '--format', 'sh']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('duplicate-vid');
  });

  it('bad flags and arguments print the command usage on stderr and exit 2', async () => {
    for (const [args, says] of [
      [['validate', 'x.yaml', '--strict'], "Unknown option '--strict'"],
      [['validate'], 'missing argument'],
      [['validate', 'a.yaml', 'b.yaml'], 'unexpected argument "b.yaml"'],
      [['plan', 'x.yaml', '--format', 'pdf'], 'unknown format "pdf"'],
      [['plan', 'x.yaml', '--teardown'], '--teardown goes with --format sh'],
      [['scenarios', 'extra'], 'unexpected argument'],
    ] as const) {
      const r = await cli([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(says);
      expect(r.stderr).toContain(`usage: netcanvas ${args[0]}`);
    }
    expect((await cli([])).code).toBe(2);
  });

  it('check --size refuses a bad size with the words the server and the dashboard use', async () => {
    // The dashboard's Size field and the server's ping/Measure bodies say these (the core's PingSize).
    const whole = 'a ping size is a whole number of bytes from 0 to 65507';
    const most = "a ping size is at most 65507 bytes (one IPv4 packet's payload)";
    for (const [size, says] of [
      ['70000', most],
      ['65508', most],
      ['-1', whole],
      ['1.5', whole],
      ['0x10', whole],
      ['abc', whole],
      ['', whole],
    ] as const) {
      const r = await cli(['check', 'some-lab', `--size=${size}`]);
      expect(r.code, size).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr, size).toContain(`--size: ${says} (not "${size}")`);
    }
    // The same words as the one schema the server and the dashboard check with.
    expect(PingSize.safeParse(70000).error?.issues[0]?.message).toBe(most);
    expect(PingSize.safeParse(-1).error?.issues[0]?.message).toBe(whole);
    expect(PingSize.safeParse('1.5').error?.issues[0]?.message).toBe(whole);
  });

  it('help lists every command and explains one', async () => {
    const all = await cli(['help']);
    expect(all.code).toBe(0);
    for (const name of ['validate', 'plan', 'scenarios', 'scenario', 'help'])
      expect(all.stdout).toMatch(new RegExp(`^  ${name}\\s`, 'm'));
    const one = await cli(['help', 'plan']);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('--teardown');
    expect((await cli(['plan', '--help'])).stdout).toContain('--teardown');
    const json = await cli(['help', '--json']);
    expect((JSON.parse(json.stdout) as { name: string }[]).map((c) => c.name)).toContain(
      'validate',
    );
    expect((await cli(['help', 'nope'])).code).toBe(2);
  });
});
