/**
 * The live hub on the real lab engine over the in-memory kernel: what a
 * change seen in the kernel makes it read again. A link event names its
 * namespace, so only that namespace is read again (a 746-namespace lab read
 * and planned in full for every event took most of a core); a design saved
 * still reads the whole lab. The in-memory kernel proves the hub's and the
 * engine's bookkeeping only: live-status.test.ts does the same by hand on
 * the real kernel.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Design, parseDesign, resolve } from '@netcanvas/shared';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { LabEngine } from '../../src/lab/lab-engine.js';
import { LabState } from '../../src/lab/state.js';
import type { InterfaceObservation, LiveSources } from '../../src/live/sources.js';
import { MemoryKernel } from '../lab/memory-kernel.js';
import { until } from '../until.js';
import { design } from './helpers.js';
import { allUp, hubFixture, watch } from './hub-fixture.js';

const LAB = 't-hub-scope';
const C1 = `nc-${LAB}.c1`;
const C2 = `nc-${LAB}.c2`;

let stateDir: string;
beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'nc-hub-scope-'));
});
afterEach(() => {
  rmSync(stateDir, { recursive: true, force: true });
});
const hubs = hubFixture();

async function running() {
  const kernel = new MemoryKernel();
  const engine = new LabEngine(kernel, new LabState(stateDir));
  const doc = parseDesign(design(LAB)).design as Design;
  const applied = await engine.apply(doc);
  if (!applied.ok) throw new Error('the test lab did not come up in the memory kernel');
  let onLink: (o: InterfaceObservation) => void = () => {};
  let onNetns: (name: string | null) => void = () => {};
  const sources: LiveSources = {
    sample: async () => [],
    watchLinks: (cb) => {
      onLink = cb;
      return () => {};
    },
    watchNetns: (cb) => {
      onNetns = cb;
      return () => {};
    },
  };
  const hub = hubs.start({ engine, sources, doc });
  const { got, statuses } = await watch(hub, LAB);
  /** A device of `netns` set down by hand, as `ip -n NETNS link set DEV down` does. */
  const setDown = (netns: string) => {
    const dev = [...kernel.spaces.get(netns)!.devices.values()].find((d) => d.kind !== 'loopback')!;
    dev.up = false;
    dev.operstate = 'DOWN';
    return { netns, dev: dev.name, up: false, operstate: 'DOWN' };
  };
  return {
    kernel,
    engine,
    doc,
    hub,
    got,
    statuses,
    setDown,
    onLink: (o: InterfaceObservation) => onLink(o),
    onNetns: (n: string | null) => onNetns(n),
  };
}

it('a link set down by hand re-reads only its namespace, and the other elements keep their state', async () => {
  const lab = await running();
  const snapshot = lab.got.find((m) => m.type === 'snapshot');
  const first = snapshot?.type === 'snapshot' ? snapshot.lab?.status : undefined;
  expect(first?.state).toBe('running');
  lab.kernel.reads.length = 0;

  const event = lab.setDown(C1);
  lab.onLink(event);
  // The event itself reaches the client at once, before any status is read again.
  const links = lab.got.filter((m) => m.type === 'delta' && m.event.kind === 'links');
  expect(links).toHaveLength(1);
  expect(lab.kernel.reads).toEqual([]);

  await until(() => lab.statuses().length === 1, 'a status after the link event');
  expect(lab.kernel.reads).toEqual([[C1]]);
  const status = lab.statuses()[0]!;
  expect(status.state).toBe('partial');
  expect(status.elements.c1?.state).toBe('drift');
  expect(status.elements.c2?.state).toBe('deployed');

  // A second change elsewhere: the first one's drift is kept, only c2 is read.
  lab.onLink(lab.setDown(C2));
  await until(() => lab.statuses().length === 2, 'a status after the second link event');
  expect(lab.kernel.reads).toEqual([[C1], [C2]]);
  const second = lab.statuses()[1]!;
  expect(second.elements.c1?.state).toBe('drift');
  expect(second.elements.c2?.state).toBe('drift');
});

it('a namespace deleted by hand re-reads only that name and says its element is missing', async () => {
  const lab = await running();
  lab.kernel.reads.length = 0;
  lab.kernel.spaces.delete(C2);
  lab.onNetns(C2);
  await until(() => lab.statuses().length === 1, 'a status after the namespace went');
  expect(lab.kernel.reads).toEqual([[C2]]);
  const status = lab.statuses()[0]!;
  expect(status.elements.c2?.state).toBe('missing');
  expect(status.elements.c1?.state).toBe('deployed');
});

