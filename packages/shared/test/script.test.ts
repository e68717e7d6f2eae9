import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/compile/compile.js';
import { render } from '../src/compile/render.js';
import { commandLine, renderScript, renderText, shellQuote } from '../src/compile/script.js';
import type { Plan } from '../src/model.js';
import { resolve } from '../src/resolve/resolve.js';
import { hostTopology, vxlanTopology } from './compile-fixtures.js';
import { scenarioDesigns } from './helpers/designs.js';

/** bash -n: parse without running. */
function bashSyntaxOk(script: string): void {
  execFileSync('bash', ['-n'], { input: script });
}

/** The commands of a script: every line that is not a comment, blank, or part of the preamble/epilogue. */
function commandsOf(script: string): string[] {
  return script.split('\n').filter((l) => /^(ip|bridge) /.test(l));
}

describe('shellQuote', () => {
  it('leaves plain words bare and survives bash word splitting for anything else', () => {
    expect(shellQuote('nc-lab.r1')).toBe('nc-lab.r1');
    expect(shellQuote('net.ipv4.ip_forward=1')).toBe('net.ipv4.ip_forward=1');
    expect(shellQuote('00:00:00:00:00:00')).toBe('00:00:00:00:00:00');
    const nasty = ["it's", 'a b', '$(reboot)', '`id`', '*', '', '"q"', 'x;y', 'new\nline', '\\'];
    const out = execFileSync('bash', [
      '-c',
      `printf '%s\\0' ${nasty.map(shellQuote).join(' ')}`,
    ]).toString();
    expect(out.split('\0').slice(0, -1)).toEqual(nasty);
  });
});

describe('renderScript', () => {
  const plan = compile(vxlanTopology('lab1'));
  const script = renderScript(plan);

  it('is a strict bash script that checks for root first', () => {
    const lines = script.split('\n');
    expect(lines[0]).toBe('#!/usr/bin/env bash');
    expect(lines).toContain('set -euo pipefail');
    const rootCheck = lines.findIndex((l) => l.includes('EUID'));
    expect(rootCheck).toBeGreaterThan(0);
    expect(rootCheck).toBeLessThan(lines.findIndex((l) => l.startsWith('ip ')));
    expect(script).toMatch(/# netcanvas lab lab1: builds it in 5 network namespaces/);
    expect(script).toContain('# Tear down:    netcanvas down lab1;');
    // The by-hand teardown deletes this lab's namespaces and no other lab's.
    const pattern = /grep -E '([^']+)'\); do ip netns del "\$ns"; done/.exec(script)?.[1];
    expect(pattern).toBeDefined();
    const names = ['nc-lab1', 'nc-lab1.r1', 'nc-lab10', 'nc-lab1-x.c1', 'nc-lab', 'x-nc-lab1'].join(
      '\n',
    );
    const mine = execFileSync('grep', ['-E', pattern as string], {
      input: `${names}\n`,
    }).toString();
    expect(mine).toBe('nc-lab1\nnc-lab1.r1\n');
    bashSyntaxOk(script);
  });

  it('runs exactly the plan, in plan order, one quoted command per op', () => {
    expect(commandsOf(script)).toEqual(plan.ops.map(commandLine));
    expect(commandsOf(script)).toHaveLength(plan.ops.length);
  });

  it('explains each command with its why, under its element', () => {
    const lines = script.split('\n');
    for (const op of plan.ops) {
      const at = lines.indexOf(commandLine(op));
      expect(lines[at - 1]).toBe(`#   ${op.why}`);
      // The nearest element heading above the command.
      const heading = lines
        .slice(0, at)
        .reverse()
        .find((l) => /^# [^ ─]/.test(l) && !l.startsWith('#   '));
      expect(heading).toBe(`# ${op.source[0] ?? 'lab lab1'}`);
    }
  });

  it('keeps a hostile why inside its comment', () => {
    const evil: Plan = {
      ...plan,
      ops: [
        {
          op: 'netns.add',
          netns: 'nc-lab1',
          source: [],
          why: 'innocent\nrm -rf / #\r\ntouch /tmp/pwned',
        },
      ],
    };
    const text = renderScript(evil);
    expect(text.split('\n').filter((l) => /^(rm|touch)\b/.test(l))).toEqual([]);
    expect(text).toContain('#   innocent rm -rf / # touch /tmp/pwned');
    bashSyntaxOk(text);
  });

  it('refuses a lab name that is not a lab name', () => {
    expect(() => renderScript({ ...plan, lab: "x'; reboot; '" })).toThrow(/invalid lab name/);
    expect(() => renderText({ ...plan, lab: 'Bad Lab' })).toThrow(/invalid lab name/);
  });

  it('is the same text every time', () => {
    expect(renderScript(compile(vxlanTopology('lab1')))).toBe(script);
  });
});

