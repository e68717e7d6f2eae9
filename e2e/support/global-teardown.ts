/**
 * Removes every lab of this run through the server (as a user's Destroy
 * would), stops the server, deletes any namespace still left, and fails the
 * run if the kernel keeps one. The run's labs are those of its designs (the
 * run's store is its own: the server named each lab, never one it did not
 * make) and those the CLI brought up under the run's prefix.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import {
  namespacesOfLab,
  namespacesWithPrefix,
  RUN_FILE,
  type RunInfo,
  readRunInfo,
} from './run.js';

async function labsOfDesigns(info: RunInfo): Promise<string[]> {
  try {
    const res = await fetch(`${info.baseURL}/api/designs`, {
      headers: { authorization: `Bearer ${info.token}` },
      signal: AbortSignal.timeout(30_000),
    });
    const { designs } = (await res.json()) as { designs: { lab: string }[] };
    return designs.map((d) => d.lab);
  } catch (err) {
    console.warn(`[e2e] listing the run's designs failed: ${String(err)}`);
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!alive(pid)) return true;
    // A poll, not a wait for an event: the server was started by global setup, another
    // process, so this one gets no 'exit' event for it; `kill(pid, 0)` is the only signal.
    await new Promise((r) => setTimeout(r, 200));
  }
  return !alive(pid);
}

export default async function globalTeardown() {
  // Global setup failed before starting a server: nothing to stop, no lab was made.
  if (!existsSync(RUN_FILE)) return;
  const info = readRunInfo();
  const labs = new Set([
    ...namespacesWithPrefix(info.labPrefix).map((ns) => ns.slice('nc-'.length).split('.')[0] ?? ''),
    ...(await labsOfDesigns(info)),
  ]);
  const ofRun = () => [
    ...new Set([...namespacesWithPrefix(info.labPrefix), ...[...labs].flatMap(namespacesOfLab)]),
  ];
  for (const lab of labs) {
    if (namespacesOfLab(lab).length === 0) continue;
    try {
      await fetch(`${info.baseURL}/api/labs/by-name/${lab}/destroy`, {
        method: 'POST',
        headers: { authorization: `Bearer ${info.token}`, 'content-type': 'application/json' },
        body: '{}',
        signal: AbortSignal.timeout(60_000),
      });
    } catch (err) {
      console.warn(`[e2e] destroying ${lab} through the server failed: ${String(err)}`);
    }
  }

  if (info.pid && alive(info.pid)) {
    process.kill(info.pid, 'SIGTERM');
    if (!(await waitForExit(info.pid, 20_000))) {
      console.warn(`[e2e] netcanvas serve (pid ${info.pid}) ignored SIGTERM for 20 s; killing it`);
      process.kill(info.pid, 'SIGKILL');
      await waitForExit(info.pid, 5_000);
    }
  }

  const leftovers = ofRun();
  for (const ns of leftovers) {
    try {
      execFileSync('ip', ['netns', 'delete', ns], { stdio: 'pipe' });
    } catch (err) {
      console.warn(`[e2e] ip netns delete ${ns}: ${String(err)}`);
    }
  }
  const remaining = ofRun();
  rmSync(info.tmpDir, { recursive: true, force: true });
  rmSync(RUN_FILE, { force: true });
  if (leftovers.length > 0) {
    console.warn(`[e2e] namespaces the server left behind (deleted now): ${leftovers.join(', ')}`);
  }
  if (remaining.length > 0) {
    throw new Error(`namespaces of this run remain in the kernel: ${remaining.join(', ')}`);
  }
}
