import { describe, expect, it } from 'vitest';
import { linkIds } from '../src/parse/links.js';
import { parseDesign } from '../src/parse/parse.js';

const base = () => ({
  apiVersion: 'netcanvas/v1',
  name: 'lab',
  nodes: {
    vlan10: { kind: 'vlan', vid: 10, subnet: '10.0.10.0/24' },
    r1: { kind: 'router' },
  },
  links: [{ endpoints: ['r1', 'vlan10'] }],
});

describe('parseDesign', () => {
  it('accepts a valid design and fills the defaults', () => {
    const { design, diagnostics } = parseDesign(base());
    expect(diagnostics).toEqual([]);
    expect(design?.nodes.r1).toEqual({ kind: 'router', routing: 'auto', routes: [] });
    expect(design?.links[0]?.state).toBe('up');
    expect(design?.addressing.p2p).toBe('10.255.0.0/16');
  });

  it('names the valid kinds when a kind is unknown', () => {
    const input = base();
    (input.nodes as Record<string, unknown>).sw = { kind: 'hub' };
    const { design, diagnostics } = parseDesign(input);
    expect(design).toBeUndefined();
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      severity: 'error',
      code: 'unknown-kind',
      elements: ['sw'],
      path: ['nodes', 'sw', 'kind'],
    });
    expect(diagnostics[0]!.message).toContain('host, namespace, vlan, switch, router, vxlan');
  });

  it('says a tunnel without an underlay needs one, in words', () => {
    const input = base();
    (input.nodes as Record<string, unknown>).tun1 = {
      kind: 'vxlan',
      vni: 42,
      underlay: '',
      subnet: '172.16.0.0/29',
    };
    const { diagnostics } = parseDesign(input);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      code: 'missing-underlay',
      elements: ['tun1'],
      path: ['nodes', 'tun1', 'underlay'],
    });
    expect(diagnostics[0]!.message).toBe(
      'tun1 has no underlay: choose the switch or VLAN that carries the tunnel',
    );
  });

  it('suggests the closest kind for a typo', () => {
    const input = base();
    (input.nodes as Record<string, unknown>).h = { kind: 'hots' };
    expect(parseDesign(input).diagnostics[0]!.message).toContain('did you mean "host"');
  });

  it('names an unknown field and its element, with a suggestion', () => {
    const input = base();
    (input.nodes.vlan10 as Record<string, unknown>).vlanid = 3;
    const d = parseDesign(input).diagnostics;
    expect(d).toEqual([
      expect.objectContaining({
        code: 'unknown-field',
        elements: ['vlan10'],
        path: ['nodes', 'vlan10', 'vlanid'],
      }),
    ]);
    expect(d[0]!.message).toBe(
      'vlan10 has an unknown field "vlanid"; valid fields: kind, vid, subnet, label',
    );
    (input.nodes.vlan10 as Record<string, unknown>) = {
      kind: 'vlan',
      vids: 10,
      subnet: '10.0.10.0/24',
    };
    const typo = parseDesign(input).diagnostics;
    expect(typo.map((x) => x.message)).toContain(
      'vlan10 has an unknown field "vids"; did you mean "vid"?',
    );
  });

  it('names the link of a bad endpoint by its link id', () => {
    const input = base();
    input.links.push({ endpoints: ['r1', 'Vlan 20'] });
    const d = parseDesign(input).diagnostics;
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({
      code: 'invalid-format',
      // The end that is no valid id names nothing on the canvas; the other end does.
      elements: ['r1--Vlan 20', 'r1'],
      path: ['links', 1, 'endpoints', 1],
    });
    expect(d[0]!.message).toContain('endpoint 2');
  });

  it('names the elements at both ends of a link with its own id and a bad endpoint', () => {
    const input = base();
    (input.links as unknown[]).push({
      id: 'uplink',
      endpoints: ['r1', { node: 'vlan10', ip: '10.0.10.300' }],
    });
    const d = parseDesign(input).diagnostics;
    expect(d).toEqual([
      expect.objectContaining({
        elements: ['uplink', 'r1', 'vlan10'],
        path: ['links', 1, 'endpoints', 1, 'ip'],
      }),
    ]);
    expect(d[0]!.message).toMatch(
      /^link uplink \(r1–vlan10\), endpoint 2 \(vlan10\), ip is "10\.0\.10\.300"/,
    );
  });

  it("explains ranges in the user's terms", () => {
    const input = base();
    input.nodes.vlan10.vid = 4095;
    const d = parseDesign(input).diagnostics[0]!;
    expect(d).toMatchObject({ code: 'out-of-range', elements: ['vlan10'] });
    expect(d.message).toContain('1 to 4094');
  });

  it('reports missing fields by name', () => {
    const input = base();
    (input.nodes as Record<string, unknown>).tun = {
      kind: 'vxlan',
      vni: 5,
      subnet: '172.16.0.0/29',
    };
    const d = parseDesign(input).diagnostics;
    expect(d).toEqual([expect.objectContaining({ code: 'missing-field', elements: ['tun'] })]);
    expect(d[0]!.message).toBe('tun is missing the required field "underlay"');
  });

  it('says which apiVersion it reads', () => {
    const d = parseDesign({ ...base(), apiVersion: 'netcanvas/v2' }).diagnostics;
    expect(d).toEqual([expect.objectContaining({ code: 'api-version', path: ['apiVersion'] })]);
    expect(d[0]!.message).toContain('netcanvas/v1');
  });

  it('counts link endpoints', () => {
    const input = base();
    (input.links as unknown[]).push({ endpoints: ['r1'] });
    const d = parseDesign(input).diagnostics;
    expect(d[0]).toMatchObject({ code: 'invalid-link', elements: ['links[1]', 'r1'] });
  });

  it('never throws on non-object roots', () => {
    for (const input of [null, undefined, 42, 'x', [], [base()], true, () => 1]) {
      const r = parseDesign(input);
      expect(r.design).toBeUndefined();
      expect(r.diagnostics[0]!.code).toBe('not-a-design');
    }
  });
});

