/**
 * fd-budget — how this process shares its file descriptors.
 *
 * A server that runs out of descriptors cannot start the `ip` it needs to
 * undo half an apply, so descriptors are split once, from the soft limit
 * (Node raises it to the hard limit at start):
 *   - `connections`: sockets the HTTP server holds at once (REST and socket
 *     clients); past it, new connections are closed on accept;
 *   - `processes`: long-lived kernel processes (batch workers, two
 *     descriptors each); past it, the least recently used idle worker is
 *     closed before a new one starts, or the new one waits for one to idle;
 *   - the rest: Node itself, the database, logs, `ip monitor` and one-shot
 *     commands.
 * With the usual limits (tens of thousands) neither cap binds a lab of a
 * thousand namespaces; with 160 descriptors a 61-namespace apply still runs.
 */
import fs from 'node:fs';

/** The soft RLIMIT_NOFILE of this process (/proc/self/limits), or a cautious 1024. */
export function descriptorLimit(): number {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(
      fs.readFileSync('/proc/self/limits', 'utf8'),
    );
    if (m?.[1] === 'unlimited') return 1 << 20;
    if (m?.[1]) return Number(m[1]);
  } catch {
    // no procfs: assume the common default
  }
  return 1024;
}

/** Descriptors open right now (for tests and diagnostics). */
export function openDescriptors(): number {
  try {
    return fs.readdirSync('/proc/self/fd').length;
  } catch {
    return -1;
  }
}

export interface DescriptorBudget {
  limit: number;
  connections: number;
  processes: number;
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.floor(v)));

export function descriptorBudget(limit = descriptorLimit()): DescriptorBudget {
  return {
    limit,
    connections: clamp(limit * 0.2, 8, 512),
    processes: clamp((limit * 0.4 - 16) / 2, 4, 4096),
  };
}

/** A long-lived process that holds a slot and can be asked to go when idle. */
export interface SlotHolder {
  /** Idle, not pinned, running: closing it loses nothing. */
  evictable(): boolean;
  readonly lastUsed: number;
  close(): Promise<void>;
}

/** Slots for long-lived kernel processes, shared by every runner of this process. */
export class ProcessSlots {
  private readonly holders = new Set<SlotHolder>();
  private waiters: (() => void)[] = [];

  constructor(public max: number) {}

  get used(): number {
    return this.holders.size;
  }

  async acquire(h: SlotHolder): Promise<void> {
    while (this.holders.size >= this.max) {
      let victim: SlotHolder | null = null;
      for (const c of this.holders)
        if (c.evictable() && (!victim || c.lastUsed < victim.lastUsed)) victim = c;
      if (victim) {
        // Its exit releases the slot; another waiter may take it first, so look again.
        await victim.close();
        continue;
      }
      await new Promise<void>((r) => this.waiters.push(r));
    }
    this.holders.add(h);
  }

  release(h: SlotHolder): void {
    if (this.holders.delete(h)) this.wake();
  }

  /** A holder became idle: a waiter may now evict it. */
  wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }
}

export const processSlots = new ProcessSlots(descriptorBudget().processes);