describe('renderScript with teardown', () => {
  const plan = compile(hostTopology('lab2'));
  const script = renderScript(plan, { teardown: true });

  it('deletes every namespace of the lab, fabric last, tolerating ones already gone', () => {
    expect(script.split('\n')[0]).toBe('#!/usr/bin/env bash');
    expect(script).toContain('set -euo pipefail');
    expect(script).toContain('EUID');
    expect(commandsOf(script)).toEqual([
      'ip netns del nc-lab2.c3 2>/dev/null || true',
      'ip netns del nc-lab2.c4 2>/dev/null || true',
      'ip netns del nc-lab2.h1 2>/dev/null || true',
      'ip netns del nc-lab2.r1 2>/dev/null || true',
      'ip netns del nc-lab2 2>/dev/null || true',
    ]);
    // It checks its own work.
    expect(script).toContain('for ns in nc-lab2.c3 nc-lab2.c4 nc-lab2.h1 nc-lab2.r1 nc-lab2; do');
    expect(script).not.toMatch(/^ip -n/m);
    bashSyntaxOk(script);
  });
});

describe('renderText', () => {
  const plan = compile(hostTopology('lab2'));
  const text = renderText(plan);

  it('lists every command once, under its element, with its why below', () => {
    const lines = text.split('\n');
    for (const op of plan.ops) {
      const cmd = `  $ ${render(op).map(shellQuote).join(' ')}`;
      const at = lines.indexOf(cmd);
      expect(at, cmd).toBeGreaterThan(0);
      expect(lines.lastIndexOf(cmd)).toBe(at);
      expect(lines[at + 1]).toBe(`      ${op.why}`);
      const heading = lines
        .slice(0, at)
        .reverse()
        .find((l) => l !== '' && !l.startsWith(' '));
      expect(heading).toBe(op.source[0] ?? 'lab lab2');
    }
  });

  it('shows the teardown and which element owns each kernel name', () => {
    expect(text).toMatch(/\nteardown\n {2}\$ ip netns del nc-lab2\.c3\n/);
    expect(text).toMatch(/\n {2}nc-lab2\.h1\/c3 +h1\n/);
    expect(text).toMatch(/\n {2}nc-lab2\/r1-vlan10 +vlan10\n/);
    expect(text).toMatch(/\n {2}nc-lab2 +lab lab2 \(fabric\)\n/);
  });

  it('groups elements in the order the plan first needs them', () => {
    const headings = text
      .split('\n')
      .filter((l) => /^[a-z]/.test(l) && !l.startsWith('teardown') && !l.startsWith('kernel'));
    expect(headings).toEqual(['lab lab2', 'c3', 'c4', 'h1', 'r1', 'vlan10']);
  });
});

/**
 * The three lessons as the exact script a teacher exports. Read these files
 * when they change: they are the commands the kernel runs. Regenerate with
 * UPDATE_GOLDEN=1 after an intended change.
 */
describe('golden scripts of the three scenarios', () => {
  for (const [name, make] of Object.entries(scenarioDesigns)) {
    it(name, () => {
      const { topology, diagnostics } = resolve(make());
      expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const script = renderScript(compile(topology));
      const file = new URL(`./golden/${name}.sh`, import.meta.url);
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, script);
      expect(script).toBe(readFileSync(file, 'utf8'));
      bashSyntaxOk(script);
    });
  }

  it('vxlan: tunnel ends on r1 and r2 over their public addresses, flooding to each other, routes through the tunnel', () => {
    const script = readFileSync(new URL('./golden/vxlan.sh', import.meta.url), 'utf8');
    const commands = commandsOf(script);
    const grep = (re: RegExp) => commands.filter((c) => re.test(c));
    expect(grep(/type vxlan/)).toEqual([
      'ip -n nc-vxlan.r1 link add name tun type vxlan id 42 dstport 4789 local 203.0.113.1 dev public',
      'ip -n nc-vxlan.r2 link add name tun type vxlan id 42 dstport 4789 local 203.0.113.2 dev public',
    ]);
    expect(grep(/addr add 203\.0\.113\./)).toEqual([
      'ip -n nc-vxlan.r1 addr add 203.0.113.1/24 dev public',
      'ip -n nc-vxlan.r2 addr add 203.0.113.2/24 dev public',
    ]);
    expect(grep(/^bridge /)).toEqual([
      'bridge -n nc-vxlan.r1 fdb append 00:00:00:00:00:00 dev tun dst 203.0.113.2',
      'bridge -n nc-vxlan.r2 fdb append 00:00:00:00:00:00 dev tun dst 203.0.113.1',
    ]);
    expect(grep(/route add .* dev tun$/)).toEqual([
      'ip -n nc-vxlan.r1 route add 10.0.20.0/24 via 172.16.42.2 dev tun',
      'ip -n nc-vxlan.r2 route add 10.0.10.0/24 via 172.16.42.1 dev tun',
    ]);
    // The public network carries only the tunnel: no lab route crosses it.
    expect(grep(/route add .* dev public/)).toEqual([]);
  });
});
