import type { NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { RouterFlowNode } from '../../model/flow';
import { ElementCard, sameCard } from '../../ui/ElementShell';
import { routerDefinition } from './definition';

function RouterNodeView({ id, data, selected }: NodeProps<RouterFlowNode>) {
  return <ElementCard id={id} node={data.node} look={routerDefinition} selected={selected} />;
}

export const RouterNode = memo(RouterNodeView, sameCard);
