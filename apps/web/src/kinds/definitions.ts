import type { NodeKind } from '@netcanvas/shared';
import { hostDefinition } from './host/definition';
import { namespaceDefinition } from './namespace/definition';
import { routerDefinition } from './router/definition';
import { switchDefinition } from './switch/definition';
import type { KindDefinition } from './types';
import { vlanDefinition } from './vlan/definition';
import { vxlanDefinition } from './vxlan/definition';

export const KIND_DEFINITIONS: { [K in NodeKind]: KindDefinition<K> } = {
  host: hostDefinition,
  namespace: namespaceDefinition,
  vlan: vlanDefinition,
  switch: switchDefinition,
  router: routerDefinition,
  vxlan: vxlanDefinition,
};

/** Palette order: what a lesson draws first comes first. */
export const PALETTE_ORDER: NodeKind[] = ['host', 'namespace', 'vlan', 'switch', 'router', 'vxlan'];
