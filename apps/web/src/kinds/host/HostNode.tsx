import type { NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { HostFlowNode } from '../../model/flow';
import { nodeIndex } from '../../model/nodes';
import { useApp } from '../../ui/context';
import {
  Badges,
  Handles,
  sameCard,
  statusClasses,
  useElementStatus,
  useLiveElement,
  useOverview,
} from '../../ui/ElementShell';
import { KindIcon } from '../../ui/icons';
import { hostDefinition } from './definition';

/** A host is a container on the canvas: its namespaces are drawn inside it (React Flow sub-flow). */
function HostNodeView({ id, data, selected }: NodeProps<HostFlowNode>) {
  const status = useElementStatus(id);
  const overview = useOverview();
  const node = data.node;
  const card = useLiveElement(id, node.label || id, overview);
  const empty = useApp((s) => !nodeIndex(s.design.nodes).namespacesOf.has(id));
  return (
    <div
      ref={card}
      className={`nc-host ${overview ? 'overview' : ''} ${statusClasses(status, selected)}`}
      style={{ ['--kind' as string]: hostDefinition.color }}
      data-testid={`node-${id}`}
    >
      <Handles id={id} />
      {!overview && (
        <>
          <div className="nc-host-header">
            <span className="nc-node-icon">
              <KindIcon kind="host" />
            </span>
            <span className="nc-node-id">{node.label || id}</span>
            <span className="nc-node-summary">{hostDefinition.summary(node)}</span>
            <Badges id={id} status={status} />
          </div>
          {empty && <div className="nc-host-drop">drop namespaces here</div>}
        </>
      )}
    </div>
  );
}

export const HostNode = memo(HostNodeView, sameCard);
