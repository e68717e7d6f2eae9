/**
 * What global setup hands to the tests and to global teardown: where the
 * server listens, its token, and the prefix every lab of this run carries.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const E2E_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = resolve(E2E_ROOT, '..');
export const ARTIFACTS = join(E2E_ROOT, 'artifacts');
export const RUN_FILE = join(E2E_ROOT, '.run', 'server.json');

export interface RunInfo {
  pid: number;
  baseURL: string;
  /** The server's master token (from server.json in its state directory): cleanup and minting login codes. */
  token: string;
  stateDir: string;
  /** Every lab this run creates is named `<labPrefix><tag>` (LAB_NAME_RE allows 24 characters). */
  labPrefix: string;
  tmpDir: string;
  logFile: string;
}

export function readRunInfo(): RunInfo {
  try {
    return JSON.parse(readFileSync(RUN_FILE, 'utf8')) as RunInfo;
  } catch (err) {
    throw new Error(
      `no running e2e server (${RUN_FILE}): start the suite with \`playwright test\` (${String(err)})`,
    );
  }
}

/** The running server's file in its state directory (URL, pid, master token), as `netcanvas login` reads it. */
export function readServerFile(
  stateDir: string,
): { url: string; pid: number; token: string } | null {
  try {
    return JSON.parse(readFileSync(join(stateDir, 'server.json'), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * A fresh login link (single use, 5 minutes), minted with the master token
 * as `netcanvas login` does; `hash` (e.g. `design=<id>`) rides along.
 */
export async function loginLink(run: RunInfo, hash?: string): Promise<string> {
  const res = await fetch(`${run.baseURL}/api/login/codes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${run.token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  if (!res.ok) throw new Error(`minting a login code: ${res.status} ${await res.text()}`);
  const { code } = (await res.json()) as { code: string };
  return `${run.baseURL}/#login=${code}${hash ? `&${hash}` : ''}`;
}

/** Namespaces of one lab as the kernel lists them: `nc-<lab>` and `nc-<lab>.<node>`. */
export function namespacesOfLab(lab: string): string[] {
  return listNetns().filter((n) => n === `nc-${lab}` || n.startsWith(`nc-${lab}.`));
}

/** Namespaces of every lab of this run. */
export function namespacesWithPrefix(labPrefix: string): string[] {
  return listNetns().filter((n) => n.startsWith(`nc-${labPrefix}`));
}

function listNetns(): string[] {
  try {
    return readdirSync('/run/netns');
  } catch {
    return [];
  }
}
