/**
 * Where every change of a stored design passes (DESIGN.md §7: edits are
 * operations the server orders): the socket's `design-ops`, a REST PUT or
 * restore, a link cut. Each batch is applied to the current version in
 * arrival order, stored with its address record, and broadcast as the ops
 * as applied, with the editor's connection id and, for an edit that
 * replaced somebody's newer change, a sentence for that somebody.
 */
import {
  type AddressHints,
  decideAddresses,
  type EditOp,
  recordFromHints,
  recordHints,
  replacedMessage,
} from '@netcanvas/shared';
import type { Logger } from 'pino';
import type { Engine } from '../lab/engine.js';
import type { HubClient, LiveHub } from '../live/hub.js';
import type { DesignRecord, EditOptions, EditOutcome, Store } from '../store/store.js';

export interface EditsDeps {
  store: Store;
  hub: LiveHub;
  engine: Engine;
  logger: Logger;
  /** After a batch changed the design (the lab registry keeps its name and title). */
  onChanged?: (rec: DesignRecord) => void;
}

/** What the editor of a batch is answered (`design-saved`, or the REST reply). */
export function answer(outcome: EditOutcome, ref: string) {
  return {
    version: outcome.record.version,
    ref,
    ...(outcome.duplicate
      ? { duplicate: true as const }
      : {
          ops: outcome.applied,
          renames: outcome.renames,
          notices: outcome.notices,
          addresses: outcome.addresses,
        }),
  };
}

export class DesignEdits {
  /** Rebuilds in flight, one per design. */
  private readonly rebuilding = new Map<string, Promise<void>>();

  constructor(private readonly deps: EditsDeps) {}

  /**
   * The current version's address record, rebuilt when it was lost (a
   * store from before records were kept): from the addresses the kernel
   * shows for the lab, the only time the kernel decides an address.
   */
  ensureAddresses(id: string): Promise<void> | undefined {
    const rec = this.deps.store.get(id);
    if (rec.addresses !== null) return undefined;
    let running = this.rebuilding.get(id);
    if (!running) {
      running = this.rebuild(rec).finally(() => this.rebuilding.delete(id));
      this.rebuilding.set(id, running);
    }
    return running;
  }

  private async rebuild(rec: DesignRecord): Promise<void> {
    let seen: AddressHints = {};
    try {
      seen = (await this.deps.engine.addresses?.(rec.lab)) ?? {};
    } catch (err) {
      this.deps.logger.warn(
        { design: rec.id, err: String(err) },
        'reading the lab’s addresses failed',
      );
    }
    const current = this.deps.store.get(rec.id);
    if (current.addresses !== null) return;
    const record = decideAddresses(current.doc, recordFromHints(seen, current.lab));
    this.deps.store.setAddresses(rec.id, current.version, record);
  }

  /**
   * The stored design and its address record as resolve's hints (for plan,
   * apply, status), keyed by the lab the design owns: the engine is given
   * `labDesignOf(rec)`, whatever name the document asks for.
   */
  async withAddresses(id: string): Promise<{ rec: DesignRecord; hints: AddressHints }> {
    await this.ensureAddresses(id);
    const rec = this.deps.store.get(id);
    return { rec, hints: recordHints(rec.addresses ?? {}, rec.lab) };
  }

  /** Applies a batch now (call `ensureAddresses` first) and tells the design's subscribers. */
  apply(
    id: string,
    ops: readonly EditOp[],
    options: EditOptions & { except?: HubClient } = {},
  ): EditOutcome {
    const outcome = this.deps.store.edit(id, ops, options);
    this.announce(id, outcome, options);
    return outcome;
  }

  /** A whole document from someone who started at `baseVersion`, as ops. */
  save(id: string, baseVersion: number, doc: unknown): EditOutcome {
    const outcome = this.deps.store.save(id, baseVersion, doc, { by: null });
    this.announce(id, outcome, {});
    return outcome;
  }

  restore(id: string, version: number, baseVersion?: number): EditOutcome {
    const outcome = this.deps.store.restore(id, version, baseVersion, { by: null });
    this.announce(id, outcome, {});
    return outcome;
  }

  private announce(
    id: string,
    outcome: EditOutcome,
    options: EditOptions & { except?: HubClient },
  ): void {
    if (outcome.duplicate || outcome.applied.length === 0) return;
    const { store, hub } = this.deps;
    const version = outcome.record.version;
    const conflicts = [];
    for (const n of outcome.notices) {
      if (n.code !== 'overwrote' || n.key === undefined) continue;
      const editor = store.lastEditor(id, n.key, version);
      if (!editor || editor === options.by) continue;
      conflicts.push({
        editor,
        element: n.element,
        field: n.field ?? '',
        message: replacedMessage(n),
      });
    }
    hub.publish(
      { design: id },
      {
        kind: 'design',
        id,
        version,
        ops: outcome.applied,
        by: options.by ?? null,
        ...(options.ref !== undefined ? { ref: options.ref } : {}),
        ...(Object.keys(outcome.renames).length > 0 ? { renames: outcome.renames } : {}),
        addresses: outcome.addresses,
        ...(conflicts.length > 0 ? { conflicts } : {}),
      },
      options.except,
    );
    this.deps.onChanged?.(outcome.record);
    void hub.labChanged(outcome.record.lab);
  }
}
