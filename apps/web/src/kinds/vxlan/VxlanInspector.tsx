import type { VxlanNode } from '@netcanvas/shared';
import { Cidr, VxlanNode as VxlanSchema } from '@netcanvas/shared';
import { nodeIndex } from '../../model/nodes';
import { useApp } from '../../ui/context';
import { bySchema, Field, Select, toNumber } from '../../ui/Field';
import { useFieldProblems } from '../../ui/inspectorParts';

const vniParse = bySchema(
  VxlanSchema.shape.vni,
  toNumber,
  'VNIs are whole numbers from 1 to 16777215',
);
const portParse = bySchema(
  VxlanSchema.shape.port.unwrap(),
  toNumber,
  'UDP ports are whole numbers from 1 to 65535 (VXLAN uses 4789)',
);
const subnetParse = bySchema(Cidr);

export function VxlanInspector({ id, node }: { id: string; node: VxlanNode }) {
  const setVni = useApp((s) => s.setVni);
  const setPort = useApp((s) => s.setVxlanPort);
  const setUnderlay = useApp((s) => s.setUnderlay);
  const setSubnet = useApp((s) => s.setSubnet);
  const segments = useApp((s) => nodeIndex(s.design.nodes).segments);
  const underlayProblems = useFieldProblems(id, 'underlay');
  return (
    <>
      <div className="nc-row">
        <Field
          label="VNI"
          testid="inspector-vni"
          value={String(node.vni)}
          parse={vniParse}
          onCommit={(v) => setVni(id, v)}
          problems={useFieldProblems(id, 'vni')}
          width="half"
          mono
        />
        <Field
          label="UDP port"
          testid="inspector-port"
          value={String(node.port)}
          parse={portParse}
          onCommit={(v) => setPort(id, v)}
          problems={useFieldProblems(id, 'port')}
          width="half"
          mono
        />
      </div>
      <Select
        label="Underlay"
        testid="inspector-underlay"
        value={node.underlay}
        options={[
          { value: '', label: '— choose a segment —' },
          ...segments.map((s) => ({ value: s, label: s })),
        ]}
        onChange={(v) => setUnderlay(id, v)}
        hint={
          underlayProblems.map((p) => p.message).join(' ') ||
          'Members reach each other over this segment (UDP, head-end replication).'
        }
      />
      <Field
        label="Overlay subnet"
        testid="inspector-subnet"
        value={node.subnet}
        parse={subnetParse}
        onCommit={(v) => setSubnet(id, v)}
        problems={useFieldProblems(id, 'subnet')}
        mono
      />
    </>
  );
}
