/**
 * The live state hub: one place that knows, for every lab someone watches,
 * the state of each link and its traffic, and fans events out to the
 * subscribed sockets with a per-topic sequence number.
 *
 * Labs are only polled while at least one client watches them, so an idle
 * server starts no work; every map here is bounded by the labs watched and
 * the links of their designs.
 */

import {
  type AddressHints,
  type DeltaEvent,
  type Design,
  type LinkCounters,
  type LinkLive,
  type LinkRate,
  labOfNetns,
  type MeasureRun,
  type PingResult,
  recordHints,
  resolve,
  type ServerMessage,
  type Topic,
  topicKey,
} from '@netcanvas/shared';
import type { Logger } from 'pino';
import type { ApplyProgress, Engine, LabStatus, StatusReading } from '../lab/engine.js';
import { labDesignOf, type Store } from '../store/store.js';
import type { InterfaceObservation, InterfaceSample, LiveSources } from './sources.js';

export interface HubClient {
  readonly id: string;
  /** Queues a message for the socket; the client decides how to cope with a slow reader. */
  send(message: ServerMessage): void;
}

interface LabWatch {
  lab: string;
  /** `netns/dev` → link id. */
  ifaceLink: Map<string, string>;
  /** link id → its ends' keys; the first end's counters stand for the link. */
  linkEnds: Map<string, string[]>;
  netns: string[];
  ends: Map<string, InterfaceObservation>;
  links: Map<string, LinkLive>;
  counters: Map<string, LinkCounters>;
  rates: Map<string, LinkRate>;
  lastSample: Map<string, { at: number; c: LinkCounters }>;
  status: LabStatus | null;
  /** What `status` was read from (engines with readStatus): a kernel change re-reads only its namespaces. */
  reading: StatusReading | null;
  /** The design (and address record) `reading` was planned with. */
  design: StoredDesign | undefined;
  apply: ApplyProgress | null;
  polling: boolean;
  /** A rates message went out since the watch began: the next goes only when something moved. */
  ratesSent: boolean;
}

/** What a lab's next status refresh must cover. */
interface ChangeScope {
  /** Design and status read again in full (a save, an apply, a change nobody could name). */
  full: boolean;
  /** Namespaces a kernel change named: only these are read again. */
  netns: Set<string>;
  /** A namespace was made or deleted: the counters poll follows the refresh at once. */
  poll: boolean;
}

const emptyScope = (): ChangeScope => ({ full: false, netns: new Set(), poll: false });

interface TopicState {
  topic: Topic;
  seq: number;
  clients: Set<HubClient>;
  /** Subscribes still reading the lab's first status: the topic and its watch stay while any is. */
  pending: number;
}

export interface HubOptions {
  store: Store;
  engine: Engine;
  sources: LiveSources;
  logger: Logger;
  /** Counter poll period; rates are per second whatever this is. */
  pollMs?: number;
}

const ifaceKey = (netns: string, dev: string) => `${netns}/${dev}`;

interface StoredDesign {
  doc: Design;
  hints?: AddressHints;
}
/**
 * How long after a change seen in the kernel its lab's status is read: long
 * enough to take a burst (a namespace deleted takes its devices with it) as
 * one change, short enough that the canvas follows within a second.
 */
const KERNEL_SETTLE_MS = 200;

/**
 * While a lab's namespaces keep changing (a storm: a link flapping, a script toggling hundreds
 * of links), its status is read when the changes pause for KERNEL_SETTLE_MS, or this long after
 * the first change not yet read, whichever comes first. Each read of a busy namespace is a
 * netlink dump of all its devices in the helper and a diff of the whole lab in this process;
 * read every KERNEL_SETTLE_MS, a storm kept the helper reading a 400-device namespace without a
 * pause, and the CPU it took (a core of two) delayed the link events themselves. The events
 * still go out at once; the status follows at most this late, and exactly once the storm ends.
 */
const KERNEL_STORM_MS = 2000;

/**
 * ...and no sooner than this many times as long as the lab's last status read took: in the
 * live bench a read of the storm's namespace (528 devices) took the helper up to a second, and
 * read every 2 s it kept the helper busy 37-45 % of a core through the storms. At most a fifth
 * of a storm goes to reading its status.
 */
const KERNEL_STORM_READS = 5;

