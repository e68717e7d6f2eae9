import type { Topology } from '@netcanvas/shared';
import { topologyText } from './analysis';
import { type ReachAnswer, ReachAnswerer, type ReachRequest } from './reach';

/** Where requests go: a Web Worker, or the page itself. */
export interface ReachTransport {
  post(req: ReachRequest): void;
  close(): void;
}

/** Opens a transport; `failed` when it can answer no more (the worker's script did not load). */
export type OpenReach = (answer: (a: ReachAnswer) => void, failed: () => void) => ReachTransport;

/** The answerer in the page (no Worker: jsdom under vitest): answers at once. */
export const openInPage: OpenReach = (answer) => {
  const answerer = new ReachAnswerer();
  let open = true;
  return {
    post(req) {
      answerer.receive(req);
      if (open) answer(answerer.answer(req));
    },
    close() {
      open = false;
    },
  };
};

/** The answerer in a Web Worker (`reach.worker.ts`), where there is one; else in the page. */
export const openDefault: OpenReach = (answer, failed) => {
  if (typeof Worker !== 'function') return openInPage(answer, failed);
  const worker = new Worker(new URL('./reach.worker.ts', import.meta.url), { type: 'module' });
  worker.addEventListener('message', (e: MessageEvent<ReachAnswer>) => answer(e.data));
  worker.addEventListener('error', (e) => {
    e.preventDefault();
    failed();
  });
  return {
    post: (req) => worker.postMessage(req),
    close: () => worker.terminate(),
  };
};

/** The newest answer for the newest design asked about, and that design. */
export interface ReachSnapshot {
  answer?: ReachAnswer;
  /** The topology and size `answer` is for (compare with the ones shown: else it is stale). */
  topology?: Topology;
  size?: number;
}

/**
 * The page's side of the conversation (see reach.ts): sends what changed,
 * and keeps only the newest answer for the newest design. An answer for a
 * design that has been edited since, or older than the one kept, is dropped:
 * the last request wins, whatever order answers come back in.
 */
export class ReachClient {
  private transport: ReachTransport | undefined;
  private rev = 0;
  private designId = 0;
  /** What was last sent, to send only what changed. */
  private sent:
    | { topology: Topology; size: number | undefined; rows: string; extra: string }
    | undefined;
  private last: ReachRequest | undefined;
  /** The topology `last` carries, as the page has it. */
  private lastTopology: Topology | undefined;
  private kept = 0;
  private snap: ReachSnapshot = {};
  private listeners = new Set<() => void>();

  constructor(private readonly open: OpenReach = openDefault) {}

  /** Asks for `topology`'s matrix at `size`, with the paths of `rows`' pairs and of `extra`. */
  request(
    topology: Topology,
    size: number | undefined,
    rows: string[] | undefined,
    extra: readonly string[],
  ): void {
    const rowsKey = rows ? rows.join(' ') : '*';
    const extraKey = extra.join(' ');
    const s = this.sent;
    const newDesign = !s || s.topology !== topology || s.size !== size;
    if (!newDesign && s.rows === rowsKey && s.extra === extraKey) return;
    if (newDesign) this.designId++;
    this.sent = { topology, size, rows: rowsKey, extra: extraKey };
    const req: ReachRequest = {
      rev: ++this.rev,
      designId: this.designId,
      ...(rows ? { rows } : {}),
      extra: [...extra],
    };
    this.last = {
      ...req,
      design: { topology: topologyText(topology), ...(size !== undefined ? { size } : {}) },
    };
    this.lastTopology = topology;
    this.send(newDesign ? this.last : req);
  }

  private send(req: ReachRequest) {
    if (!this.transport)
      this.transport = this.open(
        (a) => this.accept(a),
        () => this.fallBack(),
      );
    this.transport.post(req);
  }

  /** The worker could not start: the page answers, from the request last made. */
  private fallBack() {
    this.transport?.close();
    this.transport = openInPage(
      (a) => this.accept(a),
      () => {},
    );
    if (this.last) this.transport.post({ ...this.last, rev: ++this.rev });
  }

  private accept(a: ReachAnswer) {
    // About a design edited since, or older than the answer kept: stale.
    if (a.designId !== this.designId || a.rev <= this.kept) return;
    this.kept = a.rev;
    const size = this.last?.design?.size;
    this.snap = {
      answer: a,
      ...(this.lastTopology ? { topology: this.lastTopology } : {}),
      ...(size !== undefined ? { size } : {}),
    };
    for (const fn of this.listeners) fn();
  }

  subscribe = (fn: () => void) => {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  };

  getSnapshot = (): ReachSnapshot => this.snap;

  /** Stops the worker; the next request starts another (and sends its design again). */
  close(): void {
    this.transport?.close();
    this.transport = undefined;
    this.sent = undefined;
  }
}
