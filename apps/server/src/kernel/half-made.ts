/**
 * A namespace name with no namespace behind it: `ip netns add` creates the
 * file /run/netns/NAME first and bind-mounts the namespace onto it second,
 * so a process killed in between (kill -9 of `up`) leaves a name that every
 * `ip -n NAME` refuses ("setting the network namespace … failed"). Such a
 * name is found by the missing nsfs mount and can only be deleted.
 */
import { readFileSync } from 'node:fs';
import { NETNS_DIR } from './netns.js';

export function halfMadeNetns(names: string[]): string[] {
  let mountinfo = '';
  try {
    mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const mounted = new Set<string>();
  for (const line of mountinfo.split('\n')) {
    // "<id> <parent> <maj:min> <root> <mount point> … - <fstype> …"
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    if (dash > 0 && fields[dash + 1] === 'nsfs' && fields[4]?.startsWith(`${NETNS_DIR}/`)) {
      mounted.add(fields[4].slice(NETNS_DIR.length + 1));
    }
  }
  return names.filter((n) => !mounted.has(n));
}
