import type { NodeTypes } from '@xyflow/react';
import { HostNode } from './host/HostNode';
import { NamespaceNode } from './namespace/NamespaceNode';
import { RouterNode } from './router/RouterNode';
import { SwitchNode } from './switch/SwitchNode';
import { VlanNode } from './vlan/VlanNode';
import { VxlanNode } from './vxlan/VxlanNode';

/** Defined once at module scope: React Flow re-mounts every node if this object changes. */
export const nodeTypes = {
  host: HostNode,
  namespace: NamespaceNode,
  vlan: VlanNode,
  switch: SwitchNode,
  router: RouterNode,
  vxlan: VxlanNode,
} satisfies NodeTypes;
