import { scenarios } from '@netcanvas/shared';
import { parseCommandArgs } from './args.js';
import { json, table } from './format.js';
import type { Command } from './types.js';

export const scenariosCommand: Command = {
  name: 'scenarios',
  summary: 'list the built-in teaching scenarios',
  usage: `usage: netcanvas scenarios [--json]

Lists the built-in scenarios: name, title and what each one teaches.
Print one with: netcanvas scenario NAME`,
  async run(args, io) {
    const { values } = parseCommandArgs(args, { json: { type: 'boolean' } }, { min: 0, max: 0 });
    if (values.json) {
      io.stdout(
        json(
          scenarios.map(({ name, title, teaches, tryThis }) => ({ name, title, teaches, tryThis })),
        ),
      );
      return 0;
    }
    const rows = [
      ['NAME', 'TITLE', 'TEACHES'],
      ...scenarios.map((s) => [s.name, s.title, s.teaches.split('\n')[0]!]),
    ];
    io.stdout(`${table(rows)}\n`);
    return 0;
  },
};

export const scenarioCommand: Command = {
  name: 'scenario',
  summary: 'print a built-in scenario as YAML (save it, edit it, run it)',
  usage: `usage: netcanvas scenario NAME [--json]

Prints the scenario's design as YAML on stdout, e.g.
  pnpm netcanvas scenario vxlan > vxlan.yaml
With --json: the scenario with its title, lessons and what to try.
Names: ${scenarios.map((s) => s.name).join(', ')}`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { json: { type: 'boolean' } },
      { min: 1, max: 1 },
    );
    const name = positionals[0]!;
    const scenario = scenarios.find((s) => s.name === name);
    if (!scenario) {
      io.stderr(
        `no scenario named "${name}"; choose one of: ${scenarios.map((s) => s.name).join(', ')}\n`,
      );
      return 1;
    }
    io.stdout(values.json ? json(scenario) : scenario.yaml);
    return 0;
  },
};
