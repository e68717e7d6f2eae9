import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './types.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, strict, with its errors turned into usage errors. */
export function parseCommandArgs<O extends Options>(
  args: string[],
  options: O,
  positionals: { min: number; max: number },
) {
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
  >;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const n = parsed.positionals.length;
  if (n < positionals.min) throw new UsageError('missing argument');
  if (n > positionals.max)
    throw new UsageError(`unexpected argument "${parsed.positionals[positionals.max]}"`);
  return parsed;
}
