/**
 * The command table. To add a command, write one module exporting a
 * `Command` (see ./types.ts) and list it here; `help` picks it up.
 */
import {
  capsCommand,
  checkCommand,
  downCommand,
  statusCommand,
  upCommand,
} from './lab-commands.js';
import { loginCommand } from './login.js';
import { planCommand } from './plan.js';
import { scenarioCommand, scenariosCommand } from './scenarios.js';
import { serveCommand } from './serve.js';
import type { Command } from './types.js';
import { validateCommand } from './validate.js';

export const commands: Command[] = [
  validateCommand,
  planCommand,
  scenariosCommand,
  scenarioCommand,
  upCommand,
  downCommand,
  statusCommand,
  checkCommand,
  capsCommand,
  serveCommand,
  loginCommand,
];

export function findCommand(name: string): Command | undefined {
  return commands.find((c) => c.name === name);
}
