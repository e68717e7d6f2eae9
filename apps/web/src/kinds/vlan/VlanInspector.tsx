import type { VlanNode } from '@netcanvas/shared';
import { Cidr, VlanNode as VlanSchema } from '@netcanvas/shared';
import { useApp } from '../../ui/context';
import { bySchema, Field, toNumber } from '../../ui/Field';
import { useFieldProblems } from '../../ui/inspectorParts';

const vidParse = bySchema(
  VlanSchema.shape.vid,
  toNumber,
  'VLAN ids are whole numbers from 1 to 4094',
);
const subnetParse = bySchema(Cidr);

export function VlanInspector({ id, node }: { id: string; node: VlanNode }) {
  const setVlanId = useApp((s) => s.setVlanId);
  const setSubnet = useApp((s) => s.setSubnet);
  return (
    <div className="nc-row">
      <Field
        label="VLAN id"
        testid="inspector-vid"
        value={String(node.vid)}
        parse={vidParse}
        onCommit={(v) => setVlanId(id, v)}
        problems={useFieldProblems(id, 'vid')}
        width="half"
        mono
      />
      <Field
        label="Subnet"
        testid="inspector-subnet"
        value={node.subnet}
        parse={subnetParse}
        onCommit={(v) => setSubnet(id, v)}
        problems={useFieldProblems(id, 'subnet')}
        width="half"
        mono
      />
    </div>
  );
}
