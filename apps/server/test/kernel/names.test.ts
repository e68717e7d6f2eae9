import { labOfNetns } from '@netcanvas/shared';
import { describe, expect, it } from 'vitest';
import { assertBatchArg, ownedBy } from '../../src/kernel/names.js';

describe('lab ownership by namespace name', () => {
  it('gives the fabric and element namespaces to their lab only', () => {
    expect(labOfNetns('nc-same')).toBe('same');
    expect(labOfNetns('nc-same.c1')).toBe('same');
    expect(labOfNetns('nc-same-vlan.c1')).toBe('same-vlan');
    expect(ownedBy('same', 'nc-same-vlan.c1')).toBe(false);
    expect(ownedBy('same', 'nc-same-vlan')).toBe(false);
    expect(ownedBy('same-vlan', 'nc-same-vlan.c1')).toBe(true);
  });

  it('ignores namespaces that are not netcanvas ones', () => {
    for (const n of [
      'docker0',
      'nc-',
      'nc-.x',
      'nc-Lab',
      'nc-lab.C1',
      'nc-lab.c1.x',
      'xnc-lab',
      'nc-1lab',
    ])
      expect(labOfNetns(n)).toBeNull();
  });

  it('refuses batch arguments that would change the line iproute2 reads', () => {
    for (const bad of ['a b', 'a\tb', '"a', "a'", 'a\\', '#', 'a\nlink del dev x', '\x01', '']) {
      expect(() => assertBatchArg(bad, 'test')).toThrow();
    }
    expect(() => assertBatchArg('10.0.0.1/24', 'test')).not.toThrow();
  });
});
