/**
 * apply(design) = observe → diff → run → verify, the containerlab way: the
 * running lab is compared with the design and only the difference runs, so
 * a second apply runs nothing and unchanged interfaces keep their ifindex
 * and counters. A failure undoes what this apply created and names the op,
 * its element and the kernel's message.
 */
import {
  type AddressHints,
  compilePlanned,
  type Design,
  type DesignPlan,
  describeDifference,
  diff,
  diffWithin,
  inverseOf,
  type ObservedState,
  type Op,
  type Plan,
  replaceNetns,
  resolveDesign,
  type Topology,
} from '@netcanvas/shared';
import type { ApplyProgress, ApplyResult, OpFailure, Rollback } from './engine.js';

/** The two things the lab layer needs from the kernel layer. */
export interface KernelPort {
  /** The lab's state; `only`: just these of its namespaces (the others are left out). */
  observe(lab: string, only?: readonly string[]): Promise<ObservedState>;
  /**
   * `before` with the namespaces `netns` read again, each replaced whole (a namespace
   * gone is left out); without it, `observe(lab, netns)` merged by `replaceNetns`.
   */
  reread?(before: ObservedState, netns: readonly string[]): Promise<ObservedState>;
  /** Clears what an interrupted run left unusable (a namespace name without a namespace). */
  repair?(lab: string): Promise<string[]>;
  /**
   * Runs ops in order (the runner may overlap namespaces within a stage).
   * Stops at the first failure, reporting it and the indexes of the ops that
   * did run (independent ops of the failing stage may have). `tolerateMissing`: a delete of something
   * already gone counts as done (DEL succeeds when things are gone).
   */
  run(
    ops: Op[],
    opts?: { tolerateMissing?: boolean; onProgress?: (done: number) => void },
  ): Promise<
    { ok: true } | { ok: false; index: number; message: string; ran: number[]; spawn?: boolean }
  >;
  /**
   * Starts what an undo needs (the root namespace's batch worker) and keeps
   * it until released, so a failure to start processes later in the apply
   * can still be undone. Rejects when not even that can be started.
   */
  reserve?(): Promise<() => void>;
  /** Starts what `run` will need (a helper process) while the plan is being made; never throws. */
  prepare?(): void;
}

export interface ApplyOptions {
  /** The design's address record as resolve's hints: it wins over the kernel's addresses. */
  hints?: AddressHints;
  /** Undo ops that could not run because no process could be started: the caller retries them later. */
  deferUndo?: (ops: Op[]) => void;
  /** The lab's last verified apply: the next plan is made from it where it can be. */
  last?: LastApply;
  /** Told this apply's LastApply when it ends verified, undefined when it fails. */
  remember?: (last: LastApply | undefined) => void;
}

/**
 * An apply that ended verified: its plan and what made it (replan.ts). A link cut or restored
 * next is planned from it (`planDesign`: parse, validate and most of compile are not run again).
 */
export interface LastApply {
  planned: DesignPlan & { plan: Plan };
  /** The hints it was resolved with (the kernel's addresses under the design's record). */
  hints: AddressHints;
}

/** Addresses the running lab already uses: passed as hints so nothing renumbers. */
export function hintsFromObserved(observed: ObservedState): AddressHints {
  const hints: AddressHints = {};
  for (const i of observed.interfaces) {
    const first = i.addresses[0];
    if (first) hints[`${i.netns}/${i.name}`] = first;
  }
  return hints;
}

export function sameHints(a: AddressHints, b: AddressHints): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => a[k] === b[k]);
}

/**
 * Lets the event loop serve what waits (a request, a socket message) between the long pure
 * steps of a plan: for a 2,000-element lab each is a second or more, and a loop blocked for
 * longer than the server's keep-alive timeout resets the connection of a client whose next
 * request came meanwhile (the timeout fires before the request is read).
 */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Observe → resolve → compile → diff. `hints` are the design's address
 * record (docs/architecture.md, "Address record"): they win over what the
 * kernel shows, so an address changed by hand is drift that apply puts
 * back; the kernel's addresses only fill in what the record does not hold.
 */
