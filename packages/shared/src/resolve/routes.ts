/**
 * Routes (docs/architecture.md, "Routing"): default routes for
 * non-forwarders and routed hosts, shortest paths for auto routers, the
 * user's static routes. Every route carries a `why`.
 *
 * Only interfaces that are administratively up and hold an address can
 * carry a route: the kernel refuses a next hop that is not on a connected
 * subnet, and a down interface has none.
 */

import { diagnostic, listNames } from '../diagnostics.js';
import type { Diagnostic, DomainSpec, IfaceSpec, RouteSpec } from '../model.js';
import {
  bareAddress,
  formatSubnet,
  networkOf,
  parseCidr,
  parseIfAddress,
  parseIpv4,
  routeDestination,
} from '../net/ipv4.js';
import type { Attachment, ResolveState } from './state.js';
import { domainLabel } from './state.js';

interface FirstHop {
  domain: string;
  node: string;
  via: string;
  dev: string;
}

const before = (a: FirstHop, b: FirstHop): boolean =>
  a.domain < b.domain || (a.domain === b.domain && a.node < b.node);

const usable = (iface: IfaceSpec): boolean => iface.address !== null && iface.up;

export function resolveRoutes(state: ResolveState): RouteSpec[] {
  const { design, domains, attachments } = state;
  const nodes = design.nodes;
  const ids = Object.keys(nodes).sort();
  const routes: RouteSpec[] = [];
  const spec = (id: string): DomainSpec => domains.get(id)!.spec;

  // Per forwarder: the first usable interface in each domain it is on, in design link order.
  const forwarderDomains = new Map<string, Attachment[]>();
  // Per domain: the forwarders on it, by id — the candidates for a next hop.
  const domainForwarders = new Map<string, { node: string; iface: IfaceSpec }[]>();
  const routedHost = (id: string): boolean => {
    const n = nodes[id];
    return n?.kind === 'host' && n.mode === 'routed';
  };
  for (const id of ids) {
    const kind = nodes[id]!.kind;
    if (kind !== 'router' && !routedHost(id)) continue;
    const seen = new Set<string>();
    const list: Attachment[] = [];
    for (const at of attachments.get(id) ?? []) {
      if (seen.has(at.domain) || !usable(at.iface)) continue;
      seen.add(at.domain);
      list.push(at);
      let on = domainForwarders.get(at.domain);
      if (!on) {
        on = [];
        domainForwarders.set(at.domain, on);
      }
      on.push({ node: id, iface: at.iface });
    }
    forwarderDomains.set(id, list);
  }

  // A hostnet is reachable through its host only when the host's br0 holds an address.
  const servedHostnets = new Set<string>();
  for (const hostnet of state.hostnets.values()) {
    const d = domains.get(hostnet)!;
    if (
      d.subnet !== null &&
      d.members.some(
        (m) => m.node === hostnet && m.iface.kind === 'bridge' && m.iface.address !== null,
      )
    ) {
      servedHostnets.add(hostnet);
    }
  }

  const noGateway = new Map<string, string[]>();
  for (const id of ids) {
    const node = nodes[id]!;
    const ns = state.netnsOf.get(id);
    if (!ns) continue;
    if (node.kind === 'namespace' || node.kind === 'host') {
      const eth0 = state.containerEth0.get(id);
      const candidates: Attachment[] =
        eth0 && eth0.domain !== null
          ? [{ domain: eth0.domain, iface: eth0 }]
          : (attachments.get(id) ?? []);
      const chosen = candidates.find((c) => {
        const gw = spec(c.domain).gateway;
        return gw !== null && gw.node !== id && usable(c.iface);
      });
      if (chosen) {
        const d = spec(chosen.domain);
        const gw = d.gateway!;
        routes.push({
          netns: ns,
          node: id,
          to: 'default',
          via: gw.address,
          dev: chosen.iface.name,
          origin: 'default',
          why: `${id}'s default gateway is ${gw.node} (${gw.address}) on ${domainLabel(d)}`,
        });
      } else if (node.kind === 'namespace' || node.mode === 'bridged') {
        const stranded = candidates.find((c) => {
          const d = spec(c.domain);
          return (
            d.gateway === null &&
            d.subnet !== null &&
            usable(c.iface) &&
            d.kind !== 'p2p' &&
            d.kind !== 'hostnet'
          );
        });
        if (stranded) {
          let list = noGateway.get(stranded.domain);
          if (!list) {
            list = [];
            noGateway.set(stranded.domain, list);
          }
          list.push(id);
        }
      }
    } else if (node.kind === 'router') {
      routes.push(
        ...routerRoutes(state, id, ns, forwarderDomains, domainForwarders, servedHostnets),
      );
    }
  }

  state.diagnostics.push(...underlayCuts(state, domainForwarders));

  for (const domain of state.domainOrder) {
    const stranded = noGateway.get(domain);
    if (!stranded) continue;
    const d = spec(domain);
    const where = domainLabel(d);
    const message =
      stranded.length === 1
        ? `${stranded[0]} is on ${where}, which has no router, so ${stranded[0]} has no default gateway (it still reaches ${d.subnet} directly)`
        : `${listNames(stranded)} are on ${where}, which has no router, so they have no default gateway (they still reach ${d.subnet} directly)`;
    state.diagnostics.push(
      diagnostic('info', 'no-gateway', message, [d.element, ...stranded], ['nodes', d.element]),
    );
  }
  return routes;
}

