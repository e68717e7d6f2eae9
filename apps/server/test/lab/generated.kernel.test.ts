/**
 * Generated designs (seeded: several routers, VLANs, routed and bridged
 * hosts, VXLAN overlays, static routers, links down) on the real kernel:
 * the measured ping matrix must equal the analyzer's prediction, pair for
 * pair, for every seed.
 */
import { generateDesign } from '@netcanvas/shared';
import { describe, expect, it } from 'vitest';
import { differences, testLab } from './helpers.js';

const SEEDS = Array.from({ length: 20 }, (_, i) => 1000 + i * 7919);

describe('generated designs on the real kernel', () => {
  for (const [n, seed] of SEEDS.entries()) {
    const elements = 10 + ((n * 13) % 31); // 10..40
    it(`seed ${seed}, about ${elements} elements: measured equals predicted`, async () => {
      const t = testLab(`g${n}`);
      try {
        const design = generateDesign({ seed, elements, name: t.lab });
        const result = await t.engine.apply(design);
        expect(
          result.failure?.kernelMessage,
          JSON.stringify(result.diagnostics.filter((d) => d.severity === 'error')),
        ).toBeUndefined();
        expect(result.ok).toBe(true);
        const { predicted, measured } = await t.engine.matrix(design);
        expect(predicted.endpoints.length).toBeGreaterThanOrEqual(2);
        expect(differences(measured)).toEqual([]);
      } finally {
        await t.cleanup();
      }
    }, 240_000);
  }
});
