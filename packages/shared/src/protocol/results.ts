/**
 * What a lab change answers, defined once: the schemas here are the types
 * the server's engine returns (`z.infer`, no second interface beside them)
 * and what the dashboard parses from the socket and from REST.
 *
 * Kernel operations, diagnostics and the resolved topology are checked for
 * their shape only: the core builds them and a server of the same version
 * sends them back unchanged; parsing them field by field would be a second
 * definition of types that already have one (model.ts).
 */
import { z } from 'zod';
import type { Diagnostic, Op, Topology } from '../model.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** A kernel operation (model.ts `Op`): its kind and the elements it was compiled from. */
export const OpSchema = z.custom<Op>(
  (v) => isRecord(v) && typeof v.op === 'string' && Array.isArray(v.source),
  'not a kernel operation',
);

/** A diagnostic (model.ts `Diagnostic`): severity, code, message, elements. */
export const DiagnosticSchema = z.custom<Diagnostic>(
  (v) =>
    isRecord(v) &&
    typeof v.severity === 'string' &&
    typeof v.code === 'string' &&
    typeof v.message === 'string' &&
    Array.isArray(v.elements),
  'not a diagnostic',
);

/** The resolved topology (model.ts `Topology`). */
export const TopologySchema = z.custom<Topology>(
  (v) => isRecord(v) && typeof v.lab === 'string',
  'not a topology',
);

export const ApplyPhaseSchema = z.enum([
  'validate',
  'observe',
  'plan',
  'run',
  'verify',
  'undo',
  'done',
  'failed',
]);
export type ApplyPhase = z.infer<typeof ApplyPhaseSchema>;

export const ApplyProgressSchema = z.strictObject({
  lab: z.string(),
  phase: ApplyPhaseSchema,
  /** Ops done / total in the run phase. */
  done: z.number().int(),
  total: z.number().int(),
  message: z.string().optional(),
});
export type ApplyProgress = z.infer<typeof ApplyProgressSchema>;

export const OpFailureSchema = z.strictObject({
  op: OpSchema,
  /** Element ids at fault (op.source). */
  elements: z.array(z.string()),
  /** The kernel's own message, e.g. "RTNETLINK answers: File exists". */
  kernelMessage: z.string(),
});
export type OpFailure = z.infer<typeof OpFailureSchema>;

/**
 * What became of a failed apply's undo: run at once (`done`; after a spawn
 * failure it runs on the root worker the apply kept in reserve), `deferred`
 * (no process could be started: it is retried until one can), or `failed`.
 */
export const RollbackSchema = z.strictObject({
  state: z.enum(['done', 'deferred', 'failed']),
  /** Undo operations (still to run, when deferred). */
  ops: z.number().int(),
  message: z.string(),
});
export type Rollback = z.infer<typeof RollbackSchema>;

export const ApplyResultSchema = z.strictObject({
  lab: z.string(),
  ok: z.boolean(),
  rollback: RollbackSchema.optional(),
  /** Ops that ran (0 on a second apply of the same design). */
  ops: z.array(OpSchema),
  diagnostics: z.array(DiagnosticSchema),
  failure: OpFailureSchema.optional(),
  topology: TopologySchema.optional(),
});
export type ApplyResult = z.infer<typeof ApplyResultSchema>;

export const ElementStateSchema = z.enum(['deployed', 'missing', 'drift', 'error']);
export type ElementState = z.infer<typeof ElementStateSchema>;

export const LabStatusSchema = z.strictObject({
  lab: z.string(),
  /** running: every element deployed; partial: some missing or drifted; absent: no namespace. */
  state: z.enum(['running', 'partial', 'absent']),
  elements: z.record(
    z.string(),
    z.strictObject({ state: ElementStateSchema, differences: z.array(z.string()) }),
  ),
});
export type LabStatus = z.infer<typeof LabStatusSchema>;

const HopSchema = z.strictObject({
  element: z.string(),
  dev: z.string().optional(),
  note: z.string(),
});

/** The analyzer's prediction for a pair (model.ts `PairResult`) with what the kernel said. */
export const PingResultSchema = z.strictObject({
  from: z.string(),
  to: z.string(),
  target: z.string(),
  reachable: z.boolean(),
  forward: z.array(HopSchema),
  back: z.array(HopSchema),
  reason: z.string().optional(),
  blame: z.array(z.string()).optional(),
  /** What the kernel really said; `reachable` is the prediction's answer. */
  measured: z.boolean(),
  rttMs: z.number().optional(),
  output: z.string(),
});
export type PingResult = z.infer<typeof PingResultSchema>;
