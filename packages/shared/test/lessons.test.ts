import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lessonFromYaml } from '../src/lessons/lesson.js';

const dir = join(import.meta.dirname, '..', 'lessons');
const files = readdirSync(dir).filter((f) => f.endsWith('.lesson.yaml'));

describe('built-in lessons', () => {
  it('are one file per scenario', () => {
    expect(files.sort()).toEqual([
      'inter-vlan.lesson.yaml',
      'same-vlan.lesson.yaml',
      'vxlan.lesson.yaml',
    ]);
  });

  for (const f of files) {
    it(`${f} reads with no problem, and walks deploy → predict → measure → cut → restore`, () => {
      const { lesson, diagnostics } = lessonFromYaml(readFileSync(join(dir, f), 'utf8'));
      expect(diagnostics).toEqual([]);
      const checks = lesson!.lesson.steps.map((s) => Object.keys(s.check)[0]);
      expect(checks.slice(0, 3)).toEqual(['deployed', 'predicted', 'measured']);
      expect(checks).toContain('cut');
      expect(checks).toContain('restored');
      expect(checks.indexOf('cut')).toBeLessThan(checks.indexOf('restored'));
      // The dashboard's words, never the file's: "Cut link", not "state: down".
      for (const s of lesson!.lesson.steps)
        expect(`${s.title} ${s.text ?? ''}`).not.toMatch(/state:/);
    });
  }

  it('the vxlan lesson captures the tunnel on public', () => {
    const { lesson } = lessonFromYaml(readFileSync(join(dir, 'vxlan.lesson.yaml'), 'utf8'));
    expect(lesson!.lesson.steps.map((s) => s.check)).toContainEqual({
      capture: { on: 'public', sees: 'VXLAN' },
    });
  });
});

describe('lessonFromYaml', () => {
  const base = 'apiVersion: netcanvas/lesson/v1\ntitle: T\n';
  it('embeds a design, and names the step that refers to what it lacks', () => {
    const design = `design:
  apiVersion: netcanvas/v1
  name: two
  nodes:
    sw: { kind: switch, subnet: 10.9.0.0/24 }
    a: { kind: namespace }
    b: { kind: namespace }
  links:
    - endpoints: [a, sw]
    - endpoints: [b, sw]
`;
    const ok = lessonFromYaml(
      `${base}${design}steps:\n  - title: Cut\n    check: { cut: a--sw }\n  - title: Ping\n    check: { ping: { from: a, to: b, reaches: true } }\n`,
    );
    expect(ok.diagnostics).toEqual([]);
    expect(ok.lesson?.design.name).toBe('two');
    expect(ok.lesson?.designYaml).toContain('endpoints: [a, sw]');
    const bad = lessonFromYaml(
      `${base}${design}steps:\n  - title: Cut\n    check: { cut: a--zz }\n  - title: P\n    check: { ping: { from: a, to: c9, reaches: true } }\n`,
    );
    expect(bad.lesson).toBeUndefined();
    expect(bad.diagnostics.map((d) => d.message)).toEqual([
      'step 1 (Cut) names the link a--zz, which the design does not have',
      'step 2 (P) names c9, which the design does not have',
    ]);
  });

  it('refuses a lesson with neither or both of scenario and design, an unknown check, or no YAML', () => {
    const step = 'steps:\n  - title: D\n    check: { deployed: true }\n';
    expect(lessonFromYaml(`${base}${step}`).diagnostics[0]?.message).toMatch(
      /either scenario: NAME or design/,
    );
    expect(
      lessonFromYaml(`${base}scenario: vxlan\nsteps:\n  - title: D\n    check: { state: down }\n`)
        .diagnostics.length,
    ).toBeGreaterThan(0);
    expect(lessonFromYaml('{ not: [yaml').diagnostics[0]?.message).toMatch(/^not a YAML file/);
    expect(lessonFromYaml(`${base}scenario: nope\n${step}`).lesson).toBeUndefined();
  });

  it('names the design problem of an embedded design', () => {
    const r = lessonFromYaml(
      `${base}design: { apiVersion: netcanvas/v1, name: x, nodes: { a: { kind: nope } } }\nsteps:\n  - title: D\n    check: { deployed: true }\n`,
    );
    expect(r.lesson).toBeUndefined();
    expect(r.diagnostics[0]?.message).toMatch(/^design: /);
  });
});

describe("the lesson file's JSON Schema", () => {
  it('is committed and matches the zod schema', async () => {
    const { lessonJsonSchemaText, LESSON_SCHEMA_PATH } = await import(
      '../scripts/gen-json-schema.js'
    );
    expect(
      readFileSync(LESSON_SCHEMA_PATH, 'utf8'),
      'run `pnpm --filter @netcanvas/shared build`',
    ).toBe(lessonJsonSchemaText());
  });
});
