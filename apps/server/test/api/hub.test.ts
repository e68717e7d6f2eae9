/**
 * The live hub on its own: who is on a topic while a first subscribe is still
 * reading the lab's status.
 */
import { parseDesign, resolve, topicKey } from '@netcanvas/shared';
import fc from 'fast-check';
import { expect, it, vi } from 'vitest';
import type { LabStatus } from '../../src/lab/engine.js';
import type { HubClient } from '../../src/live/hub.js';
import type { LiveSources } from '../../src/live/sources.js';
import type { Store } from '../../src/store/store.js';
import { design } from './helpers.js';
import { allUp, hubFixture, watch } from './hub-fixture.js';
import { MemoryEngine } from './memory-engine.js';

class SlowStatusEngine extends MemoryEngine {
  release: () => void = () => {};
  private readonly statusGate = new Promise<void>((r) => {
    this.release = r;
  });
  override async status(lab: string): Promise<LabStatus> {
    await this.statusGate;
    return super.status(lab);
  }
}

const client = (id: string): HubClient & { sent: number } => ({
  id,
  sent: 0,
  send() {
    this.sent += 1;
  },
});
const hubs = hubFixture();

it('a client leaving a lab topic does not drop a subscriber whose snapshot is still coming', async () => {
  const engine = new SlowStatusEngine();
  const hub = hubs.start({ engine });
  const topic = { lab: 't-hub-race' };
  const a = client('a');
  const b = client('b');
  const first = hub.subscribe(a, topic); // waits for the lab's status
  await hub.subscribe(b, topic); // the watch exists already: at once
  hub.unsubscribe(b, topic);
  engine.release();
  await first;
  expect(a.sent).toBe(1);
  expect(hub.subscribers(topic)).toBe(1);
  hub.publish(topic, { kind: 'status', status: { lab: topic.lab, state: 'absent', elements: {} } });
  expect(a.sent).toBe(2);
});

it('design saves in a burst share one status rerun, each reading the design once', async () => {
  const engine = new MemoryEngine();
  let reads = 0;
  const counting = {
    byLab: () => {
      reads += 1;
      return undefined;
    },
    get: () => undefined,
  } as unknown as Store;
  const hub = hubs.start({ engine, store: counting });
  const topic = { lab: 't-hub-burst' };
  await hub.subscribe(client('a'), topic);
  const statuses = () => engine.calls.filter((c) => c.method === 'status').length;
  expect(statuses()).toBe(1);
  reads = 0;
  await Promise.all(Array.from({ length: 5 }, () => hub.labChanged(topic.lab)));
  expect(statuses()).toBe(3);
  expect(reads).toBe(2);
  await hub.labChanged(topic.lab);
  expect(statuses()).toBe(4);
});

it('a link removed from the design leaves the lab snapshot', async () => {
  const full = parseDesign(design('t-hub-prune'));
  if (!full.design) throw new Error('test design does not parse');
  let current = full.design;
  const { topology } = resolve(full.design);
  const sources: LiveSources = {
    sample: async () =>
      topology.interfaces.map((i) => ({
        netns: i.netns,
        dev: i.name,
        up: true,
        operstate: 'UP',
        rxBytes: 1,
        txBytes: 1,
        rxPackets: 1,
        txPackets: 1,
      })),
  };
  const hub = hubs.start({ engine: new MemoryEngine(), sources, doc: () => current });
  const topic = { lab: 't-hub-prune' };
  await hub.subscribe(client('a'), topic);
  await hub.labChanged(topic.lab); // a published poll fills counters
  const lab = () => {
    const m = hub.resnapshot(topic);
    if (m?.type !== 'snapshot' || !m.lab) throw new Error('no lab snapshot');
    return m.lab;
  };
  expect(Object.keys(lab().links).sort()).toEqual(['c1--vlan10', 'c2--vlan10']);
  expect(Object.keys(lab().counters).sort()).toEqual(['c1--vlan10', 'c2--vlan10']);
  current = { ...current, links: current.links.slice(0, 1) };
  await hub.labChanged(topic.lab);
  expect(Object.keys(lab().links)).toEqual(['c1--vlan10']);
  expect(Object.keys(lab().counters)).toEqual(['c1--vlan10']);
});

