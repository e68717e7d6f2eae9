import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../src/model.js';
import { parseDesign } from '../src/parse/parse.js';
import { validate } from '../src/validate/validate.js';

type Input = { nodes: Record<string, unknown>; links?: unknown[]; [k: string]: unknown };

function check(input: Input): Diagnostic[] {
  const { design, diagnostics } = parseDesign({
    apiVersion: 'netcanvas/v1',
    name: 'lab',
    links: [],
    ...input,
  });
  expect(diagnostics).toEqual([]);
  return validate(design!);
}
const codes = (ds: Diagnostic[]) => ds.map((d) => d.code).sort();
const only = (ds: Diagnostic[], code: string) => ds.filter((d) => d.code === code);

const vlan = (vid: number, subnet: string) => ({ kind: 'vlan', vid, subnet });

describe('validate', () => {
  it('finds nothing wrong with a sound design', () => {
    expect(
      check({
        nodes: {
          vlan10: vlan(10, '10.0.10.0/24'),
          r1: { kind: 'router' },
          h: { kind: 'host' },
          c1: { kind: 'namespace', host: 'h' },
        },
        links: [{ endpoints: ['r1', 'vlan10'] }, { endpoints: ['h', 'vlan10'] }],
      }),
    ).toEqual([]);
  });

  it('reports dangling ids in links, namespace hosts and underlays', () => {
    const d = check({
      nodes: {
        r1: { kind: 'router' },
        c1: { kind: 'namespace', host: 'node-x' },
        tun: { kind: 'vxlan', vni: 1, underlay: 'pub', subnet: '172.16.0.0/29' },
      },
      links: [{ endpoints: ['r1', 'vlan99'] }],
    });
    const dangling = only(d, 'dangling-id');
    expect(dangling.map((x) => x.elements)).toEqual([
      ['c1'],
      ['r1--vlan99', 'r1', 'vlan99'],
      ['tun'],
    ]);
    expect(dangling[1]!.message).toBe(
      'link r1--vlan99: its end vlan99 is not in nodes; add vlan99 or remove the link',
    );
  });

  it('names the ends of a link in every diagnostic about it, whatever its id', () => {
    const d = check({
      nodes: { vlan10: vlan(10, '10.0.10.0/24'), r1: { kind: 'router' } },
      links: [
        { id: 'uplink', endpoints: ['r1', 'vlan99'] },
        { id: 'lan', endpoints: [{ node: 'r1', ip: '10.0.10.0' }, 'vlan10'] },
      ],
    });
    expect(only(d, 'dangling-id')).toEqual([
      expect.objectContaining({
        elements: ['uplink', 'r1', 'vlan99'],
        message:
          'link uplink (r1–vlan99): its end vlan99 is not in nodes; add vlan99 or remove the link',
      }),
    ]);
    expect(only(d, 'address-network')).toEqual([
      expect.objectContaining({
        elements: ['lan', 'r1', 'vlan10'],
        message: expect.stringContaining(
          "r1's address 10.0.10.0 on link lan (r1–vlan10) is the network address",
        ),
      }),
    ]);
  });

  it('warns about layout positions of missing elements', () => {
    const d = check({
      nodes: { r1: { kind: 'router' } },
      layout: { r1: { x: 0, y: 0 }, ghost: { x: 1, y: 1 } },
    });
    expect(d).toEqual([
      expect.objectContaining({
        severity: 'warning',
        code: 'layout-dangling',
        elements: ['ghost'],
      }),
    ]);
  });

  it('requires a container host to be a host and an underlay to be a segment', () => {
    const d = check({
      nodes: {
        r1: { kind: 'router' },
        c1: { kind: 'namespace', host: 'r1' },
        tun: { kind: 'vxlan', vni: 1, underlay: 'r1', subnet: '172.16.0.0/29' },
      },
    });
    expect(codes(d)).toEqual(['host-not-host', 'underlay-kind']);
    expect(only(d, 'host-not-host')[0]!.elements).toEqual(['c1', 'r1']);
  });

  it('reports duplicate VLAN ids once, naming both VLANs', () => {
    const d = check({
      nodes: { vlan10: vlan(10, '10.0.10.0/24'), vlan20: vlan(10, '10.0.20.0/24') },
    });
    expect(d).toEqual([
      expect.objectContaining({ code: 'duplicate-vid', elements: ['vlan10', 'vlan20'] }),
    ]);
  });

  it('reports duplicate VNIs', () => {
    const t = (subnet: string) => ({ kind: 'vxlan', vni: 42, underlay: 'pub', subnet });
    const d = check({
      nodes: {
        pub: { kind: 'switch', subnet: '203.0.113.0/24' },
        t1: t('172.16.0.0/29'),
        t2: t('172.16.1.0/29'),
      },
    });
    expect(d).toEqual([expect.objectContaining({ code: 'duplicate-vni', elements: ['t1', 't2'] })]);
  });

  it('reports overlapping subnets of distinct domains', () => {
    const d = check({
      nodes: {
        vlan10: vlan(10, '10.0.0.0/16'),
        vlan20: vlan(20, '10.0.20.0/24'),
        sw: { kind: 'switch', subnet: '192.168.0.0/24' },
        h: { kind: 'host', mode: 'routed', subnet: '192.168.0.128/25' },
        ok: vlan(30, '10.1.0.0/24'),
      },
    });
    expect(only(d, 'subnet-overlap').map((x) => x.elements)).toEqual([
      ['h', 'sw'],
      ['vlan10', 'vlan20'],
    ]);
    expect(d[1]!.message).toContain('vlan10 (10.0.0.0/16) and vlan20 (10.0.20.0/24) overlap');
  });

  it('counts the p2p pool as a domain only when a p2p link uses it', () => {
    const nodes = {
      vlan10: vlan(10, '10.255.1.0/24'),
      r1: { kind: 'router' },
      r2: { kind: 'router' },
    };
    expect(check({ nodes, links: [{ endpoints: ['r1', 'vlan10'] }] })).toEqual([]);
    const d = check({ nodes, links: [{ endpoints: ['r1', 'r2'] }] });
    expect(d).toEqual([expect.objectContaining({ code: 'subnet-overlap', elements: ['vlan10'] })]);
  });

  it('points out host bits with the network the user meant', () => {
    const d = check({ nodes: { vlan10: vlan(10, '10.0.10.1/24') } });
    expect(d).toEqual([expect.objectContaining({ code: 'host-bits', elements: ['vlan10'] })]);
    expect(d[0]!.message).toContain('10.0.10.1/24 has host bits set; did you mean 10.0.10.0/24?');
  });

  it('refuses the network and broadcast address as an explicit ip', () => {
    const d = check({
      nodes: { vlan10: vlan(10, '10.0.10.0/24'), r1: { kind: 'router' }, r2: { kind: 'router' } },
      links: [
        { endpoints: [{ node: 'r1', ip: '10.0.10.0' }, 'vlan10'] },
        { endpoints: [{ node: 'r2', ip: '10.0.10.255/24' }, 'vlan10'] },
      ],
    });
    expect(codes(d)).toEqual(['address-broadcast', 'address-network']);
    expect(only(d, 'address-network')[0]!.elements).toEqual(['r1--vlan10', 'r1', 'vlan10']);
  });

  it('allows both addresses of a /31', () => {
    const d = check({
      nodes: { r1: { kind: 'router' }, r2: { kind: 'router' } },
      links: [
        {
          endpoints: [
            { node: 'r1', ip: '10.9.0.0/31' },
            { node: 'r2', ip: '10.9.0.1/31' },
          ],
        },
      ],
    });
    expect(codes(d)).toEqual([]);
  });

  it('refuses segment-to-segment links and tells how to join VLANs', () => {
    const d = check({
      nodes: { vlan10: vlan(10, '10.0.10.0/24'), vlan20: vlan(20, '10.0.20.0/24') },
      links: [{ endpoints: ['vlan10', 'vlan20'] }],
    });
    expect(d).toEqual([
      expect.objectContaining({
        code: 'segment-link',
        elements: ['vlan10--vlan20', 'vlan10', 'vlan20'],
      }),
    ]);
    expect(d[0]!.message).toContain('join VLANs through a router');
  });

  it('refuses links from a tunnel to a segment or another tunnel', () => {
    const t = (vni: number, subnet: string) => ({ kind: 'vxlan', vni, underlay: 'pub', subnet });
    const d = check({
      nodes: {
        pub: { kind: 'switch', subnet: '203.0.113.0/24' },
        t1: t(1, '172.16.0.0/29'),
        t2: t(2, '172.16.1.0/29'),
      },
      links: [{ endpoints: ['t1', 'pub'] }, { endpoints: ['t1', 't2'] }],
    });
    expect(only(d, 'vxlan-link').map((x) => x.elements[0])).toEqual(['t1--pub', 't1--t2']);
    expect(d[0]!.message).toContain('underlay: pub');
  });

  it('refuses self links and links from a container to its own host', () => {
    const d = check({
      nodes: { r1: { kind: 'router' }, h: { kind: 'host' }, c1: { kind: 'namespace', host: 'h' } },
      links: [{ endpoints: ['r1', 'r1'] }, { endpoints: ['c1', 'h'] }],
    });
    expect(codes(d)).toEqual(['container-host-link', 'self-link']);
  });

  it('refuses reserved names as element ids and interface names', () => {
    const d = check({
      nodes: {
        help: { kind: 'router' },
        lo: { kind: 'router' },
        h: { kind: 'host' },
        c1: { kind: 'namespace', host: 'h' },
        r2: { kind: 'router' },
      },
      links: [
        {
          endpoints: [
            { node: 'r2', ifname: 'dev' },
            { node: 'c1', ifname: 'eth0' },
          ],
        },
      ],
    });
    const reserved = only(d, 'reserved-name');
    expect(reserved.map((x) => x.elements)).toEqual([
      ['help'],
      ['lo'],
      ['r2--c1', 'c1', 'r2'],
      ['r2--c1', 'r2', 'c1'],
    ]);
    expect(reserved[1]!.message).toContain('loopback');
    expect(reserved[2]!.message).toContain('eth0 is c1');
  });

  it('checks host modes', () => {
    const d = check({
      nodes: { a: { kind: 'host', mode: 'routed' }, b: { kind: 'host', subnet: '172.17.0.0/24' } },
    });
    expect(d.map((x) => [x.severity, x.code, x.elements[0]])).toEqual([
      ['error', 'routed-host-no-subnet', 'a'],
      ['warning', 'bridged-host-subnet', 'b'],
    ]);
  });

  it('warns when a static route goes via an address no attached subnet holds', () => {
    const d = check({
      nodes: {
        vlan10: vlan(10, '10.0.10.0/24'),
        r1: {
          kind: 'router',
          routing: 'static',
          routes: [
            { to: '10.0.20.0/24', via: '10.0.10.2' },
            { to: 'default', via: '192.168.1.1' },
          ],
        },
        r2: { kind: 'router', routing: 'static' },
      },
      links: [{ endpoints: ['r1', 'vlan10'] }],
    });
    expect(d.map((x) => [x.severity, x.code, x.elements[0]])).toEqual([
      ['warning', 'route-via-unreachable', 'r1'],
      ['info', 'static-no-routes', 'r2'],
    ]);
    expect(d[0]!.message).toContain('192.168.1.1');
    expect(d[0]!.path).toEqual(['nodes', 'r1', 'routes', 1, 'via']);
  });

  it('rejects multicast and duplicate MACs', () => {
    const d = check({
      nodes: { r1: { kind: 'router' }, r2: { kind: 'router' } },
      links: [
        {
          endpoints: [
            { node: 'r1', mac: '01:00:5e:00:00:01' },
            { node: 'r2', mac: '02:00:00:00:00:01' },
          ],
        },
        { endpoints: [{ node: 'r1', mac: '02:00:00:00:00:01' }, 'r2'] },
      ],
    });
    expect(codes(d)).toEqual(['mac-duplicate', 'mac-multicast']);
  });

  it('treats ids that are Object.prototype names as ordinary missing ids', () => {
    const d = check({
      nodes: { r1: { kind: 'router' } },
      links: [{ endpoints: ['r1', 'tostring'] }, { endpoints: ['r1', 'valueof'] }],
    });
    expect(codes(d)).toEqual(['dangling-id', 'dangling-id']);
  });

  it('refuses subnets the kernel gives another meaning, as an error on the element', () => {
    const d = check({
      nodes: {
        all: vlan(10, '0.0.0.0/0'),
        lo: { kind: 'switch', subnet: '127.0.0.0/8' },
        mc: vlan(11, '224.1.0.0/16'),
        ll: vlan(12, '169.254.10.0/24'),
        e: vlan(13, '240.0.0.0/24'),
        wide: vlan(14, '96.0.0.0/3'),
        ok: vlan(15, '10.0.10.0/24'),
        h: { kind: 'host', mode: 'routed', subnet: '127.1.0.0/16' },
        tun: { kind: 'vxlan', vni: 5, underlay: 'ok', subnet: '0.0.0.0/8' },
      },
      addressing: { p2p: '169.254.0.0/16' },
    });
    const reserved = only(d, 'subnet-reserved');
    expect(reserved.every((x) => x.severity === 'error')).toBe(true);
    const byElement = Object.fromEntries(
      reserved.map((x) => [x.elements.join(',') || 'p2p', x.message]),
    );
    expect(byElement).toEqual({
      all: "all's subnet 0.0.0.0/0 is every IPv4 address (the default route), not a subnet; use a private range such as 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16",
      lo: "lo's subnet 127.0.0.0/8 is loopback (127.0.0.0/8): every namespace keeps those addresses for its own lo, and the kernel drops them on any other interface; use a private range such as 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16",
      mc: expect.stringContaining("mc's subnet 224.1.0.0/16 is multicast (224.0.0.0/4)"),
      ll: expect.stringContaining("ll's subnet 169.254.10.0/24 is link-local (169.254.0.0/16)"),
      e: expect.stringContaining("e's subnet 240.0.0.0/24 is reserved (240.0.0.0/4"),
      wide: expect.stringContaining("wide's subnet 96.0.0.0/3 contains loopback (127.0.0.0/8)"),
      h: expect.stringContaining("h's container subnet 127.1.0.0/16 is loopback"),
      tun: expect.stringContaining('tun\'s subnet 0.0.0.0/8 is "this network" (0.0.0.0/8)'),
      p2p: expect.stringContaining('the p2p pool 169.254.0.0/16 is link-local'),
    });
    expect(only(d, 'subnet-reserved').find((x) => x.elements[0] === 'all')!.path).toEqual([
      'nodes',
      'all',
      'subnet',
    ]);
  });

  it('refuses a reserved address written on a link, naming the link and its element', () => {
    const d = check({
      nodes: { r1: { kind: 'router' }, r2: { kind: 'router' } },
      links: [
        {
          endpoints: [
            { node: 'r1', ip: '127.0.0.1/30' },
            { node: 'r2', ip: '127.0.0.2/30' },
          ],
        },
      ],
    });
    expect(only(d, 'subnet-reserved')).toEqual([
      expect.objectContaining({
        elements: ['r1--r2', 'r1', 'r2'],
        message: expect.stringMatching(
          /^r1's address 127\.0\.0\.1\/30 on link r1--r2: 127\.0\.0\.1\/32 is loopback/,
        ),
        path: ['links', 0, 'endpoints', 0, 'ip'],
      }),
      expect.objectContaining({ elements: ['r1--r2', 'r2', 'r1'] }),
    ]);
  });
});