export async function planAgainst(
  kernel: KernelPort,
  design: Design,
  seen?: ObservedState,
  hints: AddressHints = {},
  last?: LastApply,
) {
  const observing = seen ? Promise.resolve(seen) : kernel.observe(design.name);
  // After a verified apply, the design is planned while the helper (another process) reads the
  // kernel, with that apply's hints; kept only when the reading gives the same ones.
  let early: { checked: ReturnType<typeof resolveDesign>; plan?: Plan } | undefined;
  if (last && !seen) {
    observing.catch(() => {}); // awaited below; a throw while planning must not leave it unheard
    const checked = resolveDesign(design, last.hints, last.planned);
    const planned = checked.planned;
    early = {
      checked,
      plan: planned && compilePlanned(planned, checked.again ? last.planned : undefined),
    };
  }
  const observed = await observing;
  await breathe();
  const merged = { ...hintsFromObserved(observed), ...hints };
  const reuse = early && last && sameHints(last.hints, merged) ? early : undefined;
  const checked = reuse?.checked ?? resolveDesign(design, merged, last?.planned);
  if (!reuse) await breathe();
  const planned = checked.planned;
  const plan = reuse
    ? reuse.plan
    : planned && compilePlanned(planned, checked.again ? last?.planned : undefined);
  if (!planned || !plan) {
    return {
      observed,
      diagnostics: checked.diagnostics,
      topology: undefined,
      plan: undefined,
      changes: undefined,
      planned: undefined,
      hints: merged,
    };
  }
  await breathe();
  const changes = diff(plan, planned.topology, observed);
  return {
    observed,
    diagnostics: checked.diagnostics,
    topology: planned.topology,
    plan,
    changes,
    planned: { ...planned, plan },
    hints: merged,
  };
}

export async function applyDesign(
  kernel: KernelPort,
  design: Design,
  onProgress: (p: ApplyProgress) => void = () => {},
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  const lab = design.name;
  const progress = (phase: ApplyProgress['phase'], done = 0, total = 0, message?: string) =>
    onProgress({ lab, phase, done, total, ...(message ? { message } : {}) });

  progress('observe');
  kernel.prepare?.();
  const repaired = (await kernel.repair?.(lab)) ?? [];
  if (repaired.length > 0) progress('observe', 0, 0, `removed half-made ${repaired.join(', ')}`);
  const planned = await planAgainst(kernel, design, undefined, options.hints, options.last);
  if (!planned.changes || !planned.topology || !planned.plan || !planned.planned) {
    options.remember?.(undefined);
    progress('failed', 0, 0, 'the design has errors');
    return { lab, ok: false, ops: [], diagnostics: planned.diagnostics };
  }
  const { pre, add, remove } = planned.changes;
  const { plan, topology } = planned;
  const total = pre.length + add.length + remove.length;
  progress('plan', 0, total, `${total} operations`);
  if (total === 0) {
    options.remember?.({ planned: planned.planned, hints: planned.hints });
    progress('done', 0, 0, 'nothing to change');
    return { lab, ok: true, ops: [], diagnostics: planned.diagnostics, topology: planned.topology };
  }

  let release: () => void = () => {};
  try {
    release = (await kernel.reserve?.()) ?? release;
  } catch (err) {
    const message = `nothing was changed: ${err instanceof Error ? err.message : String(err)}`;
    progress('failed', 0, total, message);
    const op = [...pre, ...add, ...remove][0]!;
    return {
      lab,
      ok: false,
      ops: [],
      diagnostics: planned.diagnostics,
      failure: { op, elements: [], kernelMessage: message },
      topology: planned.topology,
    };
  }
  // Forgotten until this apply ends verified: a failure leaves the lab unlike any plan.
  options.remember?.(undefined);
  try {
    return await runChanges(kernel, design, { ...planned, plan, topology }, progress, options);
  } finally {
    release();
  }
}

