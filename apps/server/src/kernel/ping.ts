/**
 * One ping from inside a lab namespace, bounded in time: a packet every
 * 200 ms until the first reply or the deadline, so a slow first ARP does not
 * read as "unreachable" and a dead pair costs at most `deadlineS`.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_PING_SIZE } from '@netcanvas/shared';
import { findTool } from './caps.js';
import { exec, spawnChild } from './exec.js';
import { lineSplitter } from './lines.js';
import { assertNetnsName } from './names.js';
import { NETNS_DIR } from './netns.js';

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export interface PingOutcome {
  ok: boolean;
  rttMs?: number;
  output: string;
}

/**
 * `size`: the ICMP payload (`ping -s`), sent with don't-fragment (`-M do`), so
 * a packet of that size has to cross every hop whole, as the analyzer's
 * `analyze(topology, { size })` predicts it.
 */
export async function pingFrom(
  netns: string,
  address: string,
  deadlineS = 2,
  size?: number,
): Promise<PingOutcome> {
  assertNetnsName(netns);
  if (!IPV4.test(address)) throw new Error(`not an IPv4 address: ${JSON.stringify(address)}`);
  if (size !== undefined && !(Number.isInteger(size) && size >= 0 && size <= MAX_PING_SIZE))
    throw new Error(`a ping size is 0 to ${MAX_PING_SIZE} bytes, not ${JSON.stringify(size)}`);
  const sized = size === undefined ? [] : ['-s', String(size), '-M', 'do'];
  const r = await exec(
    [
      'ip',
      'netns',
      'exec',
      netns,
      'ping',
      '-n',
      '-q',
      '-c',
      '1',
      '-i',
      '0.2',
      '-w',
      String(deadlineS),
      ...sized,
      address,
    ],
    // ping's own -w bounds it; this is only a safety net for a machine so
    // loaded that starting the process takes seconds.
    { allowFailure: true, timeoutMs: (deadlineS + 20) * 1000, maxOutput: 64 * 1024 },
  );
  const output = (r.stdout + r.stderr).trim();
  const rtt = /= [\d.]+\/([\d.]+)\//.exec(r.stdout);
  return { ok: r.exitCode === 0, ...(rtt ? { rttMs: Number(rtt[1]) } : {}), output };
}

/** How hard pingMany tries each address before it calls it unreachable. */
export interface Probe {
  /** Echo requests after the first (0: a single probe). */
  retries: number;
  /** How long the first request waits for its answer; each retry waits 1.5× the last. */
  timeoutMs: number;
}

/** The smallest ICMP payload fping 5 refuses (`-b`: "must be lower than 65488"). */
const FPING_MAX_SIZE = 65488;

/** At most this many addresses in one fping: its argv and its run stay small. */
export const PING_MANY_MAX = 1024;

/**
 * Pings many addresses from one namespace with one process (fping), every
 * address at once, each bounded by `probe`; one outcome per address. A dead
 * address costs its probe, not a process of its own. Returns null when fping
 * is not installed or cannot send that size (the caller pings one by one).
 */
