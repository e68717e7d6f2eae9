/**
 * One truth per lab, on the real kernel: a real server (the real engine) and
 * the CLI in the same process share one state directory, as they share
 * /var/lib/netcanvas on a machine. Every lab here is named after this test
 * run and checked gone in /run/netns at the end. Needs root.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { designToYaml } from '@netcanvas/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useEngine } from '../../src/cli/lab-commands.js';
import { createEngine, LabEngine, LabState } from '../../src/lab/index.js';
import { createKernelPort } from '../../src/lab/kernel-port.js';
import { cliIn, ifindexes, labName, netnsOf, scenario } from '../lab/helpers.js';
import { api, design, startTestServer, type TestServer, tempDir } from './helpers.js';

const stateDir = tempDir('nc-identity-state-');
const dataDir = tempDir('nc-identity-data-');
const work = mkdtempSync(join(tmpdir(), 'nc-identity-cli-'));
useEngine(() => new LabEngine(createKernelPort(), new LabState(stateDir)));
let srv: TestServer;
/** Every lab a test may have made: destroyed after each test, and proven gone. */
const made = new Set<string>();

const cli = cliIn(work);

function lab(what: string): string {
  const name = labName(what);
  made.add(name);
  made.add(`${name}-2`);
  return name;
}

beforeAll(async () => {
  srv = await startTestServer({ engine: createEngine({ stateDir }), dataDir });
});

afterEach(async () => {
  for (const name of made) await srv.engine.destroy(name);
  for (const name of made) expect(netnsOf(name), `namespaces of ${name} left behind`).toEqual([]);
  made.clear();
});

afterAll(async () => {
  await srv.stop();
  for (const dir of [stateDir, dataDir, work]) rmSync(dir, { recursive: true, force: true });
});

