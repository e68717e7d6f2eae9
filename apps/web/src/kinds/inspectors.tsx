import type { DesignNode, NodeKind } from '@netcanvas/shared';
import type { ComponentType } from 'react';
import { HostInspector } from './host/HostInspector';
import { NamespaceInspector } from './namespace/NamespaceInspector';
import { RouterInspector } from './router/RouterInspector';
import { SwitchInspector } from './switch/SwitchInspector';
import { VlanInspector } from './vlan/VlanInspector';
import { VxlanInspector } from './vxlan/VxlanInspector';

export const inspectors: {
  [K in NodeKind]: ComponentType<{ id: string; node: Extract<DesignNode, { kind: K }> }>;
} = {
  host: HostInspector,
  namespace: NamespaceInspector,
  vlan: VlanInspector,
  switch: SwitchInspector,
  router: RouterInspector,
  vxlan: VxlanInspector,
};
