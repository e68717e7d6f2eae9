/**
 * IPv4 address allocation for L2 domains and the point-to-point pool
 * (docs/architecture.md, "Addressing"), on the integers of net/ipv4.ts.
 */
import { networkOf, type Subnet, subnetSize, subnetsOverlap, usableRange } from '../net/ipv4.js';

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
    const range = usableRange(subnet);
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
