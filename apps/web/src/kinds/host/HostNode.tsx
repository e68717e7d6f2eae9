import type { NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { Badges, Handles, statusClasses, useElementStatus } from '../../components/ElementShell';
import { KindIcon } from '../../components/icons';
import type { HostFlowNode } from '../../model/flow';
import { useApp } from '../../store';
import { hostDefinition } from './definition';

/** A host is a container on the canvas: its namespaces are drawn inside it (React Flow sub-flow). */
function HostNodeView({ id, data, selected }: NodeProps<HostFlowNode>) {
  const status = useElementStatus(id);
  const empty = useApp(
    (s) => !Object.values(s.design.nodes).some((n) => n.kind === 'namespace' && n.host === id),
  );
  const node = data.node;
  return (
    <div
      className={`nc-host ${statusClasses(status, selected)}`}
      style={{ ['--kind' as string]: hostDefinition.color }}
      data-testid={`node-${id}`}
    >
      <Handles id={id} />
      <div className="nc-host-header">
        <span className="nc-node-icon">
          <KindIcon kind="host" />
        </span>
        <span className="nc-node-id">{node.label || id}</span>
        <span className="nc-node-summary">{hostDefinition.summary(node)}</span>
        <Badges id={id} status={status} />
      </div>
      {empty && <div className="nc-host-drop">drop namespaces here</div>}
    </div>
  );
}

export const HostNode = memo(HostNodeView);
