/**
 * Starts a real `netcanvas serve` on a free port with a throw-away data and
 * state directory, waits for the login URL it prints, and records it for the
 * tests. The server serves the built web app (apps/web/dist).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ARTIFACTS, REPO_ROOT, RUN_FILE, type RunInfo, readServerFile } from './run.js';

const SERVER_DIR = join(REPO_ROOT, 'apps', 'server');
const WEB_DIST = join(REPO_ROOT, 'apps', 'web', 'dist', 'index.html');
const START_TIMEOUT_MS = 90_000;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function checkWebBuild() {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error('the e2e suite deploys labs in the kernel: run it as root');
  }
  if (!existsSync(WEB_DIST)) {
    throw new Error(
      'apps/web/dist is not built: run `pnpm turbo run test --filter @netcanvas/e2e` (builds the web app first) or `pnpm --filter @netcanvas/web build`',
    );
  }
  const built = statSync(WEB_DIST).mtimeMs;
  const sources = Math.max(
    newestMtime(join(REPO_ROOT, 'apps', 'web', 'src')),
    newestMtime(join(REPO_ROOT, 'packages', 'shared', 'src')),
  );
  if (sources > built) {
    // Not fatal: turbo rebuilds it on `pnpm test`; a direct `playwright test` tests what was built.
    console.warn(
      `[e2e] apps/web/dist is older than its sources by ${Math.round((sources - built) / 1000)} s; the suite tests the built app (pnpm --filter @netcanvas/web build)`,
    );
  }
}

export default async function globalSetup() {
  checkWebBuild();
  mkdirSync(ARTIFACTS, { recursive: true });
  mkdirSync(dirname(RUN_FILE), { recursive: true });
  const tmpDir = mkdtempSync(join(tmpdir(), 'nc-e2e-'));
  const dataDir = join(tmpDir, 'data');
  const stateDir = join(tmpDir, 'state');
  mkdirSync(dataDir);
  mkdirSync(stateDir);
  // Four random characters keep two runs (or a crashed run's leftovers) apart in the kernel.
  const runId = randomBytes(3).toString('hex').slice(0, 4);
  const labPrefix = `e2e-${runId}-`;
  const logFile = join(ARTIFACTS, 'server.log');
  const log = createWriteStream(logFile);

  // The server as it ships (dist/netcanvas.js), built from the source under test; run by node
  // itself, so SIGTERM reaches the server.
  execFileSync(process.execPath, [join(SERVER_DIR, 'build.mjs')], { stdio: 'inherit' });
  const bin = join(SERVER_DIR, 'dist', 'netcanvas.js');
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data-dir', dataDir], {
    cwd: SERVER_DIR,
    env: { ...process.env, NETCANVAS_STATE_DIR: stateDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.pipe(log);

  const loginUrl = await new Promise<string>((resolveUrl, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(
        new Error(
          `netcanvas serve printed no login URL within ${START_TIMEOUT_MS / 1000} s; see ${logFile}`,
        ),
      );
    }, START_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => {
      log.write(chunk);
      out += chunk.toString();
      const m = out.match(/(http:\/\/\S+\/#login=[A-Za-z0-9_-]+)/);
      if (m?.[1]) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(
          `netcanvas serve exited (${code ?? signal}) before printing its URL; see ${logFile}`,
        ),
      );
    });
  });
  // Keep draining stdout so the server never blocks on a full pipe.
  child.stdout.on('data', (chunk: Buffer) => log.write(chunk));
  child.unref();

  const url = new URL(loginUrl);
  // The master token is in the server's root-only file, as `netcanvas login` reads it.
  const server = readServerFile(stateDir);
  if (!server || server.url !== url.origin)
    throw new Error(`netcanvas serve wrote no server file for ${url.origin} in ${stateDir}`);
  const info: RunInfo = {
    pid: child.pid ?? 0,
    baseURL: url.origin,
    token: server.token,
    stateDir,
    labPrefix,
    tmpDir,
    logFile,
  };
  writeFileSync(RUN_FILE, JSON.stringify(info, null, 2));
  console.log(`[e2e] netcanvas serve (pid ${info.pid}) at ${info.baseURL}, labs ${labPrefix}*`);
}