it('a design saved, or a change nobody can name, still reads the whole lab', async () => {
  const lab = await running();
  lab.kernel.reads.length = 0;
  await lab.hub.labChanged(LAB);
  expect(lab.kernel.reads).toEqual(['all']);
  lab.onNetns(null);
  await until(() => lab.kernel.reads.length === 2, 'a read after an unknown change');
  expect(lab.kernel.reads).toEqual(['all', 'all']);
});

it('a lab at rest sends its rates once; traffic sends them again, and their fall to zero, then nothing', async () => {
  const doc = parseDesign(design('t-hub-rates')).design as Design;
  const { topology } = resolve(doc);
  let tx = 0;
  let samples = 0;
  const sources: LiveSources = {
    sample: async () => {
      samples += 1;
      return topology.interfaces.map((i) => ({
        netns: i.netns,
        dev: i.name,
        up: true,
        operstate: 'UP',
        rxBytes: 0,
        txBytes: tx * 100,
        rxPackets: 0,
        txPackets: tx,
      }));
    },
  };
  const engine = new LabEngine(new MemoryKernel(), new LabState(stateDir));
  const hub = hubs.start({ engine, sources, doc, pollMs: 20 });
  const { got } = await watch(hub, 't-hub-rates');
  const rates = () =>
    got.flatMap((m) => (m.type === 'delta' && m.event.kind === 'rates' ? [m.event] : []));
  const polls = async (n: number) => {
    const until_ = samples + n;
    await until(() => samples >= until_, `${n} more polls`);
  };
  await polls(6);
  expect(rates()).toHaveLength(1);
  expect(Object.values(rates()[0]!.rates).every((r) => r.txPps === 0)).toBe(true);
  tx = 5;
  await polls(6);
  expect(rates()).toHaveLength(3);
  expect(Object.values(rates()[1]!.rates).some((r) => r.txPps > 0)).toBe(true);
  expect(Object.values(rates()[2]!.rates).every((r) => r.txPps === 0)).toBe(true);
  expect(Object.values(rates()[2]!.counters).every((c) => c.txPackets === 5)).toBe(true);
});

it('a namespace read that failed makes the next change read the whole lab, so its change is not lost', async () => {
  const lab = await running();
  const observe = lab.kernel.observe.bind(lab.kernel);
  let fail = true;
  lab.kernel.observe = async (name, only) => {
    if (only && fail) {
      fail = false;
      throw new Error('the helper died');
    }
    return observe(name, only);
  };
  lab.kernel.reads.length = 0;
  lab.onLink(lab.setDown(C1));
  await until(() => !fail, 'the failed read');
  lab.onLink(lab.setDown(C2));
  await until(() => lab.statuses().length === 1, 'a status after the second change');
  expect(lab.kernel.reads).toEqual(['all']);
  expect(lab.statuses()[0]!.elements.c1?.state).toBe('drift');
  expect(lab.statuses()[0]!.elements.c2?.state).toBe('drift');
});

it('link events that come together go out as one message per lab, each link in its latest state', async () => {
  const doc = parseDesign(design('t-hub-batch')).design as Design;
  const { topology } = resolve(doc);
  let onChanges: (os: InterfaceObservation[]) => void = () => {};
  const sources: LiveSources = {
    sample: allUp(topology),
    watchLinks: (_one, many) => {
      onChanges = many ?? (() => {});
      return () => {};
    },
  };
  const engine = new LabEngine(new MemoryKernel(), new LabState(stateDir));
  const hub = hubs.start({ engine, sources, doc });
  const { got } = await watch(hub, 't-hub-batch');
  const end = (node: string, link: string) =>
    topology.interfaces.find((i) => i.netns.endsWith(`.${node}`) && i.link === link)!;
  const c1 = end('c1', 'c1--vlan10');
  const c2 = end('c2', 'c2--vlan10');
  const as = (i: typeof c1, up: boolean) => ({
    netns: i.netns,
    dev: i.name,
    up,
    operstate: up ? 'UP' : 'DOWN',
  });
  onChanges([as(c1, false), as(c2, false), as(c2, true)]);
  const deltas = got.filter((m) => m.type === 'delta' && m.event.kind === 'links');
  expect(deltas).toHaveLength(1);
  const event = deltas[0]!.type === 'delta' ? deltas[0]!.event : undefined;
  expect(event?.kind === 'links' && event.links['c1--vlan10']?.state).toBe('down');
  expect(event?.kind === 'links' && event.links['c2--vlan10']?.state).toBe('up');
});

