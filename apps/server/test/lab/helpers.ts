/**
 * Real-kernel lab tests: every test gets its own lab name and state
 * directory, and proves at the end that no namespace of that lab is left.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Design, designFromYaml, findScenario, type StaticRoute } from '@netcanvas/shared';
import { expect } from 'vitest';
import { useEngine } from '../../src/cli/lab-commands.js';
import { main, processIo } from '../../src/cli.js';
import { observe } from '../../src/kernel/observe.js';
import { type Engine, LabEngine, LabState, type PingResult } from '../../src/lab/index.js';
import { createKernelPort } from '../../src/lab/kernel-port.js';

// Kernel tests create namespaces and ping for real: they need root and are
// never skipped, so a run without root fails here, loudly, instead of passing.
if (process.getuid?.() !== 0) {
  throw new Error('kernel tests need root: run the suite as root (sudo bash scripts/test.sh)');
}

let counter = 0;
/** A lab name unique to this test run: `t<pid base36><n>-<what>`, at most 24 characters. */
export function labName(what: string): string {
  counter++;
  return `t${process.pid.toString(36)}${counter}-${what}`.slice(0, 24).replace(/-+$/, '');
}

export function scenario(name: 'same-vlan' | 'inter-vlan' | 'vxlan', lab: string): Design {
  const sc = findScenario(name);
  if (!sc) throw new Error(`no scenario ${name}`);
  const { design, diagnostics } = designFromYaml(sc.yaml);
  if (!design) throw new Error(diagnostics.map((d) => d.message).join('; '));
  return { ...design, name: lab };
}

/** The design with router `router` computing its routes and also installing `routes`. */
export function withRoutes(design: Design, router: string, routes: StaticRoute[]): Design {
  return {
    ...design,
    nodes: { ...design.nodes, [router]: { kind: 'router', routing: 'auto', routes } },
  };
}

/** Namespaces of a lab as the kernel lists them (/run/netns), by the ownership rule. */
export function netnsOf(lab: string): string[] {
  let names: string[] = [];
  try {
    names = readdirSync('/run/netns');
  } catch {
    return [];
  }
  return names.filter((n) => n === `nc-${lab}` || n.startsWith(`nc-${lab}.`)).sort();
}

export interface TestLab {
  engine: LabEngine;
  stateDir: string;
  lab: string;
  /** Destroys the lab, checks nothing is left, removes the state directory. */
  cleanup(): Promise<void>;
}

export function testLab(what: string): TestLab {
  const lab = labName(what);
  const stateDir = mkdtempSync(join(tmpdir(), 'nc-test-state-'));
  const engine = new LabEngine(createKernelPort(), new LabState(stateDir));
  return {
    engine,
    stateDir,
    lab,
    async cleanup() {
      try {
        await engine.destroy(lab);
      } finally {
        rmSync(stateDir, { recursive: true, force: true });
      }
      expect(netnsOf(lab), `namespaces of ${lab} left behind`).toEqual([]);
    },
  };
}

/** Ifindex of every interface of a lab, by `netns/name`. */
export async function ifindexes(lab: string): Promise<Map<string, number>> {
  const observed = await observe(lab);
  return new Map(observed.interfaces.map((i) => [`${i.netns}/${i.name}`, i.ifindex]));
}

/** The CLI as a user types it (in-process, the binary's entry point), FILE arguments read from `work`. */
export function cliIn(work: string) {
  return async (...args: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await main(args, {
      ...processIo(work),
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
    });
    return { code, stdout, stderr };
  };
}

/** `cliIn(cwd)` on a given engine: a CLI command as a user types it, against that engine. */
export function runCli(engine: Engine, cwd: string, ...args: string[]) {
  useEngine(() => engine);
  return cliIn(cwd)(...args);
}

/** The pairs whose measured ping differs from the prediction, each said in one line. */
export function differences(measured: PingResult[]): string[] {
  return measured
    .filter((m) => m.measured !== m.reachable)
    .map(
      (m) =>
        `${m.from}→${m.to} (${m.target}): predicted ${m.reachable} ${m.reason ?? ''}; measured ${m.measured}`,
    );
}
