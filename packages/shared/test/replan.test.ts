/**
 * A link cut or restored on a running lab is planned again from the last plan (replan.ts,
 * compile.ts's recompile): the answer must be the full path's, value for value, on generated
 * designs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateDesign } from '../src/designs/generate.js';
import { compile, type Design, diagnose, hintsFrom, planDesign } from '../src/index.js';
import { interVlan } from './helpers/designs.js';

/** The design with the links at these indexes (modulo their count) cut or restored. */
function flipped(design: Design, picks: number[]): Design {
  const n = design.links.length;
  const at = new Set(picks.map((p) => p % n));
  return {
    ...design,
    links: design.links.map((l, i) =>
      at.has(i) ? { ...l, state: l.state === 'down' ? 'up' : 'down' } : l,
    ),
  };
}

/** The full path: diagnose, then compile when there is no error. */
function full(design: unknown, hints: Record<string, string>) {
  const d = diagnose(design, hints);
  const ok = d.topology && !d.diagnostics.some((x) => x.severity === 'error');
  return { ...d, plan: ok && d.topology ? compile(d.topology) : undefined };
}

describe('planDesign: a link cut or restored, planned again from the last plan', () => {
  it("gives the full path's diagnostics, topology, and plan on generated designs", () => {
    let again = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.boolean(),
        (seed, picks, cloned, hinted) => {
          const input = generateDesign({ seed, elements: 40, name: 'prop' });
          if (input.links.length === 0) return;
          // The first apply resolves without hints (nothing runs yet); the next one is given the
          // addresses it made, as the kernel shows them.
          const last = planDesign(input, {}).planned;
          if (!last?.plan) return;
          const hints = hinted ? hintsFrom(last.topology) : {};
          // As the API gives it (a copy read from JSON) or as a link cut makes it (shared objects).
          const changed = flipped(input, picks);
          const given = cloned ? (JSON.parse(JSON.stringify(changed)) as Design) : changed;
          const made = planDesign(given, hints, last);
          expect(made.again).toBe(true);
          const want = full(given, hints);
          expect(made.diagnostics).toEqual(want.diagnostics);
          expect(made.planned?.topology).toEqual(want.topology);
          expect(made.planned?.plan).toEqual(want.plan);
          if (made.planned?.plan) again++;
        },
      ),
      { numRuns: 150 },
    );
    expect(again).toBeGreaterThan(50);
  });

  it('takes the full path for any other change; other hints give the full path’s answer', () => {
    const input = interVlan();
    const last = planDesign(input, {}).planned!;
    const mtu = { ...input, links: input.links.map((l, i) => (i === 0 ? { ...l, mtu: 1400 } : l)) };
    const made = planDesign(mtu, {}, last);
    expect(made.again).toBe(false);
    expect(made.planned?.plan).toEqual(full(mtu, {}).plan);
    const cut = {
      ...input,
      links: input.links.map((l, i) => (i === 0 ? { ...l, state: 'down' as const } : l)),
    };
    const hints = { [last.topology.interfaces.find((i) => i.address)!.key]: '10.1.10.99/24' };
    const hinted = planDesign(cut, hints, last);
    expect(hinted.again).toBe(true);
    expect(hinted.planned?.topology).toEqual(diagnose(cut, hints).topology);
    expect(hinted.planned?.plan).toEqual(full(cut, hints).plan);
    const bad = { ...input, links: input.links.map((l) => ({ ...l, state: 'sideways' })) };
    const refused = planDesign(bad, {}, last);
    expect(refused.again).toBe(false);
    expect(refused.planned).toBeUndefined();
  });
});
