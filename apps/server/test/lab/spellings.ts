/**
 * Spellings where the kernel and the model could part ways, sprinkled onto
 * generated designs for the round-trip test (roundtrip.kernel.test.ts).
 */
import { type Design, type Link, mulberry32 } from '@netcanvas/shared';

const ip = (n: number) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
const toInt = (text: string) => text.split('.').reduce((acc, p) => acc * 256 + Number(p), 0) >>> 0;
const nodeOf = (e: Link['endpoints'][number]) => (typeof e === 'string' ? e : e.node);

/** The generator's design with the spellings above sprinkled in, deterministically from `seed`. */
export function withSpellings(design: Design, seed: number): Design {
  const rand = mulberry32(seed ^ 0x5eed);
  const chance = (p: number) => rand() < p;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const nodes = structuredClone(design.nodes);
  let mac = 0;
  let p2p = 0;
  /** Per segment, the next hand-written host number (the generator's automatic ones stay below 20). */
  const written = new Map<string, number>();
  const nextMac = () => {
    mac++;
    return `02:5e:00:00:${((mac >> 8) & 255).toString(16).padStart(2, '0')}:${(mac & 255).toString(16).padStart(2, '0')}`;
  };
  const kind = (id: string) => nodes[id]?.kind;
  const subnetOf = (id: string): string | undefined => {
    const n = nodes[id];
    return n && (n.kind === 'vlan' || n.kind === 'switch' || n.kind === 'vxlan')
      ? n.subnet
      : undefined;
  };
  const links: Link[] = design.links.map((link) => {
    const [a, b] = link.endpoints.map(nodeOf) as [string, string];
    const out: Link = structuredClone(link);
    const vxlanLink = kind(a) === 'vxlan' || kind(b) === 'vxlan';
    const underlayLink = Object.values(nodes).some(
      (n) => n.kind === 'vxlan' && (n.underlay === a || n.underlay === b),
    );
    // MTUs: anything on plain links; a tunnel's below its underlay's 1500 − 50.
    if (vxlanLink) {
      if (chance(0.3)) out.mtu = pick([1280, 1400, 1450]);
    } else if (!underlayLink && chance(0.25)) out.mtu = pick([576, 1280, 1400, 1500, 9000]);
    const namespaced = (id: string) =>
      kind(id) === 'router' || kind(id) === 'host' || kind(id) === 'namespace';
    if (!vxlanLink && chance(0.25)) {
      out.endpoints = out.endpoints.map((e) =>
        namespaced(nodeOf(e))
          ? { ...(typeof e === 'string' ? { node: e } : e), mac: nextMac() }
          : e,
      ) as Link['endpoints'];
    }
    // A hand-addressed point-to-point link: a /31 or a /30, or the bare address on a segment.
    const bothPlain = out.endpoints.every((e) => typeof e === 'string' || e.ip === undefined);
    if (namespaced(a) && namespaced(b) && bothPlain && chance(0.4)) {
      const base = toInt('10.253.0.0') + 4 * p2p++;
      const len = pick([30, 31]);
      const first = len === 31 ? base : base + 1;
      out.endpoints = out.endpoints.map((e, i) => ({
        ...(typeof e === 'string' ? { node: e } : e),
        ip: `${ip(first + i)}/${len}`,
      })) as Link['endpoints'];
    } else if (kind(b) !== undefined && subnetOf(b) && namespaced(a) && bothPlain && chance(0.15)) {
      const [net] = subnetOf(b)!.split('/') as [string];
      const host = written.get(b) ?? 200;
      written.set(b, host + 1);
      out.endpoints = [
        {
          ...(typeof link.endpoints[0] === 'string' ? { node: a } : link.endpoints[0]),
          ip: ip(toInt(net) + host),
        },
        link.endpoints[1],
      ];
    }
    return out;
  });

  // Static routes in every spelling on routers that compute the rest.
  let hostRoute = 0;
  for (const [id, n] of Object.entries(nodes)) {
    if (n.kind === 'router' && n.routing === 'static') {
      // The generator writes `default`; half of them say 0.0.0.0/0 instead.
      n.routes = n.routes.map((r) =>
        r.to === 'default' && chance(0.5) ? { ...r, to: '0.0.0.0/0' } : r,
      );
      continue;
    }
    if (n.kind !== 'router' || !chance(0.5)) continue;
    // A neighbour address on one of its segments that nobody holds: the kernel only needs it on-link.
    const segment = links
      .filter((l) => l.state !== 'down')
      .map((l) => l.endpoints.map(nodeOf))
      .find(([a, b]) => (a === id && subnetOf(b!)) || (b === id && subnetOf(a!)));
    if (!segment) continue;
    const seg = segment[0] === id ? segment[1]! : segment[0]!;
    if (
      kind(seg) === 'vxlan' ||
      Object.values(nodes).some((x) => x.kind === 'vxlan' && x.underlay === seg)
    )
      continue;
    const [net] = subnetOf(seg)!.split('/') as [string];
    const via = ip(toInt(net) + 250);
    n.routes = [
      { to: `10.252.${hostRoute}.${1 + (hostRoute % 200)}/32`, via },
      { to: pick(['default', '0.0.0.0/0']), via },
      ...(chance(0.5) ? [{ to: `10.251.${hostRoute}.0/24`, via }] : []),
    ];
    hostRoute++;
  }

  const out: Design = { ...design, nodes, links };
  for (const [id, n] of Object.entries(nodes))
    if (n.kind === 'vxlan' && chance(0.3)) nodes[id] = { ...n, port: 8472 };
  return out;
}
