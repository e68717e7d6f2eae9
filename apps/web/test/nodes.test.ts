import { describe, expect, it } from 'vitest';
import { nodeIndex } from '../src/model/nodes';
import { scenario } from './helpers';

describe('node index', () => {
  it('lists hosts, segments and each host’s namespaces in design order', () => {
    const d = scenario('inter-vlan');
    const index = nodeIndex(d.nodes);
    expect(index.hosts).toEqual(['node-a', 'node-b']);
    expect(index.segments).toEqual(['vlan10', 'vlan20']);
    expect(index.namespacesOf.get('node-a')).toEqual(['c1']);
    expect(index.namespacesOf.has('r1')).toBe(false);
  });

  it('scans once per nodes object, so selectors return the same arrays', () => {
    const d = scenario('inter-vlan');
    expect(nodeIndex(d.nodes)).toBe(nodeIndex(d.nodes));
    expect(nodeIndex({ ...d.nodes }).hosts).not.toBe(nodeIndex(d.nodes).hosts);
  });
});
