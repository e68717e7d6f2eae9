/**
 * The lab engine: lifecycle of labs on the kernel, one change at a time per
 * lab. Everything it does to the kernel goes through the KernelPort and the
 * tools; it holds no state the kernel does not also show, except the last
 * applied design (for drift reports) and the per-lab lock.
 */
import {
  type AddressHints,
  analyze,
  type Design,
  describeDifference,
  diff,
  isSegmentKind,
  linkIds,
  type Matrix,
  netnsName,
  type ObservedState,
  type Op,
  type PairResult,
  replaceNetns,
} from '@netcanvas/shared';
import {
  applyDesign,
  hintsFromObserved,
  type KernelPort,
  type LastApply,
  planAgainst,
  sameHints,
} from './apply.js';
import {
  type ApplyProgress,
  type ApplyResult,
  type Capabilities,
  type ElementState,
  type Engine,
  LabBusyError,
  LabRequestError,
  type LabStatus,
  type PingResult,
  type StatusReading,
} from './engine.js';
import { type LabOwners, LabState } from './state.js';

export interface EngineKernel extends KernelPort {
  capabilities(): Promise<Capabilities>;
  listLabs(): Promise<string[]>;
  /** Deletes the lab's namespaces (already gone counts as done); returns the names removed. */
  deleteLab(lab: string): Promise<string[]>;
  /** One ping from a namespace, bounded in time; `size`: ICMP payload with don't-fragment set. */
  ping(
    netns: string,
    address: string,
    deadlineS?: number,
    size?: number,
  ): Promise<{ ok: boolean; rttMs?: number; output: string }>;
  /**
   * Forgets the path MTUs these namespaces learned ("fragmentation needed"
   * answers are kept ten minutes), so pings of a size measure the lab as it
   * is now, not as it was before its MTUs changed.
   */
  forgetPathMtu?(netns: string[]): Promise<void>;
  /**
   * Flushes these namespaces' neighbour (ARP) caches, so the kernel's one neighbour table,
   * shared by every namespace, has room again; the next packet resolves its neighbour afresh.
   */
  forgetNeighbours?(netns: string[]): Promise<void>;
  /**
   * Pings many addresses from one namespace in one go, each bounded by `probe`; null when
   * the machine cannot (no fping), and check pings pair by pair instead.
   */
  pingMany?(
    netns: string,
    addresses: string[],
    probe: { retries: number; timeoutMs: number },
    size?: number,
  ): Promise<Map<string, { ok: boolean; rttMs?: number; output: string }> | null>;
}

const errorsOf = (diagnostics: { severity: string; message: string }[]) =>
  diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => d.message)
    .join('; ');

/** How often a deferred undo is tried again while processes cannot be started. */
const DEFERRED_RETRY_MS = 2000;

export class LabEngine implements Engine {
  private readonly busy = new Set<string>();
  /** Undo ops a failed apply could not run (no process could start), per lab. */
  private readonly deferred = new Map<string, Op[]>();
  /** Each lab's last verified apply in this process: a link cut next is planned from it. */
  private readonly lastApply = new Map<string, LastApply>();
  private retryTimer: NodeJS.Timeout | null = null;
  constructor(
    private readonly kernel: EngineKernel,
    readonly state = new LabState(),
  ) {}

  /** Labs with an undo still waiting (for status and tests). */
  deferredUndos(): Record<string, number> {
    return Object.fromEntries([...this.deferred].map(([lab, ops]) => [lab, ops.length]));
  }

