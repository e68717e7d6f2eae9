import {
  type AddressHints,
  type Design,
  type Diagnostic,
  diagnoseYaml,
  type Topology,
} from '@netcanvas/shared';
import type { CliIo } from './types.js';

/**
 * Reads FILE (YAML or JSON; JSON is YAML) and runs every check on it.
 * A file that cannot be read becomes a diagnostic, like any other problem.
 */
export async function loadDesignFile(
  file: string,
  io: CliIo,
  hints?: AddressHints,
): Promise<{ design?: Design; topology?: Topology; diagnostics: Diagnostic[] }> {
  let text: string;
  try {
    text = await io.readInput(file);
  } catch (err) {
    return {
      diagnostics: [
        {
          severity: 'error',
          code: 'read-failed',
          message: err instanceof Error ? err.message : String(err),
          elements: [],
        },
      ],
    };
  }
  return diagnoseYaml(text, hints);
}

export const hasErrors = (diagnostics: Diagnostic[]): boolean =>
  diagnostics.some((d) => d.severity === 'error');
