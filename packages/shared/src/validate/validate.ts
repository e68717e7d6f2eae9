/**
 * Meaning: what a structurally valid design may still get wrong. Allocation
 * problems (addresses, interface names, uplinks, VXLAN members) are found by
 * resolve while it allocates; this file checks what can be seen from the
 * document alone. Never throws.
 */
import type { AddressHints, Diagnostic, Severity, Topology } from '../model.js';
import {
  formatIpv4,
  formatSubnet,
  lastAddress,
  networkOf,
  parseIfAddress,
  parseIpv4,
  type Subnet,
  subnetContains,
} from '../net/ipv4.js';
import { RESERVED_NAMES } from '../net/names.js';
import { linkEnds, linkIds, linkLabel, parseDesign, withLinkEnds } from '../parse/parse.js';
import type { Design, DesignNode, NodeKind } from '../parse/schema.js';
import { endpointObject, isNamespacedKind, isSegmentKind } from '../parse/schema.js';
import { resolve } from '../resolve/resolve.js';
import { linkRule } from '../rules/link-rule.js';

// ───────────────────────────── IPv4 ─────────────────────────────

interface Net extends Subnet {
  /** The address as written (may have host bits). */
  addr: number;
}

/** `a.b.c.d/len` (or a bare address with a fallback length) → Net. */
function parseNet(text: string, fallbackLen?: number): Net | undefined {
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
function specialProblem(net: Net): string | undefined {
  if (net.len === 0)
    return `${formatSubnet(net)} is every IPv4 address (the default route), not a subnet`;
  for (const r of SPECIAL_RANGES) {
    if (lastAddress(net) < r.net.base || net.base > lastAddress(r.net)) continue;
    const inside = net.len >= r.net.len;
    return `${formatSubnet(net)} ${inside ? 'is' : 'contains'} ${r.what}: ${r.why}`;
  }
  return undefined;
}

const SUBNET_ADVICE = 'use a private range such as 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16';

// ───────────────────────────── helpers ─────────────────────────────

function reservedReason(name: string): string {
  if (name === 'lo') return 'every namespace already has the loopback device lo';
  if (name === 'br0') return "br0 is the name of every host's container bridge";
  return `iproute2 reads "${name}" as a keyword`;
}

class Collector {
  readonly list: Diagnostic[] = [];
  add(
    severity: Severity,
    code: string,
    message: string,
    elements: string[],
    path?: (string | number)[],
  ): void {
    const d: Diagnostic = { severity, code, message, elements };
    if (path) d.path = path;
    this.list.push(d);
  }
}

// ───────────────────────────── validate ─────────────────────────────

/** Design-level semantic checks (ids, kinds, duplicates, overlaps, names). Never throws. */
export function validate(design: Design): Diagnostic[] {
  const out = new Collector();
  // A Map, not `design.nodes[id]`: ids like "constructor" must not resolve to Object.prototype members.
  const nodes = new Map<string, DesignNode>(Object.entries(design.nodes));
  const ids = linkIds(design);
  const kindOf = (id: string): NodeKind | undefined => nodes.get(id)?.kind;

  checkNames(nodes, out);
  checkNodes(design, nodes, out);
  checkDuplicateNumbers(nodes, out);
  const hasP2p = checkLinks(design, nodes, ids, kindOf, out);
  checkOverlaps(design, nodes, hasP2p, out);
  checkRoutes(design, nodes, out);

  for (const id of Object.keys(design.layout ?? {})) {
    if (!nodes.has(id)) {
      out.add(
        'warning',
        'layout-dangling',
        `the layout has a position for ${id}, which is not in nodes; it is ignored`,
        [id],
        ['layout', id],
      );
    }
  }
  return sortDiagnostics(withLinkEnds(out.list, design));
}

function checkNames(nodes: Map<string, DesignNode>, out: Collector): void {
  for (const id of nodes.keys()) {
    if (RESERVED_NAMES.has(id)) {
      out.add(
        'error',
        'reserved-name',
        `"${id}" cannot be an element id: ${reservedReason(id)}, and ids become interface names; rename it`,
        [id],
        ['nodes', id],
      );
    }
  }
}

function checkNodes(design: Design, nodes: Map<string, DesignNode>, out: Collector): void {
  const hostBits = (id: string, field: string, cidr: string, path: (string | number)[]) => {
    const n = parseNet(cidr);
    if (n && n.addr !== n.base) {
      out.add(
        'error',
        'host-bits',
        `${id}: ${field} ${cidr} has host bits set; did you mean ${formatSubnet(n)}?`,
        id === 'addressing' ? [] : [id],
        path,
      );
    }
  };
  hostBits('addressing', 'p2p pool', design.addressing.p2p, ['addressing', 'p2p']);
  /** A subnet the kernel gives another meaning: an error on its element. */
  const special = (id: string, field: string, cidr: string, path: (string | number)[]) => {
    const n = parseNet(cidr);
    const problem = n && specialProblem(n);
    if (!problem) return;
    out.add(
      'error',
      'subnet-reserved',
      `${id === 'addressing' ? 'the p2p pool' : `${id}'s ${field}`} ${problem}; ${SUBNET_ADVICE}`,
      id === 'addressing' ? [] : [id],
      path,
    );
  };
  special('addressing', 'p2p pool', design.addressing.p2p, ['addressing', 'p2p']);

  for (const [id, node] of nodes) {
    const at = ['nodes', id];
    switch (node.kind) {
      case 'namespace':
        if (node.host !== undefined) {
          const host = nodes.get(node.host);
          if (!host) {
            out.add(
              'error',
              'dangling-id',
              `${id} runs on host ${node.host}, which is not in nodes`,
              [id],
              [...at, 'host'],
            );
          } else if (host.kind !== 'host') {
            out.add(
              'error',
              'host-not-host',
              `${id} runs on ${node.host}, but ${node.host} is a ${host.kind}; a container's host must be a host`,
              [id, node.host],
              [...at, 'host'],
            );
          }
        }
        break;
      case 'vxlan': {
        const under = nodes.get(node.underlay);
        if (!under) {
          out.add(
            'error',
            'dangling-id',
            `${id} uses underlay ${node.underlay}, which is not in nodes`,
            [id],
            [...at, 'underlay'],
          );
        } else if (!isSegmentKind(under.kind)) {
          out.add(
            'error',
            'underlay-kind',
            `${id} uses ${node.underlay} as underlay, but it is a ${under.kind}; the underlay must be a vlan or switch that carries the tunnel`,
            [id, node.underlay],
            [...at, 'underlay'],
          );
        }
        hostBits(id, 'subnet', node.subnet, [...at, 'subnet']);
        special(id, 'subnet', node.subnet, [...at, 'subnet']);
        break;
      }
      case 'vlan':
        hostBits(id, 'subnet', node.subnet, [...at, 'subnet']);
        special(id, 'subnet', node.subnet, [...at, 'subnet']);
        break;
      case 'switch':
        if (node.subnet !== undefined) {
          hostBits(id, 'subnet', node.subnet, [...at, 'subnet']);
          special(id, 'subnet', node.subnet, [...at, 'subnet']);
        }
        break;
      case 'host':
        if (node.mode === 'routed' && node.subnet === undefined) {
          out.add(
            'error',
            'routed-host-no-subnet',
            `${id} is in routed mode but has no subnet; give it a container subnet such as 172.17.1.0/24`,
            [id],
            [...at, 'subnet'],
          );
        }
        if (node.mode === 'bridged' && node.subnet !== undefined) {
          out.add(
            'warning',
            'bridged-host-subnet',
            `${id} is in bridged mode, so its subnet ${node.subnet} is ignored (its containers use the uplink's subnet); set mode: routed to use it`,
            [id],
            [...at, 'subnet'],
          );
        }
        if (node.subnet !== undefined) {
          hostBits(id, 'subnet', node.subnet, [...at, 'subnet']);
          if (node.mode === 'routed')
            special(id, 'container subnet', node.subnet, [...at, 'subnet']);
        }
        break;
      case 'router':
        if (node.routing === 'static' && node.routes.length === 0) {
          out.add(
            'info',
            'static-no-routes',
            `${id} has routing: static and no routes, so it only reaches the subnets it is attached to`,
            [id],
            [...at, 'routing'],
          );
        }
        node.routes.forEach((r, i) => {
          if (r.to !== 'default') hostBits(id, 'route to', r.to, [...at, 'routes', i, 'to']);
        });
        break;
    }
  }
}

function checkDuplicateNumbers(nodes: Map<string, DesignNode>, out: Collector): void {
  const byVid = new Map<number, string[]>();
  const byVni = new Map<number, string[]>();
  for (const [id, node] of nodes) {
    if (node.kind === 'vlan') byVid.set(node.vid, [...(byVid.get(node.vid) ?? []), id]);
    if (node.kind === 'vxlan') byVni.set(node.vni, [...(byVni.get(node.vni) ?? []), id]);
  }
  for (const [vid, owners] of byVid) {
    if (owners.length < 2) continue;
    const sorted = [...owners].sort();
    out.add(
      'error',
      'duplicate-vid',
      `${sorted.join(' and ')} both use VLAN id ${vid}; each VLAN needs its own id`,
      sorted,
      ['nodes', sorted[1]!, 'vid'],
    );
  }
  for (const [vni, owners] of byVni) {
    if (owners.length < 2) continue;
    const sorted = [...owners].sort();
    out.add(
      'error',
      'duplicate-vni',
      `${sorted.join(' and ')} both use VNI ${vni}; each VXLAN needs its own VNI`,
      sorted,
      ['nodes', sorted[1]!, 'vni'],
    );
  }
}

/** Returns whether the design has a point-to-point link (so the p2p pool is in use). */
function checkLinks(
  design: Design,
  nodes: Map<string, DesignNode>,
  ids: string[],
  kindOf: (id: string) => NodeKind | undefined,
  out: Collector,
): boolean {
  let hasP2p = false;
  const explicitIds = new Map<string, number>();
  const macs = new Map<string, number>();
  const endIds = linkEnds(design);
  const labels = ids.map((id, i) => linkLabel(id, endIds[i]!));

  design.links.forEach((link, i) => {
    const id = ids[i]!;
    /** "link r1--vlan10", "link uplink (r1–vlan10)": a message always names the link's ends. */
    const label = labels[i]!;
    const at: (string | number)[] = ['links', i];
    if (link.id !== undefined) {
      if (explicitIds.has(link.id)) {
        out.add(
          'error',
          'link-id-duplicate',
          `two links have the id ${link.id} (${endIds[explicitIds.get(link.id)!]!.join('–')} and ${endIds[i]!.join('–')}); link ids must be unique`,
          [link.id],
          [...at, 'id'],
        );
      }
      explicitIds.set(link.id, i);
    }
    const ends = link.endpoints.map(endpointObject) as [
      ReturnType<typeof endpointObject>,
      ReturnType<typeof endpointObject>,
    ];
    ends.forEach((ep, e) => {
      if (!nodes.has(ep.node)) {
        out.add(
          'error',
          'dangling-id',
          `${label}: its end ${ep.node} is not in nodes; add ${ep.node} or remove the link`,
          [id],
          [...at, 'endpoints', e],
        );
      }
    });

    ends.forEach((ep, e) => {
      const epPath = [...at, 'endpoints', e];
      const owner = ep.node;
      if (ep.ifname !== undefined && RESERVED_NAMES.has(ep.ifname)) {
        out.add(
          'error',
          'reserved-name',
          `${owner}'s interface on ${label} cannot be named "${ep.ifname}": ${reservedReason(ep.ifname)}`,
          [id, owner],
          [...epPath, 'ifname'],
        );
      }
      const node = nodes.get(owner);
      if (ep.ifname === 'eth0' && node?.kind === 'namespace' && node.host !== undefined) {
        out.add(
          'error',
          'reserved-name',
          `${owner}'s interface on ${label} cannot be named "eth0": eth0 is ${owner}'s attachment to its host ${node.host}`,
          [id, owner],
          [...epPath, 'ifname'],
        );
      }
      if (node && isSegmentKind(node.kind) && (ep.ip !== undefined || ep.ifname !== undefined)) {
        out.add(
          'warning',
          'ignored-endpoint-field',
          `${label}: the ${ep.ip !== undefined ? 'ip' : 'ifname'} on ${owner}'s side is ignored; a ${node.kind} is a bridge port and has no address of its own — put it on the other end`,
          [id, owner],
          [...epPath, ep.ip !== undefined ? 'ip' : 'ifname'],
        );
      }
      if (ep.mac !== undefined) {
        const first = Number.parseInt(ep.mac.slice(0, 2), 16);
        if (first % 2 === 1) {
          out.add(
            'error',
            'mac-multicast',
            `${owner}'s MAC ${ep.mac} on ${label} is a multicast address (the first byte is odd); the kernel refuses it, use e.g. 02:…`,
            [id, owner],
            [...epPath, 'mac'],
          );
        } else if (ep.mac === '00:00:00:00:00:00') {
          out.add(
            'error',
            'mac-zero',
            `${owner}'s MAC on ${label} is all zeros; the kernel refuses it`,
            [id, owner],
            [...epPath, 'mac'],
          );
        }
        const prev = macs.get(ep.mac);
        if (prev !== undefined) {
          out.add(
            'error',
            'mac-duplicate',
            `MAC ${ep.mac} is used twice (${labels[prev]} and ${label})`,
            [...new Set([ids[prev]!, id])],
            [...epPath, 'mac'],
          );
        } else {
          macs.set(ep.mac, i);
        }
      }
    });

    const [a, b] = ends;
    const rule = linkRule(
      { id: a.node, node: nodes.get(a.node) },
      { id: b.node, node: nodes.get(b.node) },
    );
    // A missing end was reported above, once per end.
    if (!rule.ok) {
      if (rule.code !== 'dangling-id')
        out.add('error', rule.code, `${label} ${rule.reason}`, [id, a.node, b.node], at);
      return;
    }
    if (rule.kind === 'p2p') hasP2p = true;

    // An explicit address must be usable: not the network or broadcast address of its subnet.
    ends.forEach((ep, e) => {
      if (ep.ip === undefined) return;
      const other = e === 0 ? b.node : a.node;
      const otherNode = nodes.get(other);
      const domainSubnet =
        otherNode &&
        (otherNode.kind === 'vlan' || otherNode.kind === 'switch' || otherNode.kind === 'vxlan')
          ? otherNode.subnet
          : undefined;
      const fallback = domainSubnet ? parseNet(domainSubnet)?.len : undefined;
      // The address itself, and on a point-to-point link the subnet it makes (a segment's subnet
      // is checked on the segment; an ip on the segment's side is ignored, as said above).
      const alone = parseNet(ep.ip, 32);
      const ownNet = ep.ip.includes('/') && !domainSubnet ? parseNet(ep.ip) : undefined;
      const reserved =
        (alone && specialProblem({ addr: alone.addr, base: alone.addr, len: 32 })) ??
        (ownNet && specialProblem(ownNet));
      if (reserved && !isSegmentKind(kindOf(ep.node)!)) {
        out.add(
          'error',
          'subnet-reserved',
          `${ep.node}'s address ${ep.ip} on ${label}: ${reserved}; ${SUBNET_ADVICE}`,
          [id, ep.node],
          [...at, 'endpoints', e, 'ip'],
        );
        return;
      }
      const net = parseNet(ep.ip, fallback);
      if (!net || net.len >= 31) return;
      const which =
        net.addr === net.base ? 'network' : net.addr === lastAddress(net) ? 'broadcast' : undefined;
      if (which) {
        out.add(
          'error',
          which === 'network' ? 'address-network' : 'address-broadcast',
          `${ep.node}'s address ${ep.ip} on ${label} is the ${which} address of ${formatSubnet(net)}; pick a host address between ${formatIpv4(net.base + 1)} and ${formatIpv4(lastAddress(net) - 1)}`,
          [id, ep.node],
          [...at, 'endpoints', e, 'ip'],
        );
      }
    });
  });
  return hasP2p;
}

function checkOverlaps(
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

function checkRoutes(design: Design, nodes: Map<string, DesignNode>, out: Collector): void {
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

// ───────────────────────────── diagnose ─────────────────────────────

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Deterministic order: errors first, then by element id, code, path and message. */
export function compareDiagnostics(x: Diagnostic, y: Diagnostic): number {
  const cmp = (p: string, q: string) => (p < q ? -1 : p > q ? 1 : 0);
  return (
    SEVERITY_RANK[x.severity] - SEVERITY_RANK[y.severity] ||
    cmp(x.elements.join(','), y.elements.join(',')) ||
    cmp(x.code, y.code) ||
    cmp(JSON.stringify(x.path ?? []), JSON.stringify(y.path ?? [])) ||
    cmp(x.message, y.message)
  );
}

export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const unique: Diagnostic[] = [];
  for (const d of list) {
    const key = `${d.severity}\u0000${d.code}\u0000${d.elements.join(',')}\u0000${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(d);
  }
  return unique.sort(compareDiagnostics);
}

/** parse → validate → resolve, all diagnostics together. What the CLI, server and browser call. */
export function diagnose(
  input: unknown,
  hints?: AddressHints,
): { design?: Design; topology?: Topology; diagnostics: Diagnostic[] } {
  const parsed = parseDesign(input);
  if (!parsed.design) return { diagnostics: sortDiagnostics(parsed.diagnostics) };
  return diagnoseDesign(parsed.design, hints);
}

/** validate → resolve for a design that already parsed (the YAML path uses this). */
export function diagnoseDesign(
  design: Design,
  hints?: AddressHints,
): { design: Design; topology: Topology; diagnostics: Diagnostic[] } {
  const semantic = validate(design);
  const resolved = resolve(design, hints);
  return {
    design,
    topology: resolved.topology,
    diagnostics: sortDiagnostics(withLinkEnds([...semantic, ...resolved.diagnostics], design)),
  };
}
