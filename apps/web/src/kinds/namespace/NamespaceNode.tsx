import type { NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { NamespaceFlowNode } from '../../model/flow';
import { ElementCard, sameCard } from '../../ui/ElementShell';
import { namespaceDefinition } from './definition';

function NamespaceNodeView({ id, data, selected }: NodeProps<NamespaceFlowNode>) {
  return (
    <ElementCard
      id={id}
      node={data.node}
      look={namespaceDefinition}
      selected={selected}
      compact={data.node.host !== undefined}
    />
  );
}

export const NamespaceNode = memo(NamespaceNodeView, sameCard);
