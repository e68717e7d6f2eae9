import { describe, expect, it } from 'vitest';
import { generateDesign, mulberry32 } from '../src/designs/generate.js';
import { Design } from '../src/parse/schema.js';
import { diagnose } from '../src/pipeline.js';

const kindsOf = (d: Design) => {
  const counts: Record<string, number> = {};
  for (const n of Object.values(d.nodes)) {
    const key =
      n.kind === 'host' ? `host-${n.mode}` : n.kind === 'router' ? `router-${n.routing}` : n.kind;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
};
const size = (d: Design) => Object.keys(d.nodes).length + d.links.length;
const namespaces = (d: Design) =>
  Object.values(d.nodes).filter(
    (n) => n.kind === 'router' || n.kind === 'host' || n.kind === 'namespace',
  ).length;

describe('mulberry32', () => {
  it('is a deterministic stream in [0, 1) that depends on the seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBeGreaterThan(990);
    expect(mulberry32(43)()).not.toBe(mulberry32(42)());
  });
});

describe('generateDesign', () => {
  it('is deterministic: the same options give the same design, byte for byte', () => {
    for (const seed of [1, 2, 99, 123456]) {
      expect(JSON.stringify(generateDesign({ seed, elements: 200 }))).toBe(
        JSON.stringify(generateDesign({ seed, elements: 200 })),
      );
    }
    expect(JSON.stringify(generateDesign({ seed: 1, elements: 200 }))).not.toBe(
      JSON.stringify(generateDesign({ seed: 2, elements: 200 })),
    );
  });

  it('names the lab gen-<seed> unless told otherwise', () => {
    expect(generateDesign({ seed: 7, elements: 10 }).name).toBe('gen-7');
    expect(generateDesign({ seed: 7, elements: 10, name: 't-gen-abc' }).name).toBe('t-gen-abc');
  });

  it('lands close to the requested number of elements', () => {
    for (const elements of [10, 40, 100, 1000, 5000]) {
      const d = generateDesign({ seed: elements, elements });
      expect(size(d)).toBeGreaterThanOrEqual(elements);
      expect(size(d)).toBeLessThanOrEqual(elements + 4);
    }
  });

  it('targets a number of namespaces', () => {
    for (const target of [50, 200, 1000]) {
      const d = generateDesign({ seed: target, namespaces: target });
      expect(namespaces(d)).toBeGreaterThanOrEqual(target);
      expect(namespaces(d)).toBeLessThanOrEqual(target + 3);
    }
  });

  it('mixes every kind the product has, in medium designs', () => {
    const seen: Record<string, number> = {};
    let down = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const d = generateDesign({ seed, elements: 120 });
      for (const [k, v] of Object.entries(kindsOf(d))) seen[k] = (seen[k] ?? 0) + v;
      down += d.links.filter((l) => l.state === 'down').length;
      expect(
        Object.values(d.nodes).filter((n) => n.kind === 'vxlan').length,
      ).toBeGreaterThanOrEqual(1);
    }
    for (const kind of [
      'vlan',
      'switch',
      'router-auto',
      'router-static',
      'host-bridged',
      'host-routed',
      'namespace',
      'vxlan',
    ]) {
      expect(seen[kind] ?? 0, kind).toBeGreaterThan(0);
    }
    // Some but not all designs carry one link in state down.
    expect(down).toBeGreaterThan(0);
    expect(down).toBeLessThan(30);
    // Most routers compute their routes.
    expect(seen['router-auto']!).toBeGreaterThan(seen['router-static']!);
  });

  it('passes the schema and diagnose() with no error, for many seeds and sizes 10..1000', () => {
    for (const elements of [10, 15, 25, 40, 100, 400, 1000]) {
      const seeds = elements <= 40 ? 25 : elements <= 400 ? 6 : 2;
      for (let seed = 1; seed <= seeds; seed++) {
        const design = generateDesign({ seed: seed * 31 + elements, elements });
        expect(Design.safeParse(design).success, `seed ${seed}, ${elements} elements`).toBe(true);
        const { diagnostics } = diagnose(design);
        const errors = diagnostics.filter((d) => d.severity === 'error');
        expect(errors, `seed ${seed * 31 + elements}, ${elements} elements`).toEqual([]);
      }
    }
  }, 120_000);

  it('passes diagnose() with no error at 5000 elements and at 1000 namespaces', () => {
    for (const opts of [
      { seed: 5000, elements: 5000 },
      { seed: 1000, namespaces: 1000 },
    ]) {
      const { diagnostics } = diagnose(generateDesign(opts));
      expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    }
  }, 120_000);

  it('rejects options it cannot honour', () => {
    expect(() => generateDesign({ seed: 1.5, elements: 10 })).toThrow(/seed/);
    expect(() => generateDesign({ seed: 1, elements: 1 })).toThrow(/at least 2/);
  });
});