  private defer(lab: string, ops: Op[]): void {
    this.deferred.set(lab, [...ops, ...(this.deferred.get(lab) ?? [])]);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.deferred.size === 0) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.retryDeferred().finally(() => this.scheduleRetry());
    }, DEFERRED_RETRY_MS);
    this.retryTimer.unref();
  }

  /** Runs each lab's deferred undo when the lab is free; what still cannot start waits again. */
  private async retryDeferred(): Promise<void> {
    for (const lab of [...this.deferred.keys()]) {
      if (this.busy.has(lab)) continue;
      await this.exclusive(lab, () => this.runDeferred(lab)).catch(() => {});
    }
  }

  /** Call holding the lab. Throws when the undo still cannot run. */
  private async runDeferred(lab: string): Promise<void> {
    const ops = this.deferred.get(lab);
    if (!ops) return;
    const res = await this.kernel.run(ops, { tolerateMissing: true });
    if (res.ok) {
      this.deferred.delete(lab);
      return;
    }
    const ranNow = new Set(res.ran);
    const left = ops.filter((_, i) => !ranNow.has(i));
    if (res.spawn) this.deferred.set(lab, left);
    else this.deferred.delete(lab); // a kernel refusal will not change by waiting
    throw new Error(`the deferred undo of ${lab} did not finish: ${res.message}`);
  }

  /**
   * The one per-lab lock: runs `fn` holding the lab, in this process (a set)
   * and across processes (a lock file in the state directory, taken over
   * when its holder died). A lab already held rejects with LabBusyError.
   */
  async exclusive<T>(lab: string, fn: () => Promise<T>): Promise<T> {
    if (this.busy.has(lab)) throw new LabBusyError(lab);
    this.busy.add(lab);
    try {
      if (!this.state.tryLock(lab)) throw new LabBusyError(lab);
      try {
        return await fn();
      } finally {
        this.state.unlock(lab);
      }
    } finally {
      this.busy.delete(lab);
    }
  }

  capabilities(): Promise<Capabilities> {
    return this.kernel.capabilities();
  }

  get owners(): LabOwners {
    return this.state.owners;
  }

  lastDesign(lab: string): Design | undefined {
    return this.state.loadDesign(lab);
  }

  since(lab: string): string | undefined {
    return this.state.since(lab);
  }

  labs(): Promise<string[]> {
    return this.kernel.listLabs();
  }

  async plan(design: Design, hints?: AddressHints) {
    const planned = await planAgainst(this.kernel, design, undefined, hints);
    const ops = planned.changes
      ? [...planned.changes.pre, ...planned.changes.add, ...planned.changes.remove]
      : [];
    return {
      ops,
      diagnostics: planned.diagnostics,
      ...(planned.plan ? { plan: planned.plan } : {}),
    };
  }

  apply(
    design: Design,
    onProgress?: (p: ApplyProgress) => void,
    hints?: AddressHints,
  ): Promise<ApplyResult> {
    return this.exclusive(design.name, () => this.applyHeld(design, onProgress, hints));
  }

  /** apply, for a caller already holding the lab. */
  private async applyHeld(
    design: Design,
    onProgress?: (p: ApplyProgress) => void,
    hints?: AddressHints,
  ): Promise<ApplyResult> {
    // An earlier apply's undo that could not run yet goes first: applying on top of it would diff against half a lab.
    await this.runDeferred(design.name);
    const fresh = !(await this.kernel.listLabs()).includes(design.name);
    const lab = design.name;
    const result = await applyDesign(this.kernel, design, onProgress, {
      hints,
      deferUndo: (ops) => this.defer(lab, ops),
      last: this.lastApply.get(lab),
      remember: (last) => (last ? this.lastApply.set(lab, last) : this.lastApply.delete(lab)),
    });
    // Remember the design whenever the kernel now runs it (even partly, so status can explain).
    // Only memory: failing to write it (no descriptor, a full disk) must not turn the kernel's answer into an error.
    if (result.ok || result.ops.length > 0) {
      try {
        this.state.saveDesign(design, fresh);
      } catch {
        // status will compare against the previous design, or none
      }
    }
    return result;
  }

  destroy(lab: string): Promise<{ removed: string[] }> {
    return this.exclusive(lab, async () => {
      const removed = await this.kernel.deleteLab(lab);
      // Deleting the namespaces undoes everything a deferred undo would have.
      this.deferred.delete(lab);
      this.lastApply.delete(lab);
      this.state.forget(lab);
      // A CLI lab's name is free again once it is gone; a design keeps its lab name.
      this.state.owners.release(lab, { kind: 'cli' });
      return { removed };
    });
  }

  async addresses(lab: string): Promise<AddressHints> {
    return hintsFromObserved(await this.kernel.observe(lab));
  }

  async status(lab: string, given?: Design, hints?: AddressHints): Promise<LabStatus> {
    return (await this.readStatus(lab, given, hints)).status;
  }

  async readStatus(
    lab: string,
    given?: Design,
    hints?: AddressHints,
    since?: { reading: StatusReading; netns: readonly string[] },
  ): Promise<StatusReading> {
    const design = given ?? this.state.loadDesign(lab);
    const before = since ? readings.get(since.reading) : undefined;
    let observed: ObservedState;
    let reuse: StatusInputs['planned'];
    if (before && before.lab === lab && since) {
      const names = since.netns;
      observed = this.kernel.reread
        ? await this.kernel.reread(before.observed, names)
        : replaceNetns(before.observed, await this.kernel.observe(lab, names), names);
      if (before.design === design && before.hints === hints) reuse = before.planned;
    } else observed = await this.kernel.observe(lab);
    const inputs: StatusInputs = { lab, design, hints, observed };
    const status = await this.statusFrom(inputs, reuse);
    const reading: StatusReading = { status };
    readings.set(reading, inputs);
    return reading;
  }

  /**
   * The status of `inputs.observed` against the design. The plan (diagnose and compile of the
   * whole design, most of a status's time) is `reuse`'s while the addresses it was made with are
   * the same: the design's record wins over the kernel's addresses, which only fill the rest.
   */
  private async statusFrom(
    inputs: StatusInputs,
    reuse: StatusInputs['planned'],
  ): Promise<LabStatus> {
    const { lab, design, hints, observed } = inputs;
    const halfMade = observed.halfMade ?? [];
    if (observed.netns.length === 0 && halfMade.length === 0) {
      const elements: LabStatus['elements'] = {};
      for (const id of Object.keys(design?.nodes ?? {}))
        elements[id] = { state: 'missing', differences: [] };
      return { lab, state: 'absent', elements };
    }
    const elements: LabStatus['elements'] = {};
    // A half-made name belongs to its element (the fabric: to every segment); it is
    // missing, and says so, whether or not this machine knows the design.
    for (const name of halfMade) {
      const dot = name.indexOf('.');
      const owners =
        dot >= 0
          ? [name.slice(dot + 1)]
          : Object.entries(design?.nodes ?? {})
              .filter(([, n]) => isSegmentKind(n.kind))
              .map(([id]) => id);
      for (const id of owners.length > 0 ? owners : ['fabric']) {
        const entry = elements[id] ?? { state: 'missing' as ElementState, differences: [] };
        entry.state = 'missing';
        entry.differences.push(
          `half-made: ${name} is a name without a namespace (a create was interrupted); up repairs it, down removes it`,
        );
        elements[id] = entry;
      }
    }
    if (!design) {
      return { lab, state: 'partial', elements };
    }
    const merged = { ...hintsFromObserved(observed), ...hints };
    let planned: Omit<Awaited<ReturnType<typeof planAgainst>>, 'planned' | 'hints'>;
    if (reuse && sameHints(reuse.merged, merged)) {
      const { diagnostics, topology, plan } = reuse;
      planned =
        topology && plan
          ? { observed, diagnostics, topology, plan, changes: diff(plan, topology, observed) }
          : { observed, diagnostics, topology: undefined, plan: undefined, changes: undefined };
    } else planned = await planAgainst(this.kernel, design, observed, hints);
    inputs.planned = {
      merged,
      diagnostics: planned.diagnostics,
      topology: planned.topology,
      plan: planned.plan,
    };
    for (const id of Object.keys(design.nodes))
      elements[id] ??= { state: 'deployed', differences: [] };
    for (const link of planned.topology?.links ?? [])
      elements[link.id] ??= { state: 'deployed', differences: [] };
    if (!planned.changes) {
      for (const d of planned.diagnostics.filter((x) => x.severity === 'error')) {
        for (const id of d.elements) elements[id] = { state: 'error', differences: [d.message] };
      }
      return { lab, state: 'partial', elements };
    }
    const present = new Set(observed.netns);
    const ops = [...planned.changes.pre, ...planned.changes.add, ...planned.changes.remove];
    const notes = differenceNotes(ops);
    for (const op of ops) {
      const missingNetns = op.op === 'netns.add' && !present.has(op.netns);
      const note = notes.get(op);
      for (const id of op.source) {
        const entry = elements[id] ?? { state: 'deployed' as ElementState, differences: [] };
        entry.state = missingNetns || entry.state === 'missing' ? 'missing' : 'drift';
        if (note !== null && !entry.differences.includes(note ?? describeDifference(op)))
          entry.differences.push(note ?? describeDifference(op));
        elements[id] = entry;
      }
    }
    return {
      lab,
      state: ops.length === 0 && halfMade.length === 0 ? 'running' : 'partial',
      elements,
    };
  }

  setLinkState(
    lab: string,
    linkId: string,
    state: 'up' | 'down',
  ): Promise<{ changed: boolean; ops: number }> {
    // Held from reading the last design to applying it, so no other change slips in between.
    return this.exclusive(lab, async () => {
      const applied = this.state.loadDesign(lab);
      const index = applied ? linkIds(applied).indexOf(linkId) : -1;
      if (!applied || index < 0) return { changed: false, ops: 0 };
      if ((await this.kernel.observe(lab)).netns.length === 0) return { changed: false, ops: 0 };
      const links = applied.links.map((l, i) => (i === index ? { ...l, state } : l));
      const result = await this.applyHeld({ ...applied, links });
      if (!result.ok) {
        if (!result.failure)
          throw new LabRequestError(
            `${lab} has errors: ${errorsOf(result.diagnostics)}`,
            null,
            409,
            'design-has-errors',
          );
        throw new LabRequestError(
          `the kernel refused the change: ${result.failure.kernelMessage}${result.rollback ? `; ${result.rollback.message}` : ''}`,
          null,
          422,
          'apply-failed',
        );
      }
      return { changed: true, ops: result.ops.length };
    });
  }

  private async predicted(
    design: Design,
    endpoints?: string[],
    size?: number,
  ): Promise<{ matrix: Matrix; netnsOf: Map<string, string> }> {
    const planned = await planAgainst(this.kernel, design);
    if (!planned.topology) {
      throw new LabRequestError(
        `${design.name} has errors: ${errorsOf(planned.diagnostics)}`,
        null,
        409,
        'design-has-errors',
      );
    }
    const matrix = analyze(planned.topology, {
      ...(endpoints ? { endpoints } : {}),
      ...(size !== undefined ? { size } : {}),
    });
    const netnsOf = new Map(planned.topology.endpoints.map((e) => [e.node, e.netns]));
    return { matrix, netnsOf };
  }

  /**
   * One measured ping. When the kernel disagrees with the prediction the
   * pair is asked once more with a longer deadline before the answer
   * stands: on a loaded machine a first ARP plus a slow process start can
   * outlast the short deadline, and a real difference survives a retry.
   */
  private async measure(pair: PairResult, netns: string, size?: number): Promise<PingResult> {
    let res = await this.kernel.ping(netns, pair.target, undefined, size);
    if (res.ok !== pair.reachable) res = await this.kernel.ping(netns, pair.target, 5, size);
    return {
      ...pair,
      measured: res.ok,
      ...(res.rttMs !== undefined ? { rttMs: res.rttMs } : {}),
      output: res.output,
    };
  }

  async ping(design: Design, from: string, to: string, size?: number): Promise<PingResult> {
    for (const [field, id] of [
      ['from', from],
      ['to', to],
    ] as const)
      if (!Object.hasOwn(design.nodes, id))
        throw new LabRequestError(`${id} is not an element of ${design.name}`, field);
    if (from === to) throw new LabRequestError(`ping from ${from} to itself is not a pair`, 'to');
    const { matrix, netnsOf } = await this.predicted(design, [from, to], size);
    const i = matrix.endpoints.indexOf(from);
    const j = matrix.endpoints.indexOf(to);
    if (i < 0) throw new LabRequestError(`${from} has no address to ping from`, 'from');
    if (j < 0) throw new LabRequestError(`${to} has no address to ping`, 'to');
    const netns = netnsOf.get(from) ?? netnsName(design.name, from);
    // A path MTU the kernel learnt from an earlier ping would answer for the lab as it was.
    if (size !== undefined) await this.kernel.forgetPathMtu?.([netns]);
    return this.measure(matrix.results[i]![j]!, netns, size);
  }

  /**
   * Every pair, pinged in parallel and without waiting for failures: the pairs are grouped by
   * source namespace and prediction, and each group is one fping (at most `concurrency` at a
   * time, so processes and descriptors stay bounded whatever the lab's size). The pairs
   * predicted to answer get a few quick tries (a first ARP on a loaded machine), the fping
   * ending at the last answer; the pairs predicted not to answer get one short probe, their
   * reasons already given by the analyzer. The pairs whose answer differs from their
   * prediction are asked again together, with a longer deadline, before they are reported.
   */
  async matrix(
    design: Design,
    onResult?: (r: PingResult) => void,
    opts: {
      size?: number;
      concurrency?: number;
      signal?: AbortSignal;
      endpoints?: string[];
      onStart?: (total: number) => void;
    } = {},
  ) {
    const { size, concurrency = CHECK_CONCURRENCY, signal, endpoints } = opts;
    const { matrix, netnsOf } = await this.predicted(design, endpoints, size);
    if (size !== undefined) await this.kernel.forgetPathMtu?.([...new Set(netnsOf.values())]);
    const pairs: PairResult[] = [];
    for (let i = 0; i < matrix.endpoints.length; i++) {
      for (let j = 0; j < matrix.endpoints.length; j++) {
        const pair = matrix.results[i]![j];
        if (i !== j && pair) pairs.push(pair);
      }
    }
    opts.onStart?.(pairs.length);
    const measured: PingResult[] = new Array(pairs.length);
    const report = (index: number, res: PingOutcome) => {
      const r: PingResult = {
        ...pairs[index]!,
        measured: res.ok,
        ...(res.rttMs !== undefined ? { rttMs: res.rttMs } : {}),
        output: res.output,
      };
      measured[index] = r;
      onResult?.(r);
    };
    // One fping per source namespace and prediction: the addresses predicted to answer get
    // their retries without making the silent ones wait them out, in a process of their own.
    const jobs: { netns: string; answering: boolean; pairs: number[] }[] = [];
    const open = new Map<string, (typeof jobs)[number]>();
    pairs.forEach((pair, index) => {
      const netns = netnsOf.get(pair.from)!;
      const key = `${netns} ${pair.reachable}`;
      let job = open.get(key);
      if (!job || job.pairs.length >= PING_GROUP_MAX) {
        job = { netns, answering: pair.reachable, pairs: [] };
        open.set(key, job);
        jobs.push(job);
      }
      job.pairs.push(index);
    });
    // The silent groups first: each waits out its probe, while an answering group ends at its
    // last answer, so the answering ones fill the slots the silent ones leave.
    jobs.sort((a, b) => Number(a.answering) - Number(b.answering));
    // A big lab's first pass may fill the kernel's neighbour table (see NEIGHBOUR_BUDGET): its
    // disagreeing pairs are asked again after the pass, in paced waves, not in the burst.
    const answering = pairs.reduce((n, p) => n + Number(p.reachable), 0);
    const paced = 2 * answering > NEIGHBOUR_BUDGET;
    const later: { netns: string; pairs: number[] }[] = [];
    const firstOutcome = new Map<number, PingOutcome>();
    // The pairs that disagree, asked again all at once: one more process, not one each.
    const confirm = async (netns: string, differ: number[]) => {
      const again = await this.kernel.pingMany?.(
        netns,
        differ.map((k) => pairs[k]!.target),
        CONFIRM_PROBE,
        size,
      );
      for (const k of differ) {
        if (signal?.aborted) break;
        const res = again?.get(pairs[k]!.target) ?? firstOutcome.get(k);
        if (res) report(k, res);
        else {
          const r = await this.measure(pairs[k]!, netns, size);
          measured[k] = r;
          onResult?.(r);
        }
      }
    };
    const inParallel = async <T>(list: T[], run: (item: T) => Promise<void>) => {
      let next = 0;
      const worker = async () => {
        while (next < list.length && !signal?.aborted) await run(list[next++]!);
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, list.length) }, worker));
    };
    await inParallel(jobs, async (g) => {
      const { netns, pairs: indexes } = g;
      const targets = indexes.map((k) => pairs[k]!.target);
      const probe = g.answering ? ANSWER_PROBE : SILENCE_PROBE;
      const outcomes = this.kernel.pingMany
        ? await this.kernel.pingMany(netns, targets, probe, size)
        : null;
      if (!outcomes) {
        // No fping: one by one with ping.
        for (const k of indexes) {
          if (signal?.aborted) break;
          const r = await this.measure(pairs[k]!, netns, size);
          measured[k] = r;
          onResult?.(r);
        }
        return;
      }
      const differ: number[] = [];
      for (const k of indexes) {
        const first = outcomes.get(pairs[k]!.target);
        if (first && first.ok === pairs[k]!.reachable) report(k, first);
        else {
          if (first) firstOutcome.set(k, first);
          differ.push(k);
        }
      }
      if (differ.length === 0 || signal?.aborted) return;
      if (paced) later.push({ netns, pairs: differ });
      else await confirm(netns, differ);
    });
    // Waves of at most CONFIRM_WAVE_PAIRS pairs, each after the lab's neighbour entries are
    // flushed: the kernel does not reclaim entries still reachable, so waiting would not do.
    const waiting = later.flatMap((g) => g.pairs.map((k) => ({ netns: g.netns, k })));
    const waves: { netns: string; pairs: number[] }[][] = [];
    for (let at = 0; at < waiting.length; at += CONFIRM_WAVE_PAIRS) {
      const bySource = new Map<string, number[]>();
      for (const { netns, k } of waiting.slice(at, at + CONFIRM_WAVE_PAIRS))
        bySource.get(netns)?.push(k) ?? bySource.set(netns, [k]);
      waves.push([...bySource].map(([netns, pairs]) => ({ netns, pairs })));
    }
    for (const w of waves) {
      if (signal?.aborted) break;
      await this.kernel.forgetNeighbours?.([...new Set(netnsOf.values())]);
      await inParallel(w, (g) => confirm(g.netns, g.pairs));
    }
    // A cancelled Measure answers with the pairs measured before the cancel.
    return { predicted: matrix, measured: measured.filter((r) => r !== undefined) };
  }
}

