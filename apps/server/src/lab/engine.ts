/**
 * What the API layer (and the CLI) may ask of the lab layer. The API is
 * built with `createApp({ engine, store })`, so tests can inject a real
 * engine on a real kernel or a recording one for pure HTTP concerns.
 */
import type {
  AddressHints,
  ApplyPhase,
  ApplyProgress,
  ApplyResult,
  Design,
  Diagnostic,
  ElementState,
  LabStatus,
  Matrix,
  Op,
  OpFailure,
  PingResult,
  Plan,
  Rollback,
} from '@netcanvas/shared';
import type { Capabilities } from '../kernel/caps.js';
import type { LabOwners } from './state.js';

/** A lab change's answers are defined once, as schemas in the core (protocol/results.ts). */
export type {
  ApplyPhase,
  ApplyProgress,
  ApplyResult,
  Capabilities,
  ElementState,
  LabStatus,
  OpFailure,
  PingResult,
  Rollback,
};

export interface Engine {
  /** Who owns each lab name (a design or the CLI), shared by every process on this machine. */
  readonly owners: LabOwners;
  capabilities(): Promise<Capabilities>;
  /** Labs found in the kernel (by namespace prefix), whatever started them. */
  labs(): Promise<string[]>;
  /**
   * What apply would run against the running lab (or from nothing), and the
   * whole plan those ops were diffed from (with the running lab's addresses;
   * absent when the design has errors).
   */
  plan(
    design: Design,
    hints?: AddressHints,
  ): Promise<{ ops: Op[]; diagnostics: Diagnostic[]; plan?: Plan }>;
  /**
   * The one per-lab lock, shared by every process on this machine: runs `fn`
   * holding the lab; a lab another change holds rejects with LabBusyError.
   * apply, destroy and setLinkState take it themselves; a caller takes it
   * for a change of its own that must not overlap them (adopting a lab,
   * deleting its design).
   */
  exclusive<T>(lab: string, fn: () => Promise<T>): Promise<T>;
  /**
   * observe → diff → run → verify, holding the lab (a second
   * concurrent change rejects with LabBusyError). `hints`: the design's
   * address record, which wins over the kernel's addresses.
   */
  apply(
    design: Design,
    onProgress?: (p: ApplyProgress) => void,
    hints?: AddressHints,
  ): Promise<ApplyResult>;
  /** From live state; idempotent; leaves no namespace of the lab. */
  destroy(lab: string): Promise<{ removed: string[] }>;
  status(lab: string, design?: Design, hints?: AddressHints): Promise<LabStatus>;
  /**
   * status, with what it was computed from kept in the answer: given `since`
   * (an earlier answer of this engine for the same lab, design and hints) only
   * the namespaces `since.netns` are read again and, while the design's plan
   * cannot have changed, nothing is planned again: what a change seen in the
   * kernel needs (a link event names its namespace), where reading and
   * planning a 746-namespace lab for each event took most of a core.
   */
  readStatus?(
    lab: string,
    design?: Design,
    hints?: AddressHints,
    since?: { reading: StatusReading; netns: readonly string[] },
  ): Promise<StatusReading>;
  /** The design a lab was last applied from, if this machine remembers it. */
  lastDesign?(lab: string): Design | undefined;
  /** When the lab was first brought up (ISO time), if this machine remembers it. */
  since?(lab: string): string | undefined;
  /** The addresses the kernel shows for a lab: only to rebuild a lost address record. */
  addresses?(lab: string): Promise<AddressHints>;
  /**
   * Cuts or restores one link of a running lab, holding the lab: the design the lab was last
   * applied from, with only that link changed, is applied (pending edits of
   * the stored design stay out of the kernel). `changed`: false when the
   * lab does not run or was not applied with that link; `ops`: the kernel
   * operations the change ran (for the audit line).
   */
  setLinkState(
    lab: string,
    linkId: string,
    state: 'up' | 'down',
  ): Promise<{ changed: boolean; ops: number }>;
  /** One ping; `size`: the ICMP payload (`ping -s`) with don't-fragment set, predicted alike. */
  ping(design: Design, from: string, to: string, size?: number): Promise<PingResult>;
  /**
   * Pings every pair in parallel (bounded), calling back pair by pair.
   * `size`: the ICMP payload (`ping -s`) with don't-fragment set, predicted alike.
   * `signal`: once aborted, no further pair is pinged (those running finish);
   * `measured` then holds the pairs that were. `onStart`: called once the pairs are known,
   * before the first is pinged, with how many there are.
   */
  matrix(
    design: Design,
    onResult?: (r: PingResult) => void,
    opts?: { size?: number; signal?: AbortSignal; onStart?: (total: number) => void },
  ): Promise<{ predicted: Matrix; measured: PingResult[] }>;
}

/** A status and, opaque to its callers, what the engine computed it from. */
export interface StatusReading {
  readonly status: LabStatus;
}

export class LabBusyError extends Error {
  constructor(readonly lab: string) {
    super(`lab ${lab} is already being changed; try again when the current apply finishes`);
  }
}

/**
 * A request the lab cannot act on as asked (an element that is not there,
 * a pair that is no pair, a design with errors): the API answers with
 * `status` and names the request field at fault, never a 500.
 */
export class LabRequestError extends Error {
  constructor(
    message: string,
    readonly field: string | null,
    readonly status: 400 | 404 | 409 | 422 = 400,
    readonly code: string = 'bad-request',
  ) {
    super(field ? `${field}: ${message}` : message);
  }
}
