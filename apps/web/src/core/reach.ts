import type { Diagnostic, PairResult, Reachability, TopologyText } from '@netcanvas/shared';
import { reachability, TopologyReader } from '@netcanvas/shared';
import { attempt } from './safe';

/**
 * The whole-design reachability of the Connectivity panel, as a conversation:
 * the page asks (a design, which cells it draws), the answerer answers. The
 * answerer runs in a Web Worker (`reach.worker.ts`), or in the page itself
 * where there is no Worker (`reach-client.ts`); it is the same code in both.
 *
 * Every request has a revision (`rev`, increasing); a request carries its
 * design (`design`) only when the design or the ping size changed, with a
 * number of its own (`designId`), so a new filter or selection asks the
 * cells of the design already analysed without sending it again.
 */
export interface ReachRequest {
  rev: number;
  /** The design this request is about. */
  designId: number;
  /**
   * The design itself, when it is new (absent: the one last sent with `designId`): its
   * topology as the JSON of each list (core/analysis.ts `topologyText`), and the ping size.
   */
  design?: { topology: TopologyText; size?: number };
  /** The endpoints whose pairs come back with their paths (the cells drawn); undefined: all. */
  rows?: string[];
  /** More pairs whose paths come back (`from>to`, e.g. the student's marks). */
  extra: string[];
}

/** What crosses back: plain data (Reachability's `pair` is a function, so the pairs asked for). */
export interface ReachMatrix {
  endpoints: string[];
  targets: Record<string, string>;
  reach: Uint8Array;
  size?: number;
  how: { incremental: boolean; decided: number };
  /** The endpoints whose pairs are in `cells` (the request's `rows`); undefined: all. */
  rows?: string[];
  /** The pairs asked for, by `from>to`; null on the diagonal. */
  cells: Record<string, PairResult | null>;
}

export interface ReachAnswer {
  rev: number;
  designId: number;
  value?: ReachMatrix;
  error?: Diagnostic;
}

const key = (from: string, to: string) => `${from}>${to}`;

/**
 * Answers requests, keeping the last result (`previous`) so an edit's matrix
 * is decided again only where the edit can change it.
 */
export class ReachAnswerer {
  private design: { id: number; text: TopologyText; size?: number } | undefined;
  private done: { id: number; value?: Reachability; error?: Diagnostic } | undefined;
  private previous: Reachability | undefined;
  /** Each list whose text is the one read last is that topology's list (shared share.ts). */
  private readonly reader = new TopologyReader();

  /** Takes in a request's design (cheap: nothing is analysed until `answer`). */
  receive(req: ReachRequest): void {
    if (!req.design) return;
    const { topology, size } = req.design;
    this.design = { id: req.designId, text: topology, ...(size !== undefined ? { size } : {}) };
  }

  /** The answer to `req` (whose design was received with it or before). */
  answer(req: ReachRequest): ReachAnswer {
    const design = this.design;
    if (!design || design.id !== req.designId)
      return {
        rev: req.rev,
        designId: req.designId,
        error: {
          severity: 'warning',
          code: 'core-unavailable',
          message: `analyze could not run: design ${req.designId} was never sent`,
          elements: [],
        },
      };
    if (this.done?.id !== design.id) {
      const { text, size } = design;
      const r = attempt('analyze', () =>
        reachability(this.reader.read(text), {
          previous: this.previous,
          ...(size !== undefined ? { size } : {}),
        }),
      );
      if (r.value) this.previous = r.value;
      this.done = { id: design.id, ...r };
    }
    const { value: m, error } = this.done;
    if (!m) return { rev: req.rev, designId: design.id, ...(error ? { error } : {}) };
    const index = new Map(m.endpoints.map((e, i) => [e, i]));
    const rows = req.rows
      ? req.rows.flatMap((e) => (index.has(e) ? [index.get(e)!] : []))
      : m.endpoints.map((_, i) => i);
    const cells: Record<string, PairResult | null> = {};
    for (const i of rows)
      for (const j of rows) cells[key(m.endpoints[i]!, m.endpoints[j]!)] = m.pair(i, j);
    for (const k of req.extra) {
      const [from, to] = k.split('>');
      const i = index.get(from ?? '');
      const j = index.get(to ?? '');
      if (i !== undefined && j !== undefined) cells[k] = m.pair(i, j);
    }
    return {
      rev: req.rev,
      designId: design.id,
      value: {
        endpoints: m.endpoints,
        targets: m.targets,
        reach: m.reach,
        how: m.how,
        ...(m.size !== undefined ? { size: m.size } : {}),
        ...(req.rows ? { rows: rows.map((i) => m.endpoints[i]!) } : {}),
        cells,
      },
    };
  }
}

/**
 * The answer as the panel reads it: a Reachability whose `pair` knows the
 * pairs that were asked for (null for the others).
 */
export function reachOf(m: ReachMatrix): Reachability {
  return {
    endpoints: m.endpoints,
    targets: m.targets,
    reach: m.reach,
    how: m.how,
    ...(m.size !== undefined ? { size: m.size } : {}),
    pair(i, j) {
      const from = m.endpoints[i];
      const to = m.endpoints[j];
      if (from === undefined || to === undefined)
        throw new RangeError(`no pair (${i}, ${j}) in a matrix of ${m.endpoints.length} endpoints`);
      return m.cells[key(from, to)] ?? null;
    },
  };
}
