/**
 * One link rule: for every pair of node kinds the canvas (connectionProblem),
 * validate and resolve give the core's `linkRule` answer — the canvas draws
 * exactly the links validate accepts, and resolve builds exactly those, of
 * the kind the rule names.
 */
import {
  API_VERSION,
  type Design,
  type DesignInput,
  diagnose,
  type LinkRule,
  linkRule,
  resolve,
} from '@netcanvas/shared';
import { describe, expect, it } from 'vitest';
import { connectionProblem } from '../src/model/connect';

type NodeInput = DesignInput['nodes'][string];

/** One element of each kind (two shapes of host and of namespace); `n` keeps numbers apart. */
const KINDS: Record<string, (n: number) => NodeInput> = {
  router: () => ({ kind: 'router' }),
  'bridged host': () => ({ kind: 'host' }),
  'routed host': (n) => ({ kind: 'host', mode: 'routed', subnet: `172.17.${n}.0/24` }),
  namespace: () => ({ kind: 'namespace' }),
  container: () => ({ kind: 'namespace', host: 'h0' }),
  vlan: (n) => ({ kind: 'vlan', vid: 10 + n, subnet: `10.0.${n}.0/24` }),
  switch: (n) => ({ kind: 'switch', subnet: `10.1.${n}.0/24` }),
  vxlan: (n) => ({ kind: 'vxlan', vni: 100 + n, underlay: 'pub', subnet: `10.2.${n}.0/24` }),
};

/** The underlay every tunnel rides on, and the host every container runs on. */
const BASE: DesignInput['nodes'] = {
  pub: { kind: 'switch', subnet: '198.18.0.0/24' },
  h0: { kind: 'host' },
};

function design(nodes: DesignInput['nodes'], links: DesignInput['links']): Design {
  const r = diagnose({ apiVersion: API_VERSION, name: 'walk', nodes, links });
  if (!r.design) throw new Error(JSON.stringify(r.diagnostics));
  return r.design;
}

const REFUSALS = ['self-link', 'segment-link', 'vxlan-link', 'container-host-link'];

/** The three answers for the link `a`–`b` (the last link of `d`), in the rule's terms. */
function answers(d: Design, a: string, b: string) {
  const without = { ...d, links: d.links.slice(0, -1) };
  const index = d.links.length - 1;
  const canvas = connectionProblem(without, a, b);
  const diagnostics = diagnose(d).diagnostics;
  const validate = diagnostics
    .filter((x) => REFUSALS.includes(x.code) && x.path?.[0] === 'links' && x.path[1] === index)
    .map((x) => ({ code: x.code, message: x.message }));
  const { topology, diagnostics: found } = resolve(d);
  const built = topology.links.find((l) => l.index === index)?.kind ?? null;
  const noUnderlay = found
    .filter((x) => x.code === 'vxlan-no-underlay')
    .flatMap((x) => x.elements.slice(0, 1));
  return { canvas, validate, built, noUnderlay };
}

/** The same answer from all three. */
function expectAgreement(d: Design, a: string, b: string, rule: LinkRule) {
  const got = answers(d, a, b);
  const label = `${a}–${b}`;
  if (!rule.ok) {
    expect(got.canvas, label).toBe(`this link ${rule.reason}`);
    expect(
      got.validate.map((v) => v.code),
      label,
    ).toEqual([rule.code]);
    expect(got.validate[0]!.message, label).toContain(rule.reason);
    expect(got.built, label).toBeNull();
    return got;
  }
  expect(got.canvas, label).toBeNull();
  expect(got.validate, label).toEqual([]);
  if (rule.kind === 'overlay' && got.built === null) {
    // A member without an address on the underlay: its device cannot be made,
    // and resolve says so on the member; the link itself is no mistake.
    const member = d.nodes[a]!.kind === 'vxlan' ? b : a;
    expect(got.noUnderlay, label).toContain(member);
  } else {
    expect(got.built, label).toBe(rule.kind);
  }
  return got;
}

describe('every pair of node kinds gets one answer', () => {
  const names = Object.keys(KINDS);
  for (const ka of names) {
    for (const kb of names) {
      it(`${ka} – ${kb}`, () => {
        const nodes = { ...BASE, a: KINDS[ka]!(1), b: KINDS[kb]!(2) };
        const d = design(nodes, [{ endpoints: ['a', 'b'] }]);
        expectAgreement(
          d,
          'a',
          'b',
          linkRule({ id: 'a', node: d.nodes.a }, { id: 'b', node: d.nodes.b }),
        );
      });
    }
    it(`${ka} – itself`, () => {
      const d = design({ ...BASE, a: KINDS[ka]!(1) }, [{ endpoints: ['a', 'a'] }]);
      const rule = linkRule({ id: 'a', node: d.nodes.a }, { id: 'a', node: d.nodes.a });
      expect(rule).toMatchObject({ ok: false, code: 'self-link' });
      expectAgreement(d, 'a', 'a', rule);
    });
  }
});

describe('the cases that used to disagree', () => {
  const rule = (d: Design, a: string, b: string) =>
    linkRule({ id: a, node: d.nodes[a] }, { id: b, node: d.nodes[b] });

  it('a container and its own host: refused by all three', () => {
    const d = design({ ...BASE, c: { kind: 'namespace', host: 'h0' } }, [
      { endpoints: ['c', 'h0'] },
    ]);
    const r = rule(d, 'c', 'h0');
    expect(r).toMatchObject({ ok: false, code: 'container-host-link' });
    expectAgreement(d, 'c', 'h0', r);
  });

  it('a namespace as a tunnel member with an address on the underlay: built as its device', () => {
    const d = design({ ...BASE, n: { kind: 'namespace' }, t: KINDS.vxlan!(1) }, [
      { endpoints: ['n', 'pub'] },
      { endpoints: ['n', 't'] },
    ]);
    const r = rule(d, 'n', 't');
    expect(r).toEqual({ ok: true, kind: 'overlay' });
    expect(expectAgreement(d, 'n', 't', r).built).toBe('overlay');
  });

  it('a namespace as a tunnel member without an address on the underlay: allowed, and resolve names what it lacks', () => {
    const d = design({ ...BASE, n: { kind: 'namespace' }, t: KINDS.vxlan!(1) }, [
      { endpoints: ['n', 't'] },
    ]);
    const r = rule(d, 'n', 't');
    expect(r).toEqual({ ok: true, kind: 'overlay' });
    const got = expectAgreement(d, 'n', 't', r);
    expect(got.built).toBeNull();
    expect(got.noUnderlay).toEqual(['n']);
  });

  it('segment to segment: refused by all three, telling how to join VLANs', () => {
    const d = design({ ...BASE, v: KINDS.vlan!(1), s: KINDS.switch!(2) }, [
      { endpoints: ['v', 's'] },
    ]);
    const r = rule(d, 'v', 's');
    expect(r).toMatchObject({ ok: false, code: 'segment-link' });
    expect(expectAgreement(d, 'v', 's', r).canvas).toMatch(/join VLANs through a router/);
  });
});
