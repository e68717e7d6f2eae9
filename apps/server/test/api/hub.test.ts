/**
 * The live hub on its own: who is on a topic while a first subscribe is still
 * reading the lab's status.
 */
import pino from 'pino';
import { afterEach, expect, it } from 'vitest';
import type { LabStatus } from '../../src/lab/engine.js';
import { type HubClient, LiveHub } from '../../src/live/hub.js';
import { noLiveSources } from '../../src/live/sources.js';
import type { Store } from '../../src/store/store.js';
import { MemoryEngine } from './memory-engine.js';

class SlowStatusEngine extends MemoryEngine {
  release: () => void = () => {};
  private readonly gate = new Promise<void>((r) => {
    this.release = r;
  });
  override async status(lab: string): Promise<LabStatus> {
    await this.gate;
    return super.status(lab);
  }
}

const store = { byName: () => undefined, get: () => undefined } as unknown as Store;
const client = (id: string): HubClient & { sent: number } => ({
  id,
  sent: 0,
  send() {
    this.sent += 1;
  },
});
let hub: LiveHub | undefined;
afterEach(async () => {
  await hub?.close();
});

it('a client leaving a lab topic does not drop a subscriber whose snapshot is still coming', async () => {
  const engine = new SlowStatusEngine();
  hub = new LiveHub({ store, engine, sources: noLiveSources, logger: pino({ level: 'silent' }) });
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
    byName: () => {
      reads += 1;
      return undefined;
    },
    get: () => undefined,
  } as unknown as Store;
  hub = new LiveHub({
    store: counting,
    engine,
    sources: noLiveSources,
    logger: pino({ level: 'silent' }),
  });
  const topic = { lab: 't-hub-burst' };
  await hub.subscribe(client('a'), topic);
  const statuses = () => engine.calls.filter((c) => c.method === 'status').length;
  expect(statuses()).toBe(1);
  reads = 0;
  await Promise.all(Array.from({ length: 5 }, () => hub!.labChanged(topic.lab)));
  expect(statuses()).toBe(3);
  expect(reads).toBe(2);
  await hub.labChanged(topic.lab);
  expect(statuses()).toBe(4);
});
