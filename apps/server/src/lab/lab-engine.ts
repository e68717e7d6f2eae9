/**
 * The lab engine: lifecycle of labs on the kernel, one change at a time per
 * lab. Everything it does to the kernel goes through the KernelPort and the
 * tools; it holds no state the kernel does not also show, except the last
 * applied design (for drift reports) and the per-lab lock.
 */
import {
  analyze,
  type Design,
  describeDifference,
  isSegmentKind,
  linkIds,
  type Matrix,
  netnsName,
  type PairResult,
} from '@netcanvas/shared';
import { applyDesign, type KernelPort, planAgainst } from './apply.js';
import {
  type ApplyProgress,
  type ApplyResult,
  type Capabilities,
  type ElementState,
  type Engine,
  LabBusyError,
  type LabStatus,
  type PingResult,
} from './engine.js';
import { LabState } from './state.js';

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
}

export class LabEngine implements Engine {
  private readonly busy = new Set<string>();
  constructor(
    private readonly kernel: EngineKernel,
    readonly state = new LabState(),
  ) {}

  capabilities(): Promise<Capabilities> {
    return this.kernel.capabilities();
  }

  lastDesign(lab: string): Design | undefined {
    return this.state.loadDesign(lab);
  }

  labs(): Promise<string[]> {
    return this.kernel.listLabs();
  }

  async plan(design: Design) {
    const planned = await planAgainst(this.kernel, design);
    const ops = planned.changes
      ? [...planned.changes.pre, ...planned.changes.add, ...planned.changes.remove]
      : [];
    return {
      ops,
      diagnostics: planned.diagnostics,
      ...(planned.plan ? { plan: planned.plan } : {}),
    };
  }

  /** Runs `fn` holding the lab: in this process and, through a lock file, across processes. */
  private async exclusive<T>(lab: string, fn: () => Promise<T>): Promise<T> {
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

  apply(design: Design, onProgress?: (p: ApplyProgress) => void): Promise<ApplyResult> {
    return this.exclusive(design.name, async () => {
      const result = await applyDesign(this.kernel, design, onProgress);
      // Remember the design whenever the kernel now runs it (even partly, so status can explain).
      if (result.ok || result.ops.length > 0) this.state.saveDesign(design);
      return result;
    });
  }

  destroy(lab: string): Promise<{ removed: string[] }> {
    return this.exclusive(lab, async () => {
      const removed = await this.kernel.deleteLab(lab);
      this.state.forget(lab);
      return { removed };
    });
  }

  async status(lab: string, given?: Design): Promise<LabStatus> {
    const design = given ?? this.state.loadDesign(lab);
    const observed = await this.kernel.observe(lab);
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
    const planned = await planAgainst(this.kernel, design, observed);
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
    for (const op of ops) {
      const missingNetns = op.op === 'netns.add' && !present.has(op.netns);
      for (const id of op.source) {
        const entry = elements[id] ?? { state: 'deployed' as ElementState, differences: [] };
        entry.state = missingNetns || entry.state === 'missing' ? 'missing' : 'drift';
        entry.differences.push(describeDifference(op));
        elements[id] = entry;
      }
    }
    return {
      lab,
      state: ops.length === 0 && halfMade.length === 0 ? 'running' : 'partial',
      elements,
    };
  }

  async setLinkState(design: Design, linkId: string, state: 'up' | 'down'): Promise<void> {
    const index = linkIds(design).indexOf(linkId);
    if (index < 0) throw new Error(`no link ${linkId} in ${design.name}`);
    const links = design.links.map((l, i) => (i === index ? { ...l, state } : l));
    const result = await this.apply({ ...design, links });
    if (!result.ok) {
      throw new Error(
        result.failure?.kernelMessage ?? result.diagnostics.map((d) => d.message).join('; '),
      );
    }
  }

  private async predicted(
    design: Design,
    endpoints?: string[],
    size?: number,
  ): Promise<{ matrix: Matrix; netnsOf: Map<string, string> }> {
    const planned = await planAgainst(this.kernel, design);
    if (!planned.topology) {
      throw new Error(
        `${design.name} has errors: ${planned.diagnostics
          .filter((d) => d.severity === 'error')
          .map((d) => d.message)
          .join('; ')}`,
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

  async ping(design: Design, from: string, to: string): Promise<PingResult> {
    if (from === to) throw new Error(`ping from ${from} to itself is not a pair`);
    const { matrix, netnsOf } = await this.predicted(design, [from, to]);
    const i = matrix.endpoints.indexOf(from);
    const j = matrix.endpoints.indexOf(to);
    if (i < 0) throw new Error(`${from} has no address to ping from`);
    if (j < 0) throw new Error(`${to} has no address to ping`);
    return this.measure(matrix.results[i]![j]!, netnsOf.get(from) ?? netnsName(design.name, from));
  }

  async matrix(
    design: Design,
    onResult?: (r: PingResult) => void,
    opts: { size?: number; concurrency?: number } = {},
  ) {
    const { size, concurrency = 8 } = opts;
    const { matrix, netnsOf } = await this.predicted(design, undefined, size);
    if (size !== undefined) await this.kernel.forgetPathMtu?.([...new Set(netnsOf.values())]);
    const pairs: PairResult[] = [];
    for (let i = 0; i < matrix.endpoints.length; i++) {
      for (let j = 0; j < matrix.endpoints.length; j++) {
        const pair = matrix.results[i]![j];
        if (i !== j && pair) pairs.push(pair);
      }
    }
    const measured: PingResult[] = new Array(pairs.length);
    let next = 0;
    const worker = async () => {
      while (next < pairs.length) {
        const index = next++;
        const pair = pairs[index]!;
        const r = await this.measure(pair, netnsOf.get(pair.from)!, size);
        measured[index] = r;
        onResult?.(r);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, pairs.length) }, worker));
    return { predicted: matrix, measured };
  }
}
