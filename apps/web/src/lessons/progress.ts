import type { LessonCheck } from '@netcanvas/shared';
import { isFresh, type LiveState, labRunning, pairKey } from '../store/live';

/** What the live lab and the student have shown so far: all a step's check reads. */
export interface LessonFacts {
  live: Pick<
    LiveState,
    'connection' | 'lab' | 'links' | 'measured' | 'generation' | 'capture' | 'measuring'
  >;
  /** The matrix's endpoints (the analysis' topology). */
  endpoints: readonly string[];
  predictions: Readonly<Record<string, boolean>>;
  explained: Readonly<Record<string, true>>;
}

function everyPair(endpoints: readonly string[], has: (key: string) => boolean): boolean {
  if (endpoints.length < 2) return false;
  for (const a of endpoints)
    for (const b of endpoints) if (a !== b && !has(pairKey(a, b))) return false;
  return true;
}

/**
 * Whether the running lab shows a step done. Everything here comes from the
 * server (link states, real pings, capture lines) or from what the student
 * did in the page (marks, a cell opened); nothing from the design alone.
 */
export function checkDone(check: LessonCheck, f: LessonFacts): boolean {
  const running = labRunning(f.live as LiveState);
  if ('deployed' in check) return running && f.live.lab === 'running';
  if ('predicted' in check) return everyPair(f.endpoints, (k) => k in f.predictions);
  if ('measured' in check)
    return (
      running &&
      f.live.measuring === null &&
      everyPair(f.endpoints, (k) => isFresh(f.live.measured[k], f.live.generation))
    );
  if ('cut' in check) return running && f.live.links[check.cut]?.state === 'down';
  if ('restored' in check) return running && f.live.links[check.restored]?.state === 'up';
  if ('ping' in check) {
    const m = f.live.measured[pairKey(check.ping.from, check.ping.to)];
    return running && isFresh(m, f.live.generation) && m.reachable === check.ping.reaches;
  }
  if ('explained' in check) return pairKey(check.explained.from, check.explained.to) in f.explained;
  if ('capture' in check) {
    const c = f.live.capture;
    return (
      !!c &&
      c.target.startsWith(`${check.capture.on}/`) &&
      c.lines.some((l) => l.text.includes(check.capture.sees))
    );
  }
  return false;
}

/** The step's check in a few words, for the panel ("c1 → c2 fails", "r2--public is cut"). */
export function checkLabel(check: LessonCheck): string {
  if ('deployed' in check) return 'the lab runs';
  if ('predicted' in check) return 'every cell marked';
  if ('measured' in check) return 'every pair measured since the last change';
  if ('cut' in check) return `${check.cut} is cut`;
  if ('restored' in check) return `${check.restored} is up again`;
  if ('ping' in check)
    return `a ping ${check.ping.from} → ${check.ping.to} ${check.ping.reaches ? 'gets through' : 'fails'}`;
  if ('explained' in check)
    return `the ${check.explained.from} → ${check.explained.to} cell opened`;
  return `a capture on ${check.capture.on} shows ${check.capture.sees}`;
}
