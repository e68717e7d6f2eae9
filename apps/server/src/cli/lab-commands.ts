/**
 * Commands that touch the kernel: up, down, status, check, caps. They go
 * through the lab engine (apps/server/src/lab), never around it.
 */

import { dirname } from 'node:path';
import {
  type Design,
  type Diagnostic,
  designFromYaml,
  findScenario,
  LAB_NAME_RE,
  PingSize,
} from '@netcanvas/shared';
import type { AuditEntry } from '../lab/audit.js';
import type { ApplyProgress, Engine, PingResult } from '../lab/engine.js';
import { describeOwner, type LabOwner } from '../lab/state.js';
import { parseCommandArgs } from './args.js';
import { hasErrors, loadDesignFile } from './design-input.js';
import { formatDiagnostic, json } from './format.js';
import { type CliIo, type Command, UsageError } from './types.js';

let engineFactory: (() => Engine) | null = null;
/**
 * The engine commands use: the real one unless a test chose another. The
 * lab and kernel layers load here, when a command first needs them, so
 * `help` and the file commands never pay for them.
 */
export async function currentEngine(): Promise<Engine> {
  if (engineFactory) return engineFactory();
  const { createEngine } = await import('../lab/index.js');
  // The netlink helper only for big labs: a python start costs more than a small lab.
  return createEngine({ kernelHelper: 'large-labs' });
}
/** Tests may run commands in-process against an engine with its own state directory. */
export function useEngine(factory: () => Engine): void {
  engineFactory = factory;
}

/** One audit line for a kernel change made from the command line (same file as the server's). */
async function auditCli(
  engine: Engine,
  entry: Omit<AuditEntry, 'client'> & Record<string, unknown>,
): Promise<void> {
  const [{ openAuditLog }, { LabEngine }] = await Promise.all([
    import('../lab/audit.js'),
    import('../lab/index.js'),
  ]);
  const log = openAuditLog(engine instanceof LabEngine ? dirname(engine.state.dir) : undefined);
  try {
    log.record({ ...entry, client: 'cli' });
  } finally {
    log.close();
  }
}

function requireRoot(io: CliIo): boolean {
  if (process.getuid?.() === 0) return true;
  io.stderr('netcanvas: labs are kernel namespaces; run this as root\n');
  return false;
}

/** Progress on stderr: one line per phase, and the op count while running. */
function progressPrinter(io: CliIo) {
  let lastPhase = '';
  let lastTenth = -1;
  return (p: ApplyProgress) => {
    if (p.phase === 'run') {
      const tenth = p.total ? Math.floor((p.done / p.total) * 10) : 0;
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        io.stderr(`  run ${p.done}/${p.total}\n`);
      }
      return;
    }
    if (p.phase !== lastPhase) {
      lastPhase = p.phase;
      io.stderr(`${p.lab}: ${p.phase}${p.message ? ` — ${p.message}` : ''}\n`);
    }
  };
}

/**
 * The design a command works on, from FILE or a scenario. An invalid file
 * gives its diagnostics and no design; the caller says so (text on stderr, or
 * JSON on stdout with --json).
 */
async function designFrom(
  io: CliIo,
  file: string | undefined,
  scenario: string | undefined,
  name: string | undefined,
): Promise<{ design?: Design; diagnostics: Diagnostic[] }> {
  let design: Design | undefined;
  if (scenario !== undefined) {
    const sc = findScenario(scenario);
    if (!sc) throw new UsageError(`unknown scenario "${scenario}" (try: netcanvas scenarios)`);
    design = designFromYaml(sc.yaml).design;
  } else if (file !== undefined) {
    const loaded = await loadDesignFile(file, io);
    if (hasErrors(loaded.diagnostics)) return { diagnostics: loaded.diagnostics };
    design = loaded.design;
  } else {
    throw new UsageError('give a FILE or --scenario NAME');
  }
  if (design && name !== undefined) {
    if (!LAB_NAME_RE.test(name)) throw new UsageError(`invalid lab name "${name}"`);
    design = { ...design, name };
  }
  return design ? { design, diagnostics: [] } : { diagnostics: [] };
}

