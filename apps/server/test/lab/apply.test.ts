/**
 * The lab layer's apply, verify, undo, deferred undo, reserve and lock, run
 * against an in-memory kernel (./memory-kernel.ts): no root, every fault
 * exactly where the test puts it. What the kernel itself does is proved by
 * the *.kernel.test.ts files.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Design, designFromYaml, findScenario, type ObservedState } from '@netcanvas/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { LabBusyError } from '../../src/lab/engine.js';
import { LabEngine, LabState } from '../../src/lab/index.js';
import { MemoryKernel } from './memory-kernel.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup() {
  const kernel = new MemoryKernel();
  const stateDir = mkdtempSync(join(tmpdir(), 'nc-memory-lab-'));
  dirs.push(stateDir);
  return { kernel, stateDir, engine: new LabEngine(kernel, new LabState(stateDir)) };
}

function scenario(name: string, lab = 'lab'): Design {
  const { design } = designFromYaml(findScenario(name)!.yaml);
  return { ...design!, name: lab };
}

/** inter-vlan with one more container on vlan10, which the design gives a route of its own. */
function grown(): Design {
  const d = scenario('inter-vlan');
  return {
    ...d,
    nodes: { ...d.nodes, c9: { kind: 'namespace' } },
    links: [...d.links, { endpoints: ['c9', 'vlan10'], state: 'up' }],
  };
}

/**
 * Descriptors run out once the change has touched the running lab's fabric
 * (c9's port joins vlan10's bridge): undoing that needs the fabric's worker
 * again, and it can no longer start.
 */
function runOutInFabric(kernel: MemoryKernel): void {
  kernel.closeWorkers();
  kernel.afterOp = (op) => {
    if (op.op === 'link.master' && op.netns === 'nc-lab') {
      kernel.processes = false;
      kernel.closeWorkers();
    }
  };
}

/** The lab as the kernel holds it, without ifindexes (a device made again gets a new one). */
const snapshot = (o: ObservedState) => ({
  ...o,
  interfaces: o.interfaces.map(({ ifindex: _i, ...rest }) => rest),
});

