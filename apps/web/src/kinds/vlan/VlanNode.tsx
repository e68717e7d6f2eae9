import type { NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { ElementCard, sameCard } from '../../components/ElementShell';
import type { VlanFlowNode } from '../../model/flow';

function VlanNodeView({ id, data, selected }: NodeProps<VlanFlowNode>) {
  return <ElementCard id={id} node={data.node} selected={selected} />;
}

export const VlanNode = memo(VlanNodeView, sameCard);
