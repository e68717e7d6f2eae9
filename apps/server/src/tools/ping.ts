/**
 * One ping from inside a lab namespace, bounded in time: a packet every
 * 200 ms until the first reply or the deadline, so a slow first ARP does not
 * read as "unreachable" and a dead pair costs at most `deadlineS`.
 */
import { exec } from '../kernel/exec.js';
import { assertNetnsName } from '../kernel/names.js';

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export interface PingOutcome {
  ok: boolean;
  rttMs?: number;
  output: string;
}

export async function pingFrom(
  netns: string,
  address: string,
  deadlineS = 2,
): Promise<PingOutcome> {
  assertNetnsName(netns);
  if (!IPV4.test(address)) throw new Error(`not an IPv4 address: ${JSON.stringify(address)}`);
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