type PingOutcome = { ok: boolean; rttMs?: number; output: string };

/**
 * fping processes at a time during a check: the bound on its processes and descriptors (each
 * holds a socket and three pipes). They are the ping helper's children (kernel/ping.ts, which
 * runs at most as many), or the server's when the helper cannot run, well under its 64. Most of
 * them wait on a probe, not on the CPU: a lab of a few dozen namespaces is one or two waves.
 */
export const CHECK_CONCURRENCY = 48;
/**
 * The kernel keeps one neighbour (ARP) table for all namespaces of the machine and refuses a new
 * entry once it holds gc_thresh3 entries (1,024 by default, settable only in the host's
 * namespace) it cannot reclaim; it does not reclaim recent or still reachable ones, so seconds of
 * waiting do not help. A packet that needs a refused entry is dropped, and its pair looks silent:
 * 61 endpoints in three VLANs (3,660 pairs, about 1,220 entries) showed about 200 answering
 * pairs as silent. A check whose first pass may need more entries than this (about two per
 * answering pair, one each way) asks its disagreeing pairs again in waves, each after the lab's
 * neighbour caches are flushed.
 */
const NEIGHBOUR_BUDGET = 800;
/** Pairs asked again at once in a paced check: about two new entries each. */
const CONFIRM_WAVE_PAIRS = 256;
/** Pairs in one fping at most. */
const PING_GROUP_MAX = 256;
/**
 * Pairs predicted to answer: four tries within about 1.6 s (a first ARP, a loaded machine); the
 * fping ends at its last answer, so the tries cost time only when an answer is late. One that
 * never comes is asked again with CONFIRM_PROBE before it is reported.
 */