/** A status refresh due after changes seen in the kernel: what it covers, and when they came. */
interface KernelDue {
  timer: NodeJS.Timeout | null;
  scope: ChangeScope;
  /** performance.now() of the first change and the latest one it covers. */
  first: number;
  last: number;
}

/**
 * An apply's progress goes to its subscribers at most once per this period
 * (per lab): a 40,000-op apply reports every op, and a socket needs about ten
 * updates a second, not thousands. Every step but the last is held back (the
 * latest of a period is sent when it ends; a phase change too, or a second
 * with phase changes carried more than ten); the end goes at once. Eight a
 * second plus the end keeps any second at ten or fewer.
 */
export const PROGRESS_MS = 125;

export class LiveHub {
  private readonly topics = new Map<string, TopicState>();
  private readonly labs = new Map<string, LabWatch>();
  /**
   * What each client asked for and has not left: a subscribe still reading
   * a lab's first status only adds its client if the client still wants the
   * topic when the read ends (it may have unsubscribed or closed meanwhile).
   */
  private readonly wants = new Map<HubClient, Set<string>>();
  /** Clients that closed: a subscribe of theirs still in flight adds nothing. */
  private readonly gone = new WeakSet<HubClient>();
  /** Per lab: the refresh in flight, and what the one that must follow it covers. */
  private readonly changes = new Map<
    string,
    { again: boolean; scope: ChangeScope; done: Promise<void> }
  >();
  private readonly timer: NodeJS.Timeout;
  private stopWatching: (() => void) | null = null;
  private stopWatchingNetns: (() => void) | null = null;
  /** Per lab: a status refresh due after a change seen in the kernel, and what it covers. */
  private readonly kernelTimers = new Map<string, KernelDue>();
  /** Per lab watched: how long its last status read took (ms). */
  private readonly readMs = new Map<string, number>();
  /** Per lab: when apply progress was last sent, and the 'run' step held back since. */
  private readonly progressGates = new Map<
    string,
    { at: number; held: ApplyProgress | null; timer: NodeJS.Timeout | null }
  >();
  /**
   * Per lab: its Measure while it runs and the pairs measured so far, so a tab that subscribes
   * meanwhile (a reload, a second tab) shows it; bounded by the lab's pairs.
   */
  private readonly measures = new Map<string, MeasureRun & { results: PingResult[] }>();
  private closed = false;

  constructor(private readonly opts: HubOptions) {
    this.timer = setInterval(() => void this.pollAll(), opts.pollMs ?? 1000);
    this.timer.unref();
    this.stopWatching =
      opts.sources.watchLinks?.(
        (o) => this.observe(o),
        (os) => this.observeMany(os),
      ) ?? null;
    this.stopWatchingNetns = opts.sources.watchNetns?.((name) => this.netnsChanged(name)) ?? null;
  }

  /**
   * Adds the client to the topic and sends it a fresh snapshot; a client
   * already on the topic just gets the fresh snapshot.
   */
  async subscribe(client: HubClient, topic: Topic): Promise<void> {
    if (this.closed || this.gone.has(client)) return;
    const key = topicKey(topic);
    let wanted = this.wants.get(client);
    if (!wanted) {
      wanted = new Set();
      this.wants.set(client, wanted);
    }
    wanted.add(key);
    let t = this.topics.get(key);
    if (!t) {
      t = { topic, seq: 0, clients: new Set(), pending: 0 };
      this.topics.set(key, t);
    }
    if ('lab' in topic && !this.labs.has(topic.lab)) {
      const design = this.designOf(topic.lab);
      const watch = this.newWatch(topic.lab, design?.doc);
      this.labs.set(topic.lab, watch);
      t.pending += 1;
      try {
        await this.refreshStatus(watch, false, design);
        await this.poll(watch, false);
      } finally {
        t.pending -= 1;
      }
    }
    if (this.closed) return;
    // Registered only now, so the snapshot below is the client's first message for this topic.
    if (this.wants.get(client)?.has(key)) {
      t.clients.add(client);
      client.send(this.snapshot(t));
    }
    this.collect(key);
  }

  unsubscribe(client: HubClient, topic: Topic): void {
    const key = topicKey(topic);
    const wanted = this.wants.get(client);
    wanted?.delete(key);
    if (wanted?.size === 0) this.wants.delete(client);
    this.topics.get(key)?.clients.delete(client);
    this.collect(key);
  }