export async function pingMany(
  netns: string,
  addresses: string[],
  probe: Probe,
  size?: number,
): Promise<Map<string, PingOutcome> | null> {
  assertNetnsName(netns);
  if (addresses.length === 0) return new Map();
  if (addresses.length > PING_MANY_MAX)
    throw new Error(`at most ${PING_MANY_MAX} addresses in one fping, not ${addresses.length}`);
  for (const a of addresses)
    if (!IPV4.test(a)) throw new Error(`not an IPv4 address: ${JSON.stringify(a)}`);
  if (size !== undefined && !(Number.isInteger(size) && size >= 0 && size <= MAX_PING_SIZE))
    throw new Error(`a ping size is 0 to ${MAX_PING_SIZE} bytes, not ${JSON.stringify(size)}`);
  if (!(Number.isInteger(probe.retries) && probe.retries >= 0 && probe.retries <= 10))
    throw new Error(`retries are 0 to 10, not ${probe.retries}`);
  if (!(Number.isInteger(probe.timeoutMs) && probe.timeoutMs >= 50 && probe.timeoutMs <= 10_000))
    throw new Error(`a probe timeout is 50 to 10000 ms, not ${probe.timeoutMs}`);
  const fping = fpingPath();
  // fping 5 takes payloads below 65488 bytes; the few sizes above go one by one with ping.
  if (!fping || (size !== undefined && size >= FPING_MAX_SIZE)) return null;
  const sized = size === undefined ? [] : ['-b', String(size), '-M'];
  const args = [
    // One line per address: "A is alive (0.05 ms)" or "A is unreachable".
    '-e',
    '-r',
    String(probe.retries),
    '-t',
    String(probe.timeoutMs),
    '-B',
    '1.5',
    // 1 ms between the first requests to different addresses (root may go that low).
    '-i',
    '1',
    ...sized,
    '--',
    ...new Set(addresses),
  ];
  const timeoutMs = worstCaseMs(probe) + 20_000;
  // Through the ping helper when it runs (a cheap fork each); else one process from here.
  const r =
    (await pingHelper.run(netns, args, timeoutMs)) ??
    (await exec(['ip', 'netns', 'exec', netns, fping, ...args], {
      allowFailure: true,
      timeoutMs,
      maxOutput: 1024 * 1024,
    }));
  // A namespace deleted behind the lab's back (by hand, mid-check) answers for none of its
  // pairs: they are measured silent and reported as such, the rest of the check goes on.
  const gone = () => !existsSync(join(NETNS_DIR, netns));
  if ((r.exitCode > 2 || !r.stdout.trim()) && gone()) {
    const output = `${netns} is gone: the namespace was deleted outside netcanvas`;
    return new Map(addresses.map((a) => [a, { ok: false, output }]));
  }
  // 0: all answered, 1: some did not, 2: an address unknown; 3 and 4: fping itself failed.
  if (r.exitCode > 2)
    throw new Error(`fping in ${netns} failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
  const errors = new Map<string, string>();
  for (const line of r.stderr.split('\n')) {
    const m = /^(\S+): (.+)$/.exec(line.trim());
    if (m && !errors.has(m[1]!)) errors.set(m[1]!, m[2]!);
  }
  const out = new Map<string, PingOutcome>();
  for (const line of r.stdout.split('\n')) {
    const m = /^(\S+) is (alive|unreachable)(?: \(([\d.]+) ms\))?/.exec(line.trim());
    if (!m) continue;
    const [, address, state, rtt] = m;
    const ok = state === 'alive';
    out.set(address!, {
      ok,
      ...(ok && rtt ? { rttMs: Number(rtt) } : {}),
      output: [line.trim(), errors.get(address!)].filter(Boolean).join('\n'),
    });
  }
  for (const a of addresses)
    if (!out.has(a))
      throw new Error(`fping in ${netns} said nothing about ${a}: ${r.stderr.trim()}`);
  return out;
}

function worstCaseMs(probe: Probe): number {
  let total = 0;
  let wait = probe.timeoutMs;
  for (let k = 0; k <= probe.retries; k++) {
    total += wait;
    wait *= 1.5;
  }
  return Math.ceil(total);
}

let fpingFound: string | null | undefined;

/** fping's absolute path, looked up once (install.sh installs it; without it, pings go one by one). */
function fpingPath(): string | null {
  if (fpingFound === undefined) fpingFound = findTool('fping');
  return fpingFound;
}

// ───────────────────────────── the ping helper ─────────────────────────────

/** Debian's python3 by its absolute path (as the netlink helper). */
const PYTHON = '/usr/bin/python3';
/** ping-helper.py: beside this module from source, dist/ping-helper.py in the build. */
const PING_HELPER_SCRIPT =
  ['./ping-helper.py', '../ping-helper.py']
    .map((p) => fileURLToPath(new URL(p, import.meta.url)))
    .find((p) => existsSync(p)) ?? fileURLToPath(new URL('./ping-helper.py', import.meta.url));
/** The helper exits after this long without a request (a check's fpings come in one burst). */
const HELPER_IDLE_MS = 10_000;
const HELPER_START_MS = 10_000;
/** After a failed start the helper is not tried again for this long; fpings start from here. */
const HELPER_RETRY_MS = 60_000;
const HELPER_MAX_LINE = 4 * 1024 * 1024;

interface Ran {
  exitCode: number;
  stdout: string;
  stderr: string;
}

type Answer = {
  id?: number;
  ok?: boolean;
  code?: number;
  stdout?: string;
  stderr?: string;
  error?: string;
  ready?: boolean;
  fatal?: string;
};

/**
 * One small long-lived process (ping-helper.py) that starts the fpings of a check, each in its
 * namespace: Node forks the whole server for every process it starts (20-40 ms each on a loaded
 * VM, one after another in the event loop), python forks a few megabytes. At most 48 fpings at
 * once inside it; it exits 10 s after its last request. `run` answers null when the helper
 * cannot run (no python3, no nsenter): the caller starts fping itself.
 */
class PingHelper {
  private child: ChildProcess | null = null;
  private starting: Promise<ChildProcess | null> | null = null;
  private readonly pending = new Map<
    number,
    { resolve: (r: Ran | null) => void; reject: (e: Error) => void }
  >();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;
  private unavailableUntil = 0;

  async run(netns: string, args: string[], timeoutMs: number): Promise<Ran | null> {
    const child = await this.start();
    if (!child) return null;
    return new Promise<Ran | null>((resolve, reject) => {
      const id = this.nextId++;
      // The helper ends the fping at timeoutMs; this only guards against a helper that hangs.
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.settle();
        reject(
          new Error(
            `the ping helper did not answer about ${netns} within ${timeoutMs + 10_000} ms`,
          ),
        );
      }, timeoutMs + 10_000);
      this.pending.set(id, {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.settle();
      child.stdin!.write(`${JSON.stringify({ id, netns, args, timeoutMs })}\n`);
    });
  }

  private start(): Promise<ChildProcess | null> {
    if (this.child) return Promise.resolve(this.child);
    if (Date.now() < this.unavailableUntil) return Promise.resolve(null);
    this.starting ??= this.spawn()
      .catch(() => {
        this.unavailableUntil = Date.now() + HELPER_RETRY_MS;
        return null;
      })
      .finally(() => {
        this.starting = null;
      });
    return this.starting;
  }

  private async spawn(): Promise<ChildProcess> {
    if (!existsSync(PYTHON) || !existsSync(PING_HELPER_SCRIPT))
      throw new Error('the ping helper cannot run here');
    const child = await spawnChild([PYTHON, '-I', PING_HELPER_SCRIPT], ['pipe', 'pipe', 'ignore']);
    child.stdout!.setEncoding('utf8');
    child.stdin!.on('error', () => {}); // a helper that died: 'close' reports it
    let onReady: ((m: Answer) => void) | null = null;
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error('the ping helper did not start in time'));
        child.kill('SIGKILL');
      }, HELPER_START_MS);
      onReady = (m) => {
        clearTimeout(timer);
        if (m.ready === true) resolve();
        else reject(new Error(m.fatal ?? 'the ping helper did not start'));
      };
      child.once('close', () => {
        clearTimeout(timer);
        reject(new Error('the ping helper exited at start'));
      });
    });
    const lines = lineSplitter(
      HELPER_MAX_LINE,
      (line) => {
        let m: Answer;
        try {
          m = JSON.parse(line) as Answer;
        } catch {
          return;
        }
        if (onReady) {
          const ready = onReady;
          onReady = null;
          ready(m);
          return;
        }
        const p = m.id === undefined ? undefined : this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id!);
        if (m.ok)
          p.resolve({ exitCode: m.code ?? -1, stdout: m.stdout ?? '', stderr: m.stderr ?? '' });
        else p.reject(new Error(`ping helper: ${m.error ?? 'failed'}`));
        this.settle();
      },
      () => child.kill('SIGKILL'),
    );
    child.stdout!.on('data', (chunk: string) => lines.push(chunk));
    child.once('close', () => {
      if (this.child === child) this.child = null;
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        // Not answered: the caller runs that fping itself (fping bounds its own run).
        p.resolve(null);
      }
      this.clearIdle();
    });
    await ready;
    this.child = child;
    this.settle();
    return child;
  }

  /** Held while requests are pending; unref'd and closed after HELPER_IDLE_MS otherwise. */
  private settle(): void {
    const child = this.child;
    if (!child) return;
    const busy = this.pending.size > 0;
    for (const s of [child.stdin, child.stdout] as (Socket | null)[]) {
      if (busy) s?.ref?.();
      else s?.unref?.();
    }
    if (busy) child.ref();
    else child.unref();
    this.clearIdle();
    if (!busy) {
      this.idleTimer = setTimeout(() => {
        if (this.child === child && this.pending.size === 0) {
          this.child = null;
          child.stdin!.end(); // the helper exits at the end of its input
        }
      }, HELPER_IDLE_MS);
      this.idleTimer.unref();
    }
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}

const pingHelper = new PingHelper();
