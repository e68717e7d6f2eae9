/**
 * Builds the server and CLI into dist/ (`pnpm build`): one ES module bundle,
 * dist/netcanvas.js (the package's `bin`), with @netcanvas/shared and every
 * library inside, so it runs on plain Node with no TypeScript loader. What a
 * command loads lazily (the dashboard, the lab and kernel layers) becomes a
 * chunk of its own under dist/chunks/, read only when that command runs.
 * The kernel's python helper (src/kernel/netlink-helper.py) is copied beside it.
 *
 *   node build.mjs
 */
import { chmodSync, copyFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, 'dist');

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: here,
  entryPoints: { netcanvas: 'src/bin.ts' },
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // better-sqlite3 loads a native addon from its own directory; ws's native
  // helpers are optional and not installed.
  external: ['better-sqlite3', 'bufferutil', 'utf-8-validate'],
  // Bundled CommonJS libraries (yaml, express…) call require() for Node's own modules.
  banner: {
    js: [
      '#!/usr/bin/env node',
      "import { createRequire as __netcanvasRequire } from 'node:module';",
      'const require = __netcanvasRequire(import.meta.url);',
    ].join('\n'),
  },
  legalComments: 'none',
  // Less text for Node to read and compile at every start (about a tenth of
  // a command's CPU); names are kept, so stack traces still name functions.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
// The bin runs directly too (`./dist/netcanvas.js help`): its first line names node.
chmodSync(join(outdir, 'netcanvas.js'), 0o755);
// The netlink helper runs under Debian's python3, next to the bundle (kernel/netlink.ts finds it).
copyFileSync(join(here, 'src/kernel/netlink-helper.py'), join(outdir, 'netlink-helper.py'));
// The ping helper too (kernel/ping.ts: the fpings of a check start from it).
copyFileSync(join(here, 'src/kernel/ping-helper.py'), join(outdir, 'ping-helper.py'));
