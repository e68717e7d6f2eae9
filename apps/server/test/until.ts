/**
 * Waiting in tests: for a state to hold, polled (`until`), never a sleep of
 * a guessed length. Where something emits an event, tests await the event
 * instead; where the kernel offers neither, the test says so beside its wait.
 */

/** Resolves once `cond()` holds, checked every 10 ms; rejects naming `what` after `ms`. */
export async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** `until` for a condition that must be read asynchronously (a file, a process, the kernel). */
export async function untilAsync(
  cond: () => Promise<boolean>,
  what: string,
  ms = 5000,
): Promise<void> {
  const end = performance.now() + ms;
  while (!(await cond())) {
    if (performance.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
