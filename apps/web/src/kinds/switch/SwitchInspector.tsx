import type { SwitchNode } from '@netcanvas/shared';
import { Cidr } from '@netcanvas/shared';
import { useApp } from '../../ui/context';
import { bySchema, emptyToUndefined, Field } from '../../ui/Field';
import { useFieldProblems } from '../../ui/inspectorParts';

const subnetParse = bySchema(Cidr.optional(), emptyToUndefined);

export function SwitchInspector({ id, node }: { id: string; node: SwitchNode }) {
  const setSubnet = useApp((s) => s.setSubnet);
  return (
    <Field
      label="Subnet"
      testid="inspector-subnet"
      value={node.subnet ?? ''}
      placeholder="none (pure L2)"
      parse={subnetParse}
      onCommit={(v) => setSubnet(id, v)}
      problems={useFieldProblems(id, 'subnet')}
      hint="A VXLAN underlay needs a subnet: members take their tunnel endpoints from it."
      mono
    />
  );
}
