/**
 * caps — what this machine's kernel and tools can do, probed for real.
 *
 *   const caps = await capabilities();   // cached per process
 *
 * Each device kind or feature is tried inside a throwaway namespace of our
 * own, `nc-caps<pid>` (lab `caps<pid>`), which is deleted afterwards: the
 * kernel's answer is the truth (a module may be missing, built in, or
 * refused), never a guess from /proc or the kernel version.
 */
import fs from 'node:fs';
import path from 'node:path';
import { exec } from './exec.js';
import { deleteNetns } from './netns.js';
import { BatchWorker } from './worker.js';

/** What this machine can do: device kinds and features the kernel accepts, and the tools found. */
export interface Capabilities {
  root: boolean;
  iproute2: string;
  kinds: Record<
    'veth' | 'bridge' | 'vxlan' | 'vlan8021q' | 'vlanFiltering' | 'netem' | 'tbf',
    boolean
  >;
  tools: Record<'ping' | 'traceroute' | 'tcpdump', string | null>;
}

type Kind = keyof Capabilities['kinds'];

/** One ip line per kind; every line stands alone (the probe namespace has pv0/pv1 from the first). */
const IP_PROBES: [Kind, string[]][] = [
  ['veth', ['link', 'add', 'name', 'pv0', 'type', 'veth', 'peer', 'name', 'pv1']],
  ['bridge', ['link', 'add', 'name', 'pbr', 'type', 'bridge']],
  ['vxlan', ['link', 'add', 'name', 'pvx', 'type', 'vxlan', 'id', '42', 'dstport', '4789']],
  ['vlan8021q', ['link', 'add', 'name', 'pvl', 'link', 'pv0', 'type', 'vlan', 'id', '10']],
  ['vlanFiltering', ['link', 'add', 'name', 'pbf', 'type', 'bridge', 'vlan_filtering', '1']],
];

const TC_PROBES: [Kind, string[]][] = [
  ['netem', ['qdisc', 'add', 'dev', 'pv0', 'root', 'netem', 'delay', '1ms']],
  [
    'tbf',
    [
      'qdisc',
      'add',
      'dev',
      'pv1',
      'root',
      'tbf',
      'rate',
      '1mbit',
      'burst',
      '32kbit',
      'latency',
      '400ms',
    ],
  ],
];

export function findTool(name: string): string | null {
  const dirs = new Set([
    ...(process.env.PATH ?? '').split(':').filter(Boolean),
    '/usr/sbin',
    '/usr/bin',
    '/sbin',
    '/bin',
  ]);
  for (const dir of dirs) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not in this directory
    }
  }
  return null;
}

async function iproute2Version(): Promise<string> {
  const r = await exec(['ip', '-V'], { allowFailure: true });
  const m = /iproute2-([\w.]+)/.exec(r.stdout + r.stderr);
  return m?.[1] ?? 'unknown';
}

/** Probes without the cache (tests compare it with their own attempts). */
export async function probeCapabilities(): Promise<Capabilities> {
  const root = process.getuid?.() === 0;
  const tools = {
    ping: findTool('ping'),
    traceroute: findTool('traceroute'),
    tcpdump: findTool('tcpdump'),
  };
  const kinds: Capabilities['kinds'] = {
    veth: false,
    bridge: false,
    vxlan: false,
    vlan8021q: false,
    vlanFiltering: false,
    netem: false,
    tbf: false,
  };
  const iproute2 = await iproute2Version();
  if (!root) return { root, iproute2, kinds, tools };

  const netns = `nc-caps${process.pid}`;
  await deleteNetns([netns]); // a probe of an earlier process with our pid that died half-way
  await exec(['ip', 'netns', 'add', netns]);
  const worker = new BatchWorker({ tool: 'ip', netns, flags: [] }, { idleMs: 0 });
  try {
    const outcomes = await worker.submit(IP_PROBES.map(([, args]) => args));
    IP_PROBES.forEach(([kind], i) => {
      kinds[kind] = outcomes[i]?.ok ?? false;
    });
    await worker.close();
    if (kinds.veth) {
      for (const [kind, args] of TC_PROBES) {
        const r = await exec(['tc', '-n', netns, ...args], { allowFailure: true }).catch(
          () => null,
        );
        kinds[kind] = r?.exitCode === 0;
      }
    }
  } finally {
    await worker.close();
    await deleteNetns([netns]);
  }
  return { root, iproute2, kinds, tools };
}

let cached: Promise<Capabilities> | null = null;

export function capabilities(): Promise<Capabilities> {
  cached ??= probeCapabilities().catch((e) => {
    cached = null; // a failed probe is retried by the next caller
    throw e;
  });
  return cached;
}