it('a kernel link event publishes the link of that interface, once', async () => {
  const parsed = parseDesign(design('t-hub-event'));
  if (!parsed.design) throw new Error('test design does not parse');
  const doc = parsed.design;
  const { topology } = resolve(doc);
  let onEvent: (o: { netns: string; dev: string; up: boolean; operstate: string }) => void =
    () => {};
  const sources: LiveSources = {
    sample: allUp(topology),
    watchLinks: (cb) => {
      onEvent = cb;
      return () => {};
    },
  };
  const hub = hubs.start({ engine: new MemoryEngine(), sources, doc });
  const { got } = await watch(hub, 't-hub-event');
  const c1 = topology.interfaces.find((i) => i.netns.endsWith('.c1') && i.link === 'c1--vlan10')!;
  const down = { netns: c1.netns, dev: c1.name, up: false, operstate: 'DOWN' };
  onEvent(down);
  onEvent(down);
  const deltas = got.filter((m) => m.type === 'delta');
  expect(deltas).toHaveLength(1);
  const event = deltas[0]!.type === 'delta' ? deltas[0]!.event : undefined;
  expect(event?.kind === 'links' && Object.keys(event.links)).toEqual(['c1--vlan10']);
  expect(event?.kind === 'links' && event.links['c1--vlan10']!.state).toBe('down');
});

it('a burst of changes seen in the kernel reads the lab status once and publishes it', async () => {
  vi.useFakeTimers();
  try {
    const engine = new MemoryEngine();
    let onLink: (o: { netns: string; dev: string; up: boolean; operstate: string }) => void =
      () => {};
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
    const hub = hubs.start({ engine, sources });
    const { got } = await watch(hub, 't-hub-kernel');
    const statuses = () => engine.calls.filter((c) => c.method === 'status').length;
    expect(statuses()).toBe(1);
    // A namespace deleted by hand: its name goes, its devices go with it.
    onNetns('nc-t-hub-kernel.c1');
    for (let i = 0; i < 20; i++)
      onLink({ netns: 'nc-t-hub-kernel', dev: `c1-p${i}`, up: false, operstate: 'DELETED' });
    // Other labs' changes are not this lab's business.
    onNetns('nc-t-hub-other.c1');
    await vi.advanceTimersByTimeAsync(250);
    expect(statuses()).toBe(2);
    expect(got.filter((m) => m.type === 'delta' && m.event.kind === 'status')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2000);
    expect(statuses()).toBe(2);
  } finally {
    vi.useRealTimers();
  }
});

/**
 * Subscriptions leave nothing behind: whatever order subscribe (whose first
 * status read may still be running), unsubscribe and close come in, a topic
 * ends with exactly the live clients that want it, and a lab nobody watches
 * has no watch (so no poller).
 */
it('any interleaving of subscribe, unsubscribe and close leaves no subscriber and no watch behind', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.scheduler(),
      fc.array(
        fc.record({
          op: fc.constantFrom('subscribe', 'unsubscribe', 'close'),
          client: fc.integer({ min: 0, max: 3 }),
          lab: fc.constantFrom('t-pa', 't-pb'),
          settle: fc.boolean(),
        }),
        { minLength: 1, maxLength: 30 },
      ),
      async (s, steps) => {
        class ScheduledEngine extends MemoryEngine {
          override status(lab: string): Promise<LabStatus> {
            return s.schedule(super.status(lab), `status ${lab}`);
          }
        }
        const h = hubs.start({ engine: new ScheduledEngine() });
        const clients = [0, 1, 2, 3].map((i) => client(`c${i}`));
        const closed = new Set<number>();
        const wants = new Map<number, Set<string>>();
        const inFlight: Promise<void>[] = [];
        for (const { op, client: i, lab, settle } of steps) {
          const c = clients[i]!;
          if (closed.has(i)) continue;
          const w = wants.get(i) ?? new Set<string>();
          wants.set(i, w);
          if (op === 'subscribe') {
            w.add(lab);
            inFlight.push(h.subscribe(c, { lab }));
          } else if (op === 'unsubscribe') {
            w.delete(lab);
            h.unsubscribe(c, { lab });
          } else {
            closed.add(i);
            wants.delete(i);
            h.removeClient(c);
          }
          // Let some scheduled status reads finish between steps, in any order.
          if (settle && s.count() > 0) await s.waitOne();
        }
        await s.waitFor(Promise.all(inFlight));
        const expected = new Map<string, number>();
        for (const w of wants.values())
          for (const lab of w) expected.set(lab, (expected.get(lab) ?? 0) + 1);
        const { labs, topics } = h.activity();
        expect(new Set(labs)).toEqual(new Set(expected.keys()));
        expect(topics).toEqual(
          Object.fromEntries([...expected].map(([lab, n]) => [topicKey({ lab }), n])),
        );
        await h.close();
      },
    ),
    { numRuns: 300 },
  );
});
