import { Cidr, VlanNode } from '@netcanvas/shared';
import { describe, expect, it } from 'vitest';
import { bySchema, toNumber } from '../src/ui/Field';

describe('inspector validation by the shared schema', () => {
  const vid = bySchema(VlanNode.shape.vid, toNumber, 'VLAN ids are whole numbers from 1 to 4094');
  it('accepts a VLAN id in range and refuses one outside, in words', () => {
    expect(vid('20')).toEqual({ ok: true, value: 20 });
    expect(vid('5000')).toEqual({
      ok: false,
      message: 'VLAN ids are whole numbers from 1 to 4094',
    });
    expect(vid('ten').ok).toBe(false);
  });
  it("passes the schema's own message through for a subnet", () => {
    const subnet = bySchema(Cidr);
    expect(subnet('10.0.10.0/24').ok).toBe(true);
    const bad = subnet('10.0.10.0');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.message).toMatch(/CIDR/);
  });
});
