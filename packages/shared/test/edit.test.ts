/**
 * Edit operations: the whole-document diff reproduces the target, invert
 * undoes, and what the server decides while applying (renames of ids two
 * tabs both chose, automatic numbers picked again, notices for edits made
 * over someone else's newer one) is visible in the result.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  API_VERSION,
  applyOps,
  type Design,
  type DesignNode,
  diffDesigns,
  type EditOp,
  EditOps,
  invert,
  type Link,
  linkIds,
  renameOps,
  sameDesign,
  shareUnchanged,
} from '../src/index.js';
import { interVlan, makeDesign, vxlan } from './helpers/designs.js';

// ───────────────────────────── arbitraries ─────────────────────────────

const POOL = ['a', 'b', 'c1', 'c2', 'h1', 'h2', 'r1', 'sw1', 'tun1', 'vlan10'] as const;
const subnet = fc.integer({ min: 0, max: 255 }).map((n) => `10.${n}.0.0/24`);
const label = fc.option(fc.constantFrom('web', 'db', 'edge'), { nil: undefined });
const pos = fc.record({
  x: fc.integer({ min: -500, max: 500 }),
  y: fc.integer({ min: 0, max: 400 }),
});

function nodeArb(id: string, ids: readonly string[]): fc.Arbitrary<DesignNode> {
  const clean = <T extends object>(o: T): T =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  const hosts = ids.filter((x) => x.startsWith('h') && x !== id);
  return fc
    .oneof(
      fc.record({
        kind: fc.constant('host' as const),
        mode: fc.constantFrom('bridged' as const, 'routed' as const),
        subnet: fc.option(subnet, { nil: undefined }),
        label,
      }),
      fc.record({
        kind: fc.constant('namespace' as const),
        host: hosts.length
          ? fc.option(fc.constantFrom(...hosts), { nil: undefined })
          : fc.constant(undefined),
        label,
      }),
      fc.record({
        kind: fc.constant('vlan' as const),
        vid: fc.integer({ min: 1, max: 4094 }),
        subnet,
        label,
      }),
      fc.record({
        kind: fc.constant('switch' as const),
        subnet: fc.option(subnet, { nil: undefined }),
        label,
      }),
      fc.record({
        kind: fc.constant('router' as const),
        routing: fc.constantFrom('auto' as const, 'static' as const),
        routes: fc.array(fc.record({ to: subnet, via: fc.constant('10.0.0.1') }), { maxLength: 2 }),
        label,
      }),
      fc.record({
        kind: fc.constant('vxlan' as const),
        vni: fc.integer({ min: 1, max: 1000 }),
        port: fc.constant(4789),
        underlay: fc.constantFrom('', ...ids.filter((x) => x !== id)),
        subnet,
        label,
      }),
    )
    .map((n) => clean(n) as DesignNode);
}

const endpoint = (node: string) =>
  fc
    .record({
      ifname: fc.option(fc.constantFrom('eth1', 'up0'), { nil: undefined }),
      ip: fc.option(fc.constantFrom('10.0.0.9', '10.9.0.1/24'), { nil: undefined }),
    })
    .map(({ ifname, ip }) =>
      ifname === undefined && ip === undefined
        ? node
        : { node, ...(ifname ? { ifname } : {}), ...(ip ? { ip } : {}) },
    );

/** A design whose references all resolve (links, hosts, underlays, layout). */
const designArb: fc.Arbitrary<Design> = fc
  .subarray([...POOL], { minLength: 0 })
  .chain((ids) =>
    fc.record({
      nodes: fc.tuple(...ids.map((id) => nodeArb(id, ids))),
      links:
        ids.length < 2
          ? fc.constant([] as Link[])
          : fc.array(
              fc
                .tuple(fc.constantFrom(...ids), fc.constantFrom(...ids))
                .chain(([x, y]) =>
                  fc.record({
                    endpoints: fc.tuple(endpoint(x), endpoint(y)),
                    state: fc.constantFrom('up' as const, 'down' as const),
                    mtu: fc.option(fc.constantFrom(1400, 9000), { nil: undefined }),
                    id: fc.option(fc.constantFrom('uplink', 'trunk'), { freq: 6, nil: undefined }),
                  }),
                )
                .map(
                  (l) =>
                    Object.fromEntries(
                      Object.entries(l).filter(([, v]) => v !== undefined),
                    ) as Link,
                ),
              { maxLength: 8 },
            ),
      layout: fc.tuple(...ids.map(() => fc.option(pos, { nil: undefined }))),
      description: fc.option(fc.constantFrom('lesson 1', 'lesson 2'), { nil: undefined }),
      ids: fc.constant(ids),
    }),
  )
  .map(({ nodes, links, layout, description, ids }) => {
    // Own link ids are unique in a design.
    const seen = new Set<string>();
    const unique = links.map((l) => {
      if (l.id === undefined || !seen.has(l.id)) {
        if (l.id) seen.add(l.id);
        return l;
      }
      const { id: _drop, ...rest } = l;
      return rest;
    });
    const d: Design = {
      apiVersion: API_VERSION,
      name: 'prop',
      nodes: Object.fromEntries(ids.map((id, i) => [id, nodes[i]!])),
      links: unique,
      addressing: { p2p: '10.255.0.0/16' },
      layout: Object.fromEntries(
        ids.flatMap((id, i) => (layout[i] ? [[id, layout[i]!] as const] : [])),
      ),
    };
    if (description) d.description = description;
    return d;
  });

