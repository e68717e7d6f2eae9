import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scenarios } from '../src/designs/scenarios.js';
import { parseDesign } from '../src/parse/parse.js';
import type { Design } from '../src/parse/schema.js';
import { designFromYaml, designToYaml } from '../src/parse/yaml.js';
import { diagnoseYaml } from '../src/pipeline.js';

const header = 'apiVersion: netcanvas/v1\nname: lab\n';

describe('designFromYaml', () => {
  it('reads a design', () => {
    const { design, diagnostics } = designFromYaml(`${header}nodes:\n  r1: { kind: router }\n`);
    expect(diagnostics).toEqual([]);
    expect(design?.nodes.r1?.kind).toBe('router');
  });

  it('gives syntax errors a line and column', () => {
    const { design, diagnostics } = designFromYaml(`${header}nodes:\n  r1: { kind: router\n`);
    expect(design).toBeUndefined();
    expect(diagnostics[0]).toMatchObject({
      code: 'yaml-syntax',
      line: expect.any(Number),
      column: expect.any(Number),
    });
    expect(diagnostics[0]!.line).toBeGreaterThanOrEqual(4);
  });

  it('refuses duplicate keys with their position', () => {
    const { diagnostics } = designFromYaml(
      `${header}nodes:\n  r1: { kind: router }\n  r1: { kind: host }\n`,
    );
    expect(diagnostics[0]).toMatchObject({ code: 'yaml-syntax', line: 5 });
  });

  it('places structural problems at the offending node', () => {
    const text = `${header}nodes:\n  vlan10: { kind: vlan, vid: 5000, subnet: 10.0.10.0/24 }\n  sw: { kind: swich }\n`;
    const { diagnostics } = designFromYaml(text);
    const vid = diagnostics.find((d) => d.code === 'out-of-range')!;
    expect(vid).toMatchObject({ elements: ['vlan10'], line: 4, column: 30 });
    const kind = diagnostics.find((d) => d.code === 'unknown-kind')!;
    expect(kind).toMatchObject({ elements: ['sw'], line: 5, column: 15 });
  });

  it('places an unknown field at its key', () => {
    const { diagnostics } = designFromYaml(
      `${header}nodes:\n  r1:\n    kind: router\n    rooting: static\n`,
    );
    expect(diagnostics).toEqual([
      expect.objectContaining({ code: 'unknown-field', elements: ['r1'], line: 6, column: 5 }),
    ]);
  });

  for (const [source, shown] of [
    ['0x10', '0x10'],
    ['010', '010'],
    ['0o7', '0o7'],
    ['1e3', '1e3'],
    ['+5', '+5'],
    ['!!int 0x2A', '0x2A'],
  ] as const) {
    it(`refuses the number ${source} instead of guessing its value`, () => {
      const text = `${header}nodes:\n  pub: { kind: switch, subnet: 203.0.113.0/24 }\n  tun: { kind: vxlan, vni: ${source}, underlay: pub, subnet: 172.16.0.0/29 }\n`;
      const { design, diagnostics } = designFromYaml(text);
      expect(design).toBeUndefined();
      const d = diagnostics.find((x) => x.code === 'non-canonical-number');
      expect(d).toMatchObject({
        severity: 'error',
        elements: ['tun'],
        path: ['nodes', 'tun', 'vni'],
        line: 5,
      });
      expect(d!.message).toContain(`"${shown}"`);
    });
  }

  it('refuses .5 and 1e3 nowhere but in layout, where only pixels live', () => {
    const ok = designFromYaml(
      `${header}nodes:\n  r1: { kind: router }\nlayout:\n  r1: { x: 1e3, y: -12.5 }\n`,
    );
    expect(ok.diagnostics).toEqual([]);
    expect(ok.design?.layout?.r1).toEqual({ x: 1000, y: -12.5 });
    const bad = designFromYaml(
      `${header}nodes:\n  r1: { kind: router }\nlayout:\n  r1: { x: .5, y: 0x10 }\n`,
    );
    expect(bad.diagnostics.map((d) => d.code)).toEqual([
      'non-canonical-number',
      'non-canonical-number',
    ]);
  });

  it('keeps __proto__ keys from touching any prototype', () => {
    const { design, diagnostics } = designFromYaml(
      `${header}__proto__: { polluted: true }\nnodes:\n  __proto__: { kind: host }\n`,
    );
    expect(design).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(diagnostics.map((d) => d.code).sort()).toEqual(['forbidden-key', 'reserved-name']);
    expect(diagnostics.find((d) => d.code === 'reserved-name')).toMatchObject({
      elements: ['__proto__'],
      line: 5,
    });
  });

  it('caps the input size at 1 MiB', () => {
    const text = `${header}description: "${'x'.repeat(1024 * 1024)}"\nnodes: {}\n`;
    const { design, diagnostics } = designFromYaml(text);
    expect(design).toBeUndefined();
    expect(diagnostics).toEqual([expect.objectContaining({ code: 'too-large' })]);
  });

  it('stops alias expansion bombs', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const started = performance.now();
    const { design, diagnostics } = designFromYaml(
      `${header}nodes: {}\nx:\n${lines.map((l) => `  ${l}`).join('\n')}\n`,
    );
    expect(performance.now() - started).toBeLessThan(2000);
    expect(design).toBeUndefined();
    expect(diagnostics.map((d) => d.code)).toContain('yaml-aliases');
  });

  it('refuses a second document in the same file', () => {
    const { diagnostics } = designFromYaml(`${header}nodes: {}\n---\n${header}nodes: {}\n`);
    expect(diagnostics[0]!.code).toBe('yaml-syntax');
  });
});

