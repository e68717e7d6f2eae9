import { parseCommandArgs } from './args.js';
import { hasErrors, loadDesignFile } from './design-input.js';
import { formatDiagnostic, json, summary } from './format.js';
import type { Command } from './types.js';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check a design file and list every problem with the elements it concerns',
  usage: `usage: netcanvas validate FILE [--json]

Checks FILE (YAML or JSON; "-" reads stdin): structure, meaning and
addressing. Prints one line per problem:
  severity  elements  code  line:col  message
Exits 1 when there is an error, 0 otherwise (warnings do not fail).`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { json: { type: 'boolean' } },
      { min: 1, max: 1 },
    );
    const { diagnostics } = await loadDesignFile(positionals[0]!, io);
    const failed = hasErrors(diagnostics);
    if (values.json) {
      io.stdout(json({ ok: !failed, diagnostics }));
    } else {
      for (const d of diagnostics) io.stdout(`${formatDiagnostic(d)}\n`);
      (failed ? io.stderr : io.stdout)(
        `${positionals[0]}: ${failed ? 'invalid' : 'valid'} (${summary(diagnostics)})\n`,
      );
    }
    return failed ? 1 : 0;
  },
};