  /** The client closed: it leaves every topic, including those it is still subscribing to. */
  removeClient(client: HubClient): void {
    this.gone.add(client);
    this.wants.delete(client);
    for (const [key, t] of [...this.topics]) {
      if (t.clients.delete(client)) this.collect(key);
    }
  }

  /** A topic nobody is on and nobody is joining goes, and with a lab topic its watch (no more polling). */
  private collect(key: string): void {
    const t = this.topics.get(key);
    if (!t || t.clients.size > 0 || t.pending > 0) return;
    this.topics.delete(key);
    if ('lab' in t.topic) {
      this.labs.delete(t.topic.lab);
      this.readMs.delete(t.topic.lab);
    }
  }

  /** Labs being watched (polled), and topics with their subscribers: for tests and diagnostics. */
  activity(): { labs: string[]; topics: Record<string, number> } {
    return {
      labs: [...this.labs.keys()],
      topics: Object.fromEntries([...this.topics].map(([k, t]) => [k, t.clients.size])),
    };
  }

  /** A fresh snapshot of a topic the client is subscribed to (after its queue overflowed). */
  resnapshot(topic: Topic): ServerMessage | null {
    const t = this.topics.get(topicKey(topic));
    return t ? this.snapshot(t) : null;
  }

  subscribers(topic: Topic): number {
    return this.topics.get(topicKey(topic))?.clients.size ?? 0;
  }

  publish(topic: Topic, event: DeltaEvent, except?: HubClient): void {
    const t = this.topics.get(topicKey(topic));
    if (!t) return;
    t.seq += 1;
    const message: ServerMessage = { type: 'delta', topic: t.topic, seq: t.seq, event };
    for (const c of t.clients) if (c !== except) c.send(message);
  }

  applyProgress(p: ApplyProgress): void {
    const w = this.labs.get(p.lab);
    const ended = p.phase === 'done' || p.phase === 'failed';
    if (w) w.apply = ended ? null : p;
    const gate = this.progressGates.get(p.lab) ?? { at: -Infinity, held: null, timer: null };
    this.progressGates.set(p.lab, gate);
    const now = performance.now();
    if (!ended && now - gate.at < PROGRESS_MS) {
      gate.held = p;
      gate.timer ??= setTimeout(
        () => {
          gate.timer = null;
          const held = gate.held;
          gate.held = null;
          if (held && !this.closed) {
            gate.at = performance.now();
            this.publish({ lab: held.lab }, { kind: 'apply', progress: held });
          }
        },
        PROGRESS_MS - (now - gate.at),
      );
      gate.timer.unref?.();
      return;
    }
    // A newer step replaces the one held back.
    if (gate.timer) clearTimeout(gate.timer);
    gate.timer = null;
    gate.held = null;
    gate.at = now;
    if (ended) this.progressGates.delete(p.lab);
    this.publish({ lab: p.lab }, { kind: 'apply', progress: p });
  }

  /** A Measure of `lab` began: every tab that follows the lab shows it running. */
  measureStarted(lab: string, run: MeasureRun): void {
    this.measures.set(lab, { ...run, results: [] });
    this.publish({ lab }, { kind: 'measure', running: run });
  }

  /** One pair of the running Measure, measured. */
  measureResult(lab: string, result: PingResult): void {
    this.measures.get(lab)?.results.push(result);
    this.publish({ lab }, { kind: 'matrix', result });
  }

  /** The Measure of `lab` finished or was cancelled (or failed before it began). */
  measureEnded(lab: string): void {
    this.measures.delete(lab);
    this.publish({ lab }, { kind: 'measure', running: null });
  }

  /**
   * After apply, destroy, a link change or a design save: re-read the design
   * and the lab's status. Every autosave calls this, so calls coalesce: at
   * most one runs per lab, and calls made meanwhile share one rerun after it.
   */
  labChanged(lab: string): Promise<void> {
    return this.changed(lab, { ...emptyScope(), full: true });
  }

  /** A refresh covering `scope`, coalesced with the one in flight (see labChanged). */
  private changed(lab: string, scope: ChangeScope): Promise<void> {
    if (!this.labs.has(lab)) return Promise.resolve();
    const running = this.changes.get(lab);
    if (running) {
      running.again = true;
      mergeScope(running.scope, scope);
      return running.done;
    }
    const entry = { again: true, scope, done: Promise.resolve() };
    this.changes.set(lab, entry);
    entry.done = this.runChanges(lab, entry);
    return entry.done;
  }

