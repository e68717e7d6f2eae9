import type { NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { VxlanFlowNode } from '../../model/flow';
import { ElementCard, sameCard } from '../../ui/ElementShell';
import { vxlanDefinition } from './definition';

function VxlanNodeView({ id, data, selected }: NodeProps<VxlanFlowNode>) {
  return <ElementCard id={id} node={data.node} look={vxlanDefinition} selected={selected} />;
}

export const VxlanNode = memo(VxlanNodeView, sameCard);
