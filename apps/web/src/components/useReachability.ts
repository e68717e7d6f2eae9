import type { Diagnostic, Reachability, Topology } from '@netcanvas/shared';
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { reachOf } from '../core/reach';
import { ReachClient } from '../core/reach-client';

export interface ReachState {
  /** The design shown is being analysed: what is kept is for an older one and is not shown. */
  pending: boolean;
  /** The matrix of the design shown (undefined while pending or when it failed). */
  value?: Reachability;
  /**
   * While pending: the last answer, for the design before the edit. Drawn dimmed and inert
   * so the table keeps its place and scroll; never presented as this design's answer.
   */
  stale?: Reachability;
  /** The endpoints whose pairs `value` has paths for (undefined: all). */
  rows?: string[];
  error?: Diagnostic;
}

/**
 * The whole-design reachability of `topology` at `size`, analysed off the
 * page's thread (core/reach-client.ts), with the paths of the pairs among
 * `rows` (undefined: all) and of `extra` (`from>to`). While an analysis runs
 * for the design shown, `pending`: the last answer is for another design.
 */
export function useReachability(
  topology: Topology | undefined,
  size: number | undefined,
  rows: string[] | undefined,
  extra: readonly string[],
): ReachState {
  const [client] = useState(() => new ReachClient());
  useEffect(() => () => client.close(), [client]);
  const snap = useSyncExternalStore(client.subscribe, client.getSnapshot);
  const rowsKey = rows?.join(' ');
  const extraKey = extra.join(' ');
  // biome-ignore lint/correctness/useExhaustiveDependencies: the keys stand for rows and extra, whose identities change every render
  useEffect(() => {
    if (topology) client.request(topology, size, rows, extra);
  }, [client, topology, size, rowsKey, extraKey]);
  const answer = snap.answer;
  const current = answer !== undefined && snap.topology === topology && snap.size === size;
  const value = useMemo(() => (answer?.value ? reachOf(answer.value) : undefined), [answer]);
  if (!current || !answer)
    return {
      pending: true,
      ...(value ? { stale: value } : {}),
      ...(value && answer?.value?.rows ? { rows: answer.value.rows } : {}),
    };
  return {
    pending: false,
    ...(value ? { value } : {}),
    ...(answer.value?.rows ? { rows: answer.value.rows } : {}),
    ...(answer.error ? { error: answer.error } : {}),
  };
}
