/** vitest global setup: builds dist/ from the source under test (esbuild, about a second). */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export default function buildCli(): void {
  execFileSync(process.execPath, [join(import.meta.dirname, '..', 'build.mjs')], {
    stdio: 'inherit',
  });
}
