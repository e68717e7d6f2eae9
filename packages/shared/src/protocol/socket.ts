/**
 * The WebSocket protocol between the dashboard and the server (`/ws`).
 * Both ends validate every message with these schemas: the server because
 * anything reaching a root process is hostile until checked, the browser
 * because a server of another version may speak differently.
 *
 * Flow: the client says `hello`, then `subscribe`s to a lab (live link
 * state, rates, apply progress, matrix results, capture lines) or to a
 * design (edits by other clients). Each subscription starts with a
 * `snapshot` carrying the topic's sequence number; `delta`s follow with
 * larger numbers. Deltas carry absolute values (a link's state, a rate), so
 * a gap in `seq` (a slow client whose updates were coalesced) loses nothing
 * that the next delta does not restate; a client that wants certainty
 * resubscribes and gets a fresh snapshot. A reconnect always starts with a
 * snapshot.
 *
 * Edits go the other way as `design-ops` batches (edit/ops.ts); the server
 * orders them, answers the editor with `design-saved` and tells the other
 * subscribers with a `design` delta, both carrying the ops as applied and
 * the change of the address record (docs/architecture.md, "Edit operations").
 */
import { z } from 'zod';
import { EditOps } from '../edit/ops.js';
import { LAB_NAME_RE } from '../net/names.js';
import { LINK_ID_RE } from '../parse/schema.js';
import { ApplyProgressSchema, LabStatusSchema, PingResultSchema } from './results.js';

export const PROTOCOL_VERSION = 1;
/** Both ends refuse larger frames (the server closes with 1009). */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/** Server-generated design ids: lower-case letters and digits. */
export const DESIGN_ID_RE = /^[a-z0-9]{4,32}$/;
export const DesignId = z
  .string()
  .regex(DESIGN_ID_RE, 'design ids are 4–32 lower-case letters and digits');
export const LabName = z
  .string()
  .regex(LAB_NAME_RE, 'lab names are 1–24 characters: lower-case letters, digits and "-"');
/** Link ids as in the design (`a--b`, `a--b#2`, or the link's own id). */
export const LinkId = z
  .string()
  .regex(LINK_ID_RE, 'link ids are lower-case letters, digits, "-" and "#"');

/** `<element>/<ifname>` → address: the server's address record (address-record.ts). */
const AddressRecordSchema = z.record(z.string(), z.string());
const AddressDeltaSchema = z.strictObject({
  set: z.record(z.string(), z.string()),
  drop: z.array(z.string()),
});
export const EditNoticeSchema = z.strictObject({
  code: z.enum(['renamed', 'renumbered', 'gone', 'taken', 'invalid', 'overwrote']),
  element: z.string(),
  field: z.string().optional(),
  key: z.string().optional(),
  replaced: z.unknown().optional(),
  value: z.unknown().optional(),
  message: z.string(),
});
const Conflict = z.strictObject({
  /** The connection whose change was replaced. */
  editor: z.string(),
  element: z.string(),
  field: z.string(),
  message: z.string(),
});

export const Topic = z.union([
  z.strictObject({ lab: LabName }),
  z.strictObject({ design: DesignId }),
]);
export type Topic = z.infer<typeof Topic>;

/** The canonical text form of a topic: `lab:<name>` or `design:<id>`. */
export function topicKey(t: Topic): string {
  return 'lab' in t ? `lab:${t.lab}` : `design:${t.design}`;
}

// ───────────────────────────── client → server ─────────────────────────────

export const ClientHello = z.strictObject({
  type: z.literal('hello'),
  protocol: z.number().int().min(1).max(1000),
  client: z.string().max(64).optional(),
});
export const ClientSubscribe = z.strictObject({ type: z.literal('subscribe'), topic: Topic });
export const ClientUnsubscribe = z.strictObject({ type: z.literal('unsubscribe'), topic: Topic });
export const ClientPing = z.strictObject({
  type: z.literal('ping'),
  t: z.number().finite().optional(),
});
/**
 * A client's edits of a design, in order (docs/architecture.md, "Edit
 * operations"). The server applies them to its current version, whatever
 * `baseVersion` is (it is the version the client last saw, for the record),
 * acknowledges `ref` with the ops as applied, and broadcasts them. A `ref`
 * the server already applied is acknowledged again, not applied twice.
 */