  private async runChanges(
    lab: string,
    entry: { again: boolean; scope: ChangeScope },
  ): Promise<void> {
    try {
      while (entry.again && !this.closed) {
        entry.again = false;
        const scope = entry.scope;
        entry.scope = emptyScope();
        const w = this.labs.get(lab);
        if (!w) return;
        // A change in named namespaces: the design did not change, so neither did what the
        // watch maps; those namespaces alone are read again (the event itself went out already).
        if (!scope.full && w.reading && this.opts.engine.readStatus) {
          const started = performance.now();
          await this.refreshNamespaces(w, [...scope.netns].sort());
          if (this.labs.get(lab) === w) this.readMs.set(lab, performance.now() - started);
          if (scope.poll) await this.poll(w, true);
          continue;
        }
        const design = this.designOf(lab);
        const fresh = this.newWatch(lab, design?.doc);
        w.ifaceLink = fresh.ifaceLink;
        w.linkEnds = fresh.linkEnds;
        w.netns = fresh.netns;
        // Forget links and interfaces the design no longer has.
        for (const map of [w.links, w.counters, w.rates, w.lastSample])
          for (const link of map.keys()) if (!w.linkEnds.has(link)) map.delete(link);
        for (const key of w.ends.keys()) if (!w.ifaceLink.has(key)) w.ends.delete(key);
        await this.refreshStatus(w, true, design);
        await this.poll(w, true);
      }
    } finally {
      this.changes.delete(lab);
    }
  }

  /**
   * Something changed in a watched lab's namespaces, whoever did it (a
   * namespace or a veth deleted by hand, a device set down): its status is read
   * again and published. Changes come in bursts, so they are taken together
   * (KERNEL_SETTLE_MS after the first; in a storm, when it pauses or every
   * KERNEL_STORM_MS) and go through labChanged, which coalesces with any
   * refresh in flight. During this server's own apply nothing
   * is read: the apply reads the status when it ends.
   */
  kernelChanged(lab: string, where?: { netns: string; made?: boolean }): void {
    if (this.closed || !this.labs.has(lab)) return;
    const now = performance.now();
    let due = this.kernelTimers.get(lab);
    if (!due) {
      due = { timer: null, scope: emptyScope(), first: now, last: now };
      this.kernelTimers.set(lab, due);
      this.armKernelTimer(lab, due, KERNEL_SETTLE_MS);
    }
    due.last = now;
    // Which namespace changed, when known and of this lab; else everything is read again.
    if (where && labOfNetns(where.netns) === lab) {
      due.scope.netns.add(where.netns);
      if (where.made) due.scope.poll = true;
    } else due.scope.full = true;
  }

  /**
   * The refresh of `due` in `ms`; when that time comes and changes are still coming, it waits
   * for them to pause (KERNEL_SETTLE_MS), at most until KERNEL_STORM_MS (or KERNEL_STORM_READS
   * times the lab's last read) after the first.
   */
  private armKernelTimer(lab: string, due: KernelDue, ms: number): void {
    due.timer = setTimeout(() => {
      due.timer = null;
      if (this.closed || this.kernelTimers.get(lab) !== due) return;
      const now = performance.now();
      const pause = due.last + KERNEL_SETTLE_MS - now;
      const spacing = Math.max(KERNEL_STORM_MS, KERNEL_STORM_READS * (this.readMs.get(lab) ?? 0));
      const latest = due.first + spacing - now;
      if (pause > 0 && latest > 0) {
        this.armKernelTimer(lab, due, Math.min(pause, latest));
        return;
      }
      this.kernelTimers.delete(lab);
      const w = this.labs.get(lab);
      if (!w || w.apply) return;
      void this.changed(lab, due.scope);
    }, ms);
    due.timer.unref();
  }

  /** A name made or deleted in /run/netns (null: unknown, so every watched lab). */
  private netnsChanged(name: string | null): void {
    const lab = name === null ? null : labOfNetns(name);
    if (name === null) for (const l of this.labs.keys()) this.kernelChanged(l);
    else if (lab) this.kernelChanged(lab, { netns: name, made: true });
  }

  /** A link event from the kernel monitor: published at once, not at the next poll. */
  observe(o: InterfaceObservation): void {
    this.observeMany([o]);
  }

