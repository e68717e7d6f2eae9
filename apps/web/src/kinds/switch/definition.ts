import { freeSubnet } from '@netcanvas/shared';
import type { KindDefinition } from '../types';

export const switchDefinition: KindDefinition<'switch'> = {
  kind: 'switch',
  title: 'Switch',
  hint: 'An untagged L2 segment, e.g. the public network under a VXLAN',
  color: '#64748b',
  auto: ['subnet'],
  create: (design) => ({ kind: 'switch', subnet: freeSubnet(design, '192.168', 1) }),
  summary: (n) => n.subnet ?? 'no subnet',
};
