/**
 * FOR HTTP AND SOCKET TESTS ONLY — an in-memory stand-in for the lab engine.
 * It touches no kernel and proves nothing about one: it records what the API
 * asked of it so tests can check that refused requests reached nothing, and
 * it behaves like the real engine where the API depends on it (one apply per
 * lab at a time → LabBusyError; progress callbacks; status after apply).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AddressHints, compile, type Design, diagnose, type Matrix } from '@netcanvas/shared';
import {
  type ApplyProgress,
  type ApplyResult,
  type Capabilities,
  type Engine,
  LabBusyError,
  type LabStatus,
  type PingResult,
} from '../../src/lab/engine.js';
import { LabOwners } from '../../src/lab/state.js';
import { memoryCapabilities } from '../lab/memory-kernel.js';

/** Every MemoryEngine's ownership registry lives under one directory, removed when the process exits. */
let ownersRoot: string | undefined;
function ownersDir(): string {
  if (!ownersRoot) {
    const root = mkdtempSync(join(tmpdir(), 'nc-memory-owners-'));
    ownersRoot = root;
    process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  }
  return mkdtempSync(join(ownersRoot, 'e-'));
}

export class MemoryEngine implements Engine {
  /** A real registry (files in a temporary directory): ownership is not what these tests fake. */
  readonly owners = new LabOwners(ownersDir());
  readonly calls: { method: string; lab?: string; args?: unknown }[] = [];
  readonly running = new Map<string, Design>();
  private readonly busy = new Set<string>();
  /** While set, an apply holding its lab waits for it: tests overlap two applies with it. */
  gate: Promise<void> | null = null;
  /** Addresses a pretend running lab uses: the plan is compiled with them, as the real engine does. */
  runningAddresses: AddressHints = {};

  async capabilities(): Promise<Capabilities> {
    return memoryCapabilities(false);
  }
  async labs(): Promise<string[]> {
    this.calls.push({ method: 'labs' });
    return [...this.running.keys()].sort();
  }
  async plan(design: Design) {
    this.calls.push({ method: 'plan', lab: design.name });
    const { topology } = diagnose(design, this.runningAddresses);
    return { ops: [], diagnostics: [], ...(topology ? { plan: compile(topology) } : {}) };
  }
  /** The engine's per-lab lock, in memory only. */
  async exclusive<T>(lab: string, fn: () => Promise<T>): Promise<T> {
    if (this.busy.has(lab)) throw new LabBusyError(lab);
    this.busy.add(lab);
    try {
      return await fn();
    } finally {
      this.busy.delete(lab);
    }
  }
  async apply(design: Design, onProgress?: (p: ApplyProgress) => void): Promise<ApplyResult> {
    this.calls.push({ method: 'apply', lab: design.name });
    return this.exclusive(design.name, async () => {
      onProgress?.({ lab: design.name, phase: 'run', done: 0, total: 2 });
      if (this.gate) await this.gate;
      onProgress?.({ lab: design.name, phase: 'run', done: 2, total: 2 });
      this.running.set(design.name, design);
      onProgress?.({ lab: design.name, phase: 'done', done: 2, total: 2 });
      return { lab: design.name, ok: true, ops: [], diagnostics: [] };
    });
  }
  async addresses(lab: string): Promise<AddressHints> {
    this.calls.push({ method: 'addresses', lab });
    return this.runningAddresses;
  }
  async destroy(lab: string) {
    this.calls.push({ method: 'destroy', lab });
    const had = this.running.delete(lab);
    this.owners.release(lab, { kind: 'cli' });
    return { removed: had ? [`nc-${lab}`] : [] };
  }
  async status(lab: string): Promise<LabStatus> {
    this.calls.push({ method: 'status', lab });
    return { lab, state: this.running.has(lab) ? 'running' : 'absent', elements: {} };
  }
  async setLinkState(lab: string, linkId: string, state: 'up' | 'down') {
    this.calls.push({ method: 'setLinkState', lab, args: { linkId, state } });
    const changed = this.running.has(lab);
    return { changed, ops: changed ? 1 : 0 };
  }
  async ping(design: Design, from: string, to: string, size?: number): Promise<PingResult> {
    this.calls.push({
      method: 'ping',
      lab: design.name,
      args: { from, to, ...(size !== undefined ? { size } : {}) },
    });
    return {
      from,
      to,
      target: '0.0.0.0',
      reachable: false,
      forward: [],
      back: [],
      measured: false,
      output: '',
    };
  }
  /** When set, matrix waits for its signal to be aborted (to test Measure's Cancel). */
  matrixWaitsForCancel = false;
  async matrix(
    design: Design,
    _onResult?: (r: PingResult) => void,
    opts: { signal?: AbortSignal; size?: number } = {},
  ): Promise<{ predicted: Matrix; measured: PingResult[] }> {
    this.calls.push({
      method: 'matrix',
      lab: design.name,
      ...(opts.size !== undefined ? { args: { size: opts.size } } : {}),
    });
    const { signal } = opts;
    if (this.matrixWaitsForCancel && signal && !signal.aborted)
      await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
    return { predicted: { endpoints: [], targets: {}, results: [] }, measured: [] };
  }
  /** Calls that could change something (everything but reads). */
  mutations() {
    return this.calls.filter((c) =>
      ['apply', 'destroy', 'setLinkState', 'plan', 'ping', 'matrix'].includes(c.method),
    );
  }
}