  /**
   * Link events that came together (one read of the monitor): published at once, each lab's
   * changed links in one message, each link in its latest state.
   */
  observeMany(os: readonly InterfaceObservation[]): void {
    const changed = new Map<LabWatch, Record<string, LinkLive>>();
    // Each namespace named once per batch (a storm's batch is dozens of one namespace's events).
    let named: string | undefined;
    for (const o of os) {
      const key = ifaceKey(o.netns, o.dev);
      const lab = labOfNetns(o.netns);
      if (lab && o.netns !== named && !carrierOnly(this.labs.get(lab)?.ends.get(key), o)) {
        named = o.netns;
        this.kernelChanged(lab, { netns: o.netns });
      }
      for (const w of this.labs.values()) {
        const link = w.ifaceLink.get(key);
        if (link === undefined) continue;
        w.ends.set(key, { netns: o.netns, dev: o.dev, up: o.up, operstate: o.operstate });
        // Only this interface's link can have changed.
        const live = this.updateLink(w, link, w.linkEnds.get(link) ?? []);
        if (!live) continue;
        const links = changed.get(w) ?? {};
        links[link] = live;
        changed.set(w, links);
      }
    }
    for (const [w, links] of changed) this.publish({ lab: w.lab }, { kind: 'links', links });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.stopWatching?.();
    this.stopWatchingNetns?.();
    for (const t of this.kernelTimers.values()) if (t.timer) clearTimeout(t.timer);
    this.kernelTimers.clear();
    for (const g of this.progressGates.values()) if (g.timer) clearTimeout(g.timer);
    this.progressGates.clear();
    this.topics.clear();
    this.labs.clear();
    this.wants.clear();
    await this.opts.sources.close?.();
  }

  // ───────────────────────────── internals ─────────────────────────────

  private snapshot(t: TopicState): ServerMessage {
    if ('lab' in t.topic) {
      const w = this.labs.get(t.topic.lab);
      return {
        type: 'snapshot',
        topic: t.topic,
        seq: t.seq,
        lab: {
          status: w?.status ?? null,
          links: Object.fromEntries(w?.links ?? []),
          counters: Object.fromEntries(w?.counters ?? []),
          rates: Object.fromEntries(w?.rates ?? []),
          apply: w?.apply ?? null,
          measure: this.measureOf(t.topic.lab),
        },
      };
    }
    const id = t.topic.design;
    let design: NonNullable<Extract<ServerMessage, { type: 'snapshot' }>['design']> | undefined;
    try {
      const r = this.opts.store.get(id);
      design = {
        id: r.id,
        name: r.name,
        version: r.version,
        doc: r.doc,
        addresses: r.addresses ?? {},
        refs: this.opts.store.recentRefs(id),
      };
    } catch {
      design = undefined;
    }
    return { type: 'snapshot', topic: t.topic, seq: t.seq, ...(design ? { design } : {}) };
  }

  private measureOf(lab: string) {
    const m = this.measures.get(lab);
    return m ? { ...m, results: [...m.results] } : null;
  }

  private newWatch(lab: string, design: Design | undefined): LabWatch {
    const watch: LabWatch = {
      lab,
      ifaceLink: new Map(),
      linkEnds: new Map(),
      netns: [],
      ends: new Map(),
      links: new Map(),
      counters: new Map(),
      rates: new Map(),
      lastSample: new Map(),
      status: null,
      reading: null,
      design: undefined,
      apply: null,
      polling: false,
      ratesSent: false,
    };
    if (!design) return watch;
    try {
      const { topology } = resolve(design);
      watch.netns = topology.netns.map((n) => n.name);
      for (const i of topology.interfaces) {
        if (!i.link) continue;
        const key = ifaceKey(i.netns, i.name);
        watch.ifaceLink.set(key, i.link);
        const ends = watch.linkEnds.get(i.link) ?? [];
        ends.push(key);
        watch.linkEnds.set(i.link, ends);
        if (i.peer) {
          const peerKey = ifaceKey(i.peer.netns, i.peer.name);
          watch.ifaceLink.set(peerKey, i.link);
          if (!ends.includes(peerKey)) ends.push(peerKey);
        }
      }
    } catch (err) {
      this.opts.logger.warn(
        { lab, err: String(err) },
        'cannot resolve the design of a watched lab',
      );
    }
    return watch;
  }

