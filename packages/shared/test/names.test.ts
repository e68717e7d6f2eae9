import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  firstFreeLabName,
  fnv1a32,
  hashedIfname,
  IFNAME_MAX,
  IfnameScope,
  LAB_NAME_RE,
  labOfNetns,
  netnsName,
  shortIfname,
} from '../src/net/names.js';

describe('namespace names', () => {
  it('are nc-<lab> for the fabric and nc-<lab>.<id> for an element', () => {
    expect(netnsName('vxlan', null)).toBe('nc-vxlan');
    expect(netnsName('vxlan', 'node-a')).toBe('nc-vxlan.node-a');
  });

  it('name their lab: the text between nc- and the first dot', () => {
    expect(labOfNetns('nc-same')).toBe('same');
    expect(labOfNetns('nc-same.c1')).toBe('same');
    expect(labOfNetns('nc-same-vlan.c1')).toBe('same-vlan');
    expect(labOfNetns('nc-same-vlan')).toBe('same-vlan');
  });

  it('never let one lab claim another lab’s namespace that shares a prefix', () => {
    expect(labOfNetns(netnsName('same-vlan', 'c1'))).not.toBe('same');
    expect(labOfNetns(netnsName('same', null))).not.toBe('same-vlan');
  });

  it('reject names that are not ours', () => {
    for (const name of [
      '',
      'nc-',
      'nc-.c1',
      'docker0',
      'cni-1234',
      'nc-Lab',
      'nc-1lab',
      'nc-lab.',
      'xnc-lab',
      'nc_lab',
    ]) {
      expect(labOfNetns(name), name).toBeNull();
    }
  });

  it('reject an element part that is not an element id', () => {
    for (const name of ['nc-lab.C1', 'nc-lab.c1.x', 'nc-lab.1c', 'nc-lab.c 1']) {
      expect(labOfNetns(name), name).toBeNull();
    }
  });

  it('round-trip every valid lab and element id', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z][a-z0-9-]{0,23}$/),
        fc.option(fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/), { nil: null }),
        (lab, node) => labOfNetns(netnsName(lab, node)) === lab,
      ),
    );
  });
});

describe('interface names', () => {
  it('keep readable names that fit IFNAMSIZ', () => {
    expect(shortIfname('vlan10')).toBe('vlan10');
    expect(shortIfname('r1-vlan10')).toBe('r1-vlan10');
    expect(shortIfname('a'.repeat(15))).toBe('a'.repeat(15));
  });

  it('replace long names by their first letters, a dash and 6 base-36 characters of FNV-1a', () => {
    const name = shortIfname('gateway-router-public');
    expect(name).toMatch(/^gateway-[0-9a-z]{6}$/);
    expect(name.length).toBeLessThanOrEqual(IFNAME_MAX);
    expect(name).toBe(
      `gateway-${(fnv1a32('gateway-router-public') % 36 ** 6).toString(36).padStart(6, '0')}`,
    );
  });

  it('hash with the published FNV-1a 32-bit constants', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('are always ≤ 15 characters of [a-z0-9-] when hashed, and deterministic', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 16, maxLength: 80 }), (readable) => {
        const name = hashedIfname(readable);
        return /^[a-z][a-z0-9-]{0,14}$/.test(name) && name === hashedIfname(readable);
      }),
    );
  });

  it('tell apart long names that share their first letters', () => {
    expect(shortIfname('edge-router-01-vlan10')).not.toBe(shortIfname('edge-router-01-vlan20'));
  });

  it('let the first claimant keep a name and give a clashing one a salted hash', () => {
    const scope = new IfnameScope();
    expect(scope.claim('vlan10', 'r1--vlan10')).toEqual({ name: 'vlan10', clashed: false });
    const second = scope.claim('vlan10', 'r1--vlan10#2');
    expect(second.clashed).toBe(true);
    expect(second.name).toMatch(/^vlan10-[0-9a-z]{6}$/);
    expect(scope.claim('vlan10', 'r1--vlan10#3').name).not.toBe(second.name);
  });
});

describe('the lab a design gets', () => {
  it('is the requested name when free, else the next of -2, -3, …', () => {
    expect(firstFreeLabName('vxlan', () => true)).toBe('vxlan');
    const taken = new Set(['vxlan', 'vxlan-2']);
    expect(firstFreeLabName('vxlan', (l) => !taken.has(l))).toBe('vxlan-3');
  });

  it('stays a valid lab name at the 24-character limit', () => {
    const long = 'a-very-long-lab-name-abc'; // 24
    const taken = new Set([long]);
    const got = firstFreeLabName(long, (l) => !taken.has(l));
    expect(got).toBe('a-very-long-lab-name-a-2');
    fc.assert(
      fc.property(
        fc.stringMatching(LAB_NAME_RE),
        fc.integer({ min: 0, max: 120 }),
        (requested, busy) => {
          const seen: string[] = [];
          const name = firstFreeLabName(requested, (l) => {
            seen.push(l);
            return seen.length > busy;
          });
          expect(name).toMatch(LAB_NAME_RE);
          expect(new Set(seen).size).toBe(seen.length); // never offers one name twice
        },
      ),
    );
  });

  it('gives up (null) rather than search forever', () => {
    expect(firstFreeLabName('x', () => false)).toBeNull();
  });
});