async function runChanges(
  kernel: KernelPort,
  design: Design,
  planned: Awaited<ReturnType<typeof planAgainst>> & {
    changes: NonNullable<Awaited<ReturnType<typeof planAgainst>>['changes']>;
    plan: Plan;
    topology: Topology;
    planned: LastApply['planned'];
  },
  progress: (phase: ApplyProgress['phase'], done?: number, total?: number, m?: string) => void,
  options: ApplyOptions,
): Promise<ApplyResult> {
  const lab = design.name;
  const { pre, add, remove } = planned.changes;
  const total = pre.length + add.length + remove.length;
  let done = 0;
  let spawnFailed = false;
  const ran: Op[] = [];
  const step = async (ops: Op[], tolerateMissing: boolean): Promise<OpFailure | undefined> => {
    if (ops.length === 0) return undefined;
    const base = done;
    let res: Awaited<ReturnType<KernelPort['run']>>;
    try {
      res = await kernel.run(ops, {
        tolerateMissing,
        onProgress: (n) => progress('run', base + n, total),
      });
    } catch (err) {
      // The runner itself broke (a worker died, a timeout): what ran is unknown,
      // so undo as if everything of this step had run; deleting what is not there is harmless.
      ran.push(...ops);
      const op = ops[0]!;
      return {
        op,
        elements: op.source,
        kernelMessage: err instanceof Error ? err.message : String(err),
      };
    }
    if (res.ok) {
      ran.push(...ops);
      done += ops.length;
      return undefined;
    }
    for (const i of res.ran) ran.push(ops[i]!);
    spawnFailed ||= res.spawn === true;
    const op = ops[res.index]!;
    return { op, elements: op.source, kernelMessage: res.message };
  };

  // `pre` and `add` in one run (one helper request): both are undone on a failure, `add` holds
  // no deletion for tolerateMissing to excuse, and the runner keeps each namespace's ops in
  // plan order (a namespace's deletions before its creations) and runs a stage that reaches
  // into two namespaces (a veth, a link deleted to be made again) only after all before it.
  const failure = await step([...pre, ...add], true);
  if (failure) {
    progress('undo', 0, 0, `${failure.elements.join(', ') || lab}: ${failure.kernelMessage}`);
    // The failing op may have done half its work: `ip netns add` killed between
    // creating /run/netns/NAME and mounting the namespace leaves the name behind.
    const halfDone = failure.op.op === 'netns.add' && !ran.includes(failure.op) ? [failure.op] : [];
    const rollback = await undo(
      kernel,
      undoOps([...ran, ...halfDone], planned.observed),
      spawnFailed,
      options,
    );
    progress('failed', done, total, `${failure.kernelMessage}; ${rollback.message}`);
    return {
      lab,
      ok: false,
      ops: ran,
      diagnostics: planned.diagnostics,
      failure,
      rollback,
      topology: planned.topology,
    };
  }
  const removeFailure = await step(remove, true);
  if (removeFailure) {
    progress('failed', done, total, removeFailure.kernelMessage);
    return {
      lab,
      ok: false,
      ops: ran,
      diagnostics: planned.diagnostics,
      failure: removeFailure,
      topology: planned.topology,
    };
  }

  progress('verify', done, total);
  let left: Op[];
  let seen: ObservedState;
  try {
    ({ left, seen } = await verify(kernel, planned, ran));
  } catch (err) {
    // Every op succeeded; only reading the result back failed. Undoing would
    // destroy a good lab, so report it and let `status` tell the rest.
    const message = `applied, but reading the lab back failed: ${err instanceof Error ? err.message : String(err)}`;
    progress('failed', done, total, message);
    const op = ran[ran.length - 1]!;
    return {
      lab,
      ok: false,
      ops: ran,
      diagnostics: planned.diagnostics,
      failure: { op, elements: [], kernelMessage: message },
      topology: planned.topology,
    };
  }
  if (left.length > 0) {
    const first = left[0]!;
    const message = `after applying, the kernel still differs: ${left.slice(0, 5).map(describeDifference).join('; ')}`;
    progress('failed', done, total, message);
    return {
      lab,
      ok: false,
      ops: ran,
      diagnostics: planned.diagnostics,
      failure: { op: first, elements: first.source, kernelMessage: message },
      topology: planned.topology,
    };
  }
  // The hints the next apply will read: this one's addresses, as the kernel now has them.
  options.remember?.({
    planned: planned.planned,
    hints: { ...hintsFromObserved(seen), ...options.hints },
  });
  progress('done', done, total);
  return { lab, ok: true, ops: ran, diagnostics: planned.diagnostics, topology: planned.topology };
}

/**
 * What still differs after the ops ran: the plan this apply made (no second
 * resolve), diffed against the first reading with the namespaces the ops
 * touched read again (the others did not change; a 1,124-namespace lab is
 * not read twice for a one-link change), and only for those (diffWithin).
 */
