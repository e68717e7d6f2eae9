/**
 * Designs for tests, written in TypeScript and passed through the schema
 * (`Design.parse`) so every default applies exactly as for a YAML file.
 * Other test files import these; keep the names and shapes stable.
 */
import fc from 'fast-check';
import { API_VERSION, Design, type DesignInput } from '../../src/parse/schema.js';

type Nodes = DesignInput['nodes'];
type Links = NonNullable<DesignInput['links']>;

/** A parsed design from nodes and links; `extra` may set addressing, description, … */
export function makeDesign(
  name: string,
  nodes: Nodes,
  links: Links = [],
  extra: Partial<DesignInput> = {},
): Design {
  return Design.parse({ apiVersion: API_VERSION, name, nodes, links, ...extra });
}

/** Scenario 1: containers on two nodes in one VLAN and subnet talk directly. */
export function sameVlan(): Design {
  return makeDesign(
    'same-vlan',
    {
      vlan10: { kind: 'vlan', vid: 10, subnet: '10.0.10.0/24' },
      'node-a': { kind: 'host' },
      'node-b': { kind: 'host' },
      c1: { kind: 'namespace', host: 'node-a' },
      c2: { kind: 'namespace', host: 'node-b' },
    },
    [{ endpoints: ['node-a', 'vlan10'] }, { endpoints: ['node-b', 'vlan10'] }],
  );
}

/** Scenario 2: two VLANs behind one router (inter-VLAN routing). */
export function interVlan(): Design {
  return makeDesign(
    'inter-vlan',
    {
      vlan10: { kind: 'vlan', vid: 10, subnet: '10.0.10.0/24' },
      vlan20: { kind: 'vlan', vid: 20, subnet: '10.0.20.0/24' },
      r1: { kind: 'router' },
      'node-a': { kind: 'host' },
      'node-b': { kind: 'host' },
      c1: { kind: 'namespace', host: 'node-a' },
      c2: { kind: 'namespace', host: 'node-b' },
    },
    [
      { endpoints: ['node-a', 'vlan10'] },
      { endpoints: ['node-b', 'vlan20'] },
      { endpoints: ['r1', 'vlan10'] },
      { endpoints: ['r1', 'vlan20'] },
    ],
  );
}

/** Scenario 3: two VLANs behind two routers joined by a VXLAN tunnel over a public switch. */
export function vxlan(): Design {
  return makeDesign(
    'vxlan',
    {
      public: { kind: 'switch', subnet: '203.0.113.0/24' },
      vlan10: { kind: 'vlan', vid: 10, subnet: '10.0.10.0/24' },
      vlan20: { kind: 'vlan', vid: 20, subnet: '10.0.20.0/24' },
      r1: { kind: 'router' },
      r2: { kind: 'router' },
      tun: { kind: 'vxlan', vni: 42, underlay: 'public', subnet: '172.16.42.0/29' },
      'node-a': { kind: 'host' },
      'node-b': { kind: 'host' },
      c1: { kind: 'namespace', host: 'node-a' },
      c2: { kind: 'namespace', host: 'node-b' },
    },
    [
      { endpoints: ['node-a', 'vlan10'] },
      { endpoints: ['node-b', 'vlan20'] },
      { endpoints: ['r1', 'vlan10'] },
      { endpoints: ['r2', 'vlan20'] },
      { endpoints: ['r1', 'public'] },
      { endpoints: ['r2', 'public'] },
      { endpoints: ['r1', 'tun'] },
      { endpoints: ['r2', 'tun'] },
    ],
  );
}

export const scenarioDesigns = { 'same-vlan': sameVlan, 'inter-vlan': interVlan, vxlan } as const;

// ───────────── random designs (property tests) ─────────────

