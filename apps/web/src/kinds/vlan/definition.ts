import { freeSubnet, nextVid } from '@netcanvas/shared';
import type { KindDefinition } from '../types';

export const vlanDefinition: KindDefinition<'vlan'> = {
  kind: 'vlan',
  title: 'VLAN',
  hint: 'A broadcast domain with a VLAN id and its own subnet',
  color: '#d97706',
  auto: ['vid', 'subnet'],
  create(design) {
    const vid = nextVid(design);
    // 10.0.<vid>.0/24 makes the subnet readable from the VLAN id when it fits.
    return { kind: 'vlan', vid, subnet: freeSubnet(design, '10.0', vid <= 255 ? vid : vid % 256) };
  },
  summary: (n) => n.subnet,
  tag: (n) => `VID ${n.vid}`,
};
