import type { NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { ElementCard, sameCard } from '../../components/ElementShell';
import type { RouterFlowNode } from '../../model/flow';

function RouterNodeView({ id, data, selected }: NodeProps<RouterFlowNode>) {
  return <ElementCard id={id} node={data.node} selected={selected} />;
}

export const RouterNode = memo(RouterNodeView, sameCard);