/** An invalid FILE: every diagnostic, then that nothing changed. */
function reportInvalid(io: CliIo, file: string, diagnostics: Diagnostic[]): void {
  for (const d of diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
  io.stderr(`${file}: invalid, nothing was changed\n`);
}

/** `up` owns the labs it brings up; a lab a design of the dashboard owns is that design's. */
function refusal(lab: string, owner: LabOwner): string {
  return `${lab}: this lab belongs to ${describeOwner(owner)} in the dashboard; "up" leaves it alone.
  Change it from the dashboard (Labs → Open), or bring this file up as a lab of its own: --name OTHER`;
}

export const upCommand: Command = {
  name: 'up',
  summary: 'build a design in the kernel, or change a running lab to match it',
  usage: `usage: netcanvas up FILE [--name LAB] [--json]
       netcanvas up --scenario NAME [--name LAB] [--json]

Compares the design with what runs and applies only the difference: a
second "up" of the same file changes nothing. If an operation fails, what
this run created is undone and the failing element is named.

The lab (the design's name, or --name) is recorded as the command line's
own; "up" refuses a lab that belongs to a design of the dashboard.`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { scenario: { type: 'string' }, name: { type: 'string' }, json: { type: 'boolean' } },
      { min: 0, max: 1 },
    );
    if (positionals.length === 0 && values.scenario === undefined)
      throw new UsageError('give a FILE or --scenario NAME');
    if (!requireRoot(io)) return 1;
    const { design, diagnostics } = await designFrom(
      io,
      positionals[0],
      values.scenario,
      values.name,
    );
    if (!design) {
      if (values.json) io.stdout(json({ ok: false, ops: [], diagnostics }));
      else reportInvalid(io, positionals[0] ?? '-', diagnostics);
      return 1;
    }
    const engine = await currentEngine();
    const lab = design.name;
    const fresh = engine.owners.get(lab) === undefined;
    const owner = engine.owners.claim(lab, { kind: 'cli' });
    if (owner.kind !== 'cli') {
      if (values.json)
        io.stdout(
          json({
            lab,
            ok: false,
            error: { code: 'lab-owned', message: refusal(lab, owner), owner },
          }),
        );
      else io.stderr(`${refusal(lab, owner)}\n`);
      return 1;
    }
    const started = performance.now();
    const source = values.scenario !== undefined ? `scenario:${values.scenario}` : positionals[0]!;
    let result: Awaited<ReturnType<Engine['apply']>>;
    try {
      result = await engine.apply(design, values.json ? undefined : progressPrinter(io));
    } catch (err) {
      await auditCli(engine, {
        action: 'apply',
        lab: design.name,
        design: source,
        ops: 0,
        result: 'error',
        message: String(err),
      });
      throw err;
    }
    await auditCli(engine, {
      action: 'apply',
      lab: design.name,
      design: source,
      ops: result.ops.length,
      result: result.ok ? 'ok' : 'failed',
      ...(result.failure ? { message: result.failure.kernelMessage } : {}),
      ...(result.rollback ? { rollback: result.rollback.state } : {}),
    });
    const ms = Math.round(performance.now() - started);
    // A first "up" that left nothing running does not keep the name.
    if (!result.ok && fresh && !(await engine.labs()).includes(lab))
      engine.owners.release(lab, { kind: 'cli' });
    if (values.json) {
      io.stdout(json({ ...result, topology: undefined, ms }));
      return result.ok ? 0 : 1;
    }
    for (const d of result.diagnostics.filter((x) => x.severity !== 'info'))
      io.stderr(`${formatDiagnostic(d)}\n`);
    if (!result.ok) {
      if (result.failure) {
        const f = result.failure;
        io.stderr(
          `${design.name}: failed at ${f.elements.join(', ') || 'the lab'} — ${f.op.why}\n  kernel: ${f.kernelMessage}\n  ${result.rollback?.message ?? 'what this run created was undone'}\n`,
        );
      }
      return 1;
    }
    io.stdout(
      result.ops.length === 0
        ? `${design.name}: already up to date (0 operations)\n`
        : `${design.name}: up, ${result.ops.length} operations in ${ms} ms\n`,
    );
    return 0;
  },
};

export const downCommand: Command = {
  name: 'down',
  summary: 'remove a lab from the kernel (from its live state; the file is not needed)',
  usage: `usage: netcanvas down LAB... [--json]
       netcanvas down --all [--json]

Deletes every namespace of the lab (nc-LAB and nc-LAB.*), which removes
everything in them. --all removes every netcanvas lab and nothing else.
Removing a lab that is not running succeeds. A lab the command line
brought up is forgotten; a design of the dashboard keeps its lab name.`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { all: { type: 'boolean' }, json: { type: 'boolean' } },
      { min: 0, max: 64 },
    );
    if (!values.all && positionals.length === 0) throw new UsageError('give LAB names or --all');
    if (values.all && positionals.length > 0) throw new UsageError('--all takes no LAB names');
    for (const lab of positionals)
      if (!LAB_NAME_RE.test(lab)) throw new UsageError(`invalid lab name "${lab}"`);
    if (!requireRoot(io)) return 1;
    const engine = await currentEngine();
    const labs = values.all ? await engine.labs() : positionals;
    const out: Record<string, string[]> = {};
    for (const lab of labs) {
      const { removed } = await engine.destroy(lab);
      await auditCli(engine, {
        action: 'destroy',
        lab,
        design: null,
        ops: removed.length,
        result: 'ok',
      });
      out[lab] = removed;
      if (!values.json)
        io.stdout(
          `${lab}: removed ${removed.length} namespace${removed.length === 1 ? '' : 's'}\n`,
        );
    }
    if (values.json) io.stdout(json(out));
    return 0;
  },
};

