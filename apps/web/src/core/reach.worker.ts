import { ReachAnswerer, type ReachRequest } from './reach';

/**
 * The Connectivity panel's analysis, off the page's thread. Requests that
 * arrive while one is being answered are not answered one by one: only the
 * newest is (a newer edit makes the others' answers stale before they are
 * made), from every design they carried.
 */
/** The worker's global scope, as much of it as is used (the page's DOM types are in scope). */
const scope = self as unknown as {
  postMessage(answer: unknown): void;
  addEventListener(type: 'message', fn: (e: MessageEvent<ReachRequest>) => void): void;
};
const answerer = new ReachAnswerer();
let latest: ReachRequest | undefined;
let scheduled = false;

function flush() {
  scheduled = false;
  const req = latest;
  latest = undefined;
  if (req) scope.postMessage(answerer.answer(req));
}

scope.addEventListener('message', (e) => {
  answerer.receive(e.data);
  latest = e.data;
  // After the messages already queued (they arrived during the last answer).
  if (!scheduled) {
    scheduled = true;
    setTimeout(flush, 0);
  }
});
