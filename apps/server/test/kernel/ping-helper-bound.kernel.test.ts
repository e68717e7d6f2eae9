/**
 * The ping helper runs as root for whoever asks the server to check: whatever it is sent, it
 * stays a fixed size. At most 48 fpings run, at most 256 requests wait, and one beyond that is
 * refused at once, by id, saying so; every request gets exactly one answer. (It used to start a
 * thread for every request: 309 requests made 309 threads.)
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { exec } from '../../src/kernel/exec.js';
import { labName } from '../lab/helpers.js';
import { childrenOf } from './helpers.js';

const SCRIPT = fileURLToPath(new URL('../../src/kernel/ping-helper.py', import.meta.url));
const RUNNING = 48;
const WAITING = 256;
const netns = `nc-${labName('pingq')}.a`;

beforeAll(async () => {
  await exec(['ip', 'netns', 'add', netns]);
  // 10.9.9.2 is on the link but nobody answers its ARP: each fping waits its whole timeout.
  await exec(['ip', '-n', netns, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1']);
  await exec(['ip', '-n', netns, 'addr', 'add', '10.9.9.1/24', 'dev', 'v0']);
  await exec(['ip', '-n', netns, 'link', 'set', 'v0', 'up']);
  await exec(['ip', '-n', netns, 'link', 'set', 'v1', 'up']);
});
afterAll(async () => {
  await exec(['ip', 'netns', 'del', netns], { allowFailure: true });
});

function threadsOf(pid: number): number {
  const m = /^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0);
}

it('runs at most 48 fpings, queues 256, refuses the rest at once and answers each request once', async () => {
  const child = spawn('/usr/bin/python3', ['-I', SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
  const answers: Record<string, unknown>[] = [];
  const lines = createInterface({ input: child.stdout });
  const total = RUNNING + WAITING + 5;
  let maxThreads = 0;
  let maxFpings = 0;
  const sampler = setInterval(() => {
    try {
      maxThreads = Math.max(maxThreads, threadsOf(child.pid!));
      maxFpings = Math.max(maxFpings, childrenOf(child.pid!).length);
    } catch {
      // exited
    }
  }, 20);
  const allAnswered = new Promise<void>((done) => {
    lines.on('line', (l) => {
      answers.push(JSON.parse(l) as Record<string, unknown>);
      if (answers.length === total + 1) done();
    });
  });
  // The first 48 wait 4 s each, far longer than the helper takes to read every request even on
  // a loaded machine (at 1 s each a busy machine let the first finish before the last was read);
  // those queued behind them wait 50 ms each once they run.
  for (let id = 1; id <= total; id++) {
    const wait = id <= RUNNING ? '4000' : '50';
    child.stdin.write(
      `${JSON.stringify({ id, netns, args: ['-e', '-r', '0', '-t', wait, '--', '10.9.9.2'], timeoutMs: 10_000 })}\n`,
    );
  }
  await allAnswered;
  clearInterval(sampler);
  child.stdin.end();
  await new Promise((done) => child.on('close', done));

  expect(answers[0]).toEqual({ ready: true });
  const byId = new Map<unknown, Record<string, unknown>[]>();
  for (const a of answers.slice(1)) byId.set(a.id, [...(byId.get(a.id) ?? []), a]);
  expect(byId.size).toBe(total);
  expect([...byId.values()].every((list) => list.length === 1)).toBe(true);
  const busy = answers.filter((a) => typeof a.error === 'string' && a.error.startsWith('busy'));
  const ran = answers.filter((a) => a.ok === true);
  // The first 48 outlast the reading of the requests: the last 5 cannot find room.
  // Those that ran said the address is down.
  expect(busy.length).toBeGreaterThanOrEqual(5);
  expect(busy.length + ran.length).toBe(total);
  expect(ran.every((a) => String(a.stdout).includes('10.9.9.2 is unreachable'))).toBe(true);
  // All 48 ran at once (4 s of waiting each), never more.
  expect(maxFpings).toBe(RUNNING);
  // The pool, the main thread and nothing per request.
  expect(maxThreads).toBeLessThanOrEqual(RUNNING + 2);
});
