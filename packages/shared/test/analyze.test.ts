import { describe, expect, it } from 'vitest';
import { analyze } from '../src/analyze/analyze.js';
import { generateDesign } from '../src/designs/generate.js';
import type { Matrix, PairResult, Topology } from '../src/model.js';
import type { Design } from '../src/parse/schema.js';
import { resolve } from '../src/resolve/resolve.js';
import { synthetic, TopoBuilder } from './analyze-fixtures.js';
import { interVlan, makeDesign, sameVlan, vxlan } from './helpers/designs.js';

function topologyOf(design: Design): Topology {
  return resolve(design).topology;
}

function pair(m: Matrix, from: string, to: string): PairResult {
  const i = m.endpoints.indexOf(from);
  const j = m.endpoints.indexOf(to);
  expect(i, `${from} is an endpoint`).toBeGreaterThanOrEqual(0);
  expect(j, `${to} is an endpoint`).toBeGreaterThanOrEqual(0);
  return m.results[i]![j]!;
}

const elements = (r: PairResult, dir: 'forward' | 'back' = 'forward') =>
  r[dir].map((h) => h.element);

function withoutNode(d: Design, node: string): Design {
  const nodes = { ...d.nodes };
  delete nodes[node];
  return {
    ...d,
    nodes,
    links: d.links.filter(
      (l) => !l.endpoints.some((e) => (typeof e === 'string' ? e : e.node) === node),
    ),
  };
}

const isLink = (a: string, b: string) => (l: Design['links'][number]) =>
  l.endpoints.map((e) => (typeof e === 'string' ? e : e.node)).join('--') === `${a}--${b}`;

function everyPair(m: Matrix, check: (r: PairResult) => void): void {
  for (const [i, row] of m.results.entries()) {
    for (const [j, r] of row.entries()) {
      if (i === j || r === null) expect(r).toBeNull();
      else check(r);
    }
  }
}

describe('analyze: the three scenarios', () => {
  it('same-vlan: everyone reaches everyone across vlan10, with no router on the way', () => {
    const m = analyze(topologyOf(sameVlan()));
    expect(m.endpoints).toEqual(['c1', 'c2', 'node-a', 'node-b']);
    everyPair(m, (r) => {
      expect(r.reachable, `${r.from}→${r.to}: ${r.reason}`).toBe(true);
      expect(elements(r)).toEqual([r.from, 'vlan10', r.to]);
      expect(elements(r, 'back')).toEqual([r.to, 'vlan10', r.from]);
    });
    const c = pair(m, 'c1', 'c2');
    expect(c.target).toBe(m.targets.c2);
    expect(c.forward[0]!.dev).toBe('eth0');
    expect(c.forward[2]!.dev).toBe('eth0');
  });

  it('inter-vlan: c1 reaches c2 through r1 and the reply comes back through r1', () => {
    const m = analyze(topologyOf(interVlan()));
    everyPair(m, (r) => expect(r.reachable, `${r.from}→${r.to}: ${r.reason}`).toBe(true));
    expect(elements(pair(m, 'c1', 'c2'))).toEqual(['c1', 'vlan10', 'r1', 'vlan20', 'c2']);
    expect(elements(pair(m, 'c1', 'c2'), 'back')).toEqual(['c2', 'vlan20', 'r1', 'vlan10', 'c1']);
    // Same VLAN: no router hop.
    expect(elements(pair(m, 'c1', 'node-a'))).toEqual(['c1', 'vlan10', 'node-a']);
  });

  it('vxlan: c1 reaches c2 via r1, the tunnel tun and r2, both ways', () => {
    const m = analyze(topologyOf(vxlan()));
    everyPair(m, (r) => expect(r.reachable, `${r.from}→${r.to}: ${r.reason}`).toBe(true));
    const r = pair(m, 'c1', 'c2');
    expect(elements(r)).toEqual(['c1', 'vlan10', 'r1', 'tun', 'r2', 'vlan20', 'c2']);
    expect(elements(r, 'back')).toEqual(['c2', 'vlan20', 'r2', 'tun', 'r1', 'vlan10', 'c1']);
    expect(r.forward[2]!.dev).toBe('tun');
    expect(r.forward[3]!.note).toMatch(/VXLAN tunnel tun \(VNI 42, over public\)/);
    // The public network never carries lab traffic outside the tunnel.
    for (const row of m.results)
      for (const p of row) if (p) expect(elements(p)).not.toContain('public');
  });

  it('shares the reply path of (i, j) with the forward path of (j, i) instead of copying it', () => {
    const m = analyze(topologyOf(vxlan()));
    const there = pair(m, 'c1', 'c2');
    const back = pair(m, 'c2', 'c1');
    expect(there.back).toBe(back.forward);
  });

  it('answers for a subset of endpoints', () => {
    const m = analyze(topologyOf(vxlan()), { endpoints: ['c2', 'c1'] });
    expect(m.endpoints).toEqual(['c1', 'c2']);
    expect(Object.keys(m.targets).sort()).toEqual(['c1', 'c2']);
    expect(m.results).toHaveLength(2);
    expect(pair(m, 'c1', 'c2').reachable).toBe(true);
  });
});

