/**
 * traceroute from one lab element to another, inside the source's
 * namespace: `ip netns exec NS traceroute -n -w 1 -q 1 -m 16 ADDR`.
 * Numeric only (no DNS from a lab), one probe per hop, at most 16 hops,
 * each waiting at most a second: bounded to ~16 s by construction and
 * by exec's timeout.
 */
import {
  type Design,
  ELEMENT_ID_RE,
  resolve,
  type TracerouteAnswer,
  type TracerouteHop as TracerouteHopAnswer,
} from '@netcanvas/shared';
import { exec } from '../kernel/exec.js';

/** What a traceroute answers: the REST answer's own type (core protocol/rest.ts). */
export type TracerouteHop = TracerouteHopAnswer;
export type TracerouteResult = TracerouteAnswer;

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export class ToolInputError extends Error {}

/** Source namespace and target address of a pair of elements, from the design alone. */
export function locatePair(
  design: Design,
  from: string,
  to: string,
): { netns: string; target: string; owner: Map<string, string> } {
  for (const [role, id] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (!ELEMENT_ID_RE.test(id) || !Object.hasOwn(design.nodes, id))
      throw new ToolInputError(`${role}: ${id} is not an element of ${design.name}`);
  }
  const { topology } = resolve(design);
  const netns = topology.netns.find((n) => n.node === from)?.name;
  if (!netns)
    throw new ToolInputError(
      `${from} has no namespace of its own (only hosts, containers and routers send packets)`,
    );
  const target = topology.endpoints.find((e) => e.node === to)?.address.split('/')[0];
  if (!target || !IPV4.test(target)) throw new ToolInputError(`${to} has no address to trace to`);
  const owner = new Map<string, string>();
  for (const i of topology.interfaces) if (i.address) owner.set(i.address.split('/')[0]!, i.node);
  return { netns, target, owner };
}

/** Parses `traceroute -n -q 1` output: ` 1  10.0.10.1  0.051 ms` or ` 2  *`. */
export function parseTraceroute(output: string, owner: Map<string, string>): TracerouteHop[] {
  const hops: TracerouteHop[] = [];
  for (const line of output.split('\n')) {
    const m = line.match(/^\s*(\d+)\s+(?:(\d{1,3}(?:\.\d{1,3}){3})\s+([\d.]+)\s*ms|\*)/);
    if (!m) continue;
    const address = m[2] ?? null;
    hops.push({
      ttl: Number(m[1]),
      address,
      rttMs: m[3] !== undefined ? Number(m[3]) : null,
      element: address ? (owner.get(address) ?? null) : null,
    });
  }
  return hops;
}

export async function traceroute(
  design: Design,
  from: string,
  to: string,
): Promise<TracerouteResult> {
  const { netns, target, owner } = locatePair(design, from, to);
  const r = await exec(
    ['ip', 'netns', 'exec', netns, 'traceroute', '-n', '-w', '1', '-q', '1', '-m', '16', target],
    {
      timeoutMs: 25_000,
      maxOutput: 64 * 1024,
      allowFailure: true,
    },
  );
  const hops = parseTraceroute(r.stdout, owner);
  return {
    from,
    to,
    target,
    hops,
    reached: hops.at(-1)?.address === target,
    output: r.stdout + r.stderr,
  };
}
