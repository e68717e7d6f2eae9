import type { NamespaceNode } from '@netcanvas/shared';
import { nodeIndex } from '../../model/nodes';
import { useApp } from '../../ui/context';
import { Select } from '../../ui/Field';

export function NamespaceInspector({ id, node }: { id: string; node: NamespaceNode }) {
  const hosts = useApp((s) => nodeIndex(s.design.nodes).hosts);
  const moveIntoHost = useApp((s) => s.moveIntoHost);
  const moveOutOfHost = useApp((s) => s.moveOutOfHost);
  const options = [
    { value: '', label: 'none (standalone)' },
    ...hosts.map((h) => ({ value: h, label: h })),
  ];
  return (
    <Select
      label="Runs on host"
      testid="inspector-ns-host"
      value={node.host ?? ''}
      options={options}
      onChange={(h) => (h ? moveIntoHost(id, h) : moveOutOfHost(id))}
      hint="A container gets eth0 on its host's bridge. Drag it onto or out of a host on the canvas too."
    />
  );
}