describe('diagnoseYaml', () => {
  it('places semantic problems on the element they name', () => {
    const text = `${header}nodes:\n  vlan10: { kind: vlan, vid: 10, subnet: 10.0.10.0/24 }\n  vlan20: { kind: vlan, vid: 10, subnet: 10.0.20.1/24 }\n`;
    const { diagnostics } = diagnoseYaml(text);
    expect(diagnostics.find((d) => d.code === 'duplicate-vid')).toMatchObject({
      elements: ['vlan10', 'vlan20'],
      line: 5,
      column: 30,
    });
    expect(diagnostics.find((d) => d.code === 'host-bits')).toMatchObject({
      elements: ['vlan20'],
      line: 5,
      column: 42,
    });
  });
});

describe('designToYaml', () => {
  it('writes nodes one per line in flow style, with the keys in document order', () => {
    const { design } = designFromYaml(scenarios.find((s) => s.name === 'vxlan')!.yaml);
    const text = designToYaml(design!);
    // The same table-like lines as the scenario itself.
    const nodeLines = (yaml: string) => yaml.split('\n').filter((l) => l.includes('{ kind:'));
    expect(nodeLines(text)).toEqual(nodeLines(scenarios.find((s) => s.name === 'vxlan')!.yaml));
    expect(text).toContain('\n  - endpoints: [r2, tun]\n');
    expect(text.indexOf('apiVersion')).toBeLessThan(text.indexOf('name:'));
    expect(text.indexOf('description:')).toBeLessThan(text.indexOf('nodes:'));
    expect(text.indexOf('nodes:')).toBeLessThan(text.indexOf('links:'));
    // Defaults are implied, not written.
    expect(text).not.toContain('routing: auto');
    expect(text).not.toContain('state: up');
    expect(text).not.toContain('4789');
  });

  it('round-trips every scenario', () => {
    for (const s of scenarios) {
      const first = designFromYaml(s.yaml).design!;
      const again = designFromYaml(designToYaml(first));
      expect(again.diagnostics).toEqual([]);
      expect(again.design).toEqual(first);
    }
  });

  it('round-trips designs with every optional field', () => {
    const input = {
      apiVersion: 'netcanvas/v1',
      name: 'full',
      title: 'Site A: "two VLANs" # and a tunnel',
      description: 'line one\nline two: with "quotes" and # hash',
      nodes: {
        h: { kind: 'host', mode: 'routed', subnet: '172.17.0.0/24', label: 'yes' },
        c1: { kind: 'namespace', host: 'h', label: '123' },
        r1: {
          kind: 'router',
          routing: 'static',
          routes: [
            { to: 'default', via: '10.0.10.1' },
            { to: '10.0.0.0/8', via: '10.0.10.2' },
          ],
        },
        vlan10: { kind: 'vlan', vid: 10, subnet: '10.0.10.0/24' },
        pub: { kind: 'switch' },
        tun: { kind: 'vxlan', vni: 7, port: 8472, underlay: 'pub', subnet: '172.16.0.0/29' },
      },
      links: [
        {
          id: 'up1',
          endpoints: [
            { node: 'r1', ifname: 'eth1', ip: '10.0.10.254/24', mac: '02:00:00:00:00:01' },
            'vlan10',
          ],
          mtu: 1400,
          state: 'down',
        },
        { endpoints: ['h', 'vlan10'] },
      ],
      addressing: { p2p: '10.254.0.0/16' },
      layout: { h: { x: 0.25, y: -3 }, r1: { x: 1e21, y: 5e-7 } },
    };
    const design = parseDesign(input).design as Design;
    expect(design).toBeDefined();
    const again = designFromYaml(designToYaml(design));
    expect(again.diagnostics).toEqual([]);
    expect(again.design).toEqual(design);
  });

  it('round-trips generated designs (property)', () => {
    const id = fc
      .stringMatching(/^[a-z][a-z0-9-]{0,8}$/)
      .filter((s) => !['constructor', 'prototype'].includes(s));
    const node = fc.oneof(
      fc.record({
        kind: fc.constant('router'),
        label: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
      }),
      fc.record({
        kind: fc.constant('vlan'),
        vid: fc.integer({ min: 1, max: 4094 }),
        subnet: fc.constant('10.0.0.0/24'),
      }),
      fc.record({ kind: fc.constant('host'), mode: fc.constantFrom('bridged', 'routed') }),
    );
    fc.assert(
      fc.property(
        fc.dictionary(id, node, { maxKeys: 6 }),
        fc.string({ maxLength: 40 }),
        (nodes, description) => {
          const parsed = parseDesign(
            JSON.parse(
              JSON.stringify({ apiVersion: 'netcanvas/v1', name: 'p', description, nodes }),
            ),
          );
          if (!parsed.design) return;
          const again = designFromYaml(designToYaml(parsed.design));
          expect(again.diagnostics).toEqual([]);
          expect(again.design).toEqual(parsed.design);
        },
      ),
      { numRuns: 150 },
    );
  });
});
