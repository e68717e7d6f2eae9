/**
 * Edit operations: the element-level changes a client sends and the server
 * orders (DESIGN.md §7, docs/architecture.md "Edit operations"). A set
 * carries the value the editor saw before (`prev`), so the server can tell
 * a deliberate change from one made over somebody else's newer edit; a set
 * value of `null` removes an optional field. Ops that come back "as
 * applied" carry every `prev`, which is all `invert` needs.
 */
import { z } from 'zod';
import { PROTOTYPE_KEYS } from '../parse/parse.js';
import { DraftLink, DraftNode, ElementId, LINK_ID_RE, Position } from '../parse/schema.js';

/** Element ids in ops: the id pattern, and never a built-in JavaScript name (`constructor`). */
const Id = ElementId.refine((id) => !PROTOTYPE_KEYS.has(id), {
  message: 'a built-in JavaScript name cannot be an element id',
});
const LinkId = z.string().regex(LINK_ID_RE, 'link ids are lower-case letters, digits, "-" and "#"');

/** Every field a node of some kind may have, besides `kind`. */
export const NODE_FIELDS = [
  'mode',
  'subnet',
  'label',
  'host',
  'vid',
  'routing',
  'routes',
  'vni',
  'port',
  'underlay',
] as const;
export type NodeField = (typeof NODE_FIELDS)[number];
export const LINK_FIELDS = ['mtu', 'state'] as const;
export const ENDPOINT_FIELDS = ['ifname', 'ip', 'mac'] as const;
export const DOC_FIELDS = ['name', 'title', 'description', 'addressing'] as const;
export type DocField = (typeof DOC_FIELDS)[number];
/** Values a client chose by itself for a new element: the server may choose others on a clash. */
export const AUTO_FIELDS = ['vid', 'vni', 'subnet'] as const;
export type AutoField = (typeof AUTO_FIELDS)[number];

/** A JSON value; `null` means "not set". */
const Value = z.unknown();
const setFields = {
  value: Value,
  /** What the editor saw before its change (null: unset); absent when not known. */
  prev: Value.optional(),
  /** The editor overrode a change it was shown while typing: tell whoever made it. */
  force: z.literal(true).optional(),
};

export const EditOp = z.discriminatedUnion('op', [
  z.strictObject({
    op: z.literal('node.add'),
    id: Id,
    node: DraftNode,
    /** Canvas position. */
    at: Position.optional(),
    auto: z.array(z.enum(AUTO_FIELDS)).max(AUTO_FIELDS.length).optional(),
  }),
  z.strictObject({
    op: z.literal('node.remove'),
    id: Id,
    prev: DraftNode.optional(),
    at: Position.optional(),
  }),
  z.strictObject({
    op: z.literal('node.replace'),
    id: Id,
    node: DraftNode,
    prev: DraftNode.optional(),
  }),
  z.strictObject({ op: z.literal('node.set'), id: Id, field: z.enum(NODE_FIELDS), ...setFields }),
  z.strictObject({ op: z.literal('node.rename'), from: Id, to: Id }),
  z.strictObject({
    op: z.literal('link.add'),
    link: DraftLink,
    /** Where in `links` (appended when absent). */
    index: z.number().int().min(0).optional(),
    /** As applied: the id the link got. */
    id: LinkId.optional(),
  }),
  z.strictObject({
    op: z.literal('link.remove'),
    id: LinkId,
    index: z.number().int().min(0).optional(),
    prev: DraftLink.optional(),
  }),
  z.strictObject({
    op: z.literal('link.set'),
    id: LinkId,
    field: z.enum(LINK_FIELDS),
    ...setFields,
  }),
  z.strictObject({
    op: z.literal('endpoint.set'),
    id: LinkId,
    end: z.union([z.literal(0), z.literal(1)]),
    field: z.enum(ENDPOINT_FIELDS),
    ...setFields,
  }),
  z.strictObject({
    op: z.literal('layout.set'),
    id: Id,
    at: Position.nullable(),
    prev: Position.nullable().optional(),
  }),
  z.strictObject({ op: z.literal('doc.set'), field: z.enum(DOC_FIELDS), ...setFields }),
]);
export type EditOp = z.infer<typeof EditOp>;
export type EditOpKind = EditOp['op'];

/** The most ops one message may carry (a whole imported design is a few per element). */
export const MAX_EDIT_OPS = 100_000;
export const EditOps = z.array(EditOp).max(MAX_EDIT_OPS);

/**
 * What happened to an op that did not apply as written: `renamed` (its new
 * id was taken), `renumbered` (an automatic value was taken), `gone` (its
 * element was deleted), `taken` (a rename onto an existing id), `invalid`
 * (a field the element's kind does not have), `overwrote` (a set over a
 * newer value the editor had not seen, or forced over one it had).
 */
export interface EditNotice {
  code: 'renamed' | 'renumbered' | 'gone' | 'taken' | 'invalid' | 'overwrote';
  /** The element (node or link id) concerned, as it is called after the batch. */
  element: string;
  /** The field, for sets: `label`, `mtu`, `r1's ip`, … */
  field?: string;
  /** For `overwrote`: what was set, as `setKey` names it (to find who set it before). */
  key?: string;
  /** The value replaced, for `overwrote`. */
  replaced?: unknown;
  /** The value now stored, for `overwrote` and `renumbered`. */
  value?: unknown;
  message: string;
}