  /**
   * The design that owns the lab (under that lab, with its address record as
   * hints for status to compare the kernel with), else the one the lab was
   * last brought up from (a CLI lab).
   */
  private designOf(lab: string): StoredDesign | undefined {
    try {
      const rec = this.opts.store.byLab(lab);
      if (!rec) {
        const last = this.opts.engine.lastDesign?.(lab);
        return last ? { doc: last } : undefined;
      }
      const doc = labDesignOf(rec);
      return rec.addresses ? { doc, hints: recordHints(rec.addresses, rec.lab) } : { doc };
    } catch {
      return undefined;
    }
  }

  private async refreshStatus(
    w: LabWatch,
    publish: boolean,
    design: StoredDesign | undefined,
  ): Promise<void> {
    try {
      if (this.opts.engine.readStatus) {
        const reading = await this.opts.engine.readStatus(w.lab, design?.doc, design?.hints);
        w.reading = reading;
        w.design = design;
        w.status = reading.status;
      } else w.status = await this.opts.engine.status(w.lab, design?.doc, design?.hints);
      if (publish && this.labs.get(w.lab) === w)
        this.publish({ lab: w.lab }, { kind: 'status', status: w.status });
    } catch (err) {
      this.opts.logger.warn({ lab: w.lab, err: String(err) }, 'lab status failed');
    }
  }

  /**
   * The status with only these namespaces read again (the rest, and the plan, from the last
   * reading); published when it changed.
   */
  private async refreshNamespaces(w: LabWatch, netns: string[]): Promise<void> {
    const { reading } = w;
    if (!reading || !this.opts.engine.readStatus) return;
    try {
      const next = await this.opts.engine.readStatus(w.lab, w.design?.doc, w.design?.hints, {
        reading,
        netns,
      });
      if (this.labs.get(w.lab) !== w || w.reading !== reading) return;
      w.reading = next;
      const before = w.status;
      w.status = next.status;
      if (!sameStatus(before, next.status))
        this.publish({ lab: w.lab }, { kind: 'status', status: next.status });
    } catch (err) {
      // What changed in those namespaces is not in any reading now: the next change reads all.
      if (w.reading === reading) w.reading = null;
      this.opts.logger.warn({ lab: w.lab, err: String(err) }, 'lab status failed');
    }
  }

  private async pollAll(): Promise<void> {
    await Promise.all([...this.labs.values()].map((w) => this.poll(w, true)));
  }

  private async poll(w: LabWatch, publish: boolean): Promise<void> {
    // A slow kernel must not pile up polls: one in flight per lab. None during this server's own
    // apply of the lab: the lab is being made (a 1,124-namespace lab took a core's sixth of the
    // helper's reader a second, from the writer), and the apply's end polls it at once.
    if (w.polling || w.netns.length === 0 || w.apply) return;
    w.polling = true;
    let samples: InterfaceSample[];
    try {
      samples = await this.opts.sources.sample(w.netns);
    } catch (err) {
      this.opts.logger.warn({ lab: w.lab, err: String(err) }, 'counter poll failed');
      return;
    } finally {
      w.polling = false;
    }
    if (this.closed || this.labs.get(w.lab) !== w) return;
    const now = performance.now();
    const seen = new Set<string>();
    const byKey = new Map<string, InterfaceSample>();
    for (const s of samples) {
      const key = ifaceKey(s.netns, s.dev);
      if (!w.ifaceLink.has(key)) continue;
      seen.add(key);
      byKey.set(key, s);
      const had = w.ends.get(key);
      if (had?.up !== s.up || had.operstate !== s.operstate)
        w.ends.set(key, { netns: s.netns, dev: s.dev, up: s.up, operstate: s.operstate });
    }
    // An interface that vanished (lab destroyed, link deleted) is down, not stale.
    for (const key of w.ends.keys()) if (!seen.has(key)) w.ends.delete(key);
    // Whether this poll says anything the last rates message did not: counters that moved, a
    // rate that was not zero, a link that came or went. A lab at rest sends nothing a second.
    let moved = !w.ratesSent;
    for (const [link, keys] of w.linkEnds) {
      const s = byKey.get(keys[0]!);
      if (!s) {
        if (w.counters.delete(link)) moved = true;
        w.rates.delete(link);
        w.lastSample.delete(link);
        continue;
      }
      const prev = w.lastSample.get(link);
      const before = w.rates.get(link);
      if (
        prev &&
        before &&
        prev.c.rxBytes === s.rxBytes &&
        prev.c.txBytes === s.txBytes &&
        prev.c.rxPackets === s.rxPackets &&
        prev.c.txPackets === s.txPackets &&
        before.rxBps === 0 &&
        before.txBps === 0 &&
        before.rxPps === 0 &&
        before.txPps === 0
      ) {
        prev.at = now;
        continue;
      }
      moved = true;
      const c = {
        rxBytes: s.rxBytes,
        txBytes: s.txBytes,
        rxPackets: s.rxPackets,
        txPackets: s.txPackets,
      };
      if (prev) {
        const dt = (now - prev.at) / 1000;
        // Counters reset when an interface is recreated: never report a negative rate.
        const per = (a: number, b: number) => (dt > 0 ? Math.max(0, a - b) / dt : 0);
        w.rates.set(link, {
          rxBps: per(c.rxBytes, prev.c.rxBytes) * 8,
          txBps: per(c.txBytes, prev.c.txBytes) * 8,
          rxPps: per(c.rxPackets, prev.c.rxPackets),
          txPps: per(c.txPackets, prev.c.txPackets),
        });
      }
      w.lastSample.set(link, { at: now, c });
      w.counters.set(link, c);
    }
    if (publish) {
      this.publishLinkChanges(w);
      if (w.counters.size > 0 && moved) {
        w.ratesSent = true;
        this.publish(
          { lab: w.lab },
          {
            kind: 'rates',
            rates: Object.fromEntries(w.rates),
            counters: Object.fromEntries(w.counters),
          },
        );
      }
    } else {
      this.computeLinks(w);
    }
  }