/** Ops as a client would send them (no `prev`), some referring to nothing. */
const opArb: fc.Arbitrary<EditOp> = fc.oneof(
  fc
    .constantFrom(...POOL)
    .chain((id) =>
      nodeArb(id, [...POOL]).map(
        (node): EditOp => ({ op: 'node.add', id, node, auto: ['vid', 'vni', 'subnet'] }),
      ),
    ),
  fc.constantFrom(...POOL).map((id): EditOp => ({ op: 'node.remove', id })),
  fc
    .tuple(fc.constantFrom(...POOL), fc.constantFrom('web', null))
    .map(([id, value]): EditOp => ({ op: 'node.set', id, field: 'label', value })),
  fc
    .tuple(fc.constantFrom(...POOL), fc.constantFrom(...POOL, 'core', 'edge'))
    .map(([from, to]): EditOp => ({ op: 'node.rename', from, to })),
  fc.tuple(fc.constantFrom(...POOL), pos).map(([id, at]): EditOp => ({ op: 'layout.set', id, at })),
  fc
    .tuple(fc.constantFrom(...POOL), fc.constantFrom(...POOL))
    .map(([a, b]): EditOp => ({ op: 'link.add', link: { endpoints: [a, b], state: 'up' } })),
  fc
    .tuple(fc.constantFrom(...POOL), fc.constantFrom(...POOL), fc.constantFrom('', '#2'))
    .map(
      ([a, b, n]): EditOp => ({ op: 'link.set', id: `${a}--${b}${n}`, field: 'mtu', value: 1400 }),
    ),
  fc
    .tuple(fc.constantFrom(...POOL), fc.constantFrom(...POOL))
    .map(([a, b]): EditOp => ({ op: 'link.remove', id: `${a}--${b}` })),
  fc
    .tuple(fc.constantFrom(...POOL), fc.constantFrom(...POOL), fc.constantFrom('10.0.0.5', null))
    .map(
      ([a, b, ip]): EditOp => ({
        op: 'endpoint.set',
        id: `${a}--${b}`,
        end: 0,
        field: 'ip',
        value: ip,
      }),
    ),
  fc
    .constantFrom('lesson 3', null)
    .map((value): EditOp => ({ op: 'doc.set', field: 'description', value })),
);

