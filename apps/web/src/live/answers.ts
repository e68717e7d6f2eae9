/**
 * The server's REST answers, as schemas: every answer the dashboard reads is
 * parsed with one of these (live/api.ts `call`), as the socket's messages are
 * parsed with the protocol's (packages/shared/src/protocol.ts).
 *
 * Built from the shared schemas that exist (LabStatusSchema, PingResultSchema,
 * EditOps, ServerDesignSaved …); what the core does not define yet is defined
 * here, in this one module, so that taking the core's definitions when it
 * has them is a change of this file only. Objects are read loosely (fields
 * the dashboard does not use are dropped, not refused), the fields it uses
 * strictly.
 */
import type { Design, Op } from '@netcanvas/shared';
import { LabStatusSchema, PingResultSchema, ServerDesignSaved } from '@netcanvas/shared';
import { z } from 'zod';
import type { StorageRecovery as StorageRecoveryState } from '../store/live';

/**
 * A design document as the server stores it (a draft: it may have
 * problems). Checked for its shape, not re-read: the socket's snapshot
 * carries the same document, and both must compare equal.
 */
const DesignDoc = z.custom<Design>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { name?: unknown }).name === 'string' &&
    typeof (v as { nodes?: unknown }).nodes === 'object' &&
    Array.isArray((v as { links?: unknown }).links),
  'not a design document',
);

/** A kernel operation of a plan (compile.ts `Op`): checked for its kind and its element. */
const PlanOp = z.custom<Op>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { op?: unknown }).op === 'string' &&
    Array.isArray((v as { source?: unknown }).source),
  'not a plan operation',
);

const AddressRecord = z.record(z.string(), z.string());

// ───────────── session ─────────────

export const LoginAnswer = z.object({ secret: z.string().min(1) });

const StorageRecovery: z.ZodType<StorageRecoveryState> = z.object({
  path: z.string(),
  movedTo: z.string(),
  reason: z.string(),
});

/** GET /session: who this browser is, and whether the server started on a damaged store. */
export const SessionAnswer = z.object({
  session: z.string().nullable(),
  storage: z.object({ path: z.string(), recovered: StorageRecovery.nullable() }).optional(),
});
export type SessionAnswer = z.infer<typeof SessionAnswer>;

export const SessionRow = z.object({
  id: z.string(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  client: z.string(),
  current: z.boolean(),
});
export type SessionRow = z.infer<typeof SessionRow>;
export const SessionList = z.object({ sessions: z.array(SessionRow) });

// ───────────── designs ─────────────

export const DesignSummary = z.object({
  id: z.string(),
  /** The lab name the design asks for. */
  name: z.string(),
  title: z.string().optional(),
  /** The lab it owns. */
  lab: z.string(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type DesignSummary = z.infer<typeof DesignSummary>;
export const DesignList = z.object({ designs: z.array(DesignSummary) });

export const DesignRecord = DesignSummary.extend({
  doc: DesignDoc,
  /** The addresses the server decided for this version (live/sync.ts keeps them). */
  addresses: AddressRecord.nullable().optional(),
  /** Refs of the latest edit batches stored (a batch resent after a reconnect is not applied twice). */
  refs: z.array(z.string()).optional(),
  /** Set when the lab asked for was taken: which lab the design got instead, and why. */
  labNotice: z.string().optional(),
});
export type DesignRecord = z.infer<typeof DesignRecord>;

export const VersionSummary = z.object({
  version: z.number().int(),
  name: z.string(),
  createdAt: z.string(),
});
export type VersionSummary = z.infer<typeof VersionSummary>;
export const VersionList = z.object({ versions: z.array(VersionSummary) });

/** POST /designs/:id/ops: the same answer as the socket's `design-saved`. */
export const SavedBatch = ServerDesignSaved.omit({ type: true, design: true });
export type SavedBatch = z.infer<typeof SavedBatch>;

// ───────────── labs ─────────────

export const LabOwner = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('design'),
    id: z.string(),
    name: z.string(),
    title: z.string().optional(),
  }),
  z.object({ kind: z.literal('cli') }),
]);
export type LabOwner = z.infer<typeof LabOwner>;

export const LabEntry = z.object({
  lab: z.string(),
  /** Its design in this dashboard's store, if any. */
  design: z
    .object({
      id: z.string(),
      version: z.number().int(),
      name: z.string(),
      title: z.string().optional(),
    })
    .nullable(),
  owner: LabOwner.nullable(),
  elements: z.number().int().nullable(),
  since: z.string().nullable(),
  status: LabStatusSchema,
});
export type LabEntry = z.infer<typeof LabEntry>;
export const LabList = z.object({ labs: z.array(LabEntry) });

/** POST /labs/:design/plan: what apply would run against the running lab. */
export const PlanAnswer = z.object({ ops: z.array(PlanOp) });

/** POST /labs/:design/apply (engine.ts `ApplyResult`). */
export const ApplyAnswer = z.object({
  ok: z.boolean(),
  ops: z.array(PlanOp),
  failure: z.object({ elements: z.array(z.string()), kernelMessage: z.string() }).optional(),
});

/** POST /labs/…/destroy: the namespaces removed. */
export const DestroyAnswer = z.object({ removed: z.array(z.string()) });

// ───────────── tools ─────────────

/** POST /labs/:design/ping: the analyzer's prediction with what the kernel said. */
export const PingAnswer = PingResultSchema;

/** POST /labs/:design/traceroute (tools/traceroute.ts `TracerouteResult`). */
export const TracerouteAnswer = z.object({
  output: z.string(),
  reached: z.boolean(),
  hops: z.array(
    z.object({
      ttl: z.number().int(),
      /** null: no answer within the wait (`*`). */
      address: z.string().nullable(),
      /** The lab element that owns the address, when the design knows it. */
      element: z.string().nullable(),
    }),
  ),
});

/** POST /labs/:design/captures: the capture's id; its lines come over the socket. */
export const CaptureStarted = z.object({ id: z.string() });
