/**
 * The link rule itself, pair by pair (docs/architecture.md, "Realisation of
 * each kind"). That the canvas, validate and resolve all follow it is
 * apps/web/test/link-rules.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { DesignNode } from '../src/parse/schema.js';
import { linkRule } from '../src/rules/link-rule.js';

const NODES: Record<string, DesignNode> = {
  router: { kind: 'router', routing: 'auto', routes: [] },
  host: { kind: 'host', mode: 'bridged' },
  namespace: { kind: 'namespace' },
  vlan: { kind: 'vlan', vid: 10, subnet: '10.0.10.0/24' },
  switch: { kind: 'switch' },
  vxlan: { kind: 'vxlan', vni: 1, port: 4789, underlay: 'switch', subnet: '10.9.0.0/24' },
};
const group = (kind: string) =>
  kind === 'vlan' || kind === 'switch' ? 'segment' : kind === 'vxlan' ? 'tunnel' : 'namespace';

/** What each pair of groups makes: a link kind, or the code of the refusal. */
const EXPECTED: Record<string, string> = {
  'namespace|namespace': 'p2p',
  'namespace|segment': 'segment',
  'namespace|tunnel': 'overlay',
  'segment|segment': 'segment-link',
  'segment|tunnel': 'vxlan-link',
  'tunnel|tunnel': 'vxlan-link',
};

describe('linkRule', () => {
  for (const [ka, na] of Object.entries(NODES)) {
    for (const [kb, nb] of Object.entries(NODES)) {
      it(`${ka} – ${kb}`, () => {
        const rule = linkRule({ id: 'a', node: na }, { id: 'b', node: nb });
        const want = EXPECTED[[group(ka), group(kb)].sort().join('|')]!;
        expect(rule.ok ? rule.kind : rule.code).toBe(want);
        // Which end is written first never matters.
        const back = linkRule({ id: 'b', node: nb }, { id: 'a', node: na });
        expect(back.ok ? back.kind : back.code).toBe(want);
      });
    }
  }

  it('refuses a container linked to its own host, and allows it to another host', () => {
    const c: DesignNode = { kind: 'namespace', host: 'h1' };
    expect(linkRule({ id: 'c1', node: c }, { id: 'h1', node: NODES.host })).toEqual({
      ok: false,
      code: 'container-host-link',
      reason:
        'joins container c1 to its own host h1; c1 is already attached to h1 through eth0 — remove the link',
    });
    expect(linkRule({ id: 'h2', node: NODES.host }, { id: 'c1', node: c })).toEqual({
      ok: true,
      kind: 'p2p',
    });
  });

  it('refuses a link to itself and a link to an element that is not there', () => {
    expect(linkRule({ id: 'r1', node: NODES.router }, { id: 'r1', node: NODES.router })).toEqual({
      ok: false,
      code: 'self-link',
      reason: 'connects r1 to itself',
    });
    expect(linkRule({ id: 'r1', node: NODES.router }, { id: 'x', node: undefined })).toMatchObject({
      ok: false,
      code: 'dangling-id',
    });
  });

  it('says how to carry a tunnel over a segment instead of linking them', () => {
    const rule = linkRule({ id: 'pub', node: NODES.switch }, { id: 'tun', node: NODES.vxlan });
    expect(rule.ok || rule.reason).toMatch(/set underlay: pub/);
  });
});