/** The shape a random design is drawn from; `buildRandomDesign` turns it into a valid-looking Design. */
export interface RandomDesignPlan {
  vlans: { prefix: 24 | 28 }[];
  switches: { subnet: boolean }[];
  routers: number;
  hosts: { routed: boolean }[];
  namespaces: { host: number | null }[];
  vxlans: { underlay: number }[];
  links: [number, number][];
  downLinks: number[];
  /** Links (by position) whose member end writes an explicit address in the vlan or tunnel it joins. */
  explicit: number[];
  /** [router, vxlan]: the router joins the tunnel and its underlay. */
  tunnels: [number, number][];
}

export const randomDesignPlan: fc.Arbitrary<RandomDesignPlan> = fc.record({
  vlans: fc.array(fc.record({ prefix: fc.constantFrom(24 as const, 28 as const) }), {
    maxLength: 3,
  }),
  switches: fc.array(fc.record({ subnet: fc.boolean() }), { maxLength: 2 }),
  routers: fc.integer({ min: 0, max: 4 }),
  hosts: fc.array(fc.record({ routed: fc.boolean() }), { maxLength: 3 }),
  namespaces: fc.array(fc.record({ host: fc.option(fc.nat(9), { nil: null }) }), { maxLength: 5 }),
  vxlans: fc.array(fc.record({ underlay: fc.nat(9) }), { maxLength: 2 }),
  links: fc.array(fc.tuple(fc.nat(99), fc.nat(99)), { maxLength: 14 }),
  downLinks: fc.array(fc.nat(20), { maxLength: 2 }),
  explicit: fc.array(fc.nat(8), { maxLength: 3 }),
  tunnels: fc.array(fc.tuple(fc.nat(9), fc.nat(9)), { maxLength: 4 }),
});

/**
 * Builds a design from a plan: only links the schema and validate accept
 * (segment–node, vxlan–node, node–node), at most one uplink per bridged
 * host, no link between a container and its own host, no explicit addresses.
 */