describe('analyze: why a ping fails', () => {
  it('inter-vlan without r1: c1 has no gateway, but still reaches its own VLAN', () => {
    const m = analyze(topologyOf(withoutNode(interVlan(), 'r1')));
    const r = pair(m, 'c1', 'c2');
    expect(r.reachable).toBe(false);
    expect(r.reason).toBe(
      `c1 has no route to ${m.targets.c2} (no default gateway: vlan10 has no router)`,
    );
    expect(r.blame).toEqual(['c1', 'vlan10']);
    expect(r.back).toEqual([]);
    expect(pair(m, 'c1', 'node-a').reachable).toBe(true);
  });

  it('a segment without a router: its members have no gateway, and nobody routes to it', () => {
    const d = interVlan();
    const m = analyze(
      topologyOf({
        ...d,
        nodes: {
          ...d.nodes,
          vlan30: { kind: 'vlan', vid: 30, subnet: '10.0.30.0/24' },
          c3: { kind: 'namespace' },
        },
        links: [...d.links, { endpoints: ['c3', 'vlan30'], state: 'up' }],
      }),
    );
    expect(pair(m, 'c3', 'c1').reason).toBe(
      `c3 has no route to ${m.targets.c1} (no default gateway: vlan30 has no router)`,
    );
    const r = pair(m, 'c1', 'c3');
    expect(r.reason).toBe(`r1 has no route to ${m.targets.c3}`);
    expect(elements(r)).toEqual(['c1', 'vlan10', 'r1']);
    expect(pair(m, 'c1', 'c2').reachable).toBe(true);
  });

  it('vxlan without the link r2--tun: r1 has no way to vlan20', () => {
    const d = vxlan();
    const m = analyze(topologyOf({ ...d, links: d.links.filter((l) => !isLink('r2', 'tun')(l)) }));
    const r = pair(m, 'c1', 'c2');
    expect(r.reachable).toBe(false);
    // The rule that applies: the two routers now meet only on the underlay.
    expect(r.reason).toBe(
      `r1 has no route to ${m.targets.c2}: vlan20 is behind r2, which r1 meets only on public, and public carries a VXLAN tunnel, so it is no transit network (join r1 and r2 to one tunnel)`,
    );
    expect(r.blame).toEqual(['r1', 'r2', 'public']);
    expect(pair(m, 'c1', 'r1').reachable).toBe(true);
  });

  it('the link r2--public down: the reason names the cut link and the tunnel it breaks', () => {
    const d = vxlan();
    const m = analyze(
      topologyOf({
        ...d,
        links: d.links.map((l) =>
          isLink('r2', 'public')(l) ? { ...l, state: 'down' as const } : l,
        ),
      }),
    );
    const r = pair(m, 'c1', 'c2');
    expect(r.reachable).toBe(false);
    expect(r.reason).toMatch(
      /^r1 cannot reach its gateway 172\.16\.42\.\d+: the link r2--public is down, so the tunnel tun cannot reach r2$/,
    );
    expect(r.blame).toEqual(['r2--public', 'tun']);
    expect(elements(r)).toEqual(['c1', 'vlan10', 'r1', 'r1']);
    expect(pair(m, 'c2', 'c1').reason).toContain('the link r2--public is down');
    // Each site still works on its own.
    expect(pair(m, 'c1', 'r1').reachable).toBe(true);
    expect(pair(m, 'c2', 'r2').reachable).toBe(true);
  });

  it('a static router with no route back: the request arrives, the reply is lost at r2', () => {
    const d = vxlan();
    const m = analyze(
      topologyOf({
        ...d,
        nodes: { ...d.nodes, r2: { kind: 'router', routing: 'static', routes: [] } },
      }),
    );
    const r = pair(m, 'c1', 'c2');
    expect(r.reachable).toBe(false);
    expect(elements(r)).toEqual(['c1', 'vlan10', 'r1', 'tun', 'r2', 'vlan20', 'c2']);
    expect(elements(r, 'back')).toEqual(['c2', 'vlan20', 'r2']);
    expect(r.reason).toBe(
      `the reply from c2 to ${m.targets.c1} is lost: r2 has no route to ${m.targets.c1}`,
    );
    expect(r.blame).toEqual(['r2']);
  });

  it('a static route through a namespace that does not forward', () => {
    const m = analyze(
      topologyOf(
        makeDesign(
          'mid',
          {
            vlan10: { kind: 'vlan', vid: 10, subnet: '10.0.10.0/24' },
            vlan20: { kind: 'vlan', vid: 20, subnet: '10.0.20.0/24' },
            r1: {
              kind: 'router',
              routing: 'static',
              routes: [{ to: '10.0.20.0/24', via: '10.0.10.50' }],
            },
            mid: { kind: 'namespace' },
            c1: { kind: 'namespace' },
            c2: { kind: 'namespace' },
          },
          [
            { endpoints: ['r1', 'vlan10'] },
            { endpoints: [{ node: 'mid', ip: '10.0.10.50/24' }, 'vlan10'] },
            { endpoints: ['mid', 'vlan20'] },
            { endpoints: ['c1', 'vlan10'] },
            { endpoints: ['c2', 'vlan20'] },
          ],
        ),
      ),
    );
    const r = pair(m, 'c1', 'c2');
    expect(r.reason).toBe(
      `mid does not forward (ip_forward is off), so it drops the packet to ${m.targets.c2}`,
    );
    expect(r.blame).toEqual(['mid']);
    expect(elements(r)).toEqual(['c1', 'vlan10', 'r1', 'vlan10', 'mid']);
    // mid itself answers: its vlan20 address is local, whatever interface the packet came in on.
    expect(pair(m, 'c1', 'mid').reachable).toBe(true);
  });

  it('a routing loop between two routers', () => {
    const b = new TopoBuilder('loop')
      .node('r1', 'router')
      .node('r2', 'router')
      .p2p('r1', 'r2', '10.255.0.1/30', '10.255.0.2/30', '10.255.0.0/30')
      .segment('v9', 'vlan', '10.9.0.0/24', null)
      .node('x', 'namespace')
      .attach('x', 'v9', '10.9.0.5/24')
      .segment('v1', 'vlan', '10.1.0.0/24', { node: 'r1', address: '10.1.0.1' })
      .attach('r1', 'v1', '10.1.0.1/24')
      .node('a', 'namespace')
      .attach('a', 'v1', '10.1.0.2/24')
      .route('a', 'default', '10.1.0.1', 'v1', 'default')
      .route('r1', '10.9.0.0/24', '10.255.0.2', 'r2', 'static')
      .route('r2', '10.9.0.0/24', '10.255.0.1', 'r1', 'static')
      .endpoint('a', '10.1.0.2/24')
      .endpoint('x', '10.9.0.5/24');
    const m = analyze(b.t);
    const r = pair(m, 'a', 'x');
    expect(r.reachable).toBe(false);
    expect(r.reason).toBe(
      'routing loop between r1 and r2: the packet to 10.9.0.5 circles until its TTL runs out',
    );
    expect(r.blame).toEqual(['r1', 'r2']);
    expect(pair(m, 'x', 'a').reason).toBe(
      'x has no route to 10.1.0.2 (no default gateway: v9 has no router)',
    );
  });

  it("a container's own link down: the reason names that link", () => {
    const d = sameVlan();
    const m = analyze(
      topologyOf({
        ...d,
        links: d.links.map((l) =>
          isLink('node-b', 'vlan10')(l) ? { ...l, state: 'down' as const } : l,
        ),
      }),
    );
    const r = pair(m, 'c1', 'c2');
    expect(r.reachable).toBe(false);
    expect(r.reason).toBe('the link node-b--vlan10 is down');
    expect(r.blame).toEqual(['node-b--vlan10']);
    expect(pair(m, 'c1', 'node-a').reachable).toBe(true);
  });

  it("a router's port set down: its address there still answers from another port (weak host model), and the matrix pings it on a port that is up", () => {
    const d = interVlan();
    const cut = topologyOf({
      ...d,
      links: d.links.map((l) => (isLink('r1', 'vlan20')(l) ? { ...l, state: 'down' as const } : l)),
    });
    expect(analyze(cut).targets.r1).toBe('10.0.10.1');
    // Ask for the down port's address itself, as a ping to it would.
    const downPort = {
      ...cut,
      endpoints: cut.endpoints.map((e) => (e.node === 'r1' ? { ...e, address: '10.0.20.1' } : e)),
    };
    const m = analyze(downPort);
    const r = pair(m, 'c1', 'r1');
    expect(r.reachable, r.reason).toBe(true);
    expect(r.forward.at(-1)!.note).toBe(
      'receives it: 10.0.20.1 is its own address on vlan20, which is down: Linux keeps the address local and accepts it on any interface (weak host model)',
    );
    // From the down port's own segment nothing answers: its link is down.
    expect(pair(m, 'node-b', 'r1').reachable).toBe(false);
  });

  it('the first addressed port of a router down: the router is pinged on a port that is up', () => {
    const d = interVlan();
    const firstDown = topologyOf({
      ...d,
      links: d.links.map((l) => (isLink('r1', 'vlan10')(l) ? { ...l, state: 'down' as const } : l)),
    });
    expect(analyze(firstDown).targets.r1).toBe('10.0.20.1');
    expect(pair(analyze(firstDown), 'c2', 'r1').reachable).toBe(true);
  });

  it('a VXLAN member missing the flood entry for its peer', () => {
    const b = new TopoBuilder('fdb')
      .segment('public', 'switch', '192.168.1.0/24', null, false)
      .node('r1', 'router')
      .node('r2', 'router')
      .attach('r1', 'public', '192.168.1.1/24')
      .attach('r2', 'public', '192.168.1.2/24')
      .vxlan('tun', 7, '172.16.0.0/24', [
        {
          node: 'r1',
          address: '172.16.0.1/24',
          underlayDev: 'public',
          local: '192.168.1.1',
          remotes: [],
        },
        { node: 'r2', address: '172.16.0.2/24', underlayDev: 'public', local: '192.168.1.2' },
      ])
      .endpoint('r1', '172.16.0.1/24')
      .endpoint('r2', '172.16.0.2/24');
    const m = analyze(b.t);
    expect(pair(m, 'r1', 'r2').reason).toBe(
      'the tunnel tun on r1 has no flood entry for r2 (192.168.1.2)',
    );
    expect(pair(m, 'r1', 'r2').blame).toEqual(['tun', 'r1']);
  });
});

