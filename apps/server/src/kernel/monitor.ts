/**
 * monitor — link events of every lab namespace from one process.
 *
 *   const mon = new LinkMonitor({ onEvent: (e) => …, filter: (netns) => netns.startsWith('nc-') });
 *   await mon.start();
 *   …
 *   await mon.close();
 *
 * One `ip -o monitor link all-nsid` in the root namespace prints every link
 * change of every namespace that has an id in the root namespace
 * (`ip netns set NS auto`, the plan's netns.nsid op), prefixed `[nsid N]`.
 * `-j` is ignored by `monitor` in iproute2 6.1, so the one-line (`-o`) text
 * form is parsed. nsid → name comes from `ip -j netns list` (see readNsids), re-read when
 * an unknown nsid shows up (a namespace created after the last read).
 * The kernel hands out the lowest free nsid, so an id whose namespace name
 * has disappeared from /run/netns triggers a re-read too.
 * Events of the root namespace itself (no nsid prefix) are ignored.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { exec, spawnChild } from './exec.js';
import { NETNS_DIR } from './netns.js';

export interface LinkEvent {
  netns: string;
  ifname: string;
  /** Administrative state (IFF_UP). */
  up: boolean;
  /** Operational state as the kernel reports it ('UP', 'DOWN', 'LOWERLAYERDOWN', 'UNKNOWN'). */
  operstate: string;
  /** The device was deleted. */
  deleted: boolean;
}

export interface LinkMonitorOptions {
  onEvent: (e: LinkEvent) => void;
  /**
   * When given, the events of one read of the monitor's output come together, in order, in
   * place of onEvent (a storm of a thousand toggles a second arrives in a few dozen reads: its
   * subscribers get a few dozen messages, not a thousand).
   */
  onEvents?: (es: LinkEvent[]) => void;
  /** Which namespaces to report (default: netcanvas namespaces, `nc-…`). */
  filter?: (netns: string) => boolean;
  /** The monitor process died (it is not restarted automatically). */
  onError?: (e: Error) => void;
}

// [nsid 3]7: eth0@if8: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 … state UP …
const EVENT =
  /^\[nsid (\d+)\](Deleted )?\d+: ([^:@\s]+)(?:@[^:\s]+)?: <([^>]*)>(?:.*? state (\S+))?/;

export function parseMonitorLine(
  line: string,
): { nsid: number; ifname: string; up: boolean; operstate: string; deleted: boolean } | null {
  const m = EVENT.exec(line);
  if (!m) return null;
  return {
    nsid: Number(m[1]),
    deleted: m[2] !== undefined,
    ifname: m[3]!,
    up: m[4]!.split(',').includes('UP'),
    operstate: m[5] ?? 'UNKNOWN',
  };
}

/**
 * nsid → namespace name. From `ip -j netns list` (one RTM_GETNSID per
 * name), not `ip netns list-id`: iproute2 6.1's list-id dump stops after
 * the first batch (134 ids here), and the monitor went blind to every
 * namespace numbered after it.
 */
export async function readNsids(): Promise<Map<number, string>> {
  const r = await exec(['ip', '-j', 'netns', 'list']);
  const rows = JSON.parse(r.stdout.trim() || '[]') as { name?: string; id?: number }[];
  return new Map(
    rows.filter((x) => x.name && typeof x.id === 'number').map((x) => [x.id!, x.name!]),
  );
}

export class LinkMonitor {
  private child: ChildProcess | null = null;
  private names = new Map<number, string>();
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;
  private partial = '';
  /** Events waiting for a name refresh, kept in arrival order. */
  private backlog: ReturnType<typeof parseMonitorLine>[] = [];
  private closing = false;
  /** Events of the output chunk being read, while one is (see onEvents). */
  private batch: LinkEvent[] | null = null;
  /**
   * Whether each name was in /run/netns when the chunk being read was: one stat per namespace a
   * chunk, not one per event (a storm's chunk holds dozens of one namespace's events, and a stat
   * each was a fifth of this process's time in it).
   */
  private present = new Map<string, boolean>();

  constructor(private readonly options: LinkMonitorOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    if (this.child) return;
    this.names = await readNsids();
    // Rejects (EMFILE, ENOENT…) before any stream is touched.
    const child = await spawnChild(
      ['ip', '-o', 'monitor', 'link', 'all-nsid'],
      ['ignore', 'pipe', 'pipe'],
    );
    this.child = child;
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      const lines = (this.partial + chunk).split('\n');
      this.partial = lines.pop() ?? '';
      this.batch = this.options.onEvents ? [] : null;
      try {
        for (const l of lines) this.onLine(l);
      } finally {
        this.present.clear();
        const batch = this.batch;
        this.batch = null;
        if (batch && batch.length > 0) this.options.onEvents?.(batch);
      }
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString()).slice(-2000);
    });
    child.on('close', (code, signal) => {
      this.child = null;
      if (!this.closing)
        this.options.onError?.(
          new Error(`ip monitor stopped (${signal ?? code}): ${stderr.trim()}`),
        );
    });
    if (this.closing) child.kill('SIGTERM');
  }

  async close(): Promise<void> {
    this.closing = true;
    const child = this.child;
    if (!child) return;
    const gone = new Promise<void>((r) => child.once('close', () => r()));
    child.kill('SIGTERM');
    await gone;
  }

  private onLine(line: string): void {
    const ev = parseMonitorLine(line);
    if (!ev) return;
    const name = this.names.get(ev.nsid);
    // The kernel reuses the lowest free nsid: a name that is gone means the id may belong to a newer namespace.
    if (this.backlog.length > 0 || !name || !this.exists(name)) {
      this.backlog.push(ev);
      this.refresh();
      return;
    }
    this.emit(ev);
  }

  private exists(name: string): boolean {
    let there = this.present.get(name);
    if (there === undefined) {
      there = fs.existsSync(`${NETNS_DIR}/${name}`);
      this.present.set(name, there);
    }
    return there;
  }

  private refresh(): void {
    if (this.refreshing) {
      // A read already under way may have started before this event's
      // namespace got its id: read once more when it ends.
      this.refreshAgain = true;
      return;
    }
    this.refreshing = readNsids()
      .then((names) => {
        this.names = names;
      })
      .catch(() => {})
      .finally(() => {
        this.refreshing = null;
        if (this.refreshAgain) {
          this.refreshAgain = false;
          this.refresh();
          return;
        }
        const pending = this.backlog;
        this.backlog = [];
        // Still unknown after a read that started after the event: the namespace is already gone.
        for (const ev of pending) if (ev && this.names.has(ev.nsid)) this.emit(ev);
      });
  }

  private emit(ev: NonNullable<ReturnType<typeof parseMonitorLine>>): void {
    const netns = this.names.get(ev.nsid);
    if (!netns) return;
    const filter = this.options.filter ?? ((n: string) => n.startsWith('nc-'));
    if (!filter(netns)) return;
    const e = { netns, ifname: ev.ifname, up: ev.up, operstate: ev.operstate, deleted: ev.deleted };
    if (this.batch) this.batch.push(e);
    else if (this.options.onEvents) this.options.onEvents([e]);
    else this.options.onEvent(e);
  }
}
