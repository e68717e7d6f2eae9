import type { NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { SwitchFlowNode } from '../../model/flow';
import { ElementCard, sameCard } from '../../ui/ElementShell';
import { switchDefinition } from './definition';

function SwitchNodeView({ id, data, selected }: NodeProps<SwitchFlowNode>) {
  return <ElementCard id={id} node={data.node} look={switchDefinition} selected={selected} />;
}

export const SwitchNode = memo(SwitchNodeView, sameCard);