describe('analyze: properties over generated designs', () => {
  const cases = [10, 20, 40].flatMap((elements) =>
    Array.from({ length: 8 }, (_, k) => ({ seed: k * 7919 + elements, elements })),
  );

  it.each(cases)(
    'seed $seed, $elements elements: pure, complete, and explained',
    ({ seed, elements: size }) => {
      const topology = topologyOf(generateDesign({ seed, elements: size }));
      const before = JSON.stringify(topology);
      const m = analyze(topology);
      expect(JSON.stringify(topology), 'analyze does not touch its input').toBe(before);
      expect(JSON.stringify(analyze(topology))).toBe(JSON.stringify(m));
      expect(m.endpoints).toEqual(topology.endpoints.map((e) => e.node).sort());
      expect(m.results).toHaveLength(m.endpoints.length);
      m.results.forEach((row, i) => {
        expect(row).toHaveLength(m.endpoints.length);
        row.forEach((r, j) => {
          if (i === j || r === null) {
            expect(i).toBe(j);
            return;
          }
          expect(r.from).toBe(m.endpoints[i]);
          expect(r.to).toBe(m.endpoints[j]);
          expect(r.target).toBe(m.targets[r.to]);
          if (r.reachable) {
            expect(r.forward.length).toBeGreaterThan(0);
            expect(r.back.length).toBeGreaterThan(0);
            expect(r.forward[0]!.element).toBe(r.from);
            expect(r.forward[r.forward.length - 1]!.element).toBe(r.to);
            expect(r.back[0]!.element).toBe(r.to);
            expect(r.back[r.back.length - 1]!.element).toBe(r.from);
            expect(r.reason).toBeUndefined();
          } else {
            expect(r.reason, `${r.from}→${r.to}`).toMatch(/\w/);
            expect(r.reason).not.toContain('{dst}');
            expect(r.blame!.length).toBeGreaterThan(0);
          }
        });
      });
    },
  );

  it('a design whose links are all up and whose segments all have routers is fully reachable', () => {
    let checked = 0;
    for (let seed = 1; seed <= 40 && checked < 6; seed++) {
      const design = generateDesign({
        seed,
        elements: 30,
        downLinkChance: 0,
        staticRouterChance: 0,
      });
      const topology = topologyOf(design);
      if (
        topology.domains.some(
          (d) => (d.kind === 'vlan' || d.kind === 'switch') && d.transit && !d.gateway,
        )
      )
        continue;
      checked++;
      const m = analyze(topology);
      everyPair(m, (r) =>
        expect(r.reachable, `seed ${seed}: ${r.from}→${r.to}: ${r.reason}`).toBe(true),
      );
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe('analyze: scale', () => {
  // Timing is the benchmark's job (bench/core.bench.ts); this checks the answer at a size where sharing matters.
  it('answers a 400-endpoint matrix through a chain of 10 routers, sharing reply arrays', () => {
    const t = synthetic(40, 10);
    const m = analyze(t);
    expect(m.endpoints).toHaveLength(400);
    const far = pair(m, 'n0-0', 'n39-9');
    expect(far.reachable).toBe(true);
    expect(elements(far).filter((e) => /^r\d+$/.test(e))).toEqual(
      Array.from({ length: 10 }, (_, k) => `r${k + 1}`),
    );
    expect(far.back).toBe(pair(m, 'n39-9', 'n0-0').forward);
    everyPair(m, (r) => expect(r.reachable).toBe(true));
  }, 60_000);
});
