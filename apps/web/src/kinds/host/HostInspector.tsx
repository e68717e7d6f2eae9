import type { HostNode } from '@netcanvas/shared';
import { Cidr, freeSubnet } from '@netcanvas/shared';
import { nodeIndex } from '../../model/nodes';
import { useApp, useStores } from '../../ui/context';
import { bySchema, emptyToUndefined, Field, Select } from '../../ui/Field';
import { useFieldProblems } from '../../ui/inspectorParts';

const subnetParse = bySchema(Cidr.optional(), emptyToUndefined);

export function HostInspector({ id, node }: { id: string; node: HostNode }) {
  const app = useStores().app;
  const setHostMode = useApp((s) => s.setHostMode);
  const setSubnet = useApp((s) => s.setSubnet);
  const subnetProblems = useFieldProblems(id, 'subnet');
  const containers = useApp((s) => nodeIndex(s.design.nodes).namespacesOf.get(id)?.join(', '));
  return (
    <>
      <Select
        label="Mode"
        testid="inspector-host-mode"
        value={node.mode}
        options={[
          { value: 'bridged', label: 'bridged: containers on the uplink subnet' },
          { value: 'routed', label: 'routed: own container subnet' },
        ]}
        onChange={(mode) => {
          setHostMode(id, mode);
          if (mode === 'routed' && !node.subnet)
            setSubnet(id, freeSubnet(app.getState().design, '10.1', 1));
        }}
      />
      {node.mode === 'routed' && (
        <Field
          label="Container subnet"
          testid="inspector-subnet"
          value={node.subnet ?? ''}
          parse={subnetParse}
          onCommit={(v) => setSubnet(id, v)}
          problems={subnetProblems}
          mono
        />
      )}
      <div className="nc-field-hint">
        Containers: {containers || 'none — drop a namespace onto the host'}
      </div>
    </>
  );
}