export const statusCommand: Command = {
  name: 'status',
  summary: 'running labs, or one lab element by element (deployed / missing / drift)',
  usage: `usage: netcanvas status [LAB] [--json]

Without LAB: the labs found in the kernel and who owns each (a design of
the dashboard, the command line, or nobody). With LAB: every element of
the design it was last brought up from, compared with the kernel, and
what differs (e.g. a veth deleted by hand).`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { json: { type: 'boolean' } },
      { min: 0, max: 1 },
    );
    const engine = await currentEngine();
    if (positionals.length === 0) {
      const labs = await engine.labs();
      const all = await Promise.all(labs.map((l) => engine.status(l)));
      const ownerOf = (lab: string) => engine.owners.get(lab) ?? null;
      if (values.json)
        io.stdout(json(all.map((s) => ({ lab: s.lab, state: s.state, owner: ownerOf(s.lab) }))));
      else if (all.length === 0) io.stdout('no labs running\n');
      else
        for (const s of all) {
          const owner = ownerOf(s.lab);
          const by = owner ? (owner.kind === 'cli' ? 'cli' : describeOwner(owner)) : 'no owner';
          io.stdout(`${s.lab.padEnd(26)}${s.state.padEnd(10)}${by}\n`);
        }
      return 0;
    }
    const lab = positionals[0]!;
    if (!LAB_NAME_RE.test(lab)) throw new UsageError(`invalid lab name "${lab}"`);
    const status = await engine.status(lab);
    if (values.json) {
      io.stdout(json(status));
      return 0;
    }
    io.stdout(`${lab}: ${status.state}\n`);
    const ids = Object.keys(status.elements).sort();
    for (const id of ids) {
      const e = status.elements[id]!;
      io.stdout(`  ${id.padEnd(28)}${e.state}\n`);
      for (const d of e.differences) io.stdout(`      ${d}\n`);
    }
    return status.state === 'running' ? 0 : 1;
  },
};

function looksLikeFile(arg: string): boolean {
  return arg === '-' || arg.includes('/') || /\.(ya?ml|json)$/i.test(arg);
}

/**
 * `--size N` checked with the core's PingSize, the schema the server checks ping and Measure
 * bodies with and the dashboard its Size field, so all three refuse a size in the same words. As
 * the dashboard reads its field: plain decimal digits are a number, anything else stays text
 * (and is refused as not a whole number).
 */
function pingSizeArg(raw: string): number {
  const r = PingSize.safeParse(/^-?\d+$/.test(raw.trim()) ? Number(raw) : raw);
  if (r.success) return r.data;
  throw new UsageError(`--size: ${r.error.issues[0]?.message ?? 'not a ping size'} (not "${raw}")`);
}

