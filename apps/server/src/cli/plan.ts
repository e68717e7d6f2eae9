import {
  commandLine,
  compile,
  groupByElement,
  type Op,
  renderScript,
  renderText,
} from '@netcanvas/shared';
import { parseCommandArgs } from './args.js';
import { hasErrors, loadDesignFile } from './design-input.js';
import { formatDiagnostic, json } from './format.js';
import { currentEngine } from './lab-commands.js';
import { type Command, UsageError } from './types.js';

const FORMATS = ['text', 'sh', 'json'] as const;
type Format = (typeof FORMATS)[number];

export const planCommand: Command = {
  name: 'plan',
  summary: 'show the kernel operations a design compiles to (text, bash script or JSON)',
  usage: `usage: netcanvas plan FILE [--format text|sh|json] [--teardown] [--against-running] [--json]

Compiles FILE ("-" reads stdin) without touching the kernel.
  --format text   commands grouped by element, each with why (default)
  --format sh     a standalone bash script that builds the lab
  --teardown      with sh: the script that removes the lab instead
  --against-running
                  only what "up FILE" would change in the running lab
                  (reads the kernel; needs root)
  --json          same as --format json
Exits 1 if the design has errors (they are printed instead of a plan).`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        format: { type: 'string' },
        teardown: { type: 'boolean' },
        json: { type: 'boolean' },
        'against-running': { type: 'boolean' },
      },
      { min: 1, max: 1 },
    );
    const format = (values.json ? 'json' : (values.format ?? 'text')) as Format;
    if (!FORMATS.includes(format))
      throw new UsageError(`unknown format "${values.format}" (text, sh or json)`);
    if (values.teardown && format !== 'sh')
      throw new UsageError('--teardown goes with --format sh');

    // One read: "-" is stdin, which cannot be read a second time.
    const { design, topology, diagnostics } = await loadDesignFile(positionals[0]!, io);
    if (hasErrors(diagnostics) || !topology || !design) {
      if (format === 'json') io.stdout(json({ ok: false, diagnostics }));
      else for (const d of diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
      io.stderr(`${positionals[0]}: not planned, fix the errors above first\n`);
      return 1;
    }
    // Warnings still go to stderr so a script on stdout stays runnable.
    if (format !== 'json') for (const d of diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
    if (values['against-running']) {
      if (values.teardown) throw new UsageError('--teardown does not go with --against-running');
      const { ops } = await (await currentEngine()).plan(design);
      if (format === 'json') io.stdout(json({ ok: true, diagnostics, ops }));
      else if (format === 'sh') io.stdout(changeScript(design.name, ops));
      else io.stdout(changeText(design.name, ops));
      return 0;
    }
    const plan = compile(topology);
    if (format === 'json') io.stdout(json({ ok: true, diagnostics, plan }));
    else if (format === 'sh') io.stdout(renderScript(plan, { teardown: values.teardown === true }));
    else io.stdout(renderText(plan));
    return 0;
  },
};

/** What apply would run, grouped by element, each with its why. */
function changeText(lab: string, ops: Op[]): string {
  if (ops.length === 0) return `${lab}: the running lab already matches; up would change nothing\n`;
  const out = [`${lab}: up would run ${ops.length} operation${ops.length === 1 ? '' : 's'}`];
  for (const { element, ops: group } of groupByElement(ops, lab)) {
    out.push('', element);
    for (const op of group) out.push(`  # ${op.why}`, `  ${commandLine(op)}`);
  }
  return `${out.join('\n')}\n`;
}

function changeScript(lab: string, ops: Op[]): string {
  const lines = [
    '#!/usr/bin/env bash',
    `# What "netcanvas up" would change in the running lab ${lab}, in order.`,
    'set -euo pipefail',
  ];
  for (const op of ops) lines.push(`# ${op.why.replace(/\s+/g, ' ')}`, commandLine(op));
  return `${lines.join('\n')}\n`;
}
