import type { NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { ElementCard, sameCard } from '../../components/ElementShell';
import type { SwitchFlowNode } from '../../model/flow';

function SwitchNodeView({ id, data, selected }: NodeProps<SwitchFlowNode>) {
  return <ElementCard id={id} node={data.node} selected={selected} />;
}

export const SwitchNode = memo(SwitchNodeView, sameCard);
