import type { NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { ElementCard, sameCard } from '../../components/ElementShell';
import type { NamespaceFlowNode } from '../../model/flow';

function NamespaceNodeView({ id, data, selected }: NodeProps<NamespaceFlowNode>) {
  return (
    <ElementCard
      id={id}
      node={data.node}
      selected={selected}
      compact={data.node.host !== undefined}
    />
  );
}

export const NamespaceNode = memo(NamespaceNodeView, sameCard);