describe('linkIds', () => {
  it('uses the explicit id, else a--b as written, numbering parallel links', () => {
    const ids = linkIds({
      links: [
        { endpoints: ['r1', 'r2'] },
        { endpoints: ['r1', 'r2'] },
        { id: 'uplink', endpoints: ['r1', 'r2'] },
        { endpoints: ['r2', 'r1'] },
        { endpoints: [{ node: 'r1', ifname: 'x' }, 'r2'] },
      ],
    });
    expect(ids).toEqual(['r1--r2', 'r1--r2#2', 'uplink', 'r2--r1', 'r1--r2#3']);
  });

  it('never reuses an explicit id for a generated one', () => {
    expect(
      linkIds({ links: [{ endpoints: ['a', 'b'] }, { id: 'a--b', endpoints: ['c', 'd'] }] }),
    ).toEqual(['a--b#2', 'a--b']);
  });
});

describe('JSON Schema for editors', () => {
  it('is committed and matches the zod schema', async () => {
    const { readFileSync } = await import('node:fs');
    const { designJsonSchemaText, SCHEMA_PATH } = await import('../scripts/gen-json-schema.js');
    expect(readFileSync(SCHEMA_PATH, 'utf8'), 'run `pnpm --filter @netcanvas/shared build`').toBe(
      designJsonSchemaText(),
    );
  });

  it('lists every node kind and forbids unknown fields', async () => {
    const { designJsonSchemaText } = await import('../scripts/gen-json-schema.js');
    const schema = JSON.parse(designJsonSchemaText());
    const kinds = schema.properties.nodes.additionalProperties.oneOf.map(
      (k: { properties: { kind: { const: string } } }) => k.properties.kind.const,
    );
    expect(kinds).toEqual(['host', 'namespace', 'vlan', 'switch', 'router', 'vxlan']);
    expect(schema.additionalProperties).toBe(false);
    // Fields with defaults are optional in a file.
    expect(schema.required).toEqual(['apiVersion', 'name', 'nodes']);
  });
});
