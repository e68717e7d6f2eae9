/**
 * The set-up of the live hub's own tests (no server, no socket), in one place:
 * a hub over a given engine and live sources, a store that knows one design
 * under its lab (or none), a client that keeps every message, and every hub
 * made in a test closed after it.
 *
 *   const hubs = hubFixture();
 *   it('…', async () => {
 *     const hub = hubs.start({ engine, sources, doc });
 *     const seen = await watch(hub, 't-lab');
 *     …seen.statuses()…
 *   });
 */
import type { Design, LabStatus, LinkLive, ServerMessage, Topology } from '@netcanvas/shared';
import pino from 'pino';
import { afterEach } from 'vitest';
import type { Engine } from '../../src/lab/engine.js';
import { LiveHub } from '../../src/live/hub.js';
import { type InterfaceSample, type LiveSources, noLiveSources } from '../../src/live/sources.js';
import type { Store } from '../../src/store/store.js';

/**
 * A store for the hub: `byLab` answers the design `doc` (a function: read at each call, so a
 * test can change it) under the lab asked for, or nothing (the hub then asks the engine).
 */
export function storeOf(doc?: Design | (() => Design | undefined)): Store {
  return {
    byLab: (lab: string) => {
      const d = typeof doc === 'function' ? doc() : doc;
      return d ? { doc: d, lab } : undefined;
    },
    get: () => undefined,
  } as unknown as Store;
}

export function hubFixture() {
  const open: LiveHub[] = [];
  afterEach(async () => {
    for (const hub of open.splice(0)) await hub.close();
  });
  return {
    /** A hub (closed after the test); `store` wins over `doc`. */
    start(opts: {
      engine: Engine;
      sources?: LiveSources;
      doc?: Design | (() => Design | undefined);
      store?: Store;
      pollMs?: number;
    }): LiveHub {
      const hub = new LiveHub({
        store: opts.store ?? storeOf(opts.doc),
        engine: opts.engine,
        sources: opts.sources ?? noLiveSources,
        logger: pino({ level: 'silent' }),
        ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
      });
      open.push(hub);
      return hub;
    },
  };
}

/** A client on the lab's topic that keeps every message; resolves once it is subscribed. */
export async function watch(hub: LiveHub, lab: string, id = 'a') {
  const got: ServerMessage[] = [];
  await hub.subscribe({ id, send: (m) => got.push(m) }, { lab });
  return {
    got,
    /** The statuses published after the snapshot, in order. */
    statuses: (): LabStatus[] =>
      got.flatMap((m) => (m.type === 'delta' && m.event.kind === 'status' ? [m.event.status] : [])),
    /** The links messages, in order. */
    links: (): Record<string, LinkLive>[] =>
      got.flatMap((m) => (m.type === 'delta' && m.event.kind === 'links' ? [m.event.links] : [])),
  };
}

/** Every interface of `topology` up and idle, as a first poll of a healthy lab finds them. */
export function allUp(topology: Topology): () => Promise<InterfaceSample[]> {
  return async () =>
    topology.interfaces.map((i) => ({
      netns: i.netns,
      dev: i.name,
      up: true,
      operstate: 'UP',
      rxBytes: 0,
      txBytes: 0,
      rxPackets: 0,
      txPackets: 0,
    }));
}
