/**
 * The all-pairs matrix in a form that scales: whether each pair answers, for
 * every pair, in one typed array, and the full result of a pair (paths,
 * reason, blame) made when it is asked for. The answers are the ones
 * analyze() gives; only the paths of pairs nobody looks at are not built.
 */
import type { PairResult, Topology } from '../model.js';
import { checkPingSize, MatrixRun } from './analyze.js';

export interface Reachability {
  /** Endpoint element ids (as in Matrix), sorted. */
  endpoints: string[];
  /** The address pinged for each endpoint. */
  targets: Record<string, string>;
  /** reach[i × n + j] is 1 when endpoints[i] gets an answer from endpoints[j] (0 on the diagonal). */
  reach: Uint8Array;
  /** analyze()'s results[i][j] for this pair, made on first use and kept. */
  pair(i: number, j: number): PairResult | null;
  /** The ICMP payload the pings carry when not the default 56 bytes. */
  size?: number;
}

/** Reachability of every pair of endpoints (or of `endpoints` only), paths on demand. Pure. */
export function reachability(
  topology: Topology,
  opts?: { endpoints?: string[]; size?: number },
): Reachability {
  const size = opts?.size;
  checkPingSize(size);
  const run = new MatrixRun(topology, opts?.endpoints);
  const n = run.names.length;
  const reach = run.reachAll(size);
  const made = new Map<number, PairResult | null>();
  return {
    endpoints: run.names,
    targets: run.targets,
    reach,
    pair(i, j) {
      if (!(Number.isInteger(i) && Number.isInteger(j) && i >= 0 && j >= 0 && i < n && j < n))
        throw new RangeError(`no pair (${i}, ${j}) in a matrix of ${n} endpoints`);
      const key = i * n + j;
      let r = made.get(key);
      if (r === undefined) {
        r = run.cell(i, j, size);
        made.set(key, r);
      }
      return r;
    },
    ...(size !== undefined ? { size } : {}),
  };
}
