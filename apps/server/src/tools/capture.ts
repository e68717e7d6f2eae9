/**
 * Packet capture inside a lab namespace, bounded three ways: packets
 * (`-c`), time (`timeout -s INT`, so tcpdump flushes and closes the pcap)
 * and output (lines kept and bytes read). Lines are streamed to the caller
 * while tcpdump runs (kernel/stream.ts), not collected until it exits. The pcap is kept in the data
 * directory for download; only the newest few are kept.
 *
 *   ip netns exec NS timeout -s INT S tcpdump -i DEV -n -l -U -c N -Z root -w FILE --print -- FILTER
 *
 * NS is the namespace that holds DEV: an element's own, or the lab's fabric
 * namespace for a segment's bridge ports (`r1-public`), so a VLAN or switch
 * can be captured on like any other element.
 *
 * `-Z root`: Debian's tcpdump drops to its own user by default, which
 * could not write the file into the server's data directory.
 *
 * A filter is one argv word after `--`, so it can never be read as an option
 * of a root tcpdump; one that starts with `-` is refused outright, and it is
 * compiled first (`tcpdump -d`) so a wrong one is refused with tcpdump's own
 * message instead of a capture that ends at once.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Design, IFNAME_RE, resolve } from '@netcanvas/shared';
import { ExecError, exec } from '../kernel/exec.js';
import { streamLines } from '../kernel/stream.js';
import type { CaptureDone, CaptureSpec, LabTools } from './lab-tools.js';
import { ToolInputError, traceroute } from './traceroute.js';

const MAX_LINES = 5000;
const MAX_RUNNING = 4;
const KEEP_FILES = 20;
const LINES_PER_MESSAGE = 100;
const FLUSH_MS = 50;
/** Longest capture filter accepted (tcpdump's own expressions are short). */
export const MAX_FILTER = 256;

/**
 * Why a capture filter is refused before anything runs, or null. The
 * kernel-side check (`tcpdump -d`) comes after this one.
 */
export function captureFilterProblem(filter: string): string | null {
  if (filter.length > MAX_FILTER) return `a capture filter is at most ${MAX_FILTER} characters`;
  if (filter.trimStart().startsWith('-'))
    return `a capture filter cannot start with "-" (${filter.trim().slice(0, 40)}): it would be read as a tcpdump option`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(filter)) return 'a capture filter is one line of text';
  return null;
}

/** Compiles the filter for DEV in NS (`tcpdump -d`): null, or tcpdump's reason. */
async function compileProblem(ns: string, dev: string, filter: string): Promise<string | null> {
  try {
    await exec(['ip', 'netns', 'exec', ns, 'tcpdump', '-d', '-i', dev, '--', filter], {
      timeoutMs: 5000,
      maxOutput: 1024 * 1024,
    });
    return null;
  } catch (err) {
    if (err instanceof ExecError && err.reason === 'exit') {
      const last = err.stderr.trim().split('\n').at(-1) ?? '';
      return last.replace(/^tcpdump: /, '') || 'tcpdump could not compile it';
    }
    throw err;
  }
}

