/**
 * netns — which namespaces exist, which lab owns them, and deleting them.
 *
 *   listNetns()            → every name in /run/netns (sorted)
 *   labNetns(lab)          → the lab's own: `nc-<lab>` and `nc-<lab>.<x>` (sorted)
 *   listLabs()             → labs that have at least one namespace (sorted)
 *   deleteNetns(names, r?) → one root `ip -force -batch -` for all names;
 *                            a name already gone counts as deleted
 *
 * Reading /run/netns directly costs no process; it is where `ip netns add`
 * mounts every named namespace.
 */
import fs from 'node:fs/promises';
import { labOfNetns } from '@netcanvas/shared';
import { exec } from './exec.js';
import { assertLabName, assertNetnsName, ownedBy } from './names.js';
import type { Runner } from './runner.js';
import { closeWorkersIn } from './worker.js';

export const NETNS_DIR = '/run/netns';

export async function listNetns(): Promise<string[]> {
  try {
    return (await fs.readdir(NETNS_DIR)).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

export async function labNetns(lab: string): Promise<string[]> {
  assertLabName(lab);
  return (await listNetns()).filter((n) => ownedBy(lab, n));
}

export async function listLabs(): Promise<string[]> {
  const labs = new Set<string>();
  for (const n of await listNetns()) {
    const lab = labOfNetns(n);
    if (lab) labs.add(lab);
  }
  return [...labs].sort();
}

export interface DeleteResult {
  /** Names that existed and are gone now. */
  removed: string[];
  /** Names that could not be deleted, with the tool's message. */
  failed: { netns: string; message: string }[];
}

/**
 * Deletes namespaces in one process. The batch workers of this process inside
 * them (whichever runner made them) are closed first, or the namespaces would
 * outlive their names. `_runner` is accepted for older callers; it adds nothing.
 */
export async function deleteNetns(names: string[], _runner?: Runner): Promise<DeleteResult> {
  for (const n of names) assertNetnsName(n);
  const unique = [...new Set(names)];
  await closeWorkersIn(unique);
  const present = new Set(await listNetns());
  const targets = unique.filter((n) => present.has(n));
  if (targets.length === 0) return { removed: [], failed: [] };
  const r = await exec(['ip', '-force', '-batch', '-'], {
    input: targets.map((n) => `netns del ${n}\n`).join(''),
    allowFailure: true,
    timeoutMs: 60_000,
  });
  // stderr holds, in order, each failing line's message followed by `Command failed -:N`.
  const failed: DeleteResult['failed'] = [];
  let message: string[] = [];
  for (const line of r.stderr.split('\n')) {
    const m = /^Command failed -:(\d+)$/.exec(line);
    if (!m) {
      if (line.trim()) message.push(line.trim());
      continue;
    }
    const netns = targets[Number(m[1]) - 1];
    const text = message.join(' ');
    message = [];
    // Someone else deleting it in between is what we wanted anyway.
    if (netns && !/No such file or directory/.test(text)) failed.push({ netns, message: text });
  }
  if (r.exitCode !== 0 && failed.length === 0 && message.length > 0) {
    failed.push({ netns: targets[0]!, message: message.join(' ') });
  }
  const after = new Set(await listNetns());
  return {
    removed: targets.filter((n) => !after.has(n)),
    failed: failed.filter((f) => after.has(f.netns)),
  };
}
