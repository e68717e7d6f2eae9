/**
 * Subnets: ranges the kernel gives another meaning, overlaps between
 * domains, and written routes whose gateway is on no attached subnet.
 */
import {
  formatSubnet,
  lastAddress,
  networkOf,
  parseIfAddress,
  parseIpv4,
  type Subnet,
  subnetContains,
} from '../net/ipv4.js';
import type { Design, DesignNode } from '../parse/schema.js';
import { endpointObject, isNamespacedKind } from '../parse/schema.js';
import type { Collector } from './collector.js';

export interface Net extends Subnet {
  /** The address as written (may have host bits). */
  addr: number;
}

/** `a.b.c.d/len` (or a bare address with a fallback length) → Net. */
export function parseNet(text: string, fallbackLen?: number): Net | undefined {
  const parsed = parseIfAddress(text);
  const len = parsed?.len ?? fallbackLen;
  if (!parsed || len === undefined) return undefined;
  return { addr: parsed.addr, len, base: networkOf(parsed.addr, len) };
}

/**
 * Ranges no lab subnet may touch: the kernel gives them meanings of their own,
 * so a lab built on them fails in the kernel or never answers.
 */
const SPECIAL_RANGES: { net: Net; what: string; why: string }[] = [
  {
    net: parseNet('0.0.0.0/8')!,
    what: '"this network" (0.0.0.0/8)',
    why: 'no interface may hold such an address',
  },
  {
    net: parseNet('127.0.0.0/8')!,
    what: 'loopback (127.0.0.0/8)',
    why: 'every namespace keeps those addresses for its own lo, and the kernel drops them on any other interface',
  },
  {
    net: parseNet('169.254.0.0/16')!,
    what: 'link-local (169.254.0.0/16)',
    why: 'routers never forward it, so nothing beyond its own segment could reach it',
  },
  {
    net: parseNet('224.0.0.0/4')!,
    what: 'multicast (224.0.0.0/4)',
    why: 'those are group addresses: no interface can hold one as its own',
  },
  {
    net: parseNet('240.0.0.0/4')!,
    what: 'reserved (240.0.0.0/4, "class E", with the broadcast address 255.255.255.255)',
    why: 'Linux will not route it',
  },
];

/** Why `net` cannot be a lab subnet, or undefined. */
export function specialProblem(net: Net): string | undefined {
  if (net.len === 0)
    return `${formatSubnet(net)} is every IPv4 address (the default route), not a subnet`;
  for (const r of SPECIAL_RANGES) {
    if (lastAddress(net) < r.net.base || net.base > lastAddress(r.net)) continue;
    const inside = net.len >= r.net.len;
    return `${formatSubnet(net)} ${inside ? 'is' : 'contains'} ${r.what}: ${r.why}`;
  }
  return undefined;
}

export const SUBNET_ADVICE =
  'use a private range such as 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16';

export function checkOverlaps(
  design: Design,
  nodes: Map<string, DesignNode>,
  hasP2p: boolean,
  out: Collector,
): void {
  interface Domain {
    element: string | null;
    label: string;
    net: Net;
    path: (string | number)[];
  }
  const domains: Domain[] = [];
  for (const [id, node] of nodes) {
    let subnet: string | undefined;
    if (node.kind === 'vlan' || node.kind === 'switch' || node.kind === 'vxlan')
      subnet = node.subnet;
    if (node.kind === 'host' && node.mode === 'routed') subnet = node.subnet;
    const net = subnet === undefined ? undefined : parseNet(subnet);
    if (net)
      domains.push({
        element: id,
        label: `${id} (${formatSubnet(net)})`,
        net,
        path: ['nodes', id, 'subnet'],
      });
  }
  if (hasP2p) {
    const net = parseNet(design.addressing.p2p);
    if (net) {
      domains.push({
        element: null,
        label: `the p2p pool (${formatSubnet(net)})`,
        net,
        path: ['addressing', 'p2p'],
      });
    }
  }
  // Sweep in address order: a domain can only overlap the ones that start before it ends.
  domains.sort(
    (x, y) =>
      x.net.base - y.net.base ||
      x.net.len - y.net.len ||
      (x.element ?? '').localeCompare(y.element ?? ''),
  );
  const open: Domain[] = [];
  for (const d of domains) {
    for (let i = open.length - 1; i >= 0; i--)
      if (lastAddress(open[i]!.net) < d.net.base) open.splice(i, 1);
    for (const o of open) {
      const elements = [o.element, d.element].filter((e): e is string => e !== null).sort();
      out.add(
        'error',
        'subnet-overlap',
        `${o.label} and ${d.label} overlap; each VLAN, switch, tunnel and routed host needs its own subnet`,
        elements,
        d.path,
      );
    }
    open.push(d);
  }
}

export function checkRoutes(design: Design, nodes: Map<string, DesignNode>, out: Collector): void {
  const attached = new Map<string, Net[]>();
  const attach = (router: string, net: Net | undefined) => {
    if (!net) return;
    attached.set(router, [...(attached.get(router) ?? []), net]);
  };
  design.links.forEach((link) => {
    const [a, b] = link.endpoints.map(endpointObject) as [
      ReturnType<typeof endpointObject>,
      ReturnType<typeof endpointObject>,
    ];
    for (const [me, other] of [
      [a, b],
      [b, a],
    ] as const) {
      if (nodes.get(me.node)?.kind !== 'router') continue;
      const o = nodes.get(other.node);
      if (!o) continue;
      if (
        o.kind === 'vlan' ||
        o.kind === 'vxlan' ||
        (o.kind === 'switch' && o.subnet !== undefined)
      ) {
        attach(me.node, parseNet(o.subnet!));
      } else if (isNamespacedKind(o.kind)) {
        attach(me.node, parseNet(design.addressing.p2p));
      }
      for (const ep of [me, other]) if (ep.ip?.includes('/')) attach(me.node, parseNet(ep.ip));
    }
  });
  for (const [id, node] of nodes) {
    if (node.kind !== 'router') continue;
    node.routes.forEach((r, i) => {
      const via = parseIpv4(r.via);
      if (via === null) return;
      const nets = attached.get(id) ?? [];
      if (!nets.some((n) => subnetContains(n, via))) {
        out.add(
          'warning',
          'route-via-unreachable',
          `${id}'s route to ${r.to} goes via ${r.via}, which is in none of ${id}'s attached subnets${nets.length ? ` (${nets.map(formatSubnet).join(', ')})` : ''}, so the route is left out: a gateway must be on a subnet ${id} is attached to`,
          [id],
          ['nodes', id, 'routes', i, 'via'],
        );
      }
    });
  }
}
