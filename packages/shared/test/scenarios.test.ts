import { describe, expect, it } from 'vitest';
import { scenarios } from '../src/designs/scenarios.js';
import { designFromYaml, designToYaml } from '../src/parse/yaml.js';
import { diagnoseYaml } from '../src/pipeline.js';

describe('scenarios', () => {
  it('are the three classic lessons, in teaching order', () => {
    expect(scenarios.map((s) => s.name)).toEqual(['same-vlan', 'inter-vlan', 'vxlan']);
  });

  for (const s of scenarios) {
    describe(s.name, () => {
      it('has a title, two lines of what it teaches and things to try', () => {
        expect(s.title.length).toBeGreaterThan(5);
        expect(s.teaches.split('\n')).toHaveLength(2);
        expect(s.tryThis.length).toBeGreaterThanOrEqual(2);
      });

      it('parses, validates and resolves with no errors or warnings', () => {
        const { design, topology, diagnostics } = diagnoseYaml(s.yaml);
        expect(diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
        expect(design?.name).toBe(s.name);
        expect(design?.description?.length).toBeGreaterThan(20);
        // c1 and c2 are the containers every lesson pings between.
        expect(topology?.endpoints.map((e) => e.node)).toEqual(
          expect.arrayContaining(['c1', 'c2']),
        );
      });

      it('ships a position for every element, so opening it needs no layout engine', () => {
        const { design } = designFromYaml(s.yaml);
        const unplaced = Object.keys(design!.nodes).filter((id) => !design!.layout?.[id]);
        expect(unplaced).toEqual([]);
      });

      it("says what to try in the dashboard's words, not the file's", () => {
        // "Cut link" is what the link's menu says; "state: down" is YAML the user never sees.
        for (const hint of s.tryThis) expect(hint).not.toMatch(/\b(state|routing): /);
      });

      it('names only elements that exist in what to try', () => {
        const { design } = designFromYaml(s.yaml);
        const ids = new Set(Object.keys(design!.nodes));
        for (const hint of s.tryThis) {
          for (const [, a, b] of hint.matchAll(/\b([a-z][a-z0-9-]*)--([a-z][a-z0-9-]*)\b/g)) {
            expect(ids.has(a!) && ids.has(b!), `${hint} names a link of unknown elements`).toBe(
              true,
            );
          }
        }
      });

      it('round-trips through designToYaml', () => {
        const { design } = designFromYaml(s.yaml);
        expect(designFromYaml(designToYaml(design!)).design).toEqual(design);
      });
    });
  }

  it('vxlan is the reference document: two routers carry tun over public', () => {
    const { design } = designFromYaml(scenarios[2]!.yaml);
    expect(design!.nodes.tun).toEqual({
      kind: 'vxlan',
      vni: 42,
      port: 4789,
      underlay: 'public',
      subnet: '172.16.42.0/29',
    });
    expect(design!.links.map((l) => l.endpoints.join('--'))).toEqual([
      'node-a--vlan10',
      'node-b--vlan20',
      'r1--vlan10',
      'r2--vlan20',
      'r1--public',
      'r2--public',
      'r1--tun',
      'r2--tun',
    ]);
  });

  it('inter-vlan without r1 leaves c1 without a way to c2', () => {
    const { design } = designFromYaml(scenarios[1]!.yaml);
    const broken = {
      ...design!,
      nodes: { ...design!.nodes },
      links: design!.links.filter((l) => !l.endpoints.includes('r1')),
    };
    delete broken.nodes.r1;
    const { diagnostics } = diagnoseYaml(designToYaml(broken));
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    // Without its router vlan10 has no gateway: the lesson the scenario's "try this" points to.
    expect(diagnostics.some((d) => d.code === 'no-gateway' && d.elements.includes('vlan10'))).toBe(
      true,
    );
  });
});