const ANSWER_PROBE = { retries: 3, timeoutMs: 200 };
/**
 * Pairs predicted not to answer: one short probe, the analyzer already said why. 500 ms: an
 * answer the prediction did not expect shows (and is confirmed) even on a loaded machine.
 */
const SILENCE_PROBE = { retries: 0, timeoutMs: 500 };
/** The pairs that differ from their prediction, again: four tries within about 5 s (as ping -w 5). */
const CONFIRM_PROBE = { retries: 3, timeoutMs: 600 };

/** What a status was computed from (see Engine.readStatus), kept per answer while it lives. */
interface StatusInputs {
  lab: string;
  design: Design | undefined;
  hints: AddressHints | undefined;
  observed: ObservedState;
  /** The plan of the design against these addresses (the design's record over the kernel's). */
  planned?: {
    merged: AddressHints;
    diagnostics: Awaited<ReturnType<typeof planAgainst>>['diagnostics'];
    topology: Awaited<ReturnType<typeof planAgainst>>['topology'];
    plan: Awaited<ReturnType<typeof planAgainst>>['plan'];
  };
}
const readings = new WeakMap<StatusReading, StatusInputs>();

/**
 * One note for an address the kernel has instead of the design's (changed
 * by hand): "eth0 has 10.0.10.9/24 in the kernel; the design says
 * 10.0.10.4/24", in place of a "missing" and an "unexpected" line. The
 * second op of such a pair maps to null (nothing more to say).
 */
function differenceNotes(ops: readonly Op[]): Map<Op, string | null> {
  const notes = new Map<Op, string | null>();
  const removed = new Map<string, Op & { op: 'addr.del' }>();
  for (const op of ops) if (op.op === 'addr.del') removed.set(`${op.netns}/${op.dev}`, op);
  for (const op of ops) {
    if (op.op !== 'addr.add') continue;
    const other = removed.get(`${op.netns}/${op.dev}`);
    if (!other || notes.has(other)) continue;
    notes.set(op, `${op.dev} has ${other.address} in the kernel; the design says ${op.address}`);
    notes.set(other, null);
  }
  return notes;
}