describe('apply against an in-memory kernel', () => {
  it.each(['same-vlan', 'inter-vlan', 'vxlan'])(
    '%s: built from nothing, verified, and a second apply runs nothing',
    async (name) => {
      const { kernel, engine } = setup();
      const first = await engine.apply(scenario(name));
      expect(first.ok).toBe(true);
      expect(first.ops.length).toBe(kernel.log.length);
      const again = await engine.apply(scenario(name));
      expect(again).toMatchObject({ ok: true, ops: [] });
      expect((await engine.status('lab')).state).toBe('running');
    },
  );

  it('verify: an op the kernel took but did not carry out fails the apply, naming it', async () => {
    const { kernel, engine } = setup();
    kernel.ignore((op) => op.op === 'route.add' && op.netns === 'nc-lab.r1');
    const r = await engine.apply(scenario('vxlan'));
    expect(r.ok).toBe(false);
    expect(r.failure?.kernelMessage).toMatch(/after applying, the kernel still differs: .*route/);
    expect(r.failure?.elements).toContain('r1');
  });

  it('a change is verified by reading again only the namespaces its ops touched', async () => {
    const { kernel, engine } = setup();
    expect((await engine.apply(scenario('inter-vlan'))).ok).toBe(true);
    const all = (await kernel.observe('lab')).netns;
    kernel.reads.length = 0;
    const r = await engine.apply(grown());
    expect(r.ok).toBe(true);
    const touched = new Set(
      r.ops.flatMap((o) => ['netns' in o ? o.netns : '', o.op === 'veth.add' ? o.peerNetns : '']),
    );
    touched.delete('');
    // One full reading to plan (no second resolve), then the touched namespaces only.
    expect(kernel.reads.filter((x) => x === 'all')).toHaveLength(1);
    const verify = kernel.reads.at(-1);
    expect(verify).toEqual([...touched].sort());
    expect(verify!.length).toBeLessThan(all.length);
    expect((await engine.status('lab')).state).toBe('running');
  });

  it('verify of a change: an op ignored in a namespace it touched still fails the apply', async () => {
    const { kernel, engine } = setup();
    expect((await engine.apply(scenario('inter-vlan'))).ok).toBe(true);
    kernel.ignore((op) => op.op === 'addr.add' && op.netns === 'nc-lab.c9');
    const r = await engine.apply(grown());
    expect(r.ok).toBe(false);
    expect(r.failure?.kernelMessage).toMatch(
      /after applying, the kernel still differs: .*10\.0\.10/,
    );
    expect(r.failure?.elements).toContain('c9');
  });

  it('a refusal half-way through a new lab undoes everything it made and names the element', async () => {
    const { kernel, engine } = setup();
    kernel.refuse(
      (op) => op.op === 'vxlan.add' && op.netns === 'nc-lab.r2',
      'Error: A VXLAN device with the specified VNI already exists.',
    );
    const progress: string[] = [];
    const r = await engine.apply(scenario('vxlan'), (p) => progress.push(p.phase));
    expect(r.ok).toBe(false);
    expect(r.failure).toMatchObject({ op: { op: 'vxlan.add' } });
    expect(r.failure?.elements).toEqual(expect.arrayContaining(['r2', 'tun']));
    expect(r.rollback).toMatchObject({ state: 'done' });
    expect(r.ops.length).toBeGreaterThan(10);
    expect(progress).toContain('undo');
    expect(progress.at(-1)).toBe('failed');
    expect(kernel.spaces.size).toBe(0);
    expect(await engine.labs()).toEqual([]);
  });

  it('a refusal while changing a running lab puts the lab back as it was', async () => {
    const { kernel, engine } = setup();
    expect((await engine.apply(scenario('inter-vlan'))).ok).toBe(true);
    const before = snapshot(await kernel.observe('lab'));
    // The new container's default route is the last op of the change.
    kernel.refuse(
      (op) => op.op === 'route.add' && op.netns === 'nc-lab.c9',
      'RTNETLINK answers: Network is unreachable',
    );
    const r = await engine.apply(grown());
    expect(r.ok).toBe(false);
    expect(r.failure?.elements).toContain('c9');
    expect(r.rollback?.state).toBe('done');
    expect(snapshot(await kernel.observe('lab'))).toEqual(before);
    // The kernel is healed: the same change now goes through.
    kernel.heal();
    expect((await engine.apply(grown())).ok).toBe(true);
    expect(await kernel.observe('lab')).toMatchObject({
      netns: expect.arrayContaining(['nc-lab.c9']),
    });
  });

  it('no process starts after the reserve: the undo runs on the worker kept in reserve', async () => {
    const { kernel, engine } = setup();
    // `ip netns add` runs in the root namespace's worker; the first line inside a
    // new namespace needs a process of its own, and none can start.
    kernel.afterOp = (op) => {
      if (op.op === 'netns.add') kernel.processes = false;
    };
    const progress: { phase: string; message?: string }[] = [];
    const r = await engine.apply(scenario('same-vlan'), (p) => progress.push(p));
    expect(r.ok).toBe(false);
    expect(r.failure?.kernelMessage).toMatch(/could not be started \(EMFILE/);
    expect(r.rollback).toMatchObject({ state: 'done' });
    expect(r.rollback?.message).toMatch(/on the worker kept in reserve/);
    expect(progress.at(-1)?.message).toMatch(/EMFILE.*worker kept in reserve/);
    expect(kernel.spaces.size).toBe(0);
    expect(engine.deferredUndos()).toEqual({});
  });

  it('the undo cannot start either: it is deferred, and runs before the next apply of the lab', async () => {
    const { kernel, engine } = setup();
    expect((await engine.apply(scenario('inter-vlan'))).ok).toBe(true);
    const before = snapshot(await kernel.observe('lab'));
    runOutInFabric(kernel);
    const r = await engine.apply(grown());
    expect(r.ok).toBe(false);
    expect(r.rollback).toMatchObject({ state: 'deferred' });
    expect(r.rollback?.message).toMatch(/undo deferred: \d+ operations wait/);
    expect(engine.deferredUndos().lab).toBeGreaterThan(0);
    expect(await kernel.observe('lab')).toMatchObject({
      netns: expect.arrayContaining(['nc-lab.c9']),
    });

    // Processes start again; the next apply first finishes the undo, then finds the lab as it was.
    kernel.afterOp = null;
    kernel.processes = true;
    const next = await engine.apply(scenario('inter-vlan'));
    expect(next).toMatchObject({ ok: true, ops: [] });
    expect(engine.deferredUndos()).toEqual({});
    expect(snapshot(await kernel.observe('lab'))).toEqual(before);
  });

  it('destroying a lab whose undo waits makes the undo moot', async () => {
    const { kernel, engine } = setup();
    expect((await engine.apply(scenario('inter-vlan'))).ok).toBe(true);
    runOutInFabric(kernel);
    expect((await engine.apply(grown())).rollback?.state).toBe('deferred');
    kernel.afterOp = null;
    kernel.processes = true;
    expect((await engine.destroy('lab')).removed).toContain('nc-lab.c9');
    expect(engine.deferredUndos()).toEqual({});
    expect(kernel.spaces.size).toBe(0);
  });

  it('not even the reserve starts: nothing runs and the apply says so', async () => {
    const { kernel, engine } = setup();
    kernel.processes = false;
    const r = await engine.apply(scenario('same-vlan'));
    expect(r.ok).toBe(false);
    expect(r.ops).toEqual([]);
    expect(r.failure?.kernelMessage).toMatch(/^nothing was changed: .*EMFILE/);
    expect(kernel.log).toEqual([]);
  });

  it('a half-made namespace name is removed, and the namespace made, by the next apply', async () => {
    const { kernel, engine } = setup();
    kernel.halfMake('nc-lab.c1');
    const status = await engine.status('lab', scenario('same-vlan'));
    expect(status.elements.c1?.differences.join()).toMatch(/half-made/);
    const progress: string[] = [];
    const r = await engine.apply(scenario('same-vlan'), (p) => progress.push(p.message ?? ''));
    expect(r.ok).toBe(true);
    expect(progress).toContain('removed half-made nc-lab.c1');
    expect((await kernel.observe('lab')).halfMade).toEqual([]);
  });
});

describe('one lock per lab', () => {
  /** A lock file written by another live process (our parent), as `netcanvas up` in another shell leaves it. */
  function heldElsewhere(stateDir: string, lab: string): void {
    mkdirSync(join(stateDir, 'labs'), { recursive: true });
    writeFileSync(join(stateDir, 'labs', `${lab}.lock`), String(process.ppid));
  }

  it('apply, destroy, a link change and a caller of exclusive are each refused while another process holds the lab', async () => {
    const { kernel, engine, stateDir } = setup();
    expect((await engine.apply(scenario('inter-vlan'))).ok).toBe(true);
    const log = kernel.log.length;
    heldElsewhere(stateDir, 'lab');
    await expect(engine.apply(scenario('inter-vlan'))).rejects.toBeInstanceOf(LabBusyError);
    await expect(engine.destroy('lab')).rejects.toBeInstanceOf(LabBusyError);
    await expect(engine.setLinkState('lab', 'r1--vlan10', 'down')).rejects.toBeInstanceOf(
      LabBusyError,
    );
    let ran = false;
    await expect(
      engine.exclusive('lab', async () => {
        ran = true;
      }),
    ).rejects.toBeInstanceOf(LabBusyError);
    expect(ran).toBe(false);
    expect(kernel.log.length).toBe(log);
  });

  it('a link change holds the lab from reading its design to applying it: a second change meanwhile is refused', async () => {
    const { engine } = setup();
    expect((await engine.apply(scenario('inter-vlan'))).ok).toBe(true);
    const cut = engine.setLinkState('lab', 'r1--vlan10', 'down');
    await expect(engine.apply(scenario('inter-vlan'))).rejects.toBeInstanceOf(LabBusyError);
    expect(await cut).toMatchObject({ changed: true });
    expect((await engine.status('lab')).state).toBe('running');
  });
});
