/** Names the kernel or iproute2 would refuse or misread. */
import { RESERVED_NAMES } from '../net/names.js';
import type { DesignNode } from '../parse/schema.js';
import type { Collector } from './collector.js';

export function reservedReason(name: string): string {
  if (name === 'lo') return 'every namespace already has the loopback device lo';
  if (name === 'br0') return "br0 is the name of every host's container bridge";
  return `iproute2 reads "${name}" as a keyword`;
}

export function checkNames(nodes: Map<string, DesignNode>, out: Collector): void {
  for (const id of nodes.keys()) {
    if (RESERVED_NAMES.has(id)) {
      out.add(
        'error',
        'reserved-name',
        `"${id}" cannot be an element id: ${reservedReason(id)}, and ids become interface names; rename it`,
        [id],
        ['nodes', id],
      );
    }
  }
}