export function buildRandomDesign(plan: RandomDesignPlan, name = 'rand'): Design {
  const nodes: Record<string, Record<string, unknown>> = {};
  const segments: string[] = [];
  plan.vlans.forEach((v, i) => {
    nodes[`v${i}`] = { kind: 'vlan', vid: i + 1, subnet: `10.${i}.0.0/${v.prefix}` };
    segments.push(`v${i}`);
  });
  plan.switches.forEach((s, i) => {
    nodes[`s${i}`] = s.subnet
      ? { kind: 'switch', subnet: `192.168.${i}.0/24` }
      : { kind: 'switch' };
    segments.push(`s${i}`);
  });
  const routers = Array.from({ length: plan.routers }, (_, i) => `r${i}`);
  for (const r of routers) nodes[r] = { kind: 'router' };
  const hosts = plan.hosts.map((_, i) => `h${i}`);
  plan.hosts.forEach((h, i) => {
    nodes[`h${i}`] = h.routed
      ? { kind: 'host', mode: 'routed', subnet: `172.17.${i}.0/24` }
      : { kind: 'host' };
  });
  const namespaces = plan.namespaces.map((_, i) => `n${i}`);
  plan.namespaces.forEach((n, i) => {
    nodes[`n${i}`] =
      n.host !== null && hosts.length > 0
        ? { kind: 'namespace', host: hosts[n.host % hosts.length] }
        : { kind: 'namespace' };
  });
  const vxlans: string[] = [];
  if (segments.length > 0) {
    plan.vxlans.forEach((x, i) => {
      nodes[`x${i}`] = {
        kind: 'vxlan',
        vni: i + 100,
        underlay: segments[x.underlay % segments.length],
        subnet: `172.16.${i}.0/29`,
      };
      vxlans.push(`x${i}`);
    });
  }
  const members = [...routers, ...hosts, ...namespaces];
  const targets = [...segments, ...vxlans, ...members];
  const links: { endpoints: [string, string]; state?: 'down' }[] = [];
  const uplinked = new Set<string>();
  if (members.length > 0) {
    for (const [x, y] of plan.links) {
      const a = members[x % members.length]!;
      const b = targets[y % targets.length]!;
      if (a === b) continue;
      const nb = nodes[b]!;
      const na = nodes[a]!;
      if (na.kind === 'namespace' && na.host === b) continue;
      if (nb.kind === 'namespace' && nb.host === a) continue;
      const bridgedHost = na.kind === 'host' && na.mode !== 'routed';
      if (bridgedHost && segments.includes(b)) {
        if (uplinked.has(a)) continue;
        uplinked.add(a);
      }
      if (nb.kind === 'host' && nb.mode !== 'routed' && segments.includes(a)) continue;
      links.push({ endpoints: [a, b] });
    }
  }
  if (routers.length > 0 && vxlans.length > 0) {
    for (const [r, x] of plan.tunnels) {
      const router = routers[r % routers.length]!;
      const tunnel = vxlans[x % vxlans.length]!;
      const underlay = String(nodes[tunnel]!.underlay);
      if (!links.some((l) => l.endpoints[0] === router && l.endpoints[1] === underlay))
        links.push({ endpoints: [router, underlay] });
      if (!links.some((l) => l.endpoints[0] === router && l.endpoints[1] === tunnel))
        links.push({ endpoints: [router, tunnel] });
    }
  }
  for (const i of plan.downLinks) if (links[i]) links[i] = { ...links[i]!, state: 'down' };
  for (const i of plan.explicit) {
    const link = links[i];
    if (!link) continue;
    const [a, b] = link.endpoints as [string, string];
    if (typeof a !== 'string') continue;
    const target = nodes[b]!;
    // High host numbers, so explicit addresses meet automatic ones only in small subnets.
    let ip: string | undefined;
    if (target.kind === 'vlan')
      ip = `${String(target.subnet).split('.').slice(0, 3).join('.')}.${target.subnet?.toString().endsWith('/28') ? 14 - (i % 3) : 250 - i}`;
    else if (target.kind === 'vxlan')
      ip = `${String(target.subnet).split('.').slice(0, 3).join('.')}.${6 - (i % 2)}`;
    if (ip) links[i] = { ...link, endpoints: [{ node: a, ip } as never, b] };
  }
  return makeDesign(name, nodes as Nodes, links as Links);
}

/** A seeded random design, for tests that want one without fast-check. */
export function sampleRandomDesign(seed: number): Design {
  return buildRandomDesign(fc.sample(randomDesignPlan, { seed, numRuns: 1 })[0]!);
}

/**
 * A large design: `routers` routers in a ring of p2p links, each with its
 * own vlan; `hostsPerVlan` bridged hosts per vlan with `containersPerHost`
 * containers each.
 */
export function largeDesign(
  routers: number,
  hostsPerVlan: number,
  containersPerHost: number,
): Design {
  const nodes: Record<string, Record<string, unknown>> = {};
  const links: { endpoints: [string, string] }[] = [];
  for (let r = 0; r < routers; r++) {
    nodes[`r${r}`] = { kind: 'router' };
    nodes[`v${r}`] = {
      kind: 'vlan',
      vid: (r % 4094) + 1,
      subnet: `10.${Math.floor(r / 256)}.${r % 256}.0/24`,
    };
    links.push({ endpoints: [`r${r}`, `v${r}`] });
    if (routers > 1) links.push({ endpoints: [`r${r}`, `r${(r + 1) % routers}`] });
    for (let h = 0; h < hostsPerVlan; h++) {
      const host = `h${r}-${h}`;
      nodes[host] = { kind: 'host' };
      links.push({ endpoints: [host, `v${r}`] });
      for (let c = 0; c < containersPerHost; c++)
        nodes[`c${r}-${h}-${c}`] = { kind: 'namespace', host };
    }
  }
  return makeDesign('large', nodes as Nodes, links as Links);
}