export const ClientDesignOps = z.strictObject({
  type: z.literal('design-ops'),
  design: DesignId,
  baseVersion: z.number().int().min(0),
  ops: EditOps,
  /** Unique per edit batch of a client (a tab's session id and a counter). */
  ref: z.string().min(1).max(64),
});

export const ClientMessage = z.discriminatedUnion('type', [
  ClientHello,
  ClientSubscribe,
  ClientUnsubscribe,
  ClientPing,
  ClientDesignOps,
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

// ───────────────────────────── server → client ─────────────────────────────

/** One end of a link as the kernel reports it. */
export const LinkEnd = z.strictObject({
  netns: z.string(),
  dev: z.string(),
  /** Administrative state (IFF_UP). */
  up: z.boolean(),
  /** Operational state: UP, DOWN, LOWERLAYERDOWN, UNKNOWN, … */
  operstate: z.string(),
});
export const LinkLive = z.strictObject({
  /** `up` when every end is administratively and operationally up; `unknown` before the first observation. */
  state: z.enum(['up', 'down', 'unknown']),
  ends: z.array(LinkEnd),
});
export type LinkLive = z.infer<typeof LinkLive>;

export const LinkCounters = z.strictObject({
  rxBytes: z.number(),
  txBytes: z.number(),
  rxPackets: z.number(),
  txPackets: z.number(),
});
export type LinkCounters = z.infer<typeof LinkCounters>;

/** Per second, seen from the link's first end: `*Bps` in bits per second, `*Pps` in packets per second. */
export const LinkRate = z.strictObject({
  rxBps: z.number(),
  txBps: z.number(),
  rxPps: z.number(),
  txPps: z.number(),
});
export type LinkRate = z.infer<typeof LinkRate>;

export const ServerWelcome = z.strictObject({
  type: z.literal('welcome'),
  protocol: z.number().int(),
  /** Seconds between the server's heartbeats; a client that hears nothing for twice this reconnects. */
  heartbeatSeconds: z.number(),
  /** This connection's id: edits it made carry it as `by`, notices for it as `editor`. */
  connection: z.string().optional(),
});

/**
 * A lab's Measure while it runs: one per lab, shared by every tab that follows the lab (a
 * second tab's Measure joins it, a reloaded tab gets it back with the pairs measured so far).
 */
export const MeasureRunSchema = z.strictObject({
  /** Pairs to measure. */
  total: z.number().int().min(0),
  /** The ping size it measures at; absent: the default. */
  size: z.number().int().min(0).optional(),
});
export type MeasureRun = z.infer<typeof MeasureRunSchema>;

export const ServerSnapshot = z.strictObject({
  type: z.literal('snapshot'),
  topic: Topic,
  seq: z.number().int().min(0),
  /** Lab topics: live state. */
  lab: z
    .strictObject({
      status: LabStatusSchema.nullable(),
      links: z.record(z.string(), LinkLive),
      counters: z.record(z.string(), LinkCounters),
      rates: z.record(z.string(), LinkRate),
      /** An apply in progress, if any. */
      apply: ApplyProgressSchema.nullable(),
      /** A Measure in progress, if any, with the pairs it measured so far. */
      measure: MeasureRunSchema.extend({ results: z.array(PingResultSchema) })
        .nullable()
        .optional(),
    })
    .optional(),
  /** Design topics: the current version, its address record and the refs of its latest edits. */
  design: z
    .strictObject({
      id: DesignId,
      name: z.string(),
      version: z.number().int(),
      doc: z.unknown(),
      addresses: AddressRecordSchema,
      /** Refs of the latest stored edit batches: a client knows whether its unanswered one is in. */
      refs: z.array(z.string()),
    })
    .optional(),
});

export const DeltaEvent = z.discriminatedUnion('kind', [
  /** Changed links only, each with its full current state. */
  z.strictObject({ kind: z.literal('links'), links: z.record(z.string(), LinkLive) }),
  /** At most once a second while someone watches, when a counter moved, a rate was not zero or a link came or went: every link's rate and counters. */
  z.strictObject({
    kind: z.literal('rates'),
    rates: z.record(z.string(), LinkRate),
    counters: z.record(z.string(), LinkCounters),
  }),
  z.strictObject({ kind: z.literal('status'), status: LabStatusSchema }),
  z.strictObject({ kind: z.literal('apply'), progress: ApplyProgressSchema }),
  /** A Measure began (its results follow as `matrix`), or ended (finished or cancelled). */
  z.strictObject({ kind: z.literal('measure'), running: MeasureRunSchema.nullable() }),
  z.strictObject({ kind: z.literal('matrix'), result: PingResultSchema }),
  z.strictObject({
    kind: z.literal('capture'),
    capture: z.string(),
    lines: z.array(z.string()),
    /** Set on the last message of a capture. */
    done: z.strictObject({ packets: z.number().int(), reason: z.string() }).optional(),
  }),
  /** Another client (or the REST API, or a link cut) stored a new version: its ops, as applied. */
  z.strictObject({
    kind: z.literal('design'),
    id: DesignId,
    version: z.number().int(),
    ops: EditOps,
    /** Connection id of the editor; null for REST. */
    by: z.string().nullable(),
    /** The editor's ref for the batch. */
    ref: z.string().optional(),
    /** New elements the server gave another id (asked → given). */
    renames: z.record(z.string(), z.string()).optional(),
    /** How the address record changed with this version. */
    addresses: AddressDeltaSchema,
    /** Editors whose change this version replaced, each with a sentence for them. */
    conflicts: z.array(Conflict).optional(),
  }),
  z.strictObject({ kind: z.literal('design-deleted'), id: DesignId }),
]);
export type DeltaEvent = z.infer<typeof DeltaEvent>;

export const ServerDelta = z.strictObject({
  type: z.literal('delta'),
  topic: Topic,
  seq: z.number().int().min(1),
  event: DeltaEvent,
});

export const ServerPong = z.strictObject({ type: z.literal('pong'), t: z.number().optional() });

/**
 * The answer to a `design-ops`: the version that holds the edit, the ops
 * as applied (renames, automatic values picked again, ops dropped because
 * their element is gone), what the editor should be told, and how the
 * address record changed. `duplicate`: the ref was applied before, in
 * `version`; nothing else is repeated.
 */
export const ServerDesignSaved = z.strictObject({
  type: z.literal('design-saved'),
  design: DesignId,
  version: z.number().int(),
  ref: z.string().optional(),
  ops: EditOps.optional(),
  renames: z.record(z.string(), z.string()).optional(),
  notices: z.array(EditNoticeSchema).optional(),
  addresses: AddressDeltaSchema.optional(),
  duplicate: z.literal(true).optional(),
});

export const ServerError = z.strictObject({
  type: z.literal('error'),
  /** Stable code: bad-message, rate-limited, not-found, invalid-design, … */
  code: z.string(),
  message: z.string(),
  ref: z.string().optional(),
  diagnostics: z.array(z.unknown()).optional(),
});

export const ServerMessage = z.discriminatedUnion('type', [
  ServerWelcome,
  ServerSnapshot,
  ServerDelta,
  ServerPong,
  ServerDesignSaved,
  ServerError,
]);
export type ServerMessage = z.infer<typeof ServerMessage>;
export type ServerSnapshot = z.infer<typeof ServerSnapshot>;
export type ServerDelta = z.infer<typeof ServerDelta>;

/** Parses one text frame; never throws. */
export function parseClientMessage(text: string): { message?: ClientMessage; error?: string } {
  return parseWith(ClientMessage, text);
}
export function parseServerMessage(text: string): { message?: ServerMessage; error?: string } {
  return parseWith(ServerMessage, text);
}

function parseWith<T>(schema: z.ZodType<T>, text: string): { message?: T; error?: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { error: 'not JSON' };
  }
  const r = schema.safeParse(raw);
  if (r.success) return { message: r.data };
  const issue = r.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return { error: `${issue?.message ?? 'invalid message'}${where}` };
}
