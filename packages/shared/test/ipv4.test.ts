/**
 * One reading of IPv4 for the whole core: the schema's fields, the JSON
 * Schema editors get, render's last check before argv, and the analyzer
 * all take exactly what net/ipv4.ts parses.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze } from '../src/analyze/analyze.js';
import { render } from '../src/compile/render.js';
import type { Op } from '../src/model.js';
import {
  CIDR_PATTERN,
  IF_ADDRESS_PATTERN,
  IPV4_PATTERN,
  parseCidr,
  parseIfAddress,
  parseIpv4,
  parseIpv4Reference,
} from '../src/net/ipv4.js';
import { Cidr, IfAddress, Ipv4 } from '../src/parse/schema.js';
import { resolve } from '../src/resolve/resolve.js';
import { interVlan } from './helpers/designs.js';

/** Spellings iproute2 or a person might write, valid or not. */
const SPELLINGS = [
  '10.0.10.1',
  '0.0.0.0',
  '255.255.255.255',
  '010.0.10.1',
  '0x0a.0.10.1',
  '10.0.10.01',
  '10.0.10.256',
  '1e1.0.0.1',
  ' 10.0.10.1',
  '10.0.10.1 ',
  '10.0.10',
  '167772161',
  '10.0.10.1.5',
  '10.0.10.0/24',
  '10.0.10.7/24',
  '10.0.10.0/0',
  '10.0.10.0/32',
  '10.0.10.0/33',
  '10.0.10.0/024',
  '10.0.10.0/-1',
  '10.0.10.0/',
  '10.0.10.0/24/8',
  '',
];

const ipLike = fc.oneof(
  fc.ipV4(),
  fc.tuple(fc.ipV4(), fc.integer({ min: -2, max: 40 })).map(([ip, len]) => `${ip}/${len}`),
  fc.string({ unit: fc.constantFrom(...'0123456789./x '.split('')), maxLength: 20 }),
);

describe('one reading of IPv4', () => {
  it('the hand-written reader takes exactly what ipaddr.js takes, with the same value', () => {
    for (const text of SPELLINGS) expect(parseIpv4(text), text).toBe(parseIpv4Reference(text));
    fc.assert(
      fc.property(fc.oneof(ipLike, fc.ipV4Extended(), fc.string({ maxLength: 16 })), (text) => {
        expect(parseIpv4(text), text).toBe(parseIpv4Reference(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('the schema fields take exactly what the parsers take', () => {
    for (const text of SPELLINGS) {
      expect(Ipv4.safeParse(text).success, `Ipv4 ${text}`).toBe(parseIpv4(text) !== null);
      expect(Cidr.safeParse(text).success, `Cidr ${text}`).toBe(parseCidr(text) !== null);
      expect(IfAddress.safeParse(text).success, `IfAddress ${text}`).toBe(
        parseIfAddress(text) !== null,
      );
    }
    // What iproute2 would read as octal or hex, and a prefix longer than IPv4 has, are refused.
    for (const text of ['010.0.0.0/8', '0x0a.0.0.0/8', '10.0.0.0/33'])
      expect(Cidr.safeParse(text).success, text).toBe(false);
  });

  it("the editors' JSON Schema patterns agree with the parsers on any string", () => {
    const ipv4 = new RegExp(IPV4_PATTERN);
    const cidr = new RegExp(CIDR_PATTERN);
    const ifAddress = new RegExp(IF_ADDRESS_PATTERN);
    fc.assert(
      fc.property(ipLike, (text) => {
        expect(ipv4.test(text), text).toBe(parseIpv4(text) !== null);
        expect(cidr.test(text), text).toBe(parseCidr(text) !== null);
        expect(ifAddress.test(text), text).toBe(parseIfAddress(text) !== null);
      }),
      { numRuns: 2000 },
    );
    for (const text of SPELLINGS) expect(ipv4.test(text), text).toBe(parseIpv4(text) !== null);
  });

  it('render refuses what the schema refuses, right before argv', () => {
    for (const text of SPELLINGS) {
      const op: Op = {
        op: 'addr.add',
        netns: 'nc-t.r1',
        dev: 'eth1',
        address: text,
        source: ['r1'],
        why: '',
      };
      if (parseCidr(text) !== null) expect(render(op)).toContain(text);
      else expect(() => render(op), text).toThrow(/invalid address/);
    }
  });

  it('the analyzer never predicts a ping to an address spelled in a way render refuses', () => {
    const { topology } = resolve(interVlan());
    const c1 = topology.interfaces.find((i) => i.node === 'c1' && i.name === 'eth0')!;
    const endpoint = topology.endpoints.find((e) => e.node === 'c1')!;
    expect(c1.address).toBe('10.0.10.2/24');
    // The same address with a leading zero: iproute2 reads 010 as octal 8.
    c1.address = '010.0.10.2/24';
    endpoint.address = '010.0.10.2';
    const matrix = analyze(topology);
    const row = matrix.endpoints.indexOf('c2');
    const col = matrix.endpoints.indexOf('c1');
    const pair = matrix.results[row]![col]!;
    expect(pair.reachable).toBe(false);
    expect(pair.reason).toBe('c1 has no valid address');
  });
});