async function verify(
  kernel: KernelPort,
  planned: { observed: ObservedState; plan: Plan; topology: Topology },
  ran: readonly Op[],
): Promise<{ left: Op[]; seen: ObservedState }> {
  const touched = new Set<string>();
  for (const op of ran) {
    if ('netns' in op) touched.add(op.netns);
    if (op.op === 'veth.add') touched.add(op.peerNetns);
  }
  const names = [...touched].sort();
  const seen = kernel.reread
    ? await kernel.reread(planned.observed, names)
    : replaceNetns(planned.observed, await kernel.observe(planned.observed.lab, names), names);
  // Only the touched namespaces can differ from the plan's first diff, which ran whole.
  const again = diffWithin(planned.plan, planned.topology, seen, touched);
  return { left: [...again.pre, ...again.add, ...again.remove], seen };
}

/** Runs an undo now, or hands what could not start to `deferUndo`; says which. */
async function undo(
  kernel: KernelPort,
  ops: Op[],
  afterSpawnFailure: boolean,
  options: ApplyOptions,
): Promise<Rollback> {
  if (ops.length === 0) return { state: 'done', ops: 0, message: 'nothing to undo' };
  let res: Awaited<ReturnType<KernelPort['run']>>;
  try {
    res = await kernel.run(ops, { tolerateMissing: true });
  } catch (err) {
    res = {
      ok: false,
      index: 0,
      message: err instanceof Error ? err.message : String(err),
      ran: [],
    };
  }
  if (res.ok) {
    return {
      state: 'done',
      ops: ops.length,
      message: afterSpawnFailure
        ? `what this apply made was undone (${ops.length} operations) on the worker kept in reserve`
        : `what this apply made was undone (${ops.length} operations)`,
    };
  }
  const ranNow = new Set(res.ran);
  const left = ops.filter((_, i) => !ranNow.has(i));
  if (res.spawn && options.deferUndo) {
    options.deferUndo(left);
    return {
      state: 'deferred',
      ops: left.length,
      message: `undo deferred: ${left.length} operations wait until processes can be started again (${res.message})`,
    };
  }
  return {
    state: 'failed',
    ops: left.length,
    message: `undo failed after ${ranNow.size} of ${ops.length} operations: ${res.message}`,
  };
}

/**
 * Inverse of what ran, newest first. Namespaces this apply made are simply
 * deleted (that removes everything in them); devices it made are deleted;
 * anything else is put back one op at a time.
 */
export function undoOps(ran: Op[], before: ObservedState): Op[] {
  const existed = new Set(before.netns);
  const createdDevices = new Set<string>();
  for (const op of ran) {
    if (op.op === 'bridge.add' || op.op === 'vxlan.add')
      createdDevices.add(`${op.netns}/${op.dev}`);
    if (op.op === 'veth.add') {
      createdDevices.add(`${op.netns}/${op.dev}`);
      createdDevices.add(`${op.peerNetns}/${op.peer}`);
    }
  }
  const undo: Op[] = [];
  for (const op of [...ran].reverse()) {
    if (op.op === 'netns.add') {
      undo.push(inverseOf(op)!);
      continue;
    }
    // A veth from a new namespace into an old one (a new container on an
    // existing VLAN): delete it from the old side explicitly, because the
    // kernel frees a deleted namespace's devices asynchronously and the old
    // side would linger for a while.
    if (op.op === 'veth.add' && !existed.has(op.netns) && existed.has(op.peerNetns)) {
      undo.push({
        op: 'link.del',
        netns: op.peerNetns,
        dev: op.peer,
        source: op.source,
        why: `undo: ${op.why}`,
      });
      continue;
    }
    const ns = 'netns' in op ? op.netns : undefined;
    if (ns !== undefined && !existed.has(ns)) continue;
    const isCreation = op.op === 'bridge.add' || op.op === 'vxlan.add' || op.op === 'veth.add';
    if (!isCreation && 'dev' in op && op.dev && createdDevices.has(`${op.netns}/${op.dev}`))
      continue;
    const inv = inverseOf(op);
    if (inv) undo.push(inv);
  }
  return undo;
}
