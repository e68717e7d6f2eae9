import type { Design, NodeKind } from '@netcanvas/shared';
import { RESERVED_NAMES } from '@netcanvas/shared';

/** Short prefixes people already use on whiteboards: r1, sw1, c1, h1, tun1. */
export const ID_PREFIX: Record<NodeKind, string> = {
  host: 'h',
  namespace: 'c',
  vlan: 'vlan',
  switch: 'sw',
  router: 'r',
  vxlan: 'tun',
};

export function freeId(design: Design, prefix: string, start = 1): string {
  for (let n = start; ; n++) {
    const id = `${prefix}${n}`;
    if (!design.nodes[id] && !RESERVED_NAMES.has(id)) return id;
  }
}

/** VLAN ids in steps of ten (10, 20, 30 …) read better in class than 1, 2, 3. */
export function nextVid(design: Design): number {
  const used = new Set<number>();
  for (const n of Object.values(design.nodes)) if (n.kind === 'vlan') used.add(n.vid);
  for (let vid = 10; vid <= 4090; vid += 10) if (!used.has(vid)) return vid;
  for (let vid = 1; vid <= 4094; vid++) if (!used.has(vid)) return vid;
  return 1;
}

export function nextVni(design: Design): number {
  const used = new Set<number>();
  for (const n of Object.values(design.nodes)) if (n.kind === 'vxlan') used.add(n.vni);
  for (let vni = 100; ; vni += 100) if (!used.has(vni)) return vni;
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

function parseCidr(cidr: string): [number, number] | null {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr);
  if (!m) return null;
  const len = Number(m[2]);
  const size = 2 ** (32 - len);
  const start = Math.floor(ipToInt(m[1]!) / size) * size;
  return [start, start + size - 1];
}

function usedSubnets(design: Design): [number, number][] {
  const out: [number, number][] = [];
  const push = (c: string | undefined) => {
    const r = c ? parseCidr(c) : null;
    if (r) out.push(r);
  };
  for (const n of Object.values(design.nodes)) {
    if (n.kind === 'vlan' || n.kind === 'switch' || n.kind === 'vxlan' || n.kind === 'host')
      push(n.subnet);
  }
  push(design.addressing?.p2p);
  return out;
}

function subnetIsFree(design: Design, cidr: string): boolean {
  const r = parseCidr(cidr);
  if (!r) return false;
  return usedSubnets(design).every(([a, b]) => r[1] < a || r[0] > b);
}

/** The first free /24 among candidates `<base>.<n>.0/24`, preferring `n = preferred`. */
export function freeSubnet(design: Design, base: string, preferred: number): string {
  const candidates = [preferred, ...Array.from({ length: 255 }, (_, i) => i)];
  for (const n of candidates) {
    if (n < 0 || n > 255) continue;
    const cidr = `${base}.${n}.0/24`;
    if (subnetIsFree(design, cidr)) return cidr;
  }
  return `${base}.${preferred % 256}.0/24`;
}
