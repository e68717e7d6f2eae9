/**
 * The model follows the kernel's rules, each checked against the real kernel:
 * the weak host model, static routes the kernel refuses, a container as a
 * VXLAN member, the underlay that is no transit network, and packet sizes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze, type Design, designToYaml, diagnose } from '@netcanvas/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { exec } from '../../src/kernel/exec.js';
import { pingFrom } from '../../src/kernel/ping.js';
import type { LabEngine } from '../../src/lab/index.js';
import { netnsOf, runCli, scenario, testLab, withRoutes } from './helpers.js';

const work = mkdtempSync(join(tmpdir(), 'nc-rules-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const cli = (engine: LabEngine, ...args: string[]) => runCli(engine, work, ...args);

const nodeOf = (e: Design['links'][number]['endpoints'][number]) =>
  typeof e === 'string' ? e : e.node;
const isLink = (a: string, b: string) => (l: Design['links'][number]) =>
  l.endpoints.map(nodeOf).join('--') === `${a}--${b}`;

const mismatches = (
  measured: { from: string; to: string; measured: boolean; reachable: boolean; reason?: string }[],
) =>
  measured
    .filter((m) => m.measured !== m.reachable)
    .map(
      (m) =>
        `${m.from}→${m.to}: predicted ${m.reachable} (${m.reason ?? ''}), measured ${m.measured}`,
    );

describe('the kernel’s rules, on the kernel', () => {
  it('weak host model: an address on a down port answers from another port, as predicted; check pings a port that is up', async () => {
    const t = testLab('weak');
    try {
      const base = scenario('inter-vlan', t.lab);
      // r1's first addressed port is the one to vlan10; it goes down.
      const design: Design = {
        ...base,
        links: base.links.map((l) =>
          isLink('r1', 'vlan10')(l) ? { ...l, state: 'down' as const } : l,
        ),
      };
      expect((await t.engine.apply(design)).ok).toBe(true);
      const { predicted, measured } = await t.engine.matrix(design);
      expect(predicted.targets.r1).toBe('10.0.20.1');
      expect(mismatches(measured)).toEqual([]);

      // The down port's own address, from the other side of r1: the kernel answers.
      const topology = diagnose(design).topology!;
      const asked = analyze(
        {
          ...topology,
          endpoints: topology.endpoints.map((e) =>
            e.node === 'r1' ? { ...e, address: '10.0.10.1' } : e,
          ),
        },
        { endpoints: ['c2', 'r1'] },
      );
      const pair = asked.results[asked.endpoints.indexOf('c2')]![asked.endpoints.indexOf('r1')]!;
      expect(pair.reachable, pair.reason).toBe(true);
      expect(pair.forward.at(-1)!.note).toMatch(/weak host model/);
      expect((await pingFrom(`nc-${t.lab}.c2`, '10.0.10.1')).ok).toBe(true);
    } finally {
      await t.cleanup();
    }
  });

  it('a static route to an attached subnet ("File exists" in the kernel) or via the router’s own address is refused before anything runs', async () => {
    const t = testLab('routes');
    try {
      const base = scenario('inter-vlan', t.lab);
      expect((await t.engine.apply(base)).ok).toBe(true);
      // The kernel's own answer to such a route:
      const refused = await exec(
        ['ip', '-n', `nc-${t.lab}.r1`, 'route', 'add', '10.0.10.0/24', 'via', '10.0.10.2'],
        { allowFailure: true },
      );
      expect(refused.stderr).toMatch(/File exists/);

      for (const route of [
        { to: '10.0.10.0/24', via: '10.0.10.2', code: 'route-to-connected' },
        { to: '10.9.0.0/24', via: '10.0.10.1', code: 'route-via-self' },
      ]) {
        const bad = withRoutes(base, 'r1', [{ to: route.to, via: route.via }]);
        const result = await t.engine.apply(bad);
        expect(result.ok).toBe(false);
        expect(result.ops).toEqual([]);
        expect(result.diagnostics).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              severity: 'error',
              code: route.code,
              elements: ['r1', ...(route.code === 'route-to-connected' ? ['vlan10'] : [])],
              path: expect.arrayContaining(['routes', 0]),
            }),
          ]),
        );
        expect((await t.engine.status(t.lab, base)).state).toBe('running');
      }

      // And the CLI says it in JSON when asked to.
      const file = join(work, 'bad.yaml');
      writeFileSync(
        file,
        designToYaml(withRoutes(base, 'r1', [{ to: '10.0.20.0/24', via: '10.0.20.9' }])),
      );
      const up = await cli(t.engine, 'up', file, '--json');
      expect(up.code).toBe(1);
      const out = JSON.parse(up.stdout);
      expect(out).toMatchObject({ ok: false, ops: [] });
      expect(out.diagnostics.map((d: { code: string }) => d.code)).toContain('route-to-connected');
    } finally {
      await t.cleanup();
    }
  });

  it('a container on a bridged host on the underlay is a tunnel member: its overlay address answers', async () => {
    const t = testLab('ctun');
    try {
      const design: Design = {
        apiVersion: 'netcanvas/v1',
        name: t.lab,
        nodes: {
          public: { kind: 'switch', subnet: '203.0.113.0/24' },
          h1: { kind: 'host', mode: 'bridged' },
          h2: { kind: 'host', mode: 'bridged' },
          c1: { kind: 'namespace', host: 'h1' },
          c2: { kind: 'namespace', host: 'h2' },
          tun: { kind: 'vxlan', vni: 9, port: 4789, underlay: 'public', subnet: '172.16.9.0/29' },
        },
        links: [
          { endpoints: ['h1', 'public'], state: 'up' },
          { endpoints: ['h2', 'public'], state: 'up' },
          { endpoints: ['c1', 'tun'], state: 'up' },
          { endpoints: ['c2', 'tun'], state: 'up' },
        ],
        addressing: { p2p: '10.255.0.0/16' },
      };
      const result = await t.engine.apply(design);
      expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(result.ok).toBe(true);
      const c2 = result.topology!.interfaces.find((i) => i.key === `nc-${t.lab}.c2/tun`)!;
      expect((await pingFrom(`nc-${t.lab}.c1`, c2.address!.split('/')[0]!)).ok).toBe(true);
      const { measured } = await t.engine.matrix(design);
      expect(mismatches(measured)).toEqual([]);
    } finally {
      await t.cleanup();
    }
  });

  it('the underlay is no transit network: a third site on the public switch is cut off, predicted, measured and said', async () => {
    const t = testLab('third');
    try {
      const base = scenario('vxlan', t.lab);
      const design: Design = {
        ...base,
        nodes: {
          ...base.nodes,
          vlan30: { kind: 'vlan', vid: 30, subnet: '10.0.30.0/24' },
          r3: { kind: 'router', routing: 'auto', routes: [] },
          'node-c': { kind: 'host', mode: 'bridged' },
        },
        links: [
          ...base.links,
          { endpoints: ['r3', 'vlan30'], state: 'up' },
          { endpoints: ['r3', 'public'], state: 'up' },
          { endpoints: ['node-c', 'vlan30'], state: 'up' },
        ],
      };
      const result = await t.engine.apply(design);
      expect(result.ok).toBe(true);
      expect(result.diagnostics.find((d) => d.code === 'underlay-not-transit')).toMatchObject({
        severity: 'info',
        elements: ['public', 'tun', 'r1', 'r2', 'r3'],
        message: expect.stringContaining('That cuts r1–r3 and r2–r3'),
      });
      const { measured } = await t.engine.matrix(design);
      expect(mismatches(measured)).toEqual([]);
      expect(measured.find((m) => m.from === 'c1' && m.to === 'node-c')?.measured).toBe(false);
      expect(measured.find((m) => m.from === 'c1' && m.to === 'c2')?.measured).toBe(true);
    } finally {
      await t.cleanup();
    }
  });

  it('packet size: a port with a smaller MTU drops large pings; check --size predicts and measures it', async () => {
    const t = testLab('mtu');
    try {
      const base = scenario('inter-vlan', t.lab);
      const design: Design = {
        ...base,
        links: base.links.map((l) => (isLink('r1', 'vlan10')(l) ? { ...l, mtu: 1400 } : l)),
      };
      const file = join(work, 'mtu.yaml');
      writeFileSync(file, designToYaml(design));
      const up = await cli(t.engine, 'up', file);
      expect(up.code, up.stderr).toBe(0);
      expect(up.stderr).toMatch(/mtu-mismatch/);

      const small = await cli(t.engine, 'check', t.lab, '--size', '1300');
      expect(small.code, small.stdout).toBe(0);
      expect(small.stdout).toMatch(/all as predicted/);

      const big = await cli(t.engine, 'check', t.lab, '--size', '1400', '--json');
      expect(big.code, big.stdout).toBe(0);
      const report = JSON.parse(big.stdout) as {
        size: number;
        mismatches: number;
        pairs: { from: string; to: string; predicted: boolean; measured: boolean }[];
      };
      expect(report.size).toBe(1400);
      expect(report.mismatches).toBe(0);
      const cell = (from: string, to: string) =>
        report.pairs.find((p) => p.from === from && p.to === to)!;
      expect(cell('c1', 'node-a')).toMatchObject({ predicted: true, measured: true });
      expect(cell('c1', 'c2')).toMatchObject({ predicted: false, measured: false });
      expect(cell('c2', 'c1')).toMatchObject({ predicted: false, measured: false });

      // The MTU fixed: the senders forget what "fragmentation needed" taught them, and
      // the same size passes everywhere, as predicted.
      expect((await t.engine.apply(base)).ok).toBe(true);
      const fixed = await cli(t.engine, 'check', t.lab, '--size', '1400');
      expect(fixed.code, fixed.stdout).toBe(0);
      expect(fixed.stdout).not.toMatch(/unreachable, as predicted/);

      const wrong = await cli(t.engine, 'check', t.lab, '--size', '0x10');
      expect(wrong.code).toBe(2);
    } finally {
      await t.cleanup();
    }
    expect(netnsOf(t.lab)).toEqual([]);
  });
});