export const checkCommand: Command = {
  name: 'check',
  summary: 'ping every pair of a running lab and compare with the prediction',
  usage: `usage: netcanvas check FILE|LAB [--size N] [--json]

Pings every ordered pair of endpoints (hosts, containers, routers) in
parallel and prints the measured matrix beside the analyzer's prediction.
Exits 1 on any difference, naming the pair and the analyzer's explanation.
--size N pings with N bytes of payload (as ping -s) and don't-fragment set,
so a packet of that size must cross every hop whole: an MTU too small on
the way shows, predicted and measured alike.`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { json: { type: 'boolean' }, size: { type: 'string' } },
      { min: 1, max: 1 },
    );
    const size = values.size === undefined ? undefined : pingSizeArg(values.size);
    if (!requireRoot(io)) return 1;
    const arg = positionals[0]!;
    const engine = await currentEngine();
    let design: Design;
    if (looksLikeFile(arg)) {
      const loaded = await designFrom(io, arg, undefined, undefined);
      if (!loaded.design) {
        if (values.json) io.stdout(json({ ok: false, diagnostics: loaded.diagnostics }));
        else reportInvalid(io, arg, loaded.diagnostics);
        return 1;
      }
      design = loaded.design;
    } else {
      if (!LAB_NAME_RE.test(arg)) throw new UsageError(`invalid lab name "${arg}"`);
      const known = engine.lastDesign?.(arg);
      if (!known) {
        io.stderr(`${arg}: no design known for this lab; give the FILE it was brought up from\n`);
        return 1;
      }
      design = known;
    }
    // Only whether the lab runs: the namespace listing, not a full observe and diff.
    if (!(await engine.labs()).includes(design.name)) {
      io.stderr(`${design.name}: not running (netcanvas up first)\n`);
      return 1;
    }
    let seen = 0;
    const { predicted, measured } = await engine.matrix(
      design,
      () => {
        seen++;
        if (!values.json && seen % 20 === 0) io.stderr(`  pinged ${seen} pairs\n`);
      },
      size === undefined ? {} : { size },
    );
    const mismatches = measured.filter((m) => m.measured !== m.reachable);
    if (values.json) {
      io.stdout(
        json({
          lab: design.name,
          ...(size !== undefined ? { size } : {}),
          endpoints: predicted.endpoints,
          pairs: measured.map(({ from, to, target, reachable, measured: got, reason, rttMs }) => ({
            from,
            to,
            target,
            predicted: reachable,
            measured: got,
            ...(reason ? { reason } : {}),
            ...(rttMs !== undefined ? { rttMs } : {}),
          })),
          mismatches: mismatches.length,
        }),
      );
      return mismatches.length === 0 ? 0 : 1;
    }
    io.stdout(renderMatrix(predicted.endpoints, measured));
    const unreachable = measured.filter((m) => !m.reachable && m.measured === m.reachable);
    if (unreachable.length > 0) {
      io.stdout('\nunreachable, as predicted:\n');
      for (const m of unreachable) io.stdout(`  ${m.from} → ${m.to}: ${m.reason ?? ''}\n`);
    }
    if (mismatches.length > 0) {
      io.stdout('\nMEASURED DIFFERS FROM PREDICTED:\n');
      for (const m of mismatches) {
        io.stdout(
          `  ${m.from} → ${m.to} (${m.target}): predicted ${m.reachable ? 'reachable' : `unreachable (${m.reason})`}, measured ${m.measured ? 'reachable' : 'unreachable'}\n`,
        );
      }
      return 1;
    }
    const at = size === undefined ? '' : ` at ${size} bytes`;
    io.stdout(`\n${design.name}: ${measured.length} pairs${at}, all as predicted\n`);
    return 0;
  },
};

/** Rows ping columns: ✓ reachable, · unreachable (both as predicted), ! a difference. */
function renderMatrix(endpoints: string[], measured: PingResult[]): string {
  const cell = new Map(measured.map((m) => [`${m.from}>${m.to}`, m]));
  const width = Math.max(4, ...endpoints.map((e) => e.length)) + 2;
  const first = Math.max(width, 'from \\ to'.length + 2);
  const lines = [`${'from \\ to'.padEnd(first)}${endpoints.map((e) => e.padEnd(width)).join('')}`];
  for (const a of endpoints) {
    let row = a.padEnd(first);
    for (const b of endpoints) {
      const m = cell.get(`${a}>${b}`);
      const mark = !m ? '-' : m.measured !== m.reachable ? '!' : m.measured ? '✓' : '·';
      row += mark.padEnd(width);
    }
    lines.push(row);
  }
  return `${lines.join('\n')}\n(✓ reachable, · unreachable, ! measured differs from predicted)\n`;
}

export const capsCommand: Command = {
  name: 'caps',
  summary: "what this machine's kernel and tools can do",
  usage: `usage: netcanvas caps [--json]

Probes, in a throwaway namespace, which device kinds and features work
(veth, bridge, vxlan, 802.1Q, VLAN filtering, netem, tbf) and which tools
exist (ping, traceroute, tcpdump).`,
  async run(args, io) {
    const { values } = parseCommandArgs(args, { json: { type: 'boolean' } }, { min: 0, max: 0 });
    const caps = await (await currentEngine()).capabilities();
    if (values.json) {
      io.stdout(json(caps));
      return 0;
    }
    io.stdout(`root: ${caps.root ? 'yes' : 'no'}\niproute2: ${caps.iproute2}\n`);
    for (const [k, v] of Object.entries(caps.kinds))
      io.stdout(`  ${k.padEnd(16)}${v ? 'yes' : 'no'}\n`);
    for (const [k, v] of Object.entries(caps.tools))
      io.stdout(`  ${k.padEnd(16)}${v ?? 'missing'}\n`);
    return 0;
  },
};