function routerRoutes(
  state: ResolveState,
  router: string,
  ns: string,
  forwarderDomains: Map<string, Attachment[]>,
  domainForwarders: Map<string, { node: string; iface: IfaceSpec }[]>,
  servedHostnets: ReadonlySet<string>,
): RouteSpec[] {
  const node = state.design.nodes[router]!;
  if (node.kind !== 'router') return [];
  const mine = forwarderDomains.get(router) ?? [];
  const result: RouteSpec[] = [];
  const written = new Set<string>();

  // Every address and connected subnet of the router, whatever the state of its interfaces.
  const own = (state.attachments.get(router) ?? []).flatMap((at) => {
    const a = at.iface.address === null ? null : parseIfAddress(at.iface.address);
    return a && a.len !== null ? [{ at, addr: a.addr, len: a.len }] : [];
  });
  node.routes.forEach((route, index) => {
    const to = routeDestination(route.to);
    const via = parseIpv4(route.via);
    if (to === null || via === null) return;
    const path = ['nodes', router, 'routes', index];
    const named = `${router}'s route to ${route.to} via ${route.via}`;
    const self = own.find((o) => o.addr === via);
    if (self) {
      state.diagnostics.push(
        diagnostic(
          'error',
          'route-via-self',
          `${named} points back at ${router}: ${route.via} is ${router}'s own address on ${self.at.iface.name}, so the packets would never leave it; the gateway is a neighbour's address`,
          [router],
          [...path, 'via'],
        ),
      );
      return;
    }
    const connected = own.find(
      (o) => o.len < 32 && formatSubnet({ base: networkOf(o.addr, o.len), len: o.len }) === to,
    );
    if (connected) {
      state.diagnostics.push(
        diagnostic(
          'error',
          'route-to-connected',
          `${named} is for ${to}, which ${router} is attached to (${domainLabel(state.domains.get(connected.at.domain)!.spec)} on ${connected.at.iface.name}): the kernel already has that route and refuses a second one ("File exists"); remove it`,
          [router, state.domains.get(connected.at.domain)!.spec.element],
          [...path, 'to'],
        ),
      );
      return;
    }
    if (written.has(to)) {
      state.diagnostics.push(
        diagnostic(
          'warning',
          'route-duplicate',
          `${named} is a second route to ${to}; only the first one written is installed`,
          [router],
          [...path, 'to'],
        ),
      );
      return;
    }
    const out = mine.find((at) => {
      const a = parseIfAddress(at.iface.address!);
      return (
        a !== null &&
        a.len !== null &&
        networkOf(a.addr, a.len) === networkOf(via, a.len) &&
        a.addr !== via
      );
    });
    if (!out) {
      // validate reports next hops outside every attached subnet; it cannot see which /30 of the
      // p2p pool a link received, so a next hop inside the pool but on none of the router's links is ours to report.
      const pool = parseCidr(state.design.addressing.p2p);
      if (pool && networkOf(via, pool.len) === pool.base) {
        state.diagnostics.push(
          diagnostic(
            'warning',
            'route-via-unreachable',
            `${router}'s route to ${route.to} goes via ${route.via}, which is on none of ${router}'s subnets (${router} has ${listNames(mine.map((at) => at.iface.address!)) || 'no address'}), so the route is left out: a gateway must be on a subnet ${router} is attached to`,
            [router],
            ['nodes', router, 'routes', index, 'via'],
          ),
        );
      }
      return;
    }
    written.add(to);
    result.push({
      netns: ns,
      node: router,
      to,
      via: route.via,
      dev: out.iface.name,
      origin: 'static',
      why: `${to} via ${route.via}: written in ${router}'s routes`,
    });
  });
  if (node.routing === 'static') return result;

  const { domains } = state;
  const transit = (id: string): boolean => domains.get(id)!.spec.transit;
  const domDist = new Map<string, number>();
  const domHop = new Map<string, FirstHop>();
  for (const at of mine) domDist.set(at.domain, 0);

  // Layer 1: forwarders sharing a transit domain with this router.
  let frontier = new Map<string, FirstHop>();
  const visited = new Set<string>([router]);
  for (const at of mine) {
    if (!transit(at.domain)) continue;
    for (const f of domainForwarders.get(at.domain) ?? []) {
      if (f.node === router) continue;
      const hop = {
        domain: at.domain,
        node: f.node,
        via: bareAddress(f.iface.address!),
        dev: at.iface.name,
      };
      const best = frontier.get(f.node);
      if (!best || before(hop, best)) frontier.set(f.node, hop);
    }
  }

  for (let distance = 1; frontier.size > 0; distance++) {
    for (const id of frontier.keys()) visited.add(id);
    const reached = new Map<string, FirstHop>();
    for (const [id, hop] of frontier) {
      // A routed host is a leaf: it routes its container subnet and nothing else.
      const hostnet = state.hostnets.get(id);
      const next: string[] =
        state.design.nodes[id]!.kind === 'router'
          ? (forwarderDomains.get(id) ?? []).map((at) => at.domain)
          : hostnet !== undefined && servedHostnets.has(hostnet)
            ? [hostnet]
            : [];
      for (const domain of next) {
        if (domDist.has(domain)) continue;
        const best = reached.get(domain);
        if (!best || before(hop, best)) reached.set(domain, hop);
      }
    }
    const nextFrontier = new Map<string, FirstHop>();
    for (const [domain, hop] of reached) {
      domDist.set(domain, distance);
      domHop.set(domain, hop);
      if (!transit(domain)) continue;
      for (const f of domainForwarders.get(domain) ?? []) {
        if (visited.has(f.node)) continue;
        const best = nextFrontier.get(f.node);
        if (!best || before(hop, best)) nextFrontier.set(f.node, hop);
      }
    }
    frontier = nextFrontier;
  }

  // A second domain with a subnet this router is attached to (an overlap validate reports) cannot
  // be routed: the kernel already has that prefix as a connected route.
  const routed = new Set<string>(
    mine.map((at) => domains.get(at.domain)!.spec.subnet).filter((s): s is string => s !== null),
  );
  for (const domain of state.domainOrder) {
    const hop = domHop.get(domain);
    const d = domains.get(domain)!;
    if (!hop || d.spec.subnet === null) continue;
    const to = d.spec.subnet;
    if (written.has(to) || routed.has(to)) continue;
    routed.add(to);
    const via = domains.get(hop.domain)!.spec;
    const over =
      via.kind === 'overlay'
        ? `over the tunnel ${via.element}`
        : via.kind === 'p2p'
          ? `over the link ${via.element}`
          : `on ${via.element}`;
    const what =
      d.spec.kind === 'hostnet'
        ? `${d.spec.element}'s containers`
        : d.spec.kind === 'p2p'
          ? `link ${d.spec.element}`
          : d.spec.element;
    const distance = domDist.get(domain)!;
    const far = distance > 1 ? `, ${distance} hops away` : '';
    result.push({
      netns: ns,
      node: router,
      to,
      via: hop.via,
      dev: hop.dev,
      origin: 'computed',
      why: `${to} (${what}) via ${hop.node} ${over}${far}`,
    });
  }
  return result;
}