it('a storm of link events reads its namespace a few times, not every 200 ms, and exactly once it settles', async () => {
  const lab = await running();
  vi.useFakeTimers();
  try {
    lab.kernel.reads.length = 0;
    const devs = [...lab.kernel.spaces.get(C1)!.devices.values()].filter(
      (d) => d.kind !== 'loopback',
    );
    const links = () =>
      lab.got.filter((m) => m.type === 'delta' && m.event.kind === 'links').length;
    // Five seconds of a device of c1 toggled every 5 ms (1,000 events a second over two sides).
    let toggles = 0;
    for (let t = 0; t < 5000; t += 5) {
      const dev = devs[toggles % devs.length]!;
      dev.up = !dev.up;
      dev.operstate = dev.up ? 'UP' : 'DOWN';
      toggles += 1;
      lab.onLink({ netns: C1, dev: dev.name, up: dev.up, operstate: dev.operstate });
      await vi.advanceTimersByTimeAsync(5);
    }
    // Every event went out as it came.
    expect(links()).toBe(toggles);
    const during = lab.kernel.reads.length;
    // The status still followed during the storm, but at most every 2 s.
    expect(during).toBeGreaterThanOrEqual(1);
    expect(during).toBeLessThanOrEqual(3);
    // The storm ends with its first device down and the others up: one more read, and the
    // status the client holds is the one read from the kernel as it is now.
    for (const [i, dev] of devs.entries()) {
      if (dev.up === i > 0) continue;
      dev.up = i > 0;
      dev.operstate = dev.up ? 'UP' : 'DOWN';
      lab.onLink({ netns: C1, dev: dev.name, up: dev.up, operstate: dev.operstate });
    }
    await vi.advanceTimersByTimeAsync(3000);
    expect(lab.kernel.reads.length).toBe(during + 1);
    expect(lab.kernel.reads.every((r) => Array.isArray(r) && r.join() === C1)).toBe(true);
    const last = lab.statuses().at(-1)!;
    expect(last.elements.c1?.state).toBe('drift');
    vi.useRealTimers(); // a whole status read yields to the event loop
    expect(last).toEqual(await lab.engine.status(LAB, lab.doc));
  } finally {
    vi.useRealTimers();
  }
});

it('in a storm, a lab whose status read is slow is read no more than a fifth of the time', async () => {
  const lab = await running();
  vi.useFakeTimers();
  try {
    // Each read of a namespace takes a second (a dump of hundreds of devices in a busy helper).
    const observe = lab.kernel.observe.bind(lab.kernel);
    let busy = 0;
    lab.kernel.observe = async (name, only) => {
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, 1000));
      busy += performance.now() - t0;
      return observe(name, only);
    };
    lab.kernel.reads.length = 0;
    const dev = [...lab.kernel.spaces.get(C1)!.devices.values()].find(
      (d) => d.kind !== 'loopback',
    )!;
    // Twenty seconds of one device toggled every 5 ms.
    for (let t = 0; t < 20_000; t += 5) {
      dev.up = !dev.up;
      dev.operstate = dev.up ? 'UP' : 'DOWN';
      lab.onLink({ netns: C1, dev: dev.name, up: dev.up, operstate: dev.operstate });
      await vi.advanceTimersByTimeAsync(5);
    }
    expect(lab.kernel.reads.length).toBeGreaterThanOrEqual(1);
    expect(busy).toBeLessThanOrEqual(20_000 / 5 + 1000);
  } finally {
    vi.useRealTimers();
  }
});

it('the far end of a link set down by hand (its carrier gone) does not re-read the far namespace', async () => {
  const kernel = new MemoryKernel();
  const engine = new LabEngine(kernel, new LabState(stateDir));
  const doc = parseDesign(design(LAB)).design as Design;
  if (!(await engine.apply(doc)).ok) throw new Error('the test lab did not come up');
  const { topology } = resolve(doc);
  let onLink: (o: InterfaceObservation) => void = () => {};
  const sources: LiveSources = {
    sample: allUp(topology),
    watchLinks: (cb) => {
      onLink = cb;
      return () => {};
    },
  };
  const hub = hubs.start({ engine, sources, doc });
  const { statuses } = await watch(hub, LAB);
  const near = topology.interfaces.find((i) => i.netns === C1 && i.link && i.peer)!;
  kernel.reads.length = 0;
  // `ip -n C1 link set dev NEAR down`: the near end goes down, the far end loses its carrier.
  const dev = kernel.spaces.get(C1)!.devices.get(near.name)!;
  dev.up = false;
  dev.operstate = 'DOWN';
  onLink({ netns: C1, dev: near.name, up: false, operstate: 'DOWN' });
  onLink({ netns: near.peer!.netns, dev: near.peer!.name, up: true, operstate: 'LOWERLAYERDOWN' });
  await until(() => statuses().length === 1, 'a status after the link went down');
  expect(kernel.reads).toEqual([[C1]]);
  expect(statuses()[0]!.elements.c1?.state).toBe('drift');
});
