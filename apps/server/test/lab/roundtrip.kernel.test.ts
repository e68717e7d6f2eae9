/**
 * render → kernel → observe → diff is empty, over many generated designs.
 *
 * The seeded generator gives the shapes (routers, VLANs, routed and bridged
 * hosts, tunnels, static routers, a link down); on top, each design gets
 * the spellings where the kernel and the model could part ways: host routes
 * (/32), default routes written `default` or `0.0.0.0/0`, /31 and /30
 * point-to-point addresses written by hand, addresses written without a
 * prefix length, link MTUs, MACs, a tunnel on another UDP port. Each design
 * is applied to the real kernel (apply verifies by observing and diffing
 * again: `ok` means that diff was empty, "kernel still differs" otherwise).
 * Labs run two at a time; every namespace is gone at the end.
 */
import { type Design, diagnose, generateDesign } from '@netcanvas/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteNetns, listNetns } from '../../src/kernel/netns.js';
import { testLab } from './helpers.js';
import { withSpellings } from './spellings.js';

const DESIGNS = 200;
// Namespaces are made and freed under one kernel lock: more lanes only queue on it.
const AT_ONCE = 2;

describe('render → kernel → observe → diff', () => {
  const labs: string[] = [];
  afterAll(async () => {
    // A failure part-way must still leave nothing behind.
    const left = (await listNetns()).filter((n) =>
      labs.some((l) => n === `nc-${l}` || n.startsWith(`nc-${l}.`)),
    );
    await deleteNetns(left);
    expect(
      (await listNetns()).filter((n) =>
        labs.some((l) => n === `nc-${l}` || n.startsWith(`nc-${l}.`)),
      ),
    ).toEqual([]);
  });

  it(`gives 0 operations for ${DESIGNS} generated designs`, async () => {
    const designs: { seed: number; design: Design }[] = [];
    for (let seed = 1; designs.length < DESIGNS; seed++) {
      const elements = 6 + (seed % 19);
      const design = withSpellings(generateDesign({ seed, elements, name: 'x' }), seed);
      const errors = diagnose(design).diagnostics.filter((d) => d.severity === 'error');
      expect(errors, `seed ${seed}`).toEqual([]);
      designs.push({ seed, design });
    }
    const failures: string[] = [];
    let next = 0;
    let applied = 0;
    const lane = async () => {
      while (next < designs.length) {
        const { seed, design } = designs[next++]!;
        const t = testLab(`rt${seed}`);
        labs.push(t.lab);
        try {
          const named = { ...design, name: t.lab };
          const result = await t.engine.apply(named);
          if (!result.ok) {
            failures.push(
              `seed ${seed}: ${result.failure?.kernelMessage ?? result.diagnostics.map((d) => d.message).join('; ')}`,
            );
            continue;
          }
          // ok means apply's own verify observed the lab and diffed it again: 0 operations.
          applied++;
        } finally {
          await t.cleanup();
        }
      }
    };
    await Promise.all(Array.from({ length: AT_ONCE }, lane));
    expect(failures).toEqual([]);
    expect(applied).toBe(DESIGNS);
  }, 600_000);
});
