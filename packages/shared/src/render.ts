import type { Op } from './model.js';

/** One op → full iproute2 argv, e.g. ['ip', '-n', 'nc-lab.r1', 'link', 'set', 'dev', 'eth0', 'up']. */
export function render(op: Op): string[] {
  throw new Error('not implemented');
}

/**
 * One op → a line for a long-lived `ip [-n NS] -force -batch -` worker:
 * netns null means the root-namespace worker (netns add/del/set, netns exec … sysctl).
 */
export function batchLine(op: Op): { netns: string | null; args: string[] } {
  throw new Error('not implemented');
}
