/**
 * The page's side of the off-thread analysis (core/reach-client.ts): whatever
 * order answers come back in, the one kept is the newest request's for the
 * newest design, and a new filter asks the cells without sending the design.
 */
import { analyze, type Design, generateDesign, type Topology } from '@netcanvas/shared';
import { describe, expect, it } from 'vitest';
import { runDiagnose } from '../src/core/analysis';
import { type ReachAnswer, ReachAnswerer, type ReachRequest, reachOf } from '../src/core/reach';
import { type OpenReach, openInPage, ReachClient } from '../src/core/reach-client';

/** A worker that answers only when told to, in any order (each answer made when it is released). */
function heldWorker() {
  const held: ReachRequest[] = [];
  const sent: ReachRequest[] = [];
  let deliver: (a: ReachAnswer) => void = () => {};
  const open: OpenReach = (answer) => {
    deliver = answer;
    return {
      post(req) {
        sent.push(req);
        held.push(req);
      },
      close() {},
    };
  };
  /** Answers the request of revision `rev` now, with the matrix of the design it is about. */
  const release = (rev: number) => {
    const req = held.find((r) => r.rev === rev)!;
    held.splice(held.indexOf(req), 1);
    const answerer = new ReachAnswerer();
    answerer.receive(sent.find((r) => r.designId === req.designId && r.design)!);
    deliver(answerer.answer(req));
  };
  return { open, release, sent };
}

const topologyOf = (d: Design): Topology => runDiagnose(d).topology!;

/** The reachable pairs by `from>to`, as analyze() says. */
function truth(t: Topology): string[] {
  return analyze(t)
    .results.flat()
    .filter((r) => r?.reachable)
    .map((r) => `${r!.from}>${r!.to}`)
    .sort();
}

function reachableOf(c: ReachClient): string[] {
  const m = reachOf(c.getSnapshot().answer!.value!);
  const out: string[] = [];
  m.endpoints.forEach((from, i) => {
    m.endpoints.forEach((to, j) => {
      if (m.reach[i * m.endpoints.length + j] === 1) out.push(`${from}>${to}`);
    });
  });
  return out.sort();
}

describe('the off-thread matrix: last request wins', () => {
  const design = generateDesign({ seed: 3, elements: 30, name: 'stale' });
  const before = topologyOf(design);
  const cut = structuredClone(design);
  for (const l of cut.links.slice(0, 4)) l.state = 'down';
  const after = topologyOf(cut);

  it('keeps the edited design’s answer when the older one comes back after it', () => {
    expect(truth(after)).not.toEqual(truth(before));
    const w = heldWorker();
    const client = new ReachClient(w.open);
    client.request(before, undefined, undefined, []);
    client.request(after, undefined, undefined, []);
    w.release(2);
    expect(client.getSnapshot().topology).toBe(after);
    expect(reachableOf(client)).toEqual(truth(after));
    // The slower answer, for the design before the edit, arrives last: it is dropped.
    w.release(1);
    expect(client.getSnapshot().topology).toBe(after);
    expect(client.getSnapshot().answer!.rev).toBe(2);
    expect(reachableOf(client)).toEqual(truth(after));
  });

  it('never takes an older design’s answer while the newer one is being analysed', () => {
    const w = heldWorker();
    const client = new ReachClient(w.open);
    client.request(before, undefined, undefined, []);
    w.release(1);
    client.request(after, undefined, undefined, []);
    // Still the answer for `before`, and it says so: the panel compares the topology.
    expect(client.getSnapshot().topology).toBe(before);
    w.release(2);
    expect(client.getSnapshot().topology).toBe(after);
    expect(reachableOf(client)).toEqual(truth(after));
  });

  it('asks for other cells without sending the design again; an older cells answer is dropped', () => {
    const w = heldWorker();
    const client = new ReachClient(w.open);
    const names = before.endpoints.map((e) => e.node).sort();
    client.request(before, undefined, names.slice(0, 2), []);
    client.request(before, undefined, names.slice(2, 4), []);
    client.request(before, undefined, names.slice(2, 4), []); // unchanged: nothing sent
    expect(w.sent.map((r) => r.design !== undefined)).toEqual([true, false]);
    w.release(2);
    w.release(1);
    const kept = client.getSnapshot().answer!.value!;
    expect(kept.rows).toEqual(names.slice(2, 4));
    expect(Object.keys(kept.cells).sort()).toEqual(
      [
        `${names[2]}>${names[2]}`,
        `${names[2]}>${names[3]}`,
        `${names[3]}>${names[2]}`,
        `${names[3]}>${names[3]}`,
      ].sort(),
    );
    // The paths that come back are analyze()'s.
    const full = analyze(before);
    const i = full.endpoints.indexOf(names[2]!);
    const j = full.endpoints.indexOf(names[3]!);
    expect(kept.cells[`${names[2]}>${names[3]}`]).toEqual(full.results[i]![j]);
  });

  it('decides an edit again only where it can change (the answerer keeps the last result)', () => {
    const client = new ReachClient(openInPage);
    client.request(before, undefined, undefined, []);
    expect(client.getSnapshot().answer!.value!.how.incremental).toBe(false);
    client.request(after, undefined, undefined, []);
    const how = client.getSnapshot().answer!.value!.how;
    expect(how.incremental).toBe(true);
    expect(reachableOf(client)).toEqual(truth(after));
  });

  it('answers in the page when the worker cannot start', () => {
    let failed: () => void = () => {};
    const open: OpenReach = (_answer, fail) => {
      failed = fail;
      return { post() {}, close() {} };
    };
    const client = new ReachClient(open);
    client.request(after, undefined, undefined, []);
    expect(client.getSnapshot().answer).toBeUndefined();
    failed();
    expect(client.getSnapshot().topology).toBe(after);
    expect(reachableOf(client)).toEqual(truth(after));
  });
});
