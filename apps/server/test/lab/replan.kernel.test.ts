/**
 * A link cut or restored on a running lab is planned from the engine's last verified apply
 * (packages/shared/src/replan.ts): on the real kernel, through the helper, each
 * change must run exactly the ops a plan made afresh (another engine, which has no last apply)
 * asks for, drift made by hand in between included (an automatic address changed by hand too: the
 * engine's plan made while it reads the kernel must give way), and leave the lab as planned.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Design, generateDesign } from '@netcanvas/shared';
import { describe, expect, it } from 'vitest';
import { exec } from '../../src/kernel/exec.js';
import { LabEngine, LabState } from '../../src/lab/index.js';
import { createKernelPort } from '../../src/lab/kernel-port.js';
import { differences, testLab } from './helpers.js';

const endsOf = (d: Design, i: number) =>
  d.links[i]!.endpoints.map((e) => (typeof e === 'string' ? e : e.node));

describe('a link cut or restored, planned from the last apply', () => {
  it('runs what a plan made afresh runs, drift included, and leaves the lab as planned', async () => {
    const t = testLab('rp');
    const freshDir = mkdtempSync(join(tmpdir(), 'nc-test-state-'));
    const fresh = new LabEngine(createKernelPort(), new LabState(freshDir));
    try {
      const design = generateDesign({ seed: 7, elements: 40, name: t.lab, downLinkChance: 0 });
      const up = await t.engine.apply(design);
      expect(up.ok, up.failure?.kernelMessage).toBe(true);
      const routerLinks = design.links
        .map((_, i) => i)
        .filter((i) => endsOf(design, i).some((e) => design.nodes[e]?.kind === 'router'))
        .slice(0, 3);
      expect(routerLinks.length).toBeGreaterThan(0);
      let current = design;
      let moved = 0;
      for (const [k, i] of [...routerLinks, routerLinks[0]!].entries()) {
        const next: Design = {
          ...current,
          links: current.links.map((l, j) =>
            j === i ? { ...l, state: l.state === 'down' ? 'up' : 'down' } : l,
          ),
        };
        if (k === 1) {
          // Drift by hand between two changes, where the change itself does nothing (so only
          // the reading can tell): a route gone, a device down.
          const clean = await fresh.plan(next);
          const touched = new Set(
            clean.ops.flatMap((o) => (o.op === 'veth.add' ? [o.netns, o.peerNetns] : [o.netns])),
          );
          const r = up.topology!.routes.find((x) => !touched.has(x.netns))!;
          await exec(['ip', '-n', r.netns, 'route', 'del', r.to]);
          const other = up.topology!.interfaces.find(
            (x) => x.kind === 'veth' && x.up && !touched.has(x.netns) && x.netns !== r.netns,
          )!;
          await exec(['ip', '-n', other.netns, 'link', 'set', 'dev', other.name, 'down']);
        }
        let renumbered: { netns: string; name: string; address: string } | undefined;
        if (k === 2) {
          // An automatic address changed by hand: with no address record, the kernel's address
          // is the hint, so a fresh plan keeps it. The engine plans this change while it reads
          // the kernel, with the last apply's hints: that plan must not be the one it runs.
          const clean = await fresh.plan(next);
          const touched = new Set(
            clean.ops.flatMap((o) => (o.op === 'veth.add' ? [o.netns, o.peerNetns] : [o.netns])),
          );
          const x = up.topology!.interfaces.find(
            (i) => i.addressOrigin === 'auto' && i.kind === 'veth' && i.up && !touched.has(i.netns),
          )!;
          const [ip, len] = x.address!.split('/');
          const parts = ip!.split('.');
          parts[3] = String(Number(parts[3]) === 250 ? 251 : 250);
          renumbered = { netns: x.netns, name: x.name, address: `${parts.join('.')}/${len}` };
          await exec(['ip', '-n', x.netns, 'addr', 'del', x.address!, 'dev', x.name]);
          await exec(['ip', '-n', x.netns, 'addr', 'add', renumbered.address, 'dev', x.name]);
        }
        const want = await fresh.plan(next);
        const result = await t.engine.apply(next);
        expect(result.ok, result.failure?.kernelMessage).toBe(true);
        expect(result.ops).toEqual(want.ops);
        moved += result.ops.filter((o) => o.op === 'route.add').length;
        expect((await fresh.plan(next)).ops).toEqual([]);
        if (renumbered) {
          const shown = await exec([
            'ip',
            '-n',
            renumbered.netns,
            '-br',
            'addr',
            'show',
            'dev',
            renumbered.name,
          ]);
          expect(shown.stdout).toContain(renumbered.address);
        }
        current = next;
      }
      expect(moved).toBeGreaterThan(0);
      const { measured } = await t.engine.matrix(current);
      expect(differences(measured)).toEqual([]);
    } finally {
      rmSync(freshDir, { recursive: true, force: true });
      await t.cleanup();
    }
  }, 240_000);
});
