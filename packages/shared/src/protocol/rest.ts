/**
 * The server's REST answers, as schemas, defined once: the server builds
 * its answers as these types, the dashboard parses every answer it reads
 * with them (web live/api.ts `call`), as both ends parse the socket's
 * messages with socket.ts. Objects are read loosely (fields the dashboard
 * does not use are dropped, not refused), the fields it uses strictly.
 */
import { z } from 'zod';
import { MAX_PING_SIZE } from '../analyze/analyze.js';
import type { Design } from '../parse/schema.js';
import { ApplyResultSchema, LabStatusSchema, OpSchema, PingResultSchema } from './results.js';
import { ServerDesignSaved } from './socket.js';

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

const AddressRecord = z.record(z.string(), z.string());

// ───────────── session ─────────────

export const LoginAnswer = z.object({ secret: z.string().min(1) });
export type LoginAnswer = z.infer<typeof LoginAnswer>;

/** The store the server found damaged at start: where it was, where it was moved, why. */
export const StorageRecovery = z.object({
  path: z.string(),
  movedTo: z.string(),
  reason: z.string(),
});
export type StorageRecovery = z.infer<typeof StorageRecovery>;

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
export type SessionList = z.infer<typeof SessionList>;

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
export type DesignList = z.infer<typeof DesignList>;

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
export type VersionList = z.infer<typeof VersionList>;

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
export type LabList = z.infer<typeof LabList>;

/** POST /labs/:design/plan: what apply would run against the running lab. */
export const PlanAnswer = z.object({ ops: z.array(OpSchema) });
export type PlanAnswer = z.infer<typeof PlanAnswer>;

/** POST /labs/:design/apply: the engine's `ApplyResult`. */
export const ApplyAnswer = ApplyResultSchema;
export type ApplyAnswer = z.infer<typeof ApplyAnswer>;

/** POST /labs/…/destroy: the namespaces removed. */
export const DestroyAnswer = z.object({ removed: z.array(z.string()) });
export type DestroyAnswer = z.infer<typeof DestroyAnswer>;

// ───────────── tools ─────────────

/**
 * A ping's size: the ICMP payload in bytes, as `ping -s` takes it, sent with
 * don't-fragment set (so an MTU too small on the way fails it, and the
 * analyzer predicts that). The one definition: the server checks the bodies
 * of ping and Measure with it, the dashboard its size field.
 */
export const PingSize = z
  .number({ error: `a ping size is a whole number of bytes from 0 to ${MAX_PING_SIZE}` })
  .int({ error: `a ping size is a whole number of bytes from 0 to ${MAX_PING_SIZE}` })
  .min(0, { error: `a ping size is a whole number of bytes from 0 to ${MAX_PING_SIZE}` })
  .max(MAX_PING_SIZE, {
    error: `a ping size is at most ${MAX_PING_SIZE} bytes (one IPv4 packet's payload)`,
  });
export type PingSize = z.infer<typeof PingSize>;

/** POST /labs/:design/matrix (Measure): every pair, at the default size or at `size`. */
export const MeasureRequest = z.strictObject({ size: PingSize.optional() });
export type MeasureRequest = z.infer<typeof MeasureRequest>;

/** POST /labs/:design/ping: the analyzer's prediction with what the kernel said. */
export const PingAnswer = PingResultSchema;
export type PingAnswer = z.infer<typeof PingAnswer>;

export const TracerouteHop = z.object({
  ttl: z.number().int(),
  /** null: no answer within the wait (`*`). */
  address: z.string().nullable(),
  rttMs: z.number().nullable(),
  /** The lab element that owns the address, when the design knows it. */
  element: z.string().nullable(),
});
export type TracerouteHop = z.infer<typeof TracerouteHop>;

/** POST /labs/:design/traceroute. */
export const TracerouteAnswer = z.object({
  from: z.string(),
  to: z.string(),
  target: z.string(),
  output: z.string(),
  reached: z.boolean(),
  hops: z.array(TracerouteHop),
});
export type TracerouteAnswer = z.infer<typeof TracerouteAnswer>;

/** POST /labs/:design/captures: the capture's id; its lines come over the socket. */
export const CaptureStarted = z.object({ id: z.string() });
export type CaptureStarted = z.infer<typeof CaptureStarted>;
