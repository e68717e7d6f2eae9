/**
 * IPv4 address allocation for L2 domains and the point-to-point pool
 * (docs/architecture.md, "Addressing"). Addresses are handled as unsigned
 * 32-bit integers; ipaddr.js does the parsing so odd spellings never slip in.
 */
import ipaddr from 'ipaddr.js';

export interface Subnet {
  /** Network address (host bits cleared). */
  base: number;
  len: number;
}

export function parseIpv4(text: string): number | null {
  if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return null;
  const [a, b, c, d] = ipaddr.IPv4.parse(text).octets as [number, number, number, number];
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}`;
}

export function subnetSize(len: number): number {
  return 2 ** (32 - len);
}

export function networkOf(addr: number, len: number): number {
  return len === 0 ? 0 : (addr & (0xffffffff << (32 - len))) >>> 0;
}

/** `a.b.c.d/len` → canonical subnet (host bits cleared), or null when malformed. */
export function parseCidr(text: string): Subnet | null {
  const slash = text.indexOf('/');
  if (slash === -1) return null;
  const addr = parseIpv4(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (addr === null || !/^(3[0-2]|[12]?\d)$/.test(lenText)) return null;
  const len = Number(lenText);
  return { base: networkOf(addr, len), len };
}

export function formatSubnet(subnet: Subnet): string {
  return `${formatIpv4(subnet.base)}/${subnet.len}`;
}

/** `a.b.c.d` or `a.b.c.d/len`; len null when not written. */
export function parseIfAddress(text: string): { addr: number; len: number | null } | null {
  const slash = text.indexOf('/');
  const addr = parseIpv4(slash === -1 ? text : text.slice(0, slash));
  if (addr === null) return null;
  if (slash === -1) return { addr, len: null };
  const lenText = text.slice(slash + 1);
  if (!/^(3[0-2]|[12]?\d)$/.test(lenText)) return null;
  return { addr, len: Number(lenText) };
}

/**
 * The one spelling of a route destination, shared by the model and the
 * kernel's observed state: `default` for 0.0.0.0/0 and `a.b.c.d/len` with
 * host bits cleared otherwise. iproute2 prints a /32 as the bare address and
 * 0.0.0.0/0 as `default`; both come back to this form. null when the text is
 * no IPv4 destination.
 */
export function routeDestination(text: string): string | null {
  if (text === 'default') return 'default';
  const parsed = parseIfAddress(text);
  if (!parsed) return null;
  const len = parsed.len ?? 32;
  return len === 0 ? 'default' : formatSubnet({ base: networkOf(parsed.addr, len), len });
}

export function subnetContains(subnet: Subnet, addr: number): boolean {
  return networkOf(addr, subnet.len) === subnet.base;
}

export function subnetsOverlap(a: Subnet, b: Subnet): boolean {
  const len = Math.min(a.len, b.len);
  return networkOf(a.base, len) === networkOf(b.base, len);
}

/**
 * First and last address a member may hold: network and broadcast are
 * excluded, except on /31 (RFC 3021: both ends usable) and /32.
 */
export function usableRange(subnet: Subnet): { first: number; last: number } | null {
  const size = subnetSize(subnet.len);
  if (subnet.len >= 31) return { first: subnet.base, last: subnet.base + size - 1 };
  return { first: subnet.base + 1, last: subnet.base + size - 2 };
}

/** Why an address cannot be held by a member of `subnet`, or null when it can. */
export function addressProblem(
  subnet: Subnet,
  addr: number,
): 'outside' | 'network' | 'broadcast' | null {
  if (!subnetContains(subnet, addr)) return 'outside';
  if (subnet.len >= 31) return null;
  if (addr === subnet.base) return 'network';
  if (addr === subnet.base + subnetSize(subnet.len) - 1) return 'broadcast';
  return null;
}

/**
 * Addresses of one domain. Explicit and hinted addresses are claimed first;
 * automatic ones come after, lowest free first, so the cursor only moves
 * forward and a domain with n members costs O(n).
 */
export class DomainPool {
  private readonly taken = new Set<number>();
  private cursor: number;
  private readonly last: number;

  constructor(readonly subnet: Subnet) {
    const range = usableRange(subnet)!;
    this.cursor = range.first;
    this.last = range.last;
  }

  isTaken(addr: number): boolean {
    return this.taken.has(addr);
  }

  claim(addr: number): void {
    this.taken.add(addr);
  }

  /** Lowest free usable address, claimed; null when the subnet is full. */
  next(): number | null {
    while (this.cursor <= this.last && this.taken.has(this.cursor)) this.cursor++;
    if (this.cursor > this.last) return null;
    const addr = this.cursor;
    this.taken.add(addr);
    this.cursor++;
    return addr;
  }
}

export const P2P_LEN = 30;
const P2P_SIZE = subnetSize(P2P_LEN);

/**
 * The pool point-to-point links take their /30 from. Every subnet already
 * in use (other domains, explicit and hinted p2p subnets) is reserved
 * before the first automatic block is handed out.
 */
export class P2pPool {
  private reserved: { start: number; end: number }[] = [];
  private sorted = true;
  private cursor: number;
  private index = 0;
  private readonly end: number;

  constructor(readonly pool: Subnet) {
    this.cursor = pool.base;
    this.end = pool.base + subnetSize(pool.len) - 1;
  }

  /** Blocks of exactly /30 (most p2p links), for O(1) lookups. */
  private readonly blocks = new Set<number>();
  /** Everything else reserved (other domains' subnets, unusual p2p prefixes). */
  private readonly wide: { start: number; end: number }[] = [];

  reserve(subnet: Subnet): void {
    if (!subnetsOverlap(subnet, this.pool)) return;
    const interval = { start: subnet.base, end: subnet.base + subnetSize(subnet.len) - 1 };
    this.reserved.push(interval);
    if (subnet.len === P2P_LEN) this.blocks.add(subnet.base);
    else this.wide.push(interval);
    this.sorted = false;
  }

  /** True when `subnet` lies inside the pool and overlaps nothing reserved. */
  isFree(subnet: Subnet): boolean {
    const start = subnet.base;
    const end = start + subnetSize(subnet.len) - 1;
    if (start < this.pool.base || end > this.end) return false;
    if (subnet.len >= P2P_LEN) {
      if (this.blocks.has(networkOf(start, P2P_LEN))) return false;
    } else if (this.reserved.some((r) => r.start <= end && start <= r.end)) {
      return false;
    }
    return !this.wide.some((r) => r.start <= end && start <= r.end);
  }

  /**
   * Lowest free aligned /30; null when the pool is exhausted. Every
   * reservation must be made before the first call: blocks are handed out
   * in increasing order, so one forward walk serves all calls.
   */
  allocate(): Subnet | null {
    if (this.pool.len > P2P_LEN) return null;
    if (!this.sorted) {
      this.reserved.sort((a, b) => a.start - b.start || a.end - b.end);
      this.sorted = true;
    }
    while (this.cursor + P2P_SIZE - 1 <= this.end) {
      const start = this.cursor;
      const end = start + P2P_SIZE - 1;
      while (this.index < this.reserved.length && this.reserved[this.index]!.end < start)
        this.index++;
      const blocker = this.reserved[this.index];
      if (blocker && blocker.start <= end) {
        this.cursor = Math.ceil((blocker.end + 1) / P2P_SIZE) * P2P_SIZE;
        continue;
      }
      this.cursor = end + 1;
      return { base: start, len: P2P_LEN };
    }
    return null;
  }
}
