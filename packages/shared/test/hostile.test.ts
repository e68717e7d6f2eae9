/**
 * Inputs written to break things. Each must come back as a diagnostic that
 * names the element at fault, never as an exception.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDesign } from '../src/parse/parse.js';
import { designFromYaml } from '../src/parse/yaml.js';
import { diagnose, diagnoseYaml } from '../src/pipeline.js';

const corpusDir = join(import.meta.dirname, 'corpus');
const files = readdirSync(corpusDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

describe('hostile corpus', () => {
  it('has the cases it is meant to have', () => {
    expect(files.length).toBeGreaterThanOrEqual(25);
  });

  for (const file of files) {
    const text = readFileSync(join(corpusDir, file), 'utf8');
    const [, code, element] = /^# expect: (\S+) (.+)$/m.exec(text) ?? [];
    it(`${file}: ${code} naming ${element}`, () => {
      // Semantic errors still return the design (the canvas shows it); structural ones do not.
      const { diagnostics } = diagnoseYaml(text);
      const match = diagnostics.find((d) => d.code === code);
      expect(match, JSON.stringify(diagnostics, null, 1)).toBeDefined();
      expect(match!.severity).toBe('error');
      if (element === '-') expect(match!.elements).toEqual([]);
      else expect(match!.elements).toContain(element);
      expect(match!.message.length).toBeGreaterThan(10);
    });
  }

  it('never lets a prototype key change a prototype', () => {
    for (const file of files) diagnoseYaml(readFileSync(join(corpusDir, file), 'utf8'));
    parseDesign(
      JSON.parse('{"__proto__": {"polluted": 1}, "nodes": {"__proto__": {"polluted": 2}}}'),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });
});

describe('resource limits', () => {
  it('refuses input over 1 MiB without parsing it', () => {
    const big = `apiVersion: netcanvas/v1\nname: big\nnodes:\n${'  # padding padding padding padding padding padding padding padding\n'.repeat(20000)}`;
    expect(big.length).toBeGreaterThan(1024 * 1024);
    const started = performance.now();
    const { diagnostics } = diagnoseYaml(big);
    expect(performance.now() - started).toBeLessThan(500);
    expect(diagnostics).toEqual([
      expect.objectContaining({ code: 'too-large', severity: 'error' }),
    ]);
  });

  it('counts bytes, not characters', () => {
    // 600 Ki characters of 2-byte UTF-8 are 1.2 MiB.
    const { diagnostics } = diagnoseYaml(
      `apiVersion: netcanvas/v1\nname: x\ndescription: "${'é'.repeat(600 * 1024)}"\nnodes: {}\n`,
    );
    expect(diagnostics.map((d) => d.code)).toEqual(['too-large']);
  });

  it('stops a billion-laughs alias bomb quickly', () => {
    // 9 levels of 9 aliases each: 9^9 (387 million) strings if expanded.
    const lines = ['  l0: &l0 "lol"'];
    for (let i = 1; i <= 9; i++)
      lines.push(
        `  l${i}: &l${i} [${Array(9)
          .fill(`*l${i - 1}`)
          .join(', ')}]`,
      );
    const text = `apiVersion: netcanvas/v1\nname: laughs\nnodes:\n  r1: { kind: router, label: *l9 }\nbomb:\n${lines.join('\n')}\n`;
    const started = performance.now();
    const { design, diagnostics } = diagnoseYaml(text);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(design).toBeUndefined();
    expect(diagnostics.map((d) => d.code)).toEqual(['yaml-aliases']);
  });

  it('survives absurd nesting', () => {
    const depth = 100_000;
    for (const text of ['['.repeat(depth) + ']'.repeat(depth), `a:\n${'- '.repeat(5000)}x\n`]) {
      const { diagnostics } = designFromYaml(text);
      expect(diagnostics.length).toBeGreaterThan(0);
      expect(diagnostics[0]!.severity).toBe('error');
    }
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { nodes: deep };
    expect(
      diagnose({
        apiVersion: 'netcanvas/v1',
        name: 'x',
        nodes: { r1: { kind: 'router', label: deep } },
      }).diagnostics[0],
    ).toMatchObject({
      elements: ['r1'],
    });
  });

  it('reads huge and odd numbers as out of range, not as something else', () => {
    for (const vni of [
      Number.MAX_SAFE_INTEGER + 2,
      1e308,
      -0,
      Number.NaN,
      Number.POSITIVE_INFINITY,
    ]) {
      const r = diagnose({
        apiVersion: 'netcanvas/v1',
        name: 'x',
        nodes: {
          pub: { kind: 'switch' },
          tun: { kind: 'vxlan', vni, underlay: 'pub', subnet: '172.16.0.0/29' },
        },
      });
      expect(r.design).toBeUndefined();
      expect(r.diagnostics[0]!.elements).toEqual(['tun']);
    }
  });
});

/** Designs that are mostly well-formed, so validate and resolve run on odd combinations. */
const nearDesign = () => {
  const id = fc.constantFrom(
    'a',
    'b',
    'c',
    'r1',
    'r2',
    'vlan10',
    'vlan20',
    'pub',
    'tun',
    'h1',
    'c1',
    'constructor',
    'tostring',
    'help',
  );
  const cidr = fc.constantFrom(
    '10.0.10.0/24',
    '10.0.10.1/24',
    '10.0.0.0/8',
    '10.255.0.0/30',
    '172.16.0.0/31',
    '0.0.0.0/0',
    '10.0.10.7/32',
  );
  const node = fc.oneof(
    fc.record({
      kind: fc.constant('host'),
      mode: fc.constantFrom('bridged', 'routed'),
      subnet: fc.option(cidr, { nil: undefined }),
    }),
    fc.record({ kind: fc.constant('namespace'), host: fc.option(id, { nil: undefined }) }),
    fc.record({ kind: fc.constant('vlan'), vid: fc.integer({ min: 1, max: 4 }), subnet: cidr }),
    fc.record({ kind: fc.constant('switch'), subnet: fc.option(cidr, { nil: undefined }) }),
    fc.record({
      kind: fc.constant('router'),
      routing: fc.constantFrom('auto', 'static'),
      routes: fc.array(
        fc.record({
          to: fc.oneof(cidr, fc.constant('default')),
          via: fc.constantFrom('10.0.10.1', '10.255.0.1', '9.9.9.9'),
        }),
        { maxLength: 2 },
      ),
    }),
    fc.record({
      kind: fc.constant('vxlan'),
      vni: fc.integer({ min: 1, max: 3 }),
      underlay: id,
      subnet: cidr,
    }),
  );
  const endpoint = fc.oneof(
    id,
    fc.record({
      node: id,
      ifname: fc.option(fc.constantFrom('eth0', 'br0', 'x', 'vlan10', 'lo'), { nil: undefined }),
      ip: fc.option(
        fc.constantFrom('10.0.10.0', '10.0.10.5/24', '10.255.0.2/30', '172.16.0.1/31'),
        { nil: undefined },
      ),
      mac: fc.option(fc.constantFrom('02:00:00:00:00:01', '01:00:00:00:00:01'), { nil: undefined }),
    }),
  );
  const link = fc.record({
    id: fc.option(fc.constantFrom('l1', 'l2', 'a--b'), { nil: undefined }),
    endpoints: fc.tuple(endpoint, endpoint),
    state: fc.constantFrom('up', 'down'),
  });
  return fc.record({
    apiVersion: fc.constant('netcanvas/v1'),
    name: fc.constant('prop'),
    nodes: fc.dictionary(id, node, { maxKeys: 10 }),
    links: fc.array(link, { maxLength: 12 }),
    layout: fc.option(fc.dictionary(id, fc.record({ x: fc.integer(), y: fc.integer() })), {
      nil: undefined,
    }),
  });
};