describe('diffDesigns', () => {
  it('apply(diff(a, b), a) = b, over generated designs', () => {
    fc.assert(
      fc.property(designArb, designArb, (a, b) => {
        const r = applyOps(a, diffDesigns(a, b));
        expect(r.notices).toEqual([]);
        expect(sameDesign(r.doc, b)).toBe(true);
        // Every op of a diff is a valid message.
        expect(EditOps.safeParse(diffDesigns(a, b)).success).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('is empty between equal documents, and changes one field with one op', () => {
    const a = interVlan();
    expect(diffDesigns(a, structuredClone(a))).toEqual([]);
    const b = structuredClone(a);
    b.nodes.r1 = { ...b.nodes.r1!, label: 'core' } as DesignNode;
    expect(diffDesigns(a, b)).toEqual([
      { op: 'node.set', id: 'r1', field: 'label', value: 'core', prev: null },
    ]);
  });
});

describe('invert', () => {
  it('applying the inverse of what was applied gives the document back', () => {
    fc.assert(
      fc.property(designArb, designArb, fc.array(opArb, { maxLength: 12 }), (a, b, extra) => {
        const r = applyOps(a, [...diffDesigns(a, b), ...extra]);
        const back = applyOps(r.doc, invert(r.applied));
        expect(sameDesign(back.doc, a)).toBe(true);
        // And redo (the inverse of the inverse) gives the edited document again.
        const again = applyOps(back.doc, invert(back.applied));
        expect(sameDesign(again.doc, r.doc)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});

// ───────────────────────────── behaviour ─────────────────────────────

const base = () =>
  makeDesign(
    'edits',
    {
      vlan10: { kind: 'vlan', vid: 10, subnet: '10.0.10.0/24' },
      r1: { kind: 'router' },
      h1: { kind: 'host' },
      c1: { kind: 'namespace', host: 'h1' },
      sw1: { kind: 'switch', subnet: '192.168.1.0/24' },
      tun1: { kind: 'vxlan', vni: 100, underlay: 'sw1', subnet: '172.16.1.0/24' },
    },
    [
      { endpoints: ['r1', 'vlan10'] },
      { endpoints: ['h1', 'vlan10'] },
      { endpoints: ['r1', 'sw1'] },
    ],
    { layout: { r1: { x: 0, y: 0 }, vlan10: { x: 100, y: 0 } } },
  );

describe('applyOps', () => {
  it('gives a new element whose id was taken meanwhile the next free id, and the rest of the batch follows', () => {
    const server = applyOps(base(), [
      { op: 'node.add', id: 'c2', node: { kind: 'namespace' }, at: { x: 1, y: 1 } },
    ]).doc;
    // The other tab also picked c2, then linked and moved it, in one batch.
    const r = applyOps(server, [
      { op: 'node.add', id: 'c2', node: { kind: 'namespace' }, at: { x: 5, y: 5 } },
      { op: 'link.add', link: { endpoints: ['c2', 'vlan10'], state: 'up' } },
      { op: 'link.set', id: 'c2--vlan10', field: 'mtu', value: 1400 },
      { op: 'node.set', id: 'c2', field: 'label', value: 'mine' },
      { op: 'layout.set', id: 'c2', at: { x: 9, y: 9 } },
    ]);
    expect(r.renames).toEqual({ c2: 'c3' });
    expect(r.notices).toMatchObject([{ code: 'renamed', element: 'c3' }]);
    expect(r.doc.nodes.c2).toEqual({ kind: 'namespace' });
    expect(r.doc.nodes.c3).toEqual({ kind: 'namespace', label: 'mine' });
    expect(r.doc.layout?.c2).toEqual({ x: 1, y: 1 });
    expect(r.doc.layout?.c3).toEqual({ x: 9, y: 9 });
    // Dropped on the same spot as the other tab's: moved aside, so both are seen.
    const same = applyOps(server, [
      { op: 'node.add', id: 'c2', node: { kind: 'namespace' }, at: { x: 1, y: 1 } },
    ]);
    expect(same.doc.layout?.c3).toEqual({ x: 25, y: 25 });
    expect(r.doc.links.at(-1)).toEqual({ endpoints: ['c3', 'vlan10'], state: 'up', mtu: 1400 });
  });

  it('a renamed element does not take an id the same batch adds later', () => {
    const server = applyOps(base(), [
      { op: 'node.add', id: 'c2', node: { kind: 'namespace' } },
    ]).doc;
    const r = applyOps(server, [
      { op: 'node.add', id: 'c2', node: { kind: 'namespace' } },
      { op: 'node.add', id: 'c3', node: { kind: 'namespace' } },
    ]);
    expect(r.renames).toEqual({ c2: 'c4' });
    expect(Object.keys(r.doc.nodes)).toEqual(expect.arrayContaining(['c2', 'c3', 'c4']));
  });

  it('picks automatic VLAN ids, VNIs and subnets again when another tab took them', () => {
    const r = applyOps(base(), [
      {
        op: 'node.add',
        id: 'vlan20',
        node: { kind: 'vlan', vid: 10, subnet: '10.0.10.0/24' },
        auto: ['vid', 'subnet'],
      },
      {
        op: 'node.add',
        id: 'tun2',
        node: { kind: 'vxlan', vni: 100, port: 4789, underlay: 'sw1', subnet: '172.16.1.0/24' },
        auto: ['vni', 'subnet'],
      },
      // Written by hand, not automatic: kept as written, and validate reports the clash.
      { op: 'node.add', id: 'vlan30', node: { kind: 'vlan', vid: 10, subnet: '10.0.30.0/24' } },
    ]);
    expect(r.doc.nodes.vlan20).toEqual({ kind: 'vlan', vid: 20, subnet: '10.0.20.0/24' });
    expect(r.doc.nodes.tun2).toMatchObject({ vni: 200, subnet: '172.16.0.0/24' });
    expect(r.doc.nodes.vlan30).toMatchObject({ vid: 10 });
    expect(r.notices.filter((n) => n.code === 'renumbered').map((n) => n.element)).toEqual([
      'vlan20',
      'vlan20',
      'tun2',
      'tun2',
    ]);
  });

  it('removing a node takes its links and layout, moves its containers out, empties its tunnels’ underlay', () => {
    const r = applyOps(base(), [
      { op: 'node.remove', id: 'h1' },
      { op: 'node.remove', id: 'sw1' },
    ]);
    expect(r.doc.nodes.c1).toEqual({ kind: 'namespace' });
    expect(r.doc.nodes.tun1).toMatchObject({ underlay: '' });
    expect(linkIds(r.doc)).toEqual(['r1--vlan10']);
    expect(sameDesign(applyOps(r.doc, invert(r.applied)).doc, base())).toBe(true);
  });

  it('a rename follows links, containers, tunnels and layout; onto a taken id it is refused', () => {
    const r = applyOps(base(), [
      { op: 'node.rename', from: 'h1', to: 'node-a' },
      { op: 'node.rename', from: 'sw1', to: 'public' },
      { op: 'node.rename', from: 'r1', to: 'vlan10' },
    ]);
    expect(r.doc.nodes.c1).toEqual({ kind: 'namespace', host: 'node-a' });
    expect(r.doc.nodes.tun1).toMatchObject({ underlay: 'public' });
    expect(linkIds(r.doc)).toEqual(['r1--vlan10', 'node-a--vlan10', 'r1--public']);
    expect(r.notices).toMatchObject([{ code: 'taken', element: 'r1' }]);
  });

  it('a set over a value its editor had not seen says which element and field it replaced', () => {
    const first = applyOps(base(), [
      { op: 'node.set', id: 'r1', field: 'label', value: 'from a', prev: null },
    ]);
    // The other tab saw the label empty too: the later change wins, with a notice.
    const second = applyOps(first.doc, [
      { op: 'node.set', id: 'r1', field: 'label', value: 'from b', prev: null },
    ]);
    expect(second.doc.nodes.r1).toMatchObject({ label: 'from b' });
    expect(second.notices).toEqual([
      expect.objectContaining({
        code: 'overwrote',
        element: 'r1',
        field: 'label',
        replaced: 'from a',
      }),
    ]);
    // A change made after seeing the other one is no conflict.
    const third = applyOps(second.doc, [
      { op: 'node.set', id: 'r1', field: 'label', value: 'from a again', prev: 'from b' },
    ]);
    expect(third.notices).toEqual([]);
    // Forced (a field draft kept over a remote change): a notice even though prev matches.
    const forced = applyOps(third.doc, [
      {
        op: 'node.set',
        id: 'r1',
        field: 'label',
        value: 'mine',
        prev: 'from a again',
        force: true,
      },
    ]);
    expect(forced.notices).toMatchObject([{ code: 'overwrote', field: 'label' }]);
  });

  it('edits of an element deleted meanwhile are dropped with a notice, moves silently', () => {
    const r = applyOps(base(), [
      { op: 'node.remove', id: 'r1' },
      { op: 'node.set', id: 'r1', field: 'label', value: 'x' },
      { op: 'link.set', id: 'r1--vlan10', field: 'mtu', value: 1400 },
      { op: 'layout.set', id: 'r1', at: { x: 3, y: 3 } },
    ]);
    expect(r.notices.map((n) => [n.code, n.element])).toEqual([
      ['gone', 'r1'],
      ['gone', 'r1--vlan10'],
    ]);
    expect(r.doc.layout?.r1).toBeUndefined();
  });

  it('sets on a link end keep the end in its shortest form', () => {
    const r = applyOps(base(), [
      { op: 'endpoint.set', id: 'r1--vlan10', end: 0, field: 'ip', value: '10.0.10.254/24' },
    ]);
    expect(r.doc.links[0]!.endpoints[0]).toEqual({ node: 'r1', ip: '10.0.10.254/24' });
    const back = applyOps(r.doc, invert(r.applied));
    expect(back.doc.links[0]!.endpoints[0]).toBe('r1');
  });

  it('renameOps rewrites every reference, link ids included', () => {
    const ops = (c: string): EditOp[] => [
      { op: 'node.set', id: c, field: 'label', value: 'x' },
      { op: 'link.set', id: `${c}--vlan10#2`, field: 'mtu', value: 1400 },
      {
        op: 'link.add',
        link: { endpoints: [{ node: c, ip: '10.0.10.9' }, 'vlan10'], state: 'up' },
      },
      { op: 'node.set', id: 'c9', field: 'host', value: c },
      { op: 'layout.set', id: c, at: null },
    ];
    expect(renameOps(ops('c3'), { c3: 'c4' })).toEqual(ops('c4'));
  });

  it('shareUnchanged keeps the objects of what did not change', () => {
    const a = vxlan();
    const b = structuredClone(a);
    expect(shareUnchanged(a, b)).toBe(a);
    b.nodes.r1 = { ...b.nodes.r1!, label: 'x' } as DesignNode;
    const s = shareUnchanged(a, b);
    expect(s.nodes.r1).toBe(b.nodes.r1);
    expect(s.nodes.r2).toBe(a.nodes.r2);
    expect(s.links).toBe(a.links);
  });

  it('refuses a built-in JavaScript name as an id in a message', () => {
    expect(EditOps.safeParse([{ op: 'node.remove', id: 'constructor' }]).success).toBe(false);
    expect(EditOps.safeParse([{ op: 'node.remove', id: 'r1' }]).success).toBe(true);
  });
});
