/**
 * The address record: one authority for addresses. A new version is
 * resolved with the previous record as hints, so deleting an element never
 * renumbers another; renames keep their addresses; the record does not
 * depend on the lab name.
 */
import { describe, expect, it } from 'vitest';
import {
  addressRecord,
  applyOps,
  applyRecordDelta,
  decideAddresses,
  diagnose,
  recordDelta,
  recordFromHints,
  recordHints,
  resolve,
} from '../src/index.js';
import { makeDesign } from './helpers/designs.js';

const oneVlan = () =>
  makeDesign(
    'rec',
    {
      vlan10: { kind: 'vlan', vid: 10, subnet: '10.0.10.0/24' },
      r1: { kind: 'router' },
      c1: { kind: 'namespace' },
      c2: { kind: 'namespace' },
      c3: { kind: 'namespace' },
    },
    [
      { endpoints: ['r1', 'vlan10'] },
      { endpoints: ['c1', 'vlan10'] },
      { endpoints: ['c2', 'vlan10'] },
      { endpoints: ['c3', 'vlan10'] },
    ],
  );

describe('address record', () => {
  it('keys addresses by element and interface, not by lab', () => {
    const record = decideAddresses(oneVlan(), null);
    expect(record).toEqual({
      'r1/vlan10': '10.0.10.1/24',
      'c1/vlan10': '10.0.10.2/24',
      'c2/vlan10': '10.0.10.3/24',
      'c3/vlan10': '10.0.10.4/24',
    });
    const renamedLab = { ...oneVlan(), name: 'other-lab' };
    expect(decideAddresses(renamedLab, null)).toEqual(record);
    const { topology } = resolve(renamedLab, recordHints(record, 'other-lab'));
    expect(addressRecord(topology)).toEqual(record);
  });

  it('deleting c2 keeps c3 at .4; without the record c3 would move to .3', () => {
    const v1 = oneVlan();
    const r1 = decideAddresses(v1, null);
    const { doc: v2, applied } = applyOps(v1, [{ op: 'node.remove', id: 'c2' }]);
    expect(decideAddresses(v2, r1, applied)['c3/vlan10']).toBe('10.0.10.4/24');
    expect(decideAddresses(v2, null)['c3/vlan10']).toBe('10.0.10.3/24');
  });

  it('a renamed element keeps its address, and so does the interface named after it', () => {
    const design = makeDesign(
      'rec',
      { r1: { kind: 'router' }, r2: { kind: 'router' }, c9: { kind: 'namespace' } },
      [{ endpoints: ['r1', 'r2'] }, { endpoints: ['c9', 'r1'] }],
    );
    const before = decideAddresses(design, null);
    // Another element takes the lowest /30 first: without the record r2 would be renumbered.
    const { doc, applied } = applyOps(design, [
      { op: 'node.rename', from: 'r2', to: 'core' },
      { op: 'node.add', id: 'a0', node: { kind: 'namespace' } },
      { op: 'link.add', link: { endpoints: ['a0', 'r1'], state: 'up' } },
    ]);
    const after = decideAddresses(doc, before, applied);
    expect(after['core/r1']).toBe(before['r2/r1']);
    expect(after['r1/core']).toBe(before['r1/r2']);
  });

  it('an edit no address depends on (a drag, a label) keeps the record without resolving', () => {
    const v1 = oneVlan();
    const r1 = decideAddresses(v1, null);
    const { doc, applied } = applyOps(v1, [
      { op: 'layout.set', id: 'c1', at: { x: 5, y: 5 } },
      { op: 'node.set', id: 'c1', field: 'label', value: 'web' },
    ]);
    expect(decideAddresses(doc, r1, applied)).toBe(r1);
  });

  it('a draft that does not resolve keeps the previous record', () => {
    const v1 = oneVlan();
    const r1 = decideAddresses(v1, null);
    const { doc } = applyOps(v1, [
      { op: 'node.set', id: 'vlan10', field: 'subnet', value: '10.1.10.0/33' },
    ]);
    expect(diagnose(doc).topology).toBeUndefined();
    expect(decideAddresses(doc, r1)).toEqual(r1);
  });

  it('converts kernel hints to a record and sends changes as deltas', () => {
    const hints = {
      'nc-rec.c3/vlan10': '10.0.10.4/24',
      'nc-rec/vlan10': '10.0.10.250/24',
      'nc-x.c1/a': '1.1.1.1/8',
    };
    const record = recordFromHints(hints, 'rec');
    expect(record).toEqual({ 'c3/vlan10': '10.0.10.4/24', '-/vlan10': '10.0.10.250/24' });
    expect(recordHints(record, 'rec')).toEqual({
      'nc-rec.c3/vlan10': '10.0.10.4/24',
      'nc-rec/vlan10': '10.0.10.250/24',
    });
    const next = { 'c3/vlan10': '10.0.10.5/24', 'c4/vlan10': '10.0.10.6/24' };
    const delta = recordDelta(record, next);
    expect(delta).toEqual({ set: next, drop: ['-/vlan10'] });
    expect(applyRecordDelta(record, delta)).toEqual(next);
  });
});
