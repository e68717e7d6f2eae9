import { describe, expect, it } from 'vitest';
import { analyze } from '../src/analyze/analyze.js';
import type { Matrix, PairResult } from '../src/model.js';
import { kernelMtus } from '../src/net/mtu.js';
import type { Design } from '../src/parse/schema.js';
import { diagnose } from '../src/pipeline.js';
import { resolve } from '../src/resolve/resolve.js';
import { interVlan, makeDesign, vxlan } from './helpers/designs.js';

const isLink = (a: string, b: string) => (l: Design['links'][number]) =>
  l.endpoints.map((e) => (typeof e === 'string' ? e : e.node)).join('--') === `${a}--${b}`;

function withMtu(d: Design, a: string, b: string, mtu: number): Design {
  return { ...d, links: d.links.map((l) => (isLink(a, b)(l) ? { ...l, mtu } : l)) };
}

function pair(m: Matrix, from: string, to: string): PairResult {
  return m.results[m.endpoints.indexOf(from)]![m.endpoints.indexOf(to)]!;
}

describe('MTU', () => {
  it('gives each interface the MTU the kernel will show', () => {
    const { topology } = resolve(withMtu(vxlan(), 'r1', 'public', 9000));
    const mtus = kernelMtus(topology.interfaces);
    const at = (netns: string, dev: string) => mtus.get(`nc-vxlan.${netns}/${dev}`);
    expect(at('r1', 'public')).toBe(9000);
    expect(at('r1', 'tun')).toBe(8950); // the underlay's MTU minus 50
    expect(at('r2', 'tun')).toBe(1450);
    expect(at('node-a', 'br0')).toBe(1500); // the smallest of its ports
  });

  it('a port with a smaller MTU than the rest of its segment is a warning naming it and its link', () => {
    const { diagnostics } = diagnose(withMtu(interVlan(), 'r1', 'vlan10', 1400));
    const d = diagnostics.filter((x) => x.code === 'mtu-mismatch');
    expect(d).toEqual([
      {
        severity: 'warning',
        code: 'mtu-mismatch',
        message:
          'r1 (MTU 1400) is on vlan10 with a smaller MTU than the 1500 of the rest: a packet larger than 1404 bytes sent to it across vlan10 is dropped without an error (give every link of vlan10 the same MTU)',
        elements: ['vlan10', 'r1', 'r1--vlan10'],
        path: ['nodes', 'vlan10'],
      },
    ]);
    // The same MTU on every attachment is no mistake.
    const same = makeDesign(
      'same',
      {
        vlan10: { kind: 'vlan', vid: 10, subnet: '10.0.10.0/24' },
        r1: { kind: 'router' },
        n1: { kind: 'namespace' },
      },
      [
        { endpoints: ['r1', 'vlan10'], mtu: 1400 },
        { endpoints: ['n1', 'vlan10'], mtu: 1400 },
      ],
    );
    expect(diagnose(same).diagnostics.filter((x) => x.code === 'mtu-mismatch')).toEqual([]);
  });

  it('a tunnel MTU larger than its underlay allows is an error', () => {
    const { diagnostics } = diagnose(withMtu(vxlan(), 'r1', 'tun', 1500));
    expect(diagnostics.filter((x) => x.severity === 'error')).toEqual([
      expect.objectContaining({
        code: 'vxlan-mtu',
        message:
          "r1's end of the tunnel tun asks for MTU 1500, but its underlay interface public has 1500 and VXLAN needs 50 bytes of it: at most 1450 (the kernel would cut it to that without a word)",
        elements: ['r1', 'tun', 'r1--tun'],
      }),
    ]);
    expect(diagnose(withMtu(vxlan(), 'r1', 'tun', 1450)).diagnostics).toEqual(
      diagnose(vxlan()).diagnostics,
    );
  });

  it('predicts which pings of a given size get through, and where the others are lost', () => {
    const topology = resolve(withMtu(interVlan(), 'r1', 'vlan10', 1400)).topology;
    const small = analyze(topology, { size: 1372 }); // 1400 bytes on the wire
    for (const row of small.results)
      for (const r of row) if (r) expect(r.reachable, `${r.from}→${r.to}: ${r.reason}`).toBe(true);
    expect(small.size).toBe(1372);

    const big = analyze(topology, { size: 1400 }); // 1428 bytes
    expect(pair(big, 'c1', 'node-a').reachable).toBe(true);
    expect(pair(big, 'c1', 'r1')).toMatchObject({
      reachable: false,
      reason:
        'a 1428-byte packet is dropped without an error at the port r1-vlan10 of vlan10 on vlan10: its MTU is 1400',
      blame: ['vlan10', 'r1--vlan10'],
    });
    expect(pair(big, 'c2', 'c1')).toMatchObject({
      reachable: false,
      reason:
        'r1 cannot forward a 1428-byte packet with don\'t-fragment set over vlan10 (MTU 1400), so it answers "fragmentation needed"',
    });
    expect(pair(big, 'r1', 'c1').reason).toBe(
      'r1 cannot send a 1428-byte packet with don\'t-fragment set: its interface vlan10 has MTU 1400 (ping: "message too long")',
    );
    // Without a size, nothing changes.
    expect(pair(analyze(topology), 'c1', 'r1').reachable).toBe(true);
  });

  it('the reply is fragmented, not refused: the black hole on its way back is what loses it', () => {
    // node-b's uplink at 1400: requests to node-b die at its port; a reply from node-b is cut into 1400-byte pieces and lives.
    const topology = resolve(withMtu(interVlan(), 'node-b', 'vlan20', 1400)).topology;
    const m = analyze(topology, { size: 1400 });
    expect(pair(m, 'c1', 'node-b').reachable).toBe(false);
    expect(pair(m, 'node-b', 'r1')).toMatchObject({
      reachable: false,
      reason: expect.stringMatching(
        /^node-b cannot send a 1428-byte packet with don't-fragment set/,
      ),
    });
    const fits = analyze(topology, { size: 1376 }); // 1404 bytes: the 4 bytes of room
    expect(pair(fits, 'c1', 'node-b').reachable).toBe(true);
    const over = analyze(topology, { size: 1377 });
    expect(pair(over, 'c1', 'node-b').reachable).toBe(false);
  });

  it('a tunnel carries at most its own MTU', () => {
    const topology = resolve(vxlan()).topology;
    expect(pair(analyze(topology, { size: 1422 }), 'c1', 'c2').reachable).toBe(true); // 1450
    expect(pair(analyze(topology, { size: 1423 }), 'c1', 'c2')).toMatchObject({
      reachable: false,
      reason:
        'r1 cannot forward a 1451-byte packet with don\'t-fragment set over tun (MTU 1450), so it answers "fragmentation needed"',
    });
  });

  it('refuses a size no IPv4 packet has', () => {
    const topology = resolve(interVlan()).topology;
    expect(() => analyze(topology, { size: 65508 })).toThrow(RangeError);
    expect(() => analyze(topology, { size: -1 })).toThrow(RangeError);
  });
});
