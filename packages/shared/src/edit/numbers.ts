/**
 * Free ids and numbers for new elements: what the canvas picks when an
 * element is dropped or pasted, and what the server picks again when two
 * tabs picked the same one at the same moment (apply.ts).
 */
import { parseCidr, type Subnet, subnetsOverlap } from '../net/ipv4.js';
import { RESERVED_NAMES } from '../net/names.js';
import type { Design } from '../parse/schema.js';

/** The first `<prefix><n>` (n ≥ start) that no element has and iproute2 would not misread. */
export function freeId(design: Pick<Design, 'nodes'>, prefix: string, start = 1): string {
  for (let n = start; ; n++) {
    const id = `${prefix}${n}`;
    if (!Object.hasOwn(design.nodes, id) && !RESERVED_NAMES.has(id)) return id;
  }
}

/** `c3` → `c`, `vlan10` → `vlan`, `core` → `core`: the stem a new id of the same family keeps. */
export function idPrefix(id: string): string {
  return id.replace(/\d+$/, '');
}

/** VLAN ids in steps of ten (10, 20, 30 …) read better in class than 1, 2, 3. */
export function nextVid(design: Pick<Design, 'nodes'>): number {
  const used = new Set<number>();
  for (const n of Object.values(design.nodes)) if (n.kind === 'vlan') used.add(n.vid);
  for (let vid = 10; vid <= 4090; vid += 10) if (!used.has(vid)) return vid;
  for (let vid = 1; vid <= 4094; vid++) if (!used.has(vid)) return vid;
  return 1;
}

export function nextVni(design: Pick<Design, 'nodes'>): number {
  const used = new Set<number>();
  for (const n of Object.values(design.nodes)) if (n.kind === 'vxlan') used.add(n.vni);
  for (let vni = 100; ; vni += 100) if (!used.has(vni)) return vni;
}

/** Every subnet the design already uses (segments, overlays, routed hosts, the p2p pool). */
export function usedSubnets(
  design: Pick<Design, 'nodes' | 'addressing'>,
  except?: string,
): Subnet[] {
  const out: Subnet[] = [];
  const push = (cidr: string | undefined) => {
    const s = cidr === undefined ? null : parseCidr(cidr);
    if (s) out.push(s);
  };
  for (const [id, n] of Object.entries(design.nodes)) {
    if (id === except) continue;
    if (n.kind === 'vlan' || n.kind === 'switch' || n.kind === 'vxlan' || n.kind === 'host')
      push(n.subnet);
  }
  push(design.addressing?.p2p);
  return out;
}

/** True when `cidr` overlaps none of the design's subnets (ignoring element `except`). */
export function subnetIsFree(
  design: Pick<Design, 'nodes' | 'addressing'>,
  cidr: string,
  except?: string,
): boolean {
  const s = parseCidr(cidr);
  if (!s) return false;
  return usedSubnets(design, except).every((u) => !subnetsOverlap(s, u));
}

/** The first free /24 among candidates `<base>.<n>.0/24`, preferring `n = preferred`. */
export function freeSubnet(
  design: Pick<Design, 'nodes' | 'addressing'>,
  base: string,
  preferred: number,
  except?: string,
): string {
  const used = usedSubnets(design, except);
  const candidates = [preferred, ...Array.from({ length: 255 }, (_, i) => i)];
  for (const n of candidates) {
    if (n < 0 || n > 255) continue;
    const cidr = `${base}.${n}.0/24`;
    const s = parseCidr(cidr);
    if (s && used.every((u) => !subnetsOverlap(s, u))) return cidr;
  }
  return `${base}.${preferred % 256}.0/24`;
}
