import type { NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { VlanFlowNode } from '../../model/flow';
import { ElementCard, sameCard } from '../../ui/ElementShell';
import { vlanDefinition } from './definition';

function VlanNodeView({ id, data, selected }: NodeProps<VlanFlowNode>) {
  return <ElementCard id={id} node={data.node} look={vlanDefinition} selected={selected} />;
}

export const VlanNode = memo(VlanNodeView, sameCard);
