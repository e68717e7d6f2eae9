/**
 * One-element edits of a design, the kinds a person makes on the canvas and
 * that change forwarding: a container's address, a link cut, a container
 * put on a VLAN, a route added on a router, a namespace added; and the rarer
 * ones that test the re-analysis's bookkeeping: a down link restored, an
 * address taken from another element (a conflict), a link's MTU, a tunnel's
 * VNI, a router switched to static routing. Used by the incremental-analysis
 * property and the core benchmark.
 */
import type { Design } from '../../src/parse/schema.js';
import { resolve } from '../../src/resolve/resolve.js';

export type EditKind =
  | 'address'
  | 'cut'
  | 'vlan'
  | 'route'
  | 'add'
  | 'restore'
  | 'conflict'
  | 'mtu'
  | 'vni'
  | 'static';
export const EDIT_KINDS: EditKind[] = [
  'address',
  'cut',
  'vlan',
  'route',
  'add',
  'restore',
  'conflict',
  'mtu',
  'vni',
  'static',
];

/**
 * The design after one edit of `kind`, chosen by `pick` (any natural number) among the places
 * it applies to; null when the design has no such place. `design` is not changed.
 */
export function editDesign(design: Design, kind: EditKind, pick: number): Design | null {
  const d = structuredClone(design);
  const ids = Object.keys(d.nodes).sort();
  const ofKind = (k: string) => ids.filter((id) => d.nodes[id]!.kind === k);
  const choose = <T>(xs: T[]): T | undefined => (xs.length ? xs[pick % xs.length] : undefined);
  switch (kind) {
    case 'address': {
      // A link end at a namespace gets another address: in the same /24, or one in use elsewhere.
      const spaces = new Set(ofKind('namespace'));
      const ends = d.links.flatMap((l, li) =>
        l.endpoints.map((e, ei) => ({ li, ei, node: typeof e === 'string' ? e : e.node })),
      );
      const end = choose(ends.filter((e) => spaces.has(e.node)));
      if (!end) return null;
      const octet = 2 + (Math.floor(pick / 7) % 250);
      const link = d.links[end.li]!;
      const other = ends[Math.floor(pick / 3) % ends.length]!;
      const otherEnd = d.links[other.li]!.endpoints[other.ei]!;
      const ip =
        pick % 4 === 0 && typeof otherEnd !== 'string' && otherEnd.ip
          ? otherEnd.ip
          : `10.${pick % 3}.${(pick >> 2) % 8}.${octet}/24`;
      link.endpoints[end.ei] = { node: end.node, ip };
      return d;
    }
    case 'cut': {
      const up = d.links.filter((l) => l.state !== 'down');
      const link = choose(up);
      if (!link) return null;
      link.state = 'down';
      return d;
    }
    case 'vlan': {
      const c = choose(ofKind('namespace'));
      const vlan = choose(ofKind('vlan').reverse());
      if (!c || !vlan) return null;
      d.links.push({ endpoints: [c, vlan], state: 'up' });
      return d;
    }
    case 'route': {
      const r = choose(ofKind('router'));
      const node = r ? d.nodes[r] : undefined;
      if (!r || node?.kind !== 'router') return null;
      const subnets = ids.flatMap((id) => {
        const n = d.nodes[id]!;
        return 'subnet' in n && n.subnet ? [n.subnet] : [];
      });
      const to = pick % 5 === 0 ? 'default' : (choose(subnets) ?? 'default');
      // Through a neighbour the router already routes via (a gateway the kernel accepts), or,
      // now and then, through an address that is no gateway at all.
      const vias = [
        ...new Set(
          resolve(design)
            .topology.routes.filter((x) => x.node === r && x.via)
            .map((x) => x.via),
        ),
      ].sort();
      const via =
        pick % 7 === 0 ? undefined : vias[Math.floor(pick / 5) % Math.max(vias.length, 1)];
      node.routes = [...node.routes, { to, via: via ?? `10.${pick % 3}.${(pick >> 3) % 4}.1` }];
      return d;
    }
    case 'restore': {
      const link = choose(d.links.filter((l) => l.state === 'down'));
      if (!link) return null;
      link.state = 'up';
      return d;
    }
    case 'conflict': {
      // A namespace's link end takes the address another element has: two owners of one address.
      const spaces = new Set(ofKind('namespace'));
      const addressed = resolve(design).topology.interfaces.filter((f) => f.address !== null);
      const ends = d.links.flatMap((l, li) =>
        l.endpoints.map((e, ei) => ({ li, ei, node: typeof e === 'string' ? e : e.node })),
      );
      const end = choose(ends.filter((e) => spaces.has(e.node)));
      if (!end) return null;
      // Every other time, the address of a neighbour on a segment of its own: both then answer
      // for it there, the case a re-analysis must not miss.
      const towards = new Set(
        addressed.filter((f) => f.node === end.node && f.towards).map((f) => f.towards),
      );
      const near = addressed.filter((f) => f.node !== end.node && towards.has(f.towards));
      const from = pick % 2 === 0 && near.length > 0 ? near : addressed;
      const taken = from[Math.floor(pick / 3) % Math.max(from.length, 1)];
      if (!taken?.address) return null;
      d.links[end.li]!.endpoints[end.ei] = { node: end.node, ip: taken.address };
      return d;
    }
    case 'mtu': {
      const link = choose(d.links);
      if (!link) return null;
      link.mtu = [576, 1280, 1400, 1450, 9000][pick % 5]!;
      return d;
    }
    case 'vni': {
      const x = choose(ofKind('vxlan'));
      if (!x) return null;
      const node = d.nodes[x]!;
      if (node.kind !== 'vxlan') return null;
      node.vni = (node.vni % 16777215) + 1;
      return d;
    }
    case 'static': {
      const node = d.nodes[choose(ofKind('router')) ?? ''];
      if (node?.kind !== 'router') return null;
      node.routing = node.routing === 'static' ? 'auto' : 'static';
      return d;
    }
    case 'add': {
      const vlan = choose(ofKind('vlan'));
      if (!vlan) return null;
      let id = 'added';
      while (d.nodes[id]) id += 'x';
      d.nodes[id] = { kind: 'namespace' };
      d.links.push({ endpoints: [id, vlan], state: 'up' });
      return d;
    }
  }
}
