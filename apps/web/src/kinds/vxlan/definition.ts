import { freeSubnet, nextVni } from '@netcanvas/shared';
import type { KindDefinition } from '../types';

export const vxlanDefinition: KindDefinition<'vxlan'> = {
  kind: 'vxlan',
  title: 'VXLAN',
  hint: 'An overlay tunnel between routers, hosts or containers across an underlay segment',
  color: '#db2777',
  auto: ['vni', 'subnet'],
  create(design) {
    const segments = Object.entries(design.nodes).filter(([, n]) => n.kind === 'switch');
    // With exactly one switch the underlay is obvious; otherwise the user picks it
    // and the empty value shows up as a problem until they do.
    const underlay = segments.length === 1 ? segments[0]![0] : '';
    return {
      kind: 'vxlan',
      vni: nextVni(design),
      port: 4789,
      underlay,
      subnet: freeSubnet(design, '172.16', 1),
    };
  },
  summary: (n) => (n.underlay ? n.subnet : 'no underlay chosen'),
  tag: (n) => `VNI ${n.vni}`,
};