describe('properties', () => {
  it('diagnose never throws on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const r = diagnose(value);
        expect(Array.isArray(r.diagnostics)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('diagnose never throws on arbitrary JSON inside a design', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 4 })),
        fc.array(fc.jsonValue({ maxDepth: 3 })),
        (nodes, links) => {
          const r = diagnose(
            JSON.parse(JSON.stringify({ apiVersion: 'netcanvas/v1', name: 'x', nodes, links })),
          );
          for (const d of r.diagnostics) expect(['error', 'warning', 'info']).toContain(d.severity);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('diagnose never throws on near-valid designs, and every diagnostic is complete', () => {
    fc.assert(
      fc.property(nearDesign(), (input) => {
        const r = diagnose(JSON.parse(JSON.stringify(input)));
        for (const d of r.diagnostics) {
          expect(typeof d.code).toBe('string');
          expect(d.message.length).toBeGreaterThan(0);
          expect(Array.isArray(d.elements)).toBe(true);
        }
        const sorted = [...r.diagnostics].sort(
          (x, y) =>
            ['error', 'warning', 'info'].indexOf(x.severity) -
            ['error', 'warning', 'info'].indexOf(y.severity),
        );
        expect(r.diagnostics.map((d) => d.severity)).toEqual(sorted.map((d) => d.severity));
      }),
      { numRuns: 400 },
    );
  });

  it('designFromYaml never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        expect(Array.isArray(designFromYaml(text).diagnostics)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('values that are not plain data', () => {
  it('reports throwing getters and proxies instead of throwing', () => {
    const trap = new Proxy(
      {},
      {
        get: () => {
          throw new Error('boom');
        },
        ownKeys: () => {
          throw new Error('boom');
        },
      },
    );
    const getter = {
      apiVersion: 'netcanvas/v1',
      name: 'x',
      get nodes() {
        throw new Error('boom');
      },
    };
    for (const input of [trap, getter]) {
      const r = diagnose(input);
      expect(r.design).toBeUndefined();
      expect(r.diagnostics[0]!.severity).toBe('error');
    }
  });
});
