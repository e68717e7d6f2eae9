import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addressProblem,
  formatIpv4,
  formatSubnet,
  parseCidr,
  parseIfAddress,
  parseIpv4,
  routeDestination,
  subnetsOverlap,
  usableRange,
} from '../src/net/ipv4.js';
import { DomainPool, P2pPool } from '../src/resolve/pools.js';

const cidr = (text: string) => parseCidr(text)!;

describe('parsing', () => {
  it('reads dotted decimal and refuses other spellings', () => {
    expect(parseIpv4('10.0.10.1')).toBe(0x0a000a01);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    for (const bad of ['10.0.10', '010.0.0.1', '0x0a.0.0.1', '10.0.0.256', '1.2.3.4.5', ''])
      expect(parseIpv4(bad), bad).toBeNull();
  });

  it('canonicalises subnets (host bits cleared)', () => {
    expect(formatSubnet(cidr('10.0.10.7/24'))).toBe('10.0.10.0/24');
    expect(formatSubnet(cidr('0.0.0.0/0'))).toBe('0.0.0.0/0');
    expect(parseCidr('10.0.10.0')).toBeNull();
    expect(parseCidr('10.0.10.0/33')).toBeNull();
  });

  it('reads interface addresses with or without a prefix length', () => {
    expect(parseIfAddress('10.0.10.254')).toEqual({ addr: 0x0a000afe, len: null });
    expect(parseIfAddress('10.0.10.254/24')).toEqual({ addr: 0x0a000afe, len: 24 });
  });

  it('formats back what it parsed', () => {
    fc.assert(fc.property(fc.ipV4(), (ip) => formatIpv4(parseIpv4(ip)!) === ip));
  });
});

describe('usable addresses', () => {
  it('exclude network and broadcast, except on /31 and /32', () => {
    expect(usableRange(cidr('10.0.10.0/24'))).toEqual({ first: 0x0a000a01, last: 0x0a000afe });
    expect(usableRange(cidr('10.0.0.0/31'))).toEqual({ first: 0x0a000000, last: 0x0a000001 });
    expect(usableRange(cidr('10.0.0.7/32'))).toEqual({ first: 0x0a000007, last: 0x0a000007 });
    expect(addressProblem(cidr('10.0.10.0/24'), parseIpv4('10.0.10.0')!)).toBe('network');
    expect(addressProblem(cidr('10.0.10.0/24'), parseIpv4('10.0.10.255')!)).toBe('broadcast');
    expect(addressProblem(cidr('10.0.10.0/24'), parseIpv4('10.0.11.1')!)).toBe('outside');
    expect(addressProblem(cidr('10.0.10.0/24'), parseIpv4('10.0.10.9')!)).toBeNull();
  });

  it('detect overlapping subnets in both directions', () => {
    expect(subnetsOverlap(cidr('10.0.0.0/16'), cidr('10.0.10.0/24'))).toBe(true);
    expect(subnetsOverlap(cidr('10.0.10.0/24'), cidr('10.0.0.0/16'))).toBe(true);
    expect(subnetsOverlap(cidr('10.0.10.0/24'), cidr('10.0.11.0/24'))).toBe(false);
  });
});

describe('a domain pool', () => {
  it('hands out the lowest free addresses and skips claimed ones', () => {
    const pool = new DomainPool(cidr('10.0.10.0/29'));
    pool.claim(parseIpv4('10.0.10.2')!);
    const got: string[] = [];
    for (let a = pool.next(); a !== null; a = pool.next()) got.push(formatIpv4(a));
    expect(got).toEqual(['10.0.10.1', '10.0.10.3', '10.0.10.4', '10.0.10.5', '10.0.10.6']);
  });
});

describe('the p2p pool', () => {
  it('hands out aligned /30s in order', () => {
    const pool = new P2pPool(cidr('10.255.0.0/16'));
    expect(formatSubnet(pool.allocate()!)).toBe('10.255.0.0/30');
    expect(formatSubnet(pool.allocate()!)).toBe('10.255.0.4/30');
  });

  it('never hands out a block overlapping a reservation, and resumes on the next aligned block', () => {
    const pool = new P2pPool(cidr('10.255.0.0/16'));
    pool.reserve(cidr('10.255.0.0/30'));
    pool.reserve(cidr('10.255.0.8/29'));
    pool.reserve(cidr('10.255.0.32/27'));
    pool.reserve(cidr('192.168.0.0/16'));
    const got = [pool.allocate(), pool.allocate(), pool.allocate()].map((s) => formatSubnet(s!));
    expect(got).toEqual(['10.255.0.4/30', '10.255.0.16/30', '10.255.0.20/30']);
    expect(pool.isFree(cidr('10.255.0.40/30'))).toBe(false);
    expect(pool.isFree(cidr('10.255.1.0/30'))).toBe(true);
    expect(pool.isFree(cidr('10.254.0.0/30'))).toBe(false);
  });

  it('says when it is exhausted', () => {
    const pool = new P2pPool(cidr('10.255.0.0/29'));
    expect(pool.allocate()).not.toBeNull();
    expect(pool.allocate()).not.toBeNull();
    expect(pool.allocate()).toBeNull();
    expect(new P2pPool(cidr('10.255.0.0/31')).allocate()).toBeNull();
  });

  it('never returns overlapping blocks or reserved space (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 24, max: 30 })), {
          maxLength: 12,
        }),
        (reservations) => {
          const pool = new P2pPool(cidr('10.255.0.0/22'));
          const reserved = reservations.map(([octet, len]) =>
            cidr(`10.255.${octet % 4}.${octet}/${len}`),
          );
          for (const r of reserved) pool.reserve(r);
          const got = [];
          for (let s = pool.allocate(); s !== null; s = pool.allocate()) got.push(s);
          for (const s of got) for (const r of reserved) if (subnetsOverlap(s, r)) return false;
          // Exhaustive: every free aligned /30 was handed out.
          const free = [];
          for (let base = parseIpv4('10.255.0.0')!; base < parseIpv4('10.255.4.0')!; base += 4) {
            if (!reserved.some((r) => subnetsOverlap(r, { base, len: 30 }))) free.push(base);
          }
          return JSON.stringify(got.map((s) => s.base)) === JSON.stringify(free);
        },
      ),
    );
  });
});

describe('route destinations', () => {
  it('have one spelling, whether written by a user or printed by iproute2', () => {
    expect(routeDestination('default')).toBe('default');
    expect(routeDestination('0.0.0.0/0')).toBe('default');
    // iproute2 prints a /32 as the bare address.
    expect(routeDestination('10.50.0.1')).toBe('10.50.0.1/32');
    expect(routeDestination('10.50.0.1/32')).toBe('10.50.0.1/32');
    expect(routeDestination('10.0.20.0/24')).toBe('10.0.20.0/24');
    expect(routeDestination('10.0.20.7/24')).toBe('10.0.20.0/24');
    expect(routeDestination('unreachable')).toBeNull();
    expect(routeDestination('10.0.20.0/33')).toBeNull();
  });
});
