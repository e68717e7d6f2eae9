import type { NodeKind } from '@netcanvas/shared';

/** Short prefixes people already use on whiteboards: r1, sw1, c1, h1, tun1. */
export const ID_PREFIX: Record<NodeKind, string> = {
  host: 'h',
  namespace: 'c',
  vlan: 'vlan',
  switch: 'sw',
  router: 'r',
  vxlan: 'tun',
};