  private computeLinks(w: LabWatch): Map<string, LinkLive> {
    const changed = new Map<string, LinkLive>();
    for (const [link, keys] of w.linkEnds) {
      const live = this.updateLink(w, link, keys);
      if (live) changed.set(link, live);
    }
    return changed;
  }

  /** Recomputes one link from its ends; returns it when it changed. */
  private updateLink(w: LabWatch, link: string, keys: string[]): LinkLive | undefined {
    const ends = keys.map((k) => w.ends.get(k)).filter((e): e is InterfaceObservation => !!e);
    let state: LinkLive['state'];
    if (ends.length === 0) state = 'unknown';
    else if (
      ends.length === keys.length &&
      ends.every((e) => e.up && e.operstate !== 'DOWN' && e.operstate !== 'LOWERLAYERDOWN')
    )
      state = 'up';
    else state = 'down';
    const before = w.links.get(link);
    if (before && before.state === state && sameEnds(before.ends, ends)) return undefined;
    const live: LinkLive = { state, ends };
    w.links.set(link, live);
    return live;
  }

  private publishLinkChanges(w: LabWatch): void {
    const changed = this.computeLinks(w);
    if (changed.size > 0)
      this.publish({ lab: w.lab }, { kind: 'links', links: Object.fromEntries(changed) });
  }
}

/**
 * Whether an event says only that a known device's carrier changed (its administrative state is
 * the one known, its operational state is not): the far end of a veth set down or up. The status
 * compares nothing of that (no operstate, and IPv4 keeps a device's routes without carrier), so
 * its namespace is not read again for it: a storm on 200 links of one namespace otherwise had the
 * helper read their 185 far namespaces as well, most of a second each time.
 */
function carrierOnly(had: InterfaceObservation | undefined, o: InterfaceObservation): boolean {
  return (
    had !== undefined &&
    had.up === o.up &&
    had.operstate !== o.operstate &&
    had.operstate !== 'DELETED' &&
    o.operstate !== 'DELETED'
  );
}

function mergeScope(into: ChangeScope, from: ChangeScope): void {
  into.full ||= from.full;
  into.poll ||= from.poll;
  for (const n of from.netns) into.netns.add(n);
}

const sameStatus = (a: LabStatus | null, b: LabStatus) =>
  a !== null && JSON.stringify(a) === JSON.stringify(b);

const sameEnds = (a: readonly InterfaceObservation[], b: readonly InterfaceObservation[]) =>
  a.length === b.length &&
  a.every(
    (e, i) =>
      e.netns === b[i]!.netns &&
      e.dev === b[i]!.dev &&
      e.up === b[i]!.up &&
      e.operstate === b[i]!.operstate,
  );
