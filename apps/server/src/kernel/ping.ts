/**
 * One ping from inside a lab namespace, bounded in time: a packet every
 * 200 ms until the first reply or the deadline, so a slow first ARP does not
 * read as "unreachable" and a dead pair costs at most `deadlineS`.
 */
import { MAX_PING_SIZE } from '@netcanvas/shared';
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
