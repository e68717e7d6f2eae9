/**
 * One ping from inside a lab namespace, bounded in time: a packet every
 * 200 ms until the first reply or the deadline, so a slow first ARP does not
 * read as "unreachable" and a dead pair costs at most `deadlineS`.
 */
import { MAX_PING_SIZE } from '@netcanvas/shared';
import { findTool } from './caps.js';
import { exec } from './exec.js';
import { assertNetnsName } from './names.js';

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
  const r = await exec(
    [
      'ip',
      'netns',
      'exec',
      netns,
      fping,
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
    ],
    { allowFailure: true, timeoutMs: worstCaseMs(probe) + 20_000, maxOutput: 1024 * 1024 },
  );
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