/**
 * A VXLAN underlay is no transit network (a public network does not route
 * private subnets): forwarders on it that reach each other only across it are
 * cut apart. Said once per underlay, naming the rule and the pairs it cuts.
 */
function underlayCuts(
  state: ResolveState,
  domainForwarders: ReadonlyMap<string, { node: string; iface: IfaceSpec }[]>,
): Diagnostic[] {
  const { domains } = state;
  // Forwarders joined by any transit domain (a p2p link, a segment, a tunnel) are one site.
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.has(root) && parent.get(root) !== root) root = parent.get(root)!;
    parent.set(x, root);
    return root;
  };
  const union = (x: string, y: string) => {
    const [rx, ry] = [find(x), find(y)];
    if (rx === ry) return;
    // The smaller id stays the root: the result never depends on the order of the unions.
    const [root, child] = rx < ry ? [rx, ry] : [ry, rx];
    parent.set(child, root);
  };
  for (const [domain, on] of domainForwarders) {
    if (!domains.get(domain)!.spec.transit) continue;
    for (const f of on.slice(1)) union(on[0]!.node, f.node);
  }
  const out: Diagnostic[] = [];
  for (const domain of state.domainOrder) {
    const d = domains.get(domain)!.spec;
    if (d.transit) continue;
    const on = [...new Set((domainForwarders.get(domain) ?? []).map((f) => f.node))].sort();
    const pairs: string[] = [];
    const cut = new Set<string>();
    for (const [i, x] of on.entries()) {
      for (const y of on.slice(i + 1)) {
        if (find(x) === find(y)) continue;
        pairs.push(`${x}–${y}`);
        cut.add(x).add(y);
      }
    }
    if (pairs.length === 0) continue;
    const tunnels = Object.entries(state.design.nodes)
      .filter(([, n]) => n.kind === 'vxlan' && n.underlay === d.element)
      .map(([id]) => id)
      .sort();
    out.push(
      diagnostic(
        'info',
        'underlay-not-transit',
        `${d.element} carries the ${tunnels.length === 1 ? 'tunnel' : 'tunnels'} ${listNames(tunnels)}, so it is no transit network: routers never send lab subnets across it, only the tunnels' own packets (a public network does not route private addresses). That cuts ${listNames(pairs)}: they reach each other's subnets only through a tunnel they both join`,
        [d.element, ...tunnels, ...[...cut].sort()],
        ['nodes', d.element],
      ),
    );
  }
  return out;
}