describe('lab identity on the kernel', () => {
  it('two designs made from one file deploy side by side as two labs that never touch', async () => {
    const name = lab('twin');
    const yaml = designToYaml(scenario('same-vlan', name));
    const a = await api(srv, 'POST', '/api/designs/import', { yaml });
    const b = await api(srv, 'POST', '/api/designs/import', { yaml });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect([a.json.lab, b.json.lab]).toEqual([name, `${name}-2`]);
    expect(b.json.labNotice).toContain(`this design's lab is ${name}-2`);

    for (const d of [a, b]) {
      const applied = await api(srv, 'POST', `/api/labs/${d.json.id}/apply`, {});
      expect(applied.status, applied.text).toBe(200);
      expect(applied.json.lab).toBe(d.json.lab);
    }
    expect(netnsOf(name)).toContain(`nc-${name}.c1`);
    expect(netnsOf(`${name}-2`)).toContain(`nc-${name}-2.c1`);
    for (const d of [a, b]) {
      const ping = await api(srv, 'POST', `/api/labs/${d.json.id}/ping`, { from: 'c1', to: 'c2' });
      expect(ping.json.measured, ping.text).toBe(true);
    }

    // Destroying one leaves the other exactly as it was.
    const before = await ifindexes(name);
    await api(srv, 'POST', `/api/labs/${b.json.id}/destroy`, {});
    expect(netnsOf(`${name}-2`)).toEqual([]);
    expect(await ifindexes(name)).toEqual(before);
    const status = await api(srv, 'GET', `/api/labs/${a.json.id}/status`);
    expect(status.json.state).toBe('running');
  });

  it('a renamed running design still owns its lab: Apply stays an apply and Destroy leaves nothing', async () => {
    const name = lab('rename');
    const created = await api(srv, 'POST', '/api/designs', { doc: design(name) });
    const id = created.json.id as string;
    expect((await api(srv, 'POST', `/api/labs/${id}/apply`, {})).json.ok).toBe(true);
    const renamed = await api(srv, 'PUT', `/api/designs/${id}`, {
      baseVersion: 1,
      doc: design('renamed-elsewhere'),
    });
    expect(renamed.json.lab).toBe(name);
    const status = await api(srv, 'GET', `/api/labs/${id}/status`);
    expect(status.json).toMatchObject({ lab: name, state: 'running' });
    const plan = await api(srv, 'POST', `/api/labs/${id}/plan`, {});
    expect(plan.json.ops).toEqual([]); // the rename changes nothing in the kernel
    const destroyed = await api(srv, 'POST', `/api/labs/${id}/destroy`, {});
    expect(destroyed.json.removed).toContain(`nc-${name}.c1`);
    expect(netnsOf(name)).toEqual([]);
    expect(netnsOf('renamed-elsewhere')).toEqual([]);
  });

  it('a lab brought up by the CLI is listed as the CLI’s and never taken by a design of the same name', async () => {
    const name = lab('cli');
    writeFileSync(join(work, 'cli.yaml'), designToYaml(scenario('same-vlan', name)));
    const up = await cli('up', 'cli.yaml');
    expect(up.code, up.stderr).toBe(0);
    const before = await ifindexes(name);

    const labs = await api(srv, 'GET', '/api/labs');
    expect(labs.json.labs.find((l: { lab: string }) => l.lab === name)).toMatchObject({
      lab: name,
      design: null,
      owner: { kind: 'cli' },
      elements: 5,
      status: { state: 'running' },
    });
    expect(labs.json.labs.find((l: { lab: string }) => l.lab === name).since).toEqual(
      expect.any(String),
    );

    // A design asking for that name gets its own lab; deploying it leaves the CLI's alone.
    const created = await api(srv, 'POST', '/api/designs', { doc: scenario('same-vlan', name) });
    expect(created.json.lab).toBe(`${name}-2`);
    expect(created.json.labNotice).toMatch(/taken \(by the command line/);
    const applied = await api(srv, 'POST', `/api/labs/${created.json.id}/apply`, {});
    expect(applied.json.ok, applied.text).toBe(true);
    expect(await ifindexes(name)).toEqual(before);
    const again = await cli('up', 'cli.yaml');
    expect(again.stdout).toMatch(/already up to date \(0 operations\)/);

    // Opening it as a design is explicit, and from then on the design owns it.
    const adopted = await api(srv, 'POST', `/api/labs/by-name/${name}/adopt`, {});
    expect(adopted.status, adopted.text).toBe(201);
    expect(adopted.json.lab).toBe(name);
    expect(Object.keys(adopted.json.doc.nodes).sort()).toEqual(
      Object.keys(scenario('same-vlan', name).nodes).sort(),
    );
    const plan = await api(srv, 'POST', `/api/labs/${adopted.json.id}/plan`, {});
    expect(plan.json.ops).toEqual([]); // it runs exactly the adopted design
    const twice = await api(srv, 'POST', `/api/labs/by-name/${name}/adopt`, {});
    expect(twice.status).toBe(409);
    const refused = await cli('up', 'cli.yaml');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`belongs to design ${name} (${adopted.json.id})`);
  });

  it('up refuses a lab a design owns, naming the design, and touches nothing', async () => {
    const name = lab('owned');
    const created = await api(srv, 'POST', '/api/designs', {
      doc: { ...design(name), title: 'Lesson 2 · routing' },
    });
    expect(created.json.lab).toBe(name);
    writeFileSync(join(work, 'owned.yaml'), designToYaml(scenario('same-vlan', name)));
    const up = await cli('up', 'owned.yaml');
    expect(up.code).toBe(1);
    expect(up.stderr).toContain(`design "Lesson 2 · routing" (${created.json.id})`);
    expect(up.stderr).toContain('--name');
    expect(netnsOf(name)).toEqual([]);
    const json = await cli('up', 'owned.yaml', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      error: { code: 'lab-owned', owner: { kind: 'design', id: created.json.id } },
    });
  });

  it('a design whose lab runs is not deleted; once the lab is destroyed it is', async () => {
    const name = lab('delete');
    const id = (await api(srv, 'POST', '/api/designs', { doc: design(name) })).json.id as string;
    expect((await api(srv, 'POST', `/api/labs/${id}/apply`, {})).json.ok).toBe(true);
    const refused = await api(srv, 'DELETE', `/api/designs/${id}`);
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatchObject({ code: 'lab-running', lab: name });
    expect((await api(srv, 'GET', `/api/designs/${id}`)).status).toBe(200);
    expect(netnsOf(name)).toContain(`nc-${name}.c1`);

    await api(srv, 'POST', `/api/labs/${id}/destroy`, {});
    expect((await api(srv, 'DELETE', `/api/designs/${id}`)).status).toBe(204);
    // The name is free again for the next design that asks for it.
    const next = await api(srv, 'POST', '/api/designs', { doc: design(name) });
    expect(next.json.lab).toBe(name);
  });
});
