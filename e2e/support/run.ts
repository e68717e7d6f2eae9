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
  token: string;
  loginUrl: string;
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
