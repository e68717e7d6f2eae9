import type { NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { VxlanFlowNode } from '../../model/flow';
import {
  Badges,
  ElementCard,
  Handles,
  sameCard,
  statusClasses,
  useElementStatus,
  useLiveElement,
  useOverview,
} from '../../ui/ElementShell';
import { vxlanDefinition } from './definition';

/**
 * A tunnel with members is a pipe between them, the way a network diagram
 * draws one: a tube whose two open mouths face its members, labelled with
 * its VNI and the segment it runs over (model/tunnel.ts places it). Still
 * one element: selected, dragged (up or down) and focused like any card.
 */
function TunnelPipe({
  id,
  data,
  selected,
}: Pick<NodeProps<VxlanFlowNode>, 'id' | 'data' | 'selected'>) {
  const node = data.node;
  const status = useElementStatus(id);
  const overview = useOverview();
  const name = node.label || id;
  const card = useLiveElement(id, name, overview);
  return (
    <div
      ref={card}
      className={`nc-tunnel ${overview ? 'overview' : ''} ${statusClasses(status, selected)}`}
      style={{ ['--kind' as string]: vxlanDefinition.color }}
      data-testid={`node-${id}`}
      data-pipe=""
    >
      <Handles id={id} />
      <span className="nc-tunnel-tube" aria-hidden="true" />
      <span className="nc-tunnel-mouth left" aria-hidden="true" />
      <span className="nc-tunnel-mouth right" aria-hidden="true" />
      {!overview && (
        <>
          <span className="nc-tunnel-label" data-testid={`tunnel-label-${id}`}>
            <span className="nc-node-id">
              {name} · VNI {node.vni} · over {data.pipe?.over}
            </span>
          </span>
          <Badges id={id} status={status} />
        </>
      )}
    </div>
  );
}

function VxlanNodeView({ id, data, selected }: NodeProps<VxlanFlowNode>) {
  if (data.pipe) return <TunnelPipe id={id} data={data} selected={selected} />;
  return <ElementCard id={id} node={data.node} look={vxlanDefinition} selected={selected} />;
}

export const VxlanNode = memo(VxlanNodeView, sameCard);
