import type { NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { ElementCard, sameCard } from '../../components/ElementShell';
import type { VxlanFlowNode } from '../../model/flow';

function VxlanNodeView({ id, data, selected }: NodeProps<VxlanFlowNode>) {
  return <ElementCard id={id} node={data.node} selected={selected} />;
}

export const VxlanNode = memo(VxlanNodeView, sameCard);