export function createLabTools(dataDir: string): LabTools {
  const dir = join(dataDir, 'captures');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const finished = new Set<string>();
  let running = 0;
  const live = new Map<string, { lab: string; stop(): void }>();

  function prune(): void {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.pcap'))
      .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const { f } of files.slice(KEEP_FILES)) {
      rmSync(join(dir, f), { force: true });
      finished.delete(f.slice(0, -5));
    }
  }

  return {
    traceroute,
    stopCaptures(lab: string) {
      for (const c of live.values()) if (c.lab === lab) c.stop();
    },
    stopCapture(lab: string, id: string) {
      const c = live.get(id);
      if (!c || c.lab !== lab) return false;
      c.stop();
      return true;
    },
    async startCapture(
      design: Design,
      spec: CaptureSpec,
      onLines: (lines: string[], done?: CaptureDone) => void,
    ) {
      if (!IFNAME_RE.test(spec.dev))
        throw new ToolInputError(`${spec.dev} is not an interface name`);
      if (!Object.hasOwn(design.nodes, spec.node))
        throw new ToolInputError(`${spec.node} is not an element of ${design.name}`);
      const filter = spec.filter?.trim() ?? '';
      const refused = captureFilterProblem(filter);
      if (refused) throw new ToolInputError(refused);
      const { topology } = resolve(design);
      // The interface, wherever it lives: an element's own namespace, or the
      // fabric namespace for a segment's ports (their `node` is the segment).
      const iface = topology.interfaces.find((i) => i.node === spec.node && i.name === spec.dev);
      if (!iface) {
        const offered = topology.interfaces
          .filter((i) => i.node === spec.node)
          .map((i) => i.name)
          .join(', ');
        throw new ToolInputError(
          `${spec.node} has no interface ${spec.dev}${offered ? ` (it has ${offered})` : ''}`,
        );
      }
      if (running >= MAX_RUNNING)
        throw new ToolInputError(`at most ${MAX_RUNNING} captures run at once`);
      if (filter) {
        const problem = await compileProblem(iface.netns, iface.name, filter);
        if (problem) throw new ToolInputError(`capture filter "${filter}": ${problem}`);
        if (running >= MAX_RUNNING)
          throw new ToolInputError(`at most ${MAX_RUNNING} captures run at once`);
      }
      const id = randomBytes(8).toString('hex');
      const file = join(dir, `${id}.pcap`);
      running += 1;
      // Lines go out as tcpdump prints them (-l), gathered for at most FLUSH_MS so a
      // packet storm becomes a few messages a second rather than one per packet.
      let pending: string[] = [];
      let flushTimer: NodeJS.Timeout | null = null;
      const flush = () => {
        if (flushTimer) clearTimeout(flushTimer);
        flushTimer = null;
        if (pending.length === 0) return;
        const out = pending;
        pending = [];
        onLines(out);
      };
      const run = streamLines(
        [
          'ip',
          'netns',
          'exec',
          iface.netns,
          'timeout',
          '-s',
          'INT',
          String(spec.seconds),
          'tcpdump',
          '-i',
          spec.dev,
          '-n',
          '-l',
          '-U',
          '-c',
          String(spec.packets),
          '-Z',
          'root',
          '-w',
          file,
          '--print',
          ...(filter ? ['--', filter] : []),
        ],
        {
          onLine: (line) => {
            if (line.length === 0) return;
            pending.push(line);
            if (pending.length >= LINES_PER_MESSAGE) flush();
            else flushTimer ??= setTimeout(flush, FLUSH_MS);
          },
          maxLines: MAX_LINES,
          maxBytes: 4 * 1024 * 1024,
          timeoutMs: (spec.seconds + 5) * 1000,
          // `timeout` passes SIGINT on to tcpdump, which then closes the pcap properly.
          stopSignal: 'SIGINT',
        },
      );
      void run.done
        .then((r) => {
          flush();
          const lastErr = r.stderr.trim().split('\n').at(-1);
          const reason =
            r.ended === 'lines'
              ? `stopped after ${MAX_LINES} lines`
              : r.ended === 'bytes'
                ? 'stopped: too much output'
                : r.ended === 'stopped'
                  ? 'stopped'
                  : r.ended === 'timeout' || r.exitCode === 124
                    ? `stopped after ${spec.seconds} s`
                    : r.exitCode === 0
                      ? `${spec.packets} packets`
                      : lastErr || `exit ${r.exitCode ?? r.signal}`;
          if (existsSync(file)) finished.add(id);
          onLines([], { packets: r.lines, reason });
        })
        .catch((err: unknown) =>
          onLines([], { packets: 0, reason: err instanceof Error ? err.message : String(err) }),
        )
        .finally(() => {
          running -= 1;
          live.delete(id);
          prune();
        });
      live.set(id, { lab: design.name, stop: () => run.stop() });
      return { id };
    },
    captureFile(id: string) {
      return finished.has(id) && existsSync(join(dir, `${id}.pcap`))
        ? join(dir, `${id}.pcap`)
        : null;
    },
  };
}
