/**
 * The address record: the addresses the server decided for a version of a
 * design, kept beside it (docs/architecture.md, "Address record"). Keyed by
 * element and interface (`r1/vlan10`, `c3/eth0`), never by lab name, so a
 * lab name chosen or changed later does not lose it; converted to and from
 * resolve's hints (`nc-<lab>.r1/vlan10`) only at that boundary.
 */

import type { EditOp } from './edit/ops.js';
import { renamesIn } from './edit/rename.js';
import type { AddressHints, Topology } from './model.js';
import { netnsName } from './net/names.js';
import type { Design } from './parse/schema.js';
import { diagnose } from './pipeline.js';

/** `<element>/<ifname>` (`-/<ifname>` in the lab's fabric namespace) → `a.b.c.d/len`. */
export type AddressRecord = Record<string, string>;

/** What changed between two records: sent with each edit instead of the whole record. */
export interface AddressDelta {
  set: Record<string, string>;
  drop: string[];
}

const FABRIC = '-';

/** The record key of interface `dev` in namespace `netns` of lab `lab`, or null when not the lab's. */
export function addressKey(lab: string, netns: string, dev: string): string | null {
  const fabric = netnsName(lab, null);
  if (netns === fabric) return `${FABRIC}/${dev}`;
  if (!netns.startsWith(`${fabric}.`)) return null;
  return `${netns.slice(fabric.length + 1)}/${dev}`;
}

/** Hints as resolve wants them (keyed `<netns>/<dev>`) → a record. */
export function recordFromHints(hints: AddressHints, lab: string): AddressRecord {
  const record: AddressRecord = {};
  for (const [key, address] of Object.entries(hints)) {
    const slash = key.indexOf('/');
    if (slash < 0 || typeof address !== 'string') continue;
    const k = addressKey(lab, key.slice(0, slash), key.slice(slash + 1));
    if (k !== null) record[k] = address;
  }
  return record;
}

/** A record → hints for `resolve(design)` of lab `lab`. */
export function recordHints(record: AddressRecord, lab: string): AddressHints {
  const hints: AddressHints = {};
  for (const [key, address] of Object.entries(record)) {
    const slash = key.indexOf('/');
    if (slash < 0 || typeof address !== 'string') continue;
    const element = key.slice(0, slash);
    hints[`${netnsName(lab, element === FABRIC ? null : element)}/${key.slice(slash + 1)}`] =
      address;
  }
  return hints;
}

/** Every address a topology gave, as a record. */
export function addressRecord(topology: Pick<Topology, 'lab' | 'interfaces'>): AddressRecord {
  const record: AddressRecord = {};
  for (const iface of topology.interfaces) {
    if (iface.address === null) continue;
    const k = addressKey(topology.lab, iface.netns, iface.name);
    if (k !== null) record[k] = iface.address;
  }
  return record;
}

/**
 * A record after elements were renamed: `web/eth0` keeps what `c3/eth0`
 * had, and `r1/c3` (r1's interface named after c3) becomes `r1/web`.
 */
export function renameInRecord(
  record: AddressRecord,
  renames: Readonly<Record<string, string>>,
): AddressRecord {
  if (Object.keys(renames).length === 0) return record;
  const out: AddressRecord = {};
  for (const [key, address] of Object.entries(record)) {
    const slash = key.indexOf('/');
    const element = key.slice(0, slash);
    const dev = key.slice(slash + 1);
    const e = Object.hasOwn(renames, element) ? renames[element]! : element;
    const d = Object.hasOwn(renames, dev) ? renames[dev]! : dev;
    out[`${e}/${d}`] = address;
  }
  return out;
}

/**
 * The addresses of a new version: resolved with the previous version's
 * record as hints (renamed elements keep theirs), so nothing already
 * addressed is renumbered. A draft that does not resolve yet keeps the
 * previous record, so an unfinished edit loses nobody's address.
 */
export function decideAddresses(
  design: Design,
  previous: AddressRecord | null,
  applied: readonly EditOp[] = [],
): AddressRecord {
  // A drag, a label, the description: nothing that addresses depend on (and the common edits).
  if (previous && applied.length > 0 && applied.every(addressNeutral)) return previous;
  const before = renameInRecord(previous ?? {}, renamesIn(applied));
  const { topology } = diagnose(design, recordHints(before, design.name));
  return topology ? addressRecord(topology) : before;
}

/** An edit no address depends on; the lab name is not one either (the record does not name it). */
function addressNeutral(op: EditOp): boolean {
  return (
    op.op === 'layout.set' ||
    (op.op === 'node.set' && op.field === 'label') ||
    (op.op === 'doc.set' && op.field !== 'addressing')
  );
}

export function recordDelta(before: AddressRecord, after: AddressRecord): AddressDelta {
  const set: Record<string, string> = {};
  const drop: string[] = [];
  for (const [k, v] of Object.entries(after)) if (before[k] !== v) set[k] = v;
  for (const k of Object.keys(before)) if (!Object.hasOwn(after, k)) drop.push(k);
  return { set, drop };
}

export function applyRecordDelta(record: AddressRecord, delta: AddressDelta): AddressRecord {
  const out: AddressRecord = { ...record };
  for (const k of delta.drop) delete out[k];
  for (const [k, v] of Object.entries(delta.set)) out[k] = v;
  return out;
}
