import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { labOfNetns } from '@netcanvas/shared';
import { exec } from '../../src/kernel/exec.js';
import { deleteNetns, listNetns } from '../../src/kernel/netns.js';
import { pingFrom } from '../../src/kernel/ping.js';

/** A lab name of our own for one test file: `t-k<area>-<4 random>`. */
export function testLab(area: string): string {
  return `t-k${area}-${randomBytes(3).toString('hex').slice(0, 4)}`;
}

/** Namespaces of the lab and of the labs whose names start with it (the tests' own `<lab>-x` neighbours). */
export async function leftovers(lab: string): Promise<string[]> {
  return (await listNetns()).filter((n) => {
    const owner = labOfNetns(n);
    return owner !== null && (owner === lab || owner.startsWith(`${lab}-`));
  });
}

export async function cleanup(lab: string): Promise<void> {
  await deleteNetns(await leftovers(lab));
}

export function alive(pid: number): boolean {
  try {
    // a zombie still has /proc/PID; its state is Z
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

/** The product's own ping (a packet every 200 ms until a reply or 2 s): new veths may drop the first ARP. */
export async function ping(fromNetns: string, address: string): Promise<boolean> {
  return (await pingFrom(fromNetns, address)).ok;
}

export async function ipIn(
  netns: string,
  args: string[],
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return exec(['ip', '-n', netns, ...args], { allowFailure: true });
}

/**
 * True once a packet socket is bound to `dev` inside `netns` (tcpdump has
 * attached: packets from now on are captured). Read from the namespace's
 * /proc/net/packet: the kernel's own list, since a capture gives no event.
 */
export async function packetSocketOn(netns: string, dev: string): Promise<boolean> {
  const [link] = JSON.parse(
    (await exec(['ip', '-n', netns, '-j', 'link', 'show', 'dev', dev])).stdout,
  ) as {
    ifindex: number;
  }[];
  const table = (await exec(['ip', 'netns', 'exec', netns, 'cat', '/proc/net/packet'])).stdout;
  // sk RefCnt Type Proto Iface R Rmem User Inode: Iface is the 5th column.
  return table
    .trim()
    .split('\n')
    .slice(1)
    .some((row) => Number(row.trim().split(/\s+/)[4]) === link?.ifindex);
}

/**
 * The children of a process, whichever of its threads started them (`/proc/PID/task/PID/children`
 * lists only the main thread's): [] once it has exited.
 */
export function childrenOf(pid: number): number[] {
  try {
    return fs
      .readdirSync(`/proc/${pid}/task`)
      .flatMap((tid) => {
        try {
          return fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/);
        } catch {
          return [];
        }
      })
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}
