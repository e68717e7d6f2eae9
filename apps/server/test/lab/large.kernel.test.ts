/**
 * A generated 1,124-namespace lab on the real kernel, through the engine the
 * server uses (the netlink helper): it goes up with a bounded number of
 * child processes and descriptors, a deterministic sample of more than
 * 1,000 pairs pings as the analyzer predicts (through the engine's check
 * path), and it goes down leaving no namespace and no helper process.
 */
import { existsSync } from 'node:fs';
import { diagnose, generateDesign } from '@netcanvas/shared';
import { expect, it } from 'vitest';
import { startSampler } from '../../bench/proc-sampler.js';
import { sharedNetlink } from '../../src/kernel/netlink.js';
import { differences, netnsOf, testLab } from './helpers.js';

/** Child processes an apply may have at once, whatever the lab's size (issue 13). */
const MAX_CHILDREN = 64;
/** Descriptors an apply may add to this process and its children, whatever the lab's size. */
const MAX_EXTRA_DESCRIPTORS = 128;
/** Endpoints of the sample: 33 give 33 × 32 = 1,056 ordered pairs. */
const SAMPLE = 33;

it('a 1,124-namespace lab goes up, pings a 1,056-pair sample as predicted, and goes down leaving nothing', async () => {
  const t = testLab('big');
  const netlink = sharedNetlink();
  try {
    const design = generateDesign({ seed: 2026, namespaces: 1124, name: t.lab });

    const before = startSampler();
    const idle = await before.stop();
    const sampler = startSampler();
    const result = await t.engine.apply(design);
    const peak = await sampler.stop();
    expect(
      result.failure?.kernelMessage,
      JSON.stringify(result.diagnostics.filter((d) => d.severity === 'error')),
    ).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(netnsOf(t.lab).length).toBeGreaterThanOrEqual(1124);
    expect(peak.children, 'child processes during the apply').toBeLessThanOrEqual(MAX_CHILDREN);
    expect(peak.descriptors - idle.descriptors, 'descriptors the apply added').toBeLessThanOrEqual(
      MAX_EXTRA_DESCRIPTORS,
    );

    // Every 34th endpoint (a spread over routers, VLANs, overlays), first SAMPLE of them.
    const { topology } = diagnose(design);
    const all = topology!.endpoints.map((e) => e.node);
    const step = Math.floor(all.length / SAMPLE);
    const endpoints = Array.from({ length: SAMPLE }, (_, i) => all[i * step]!);
    const { measured } = await t.engine.matrix(design, undefined, {
      endpoints,
      concurrency: 32,
    });
    expect(measured.length).toBe(SAMPLE * (SAMPLE - 1));
    expect(measured.some((m) => m.reachable)).toBe(true);
    expect(measured.some((m) => !m.reachable)).toBe(true);
    expect(differences(measured)).toEqual([]);
  } finally {
    const helpers = netlink.pids();
    await t.cleanup(); // destroys the lab and proves none of its namespaces is left
    await netlink.close();
    for (const pid of helpers) expect(existsSync(`/proc/${pid}`), `helper ${pid} left`).toBe(false);
  }
}, 600_000);
