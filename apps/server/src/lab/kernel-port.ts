/**
 * The lab layer's view of the kernel layer: plan ops run through the netlink
 * helper (kernel/netlink.ts) or, where it cannot start, as batch lines for the
 * long-lived `ip -batch` workers; observe and delete come straight from kernel/.
 *
 * `createKernelPort()` uses the helper for everything (the server);
 * `{ helper: 'large-labs' }` only for work of LARGE_LAB namespaces or ops, or
 * while it runs anyway (the CLI: a python start costs more than a small lab);
 * `createKernelPort(runner)` is the batch engine alone, on that runner.
 */
import { batchLine, type Op, replaceNetns } from '@netcanvas/shared';
import { capabilities } from '../kernel/caps.js';
import { halfMadeNetns } from '../kernel/half-made.js';
import { type NetlinkEngine, sharedNetlink } from '../kernel/netlink.js';
import { deleteNetns, labNetns, listLabs, listNetns } from '../kernel/netns.js';
import { observe, sharedRunner } from '../kernel/observe.js';
import { pingFrom, pingMany } from '../kernel/ping.js';
import type { Runner } from '../kernel/runner.js';
import type { EngineKernel } from './lab-engine.js';

const DELETIONS = new Set<Op['op']>([
  'netns.del',
  'link.del',
  'addr.del',
  'route.del',
  'fdb.del',
  'link.nomaster',
]);
/** What iproute2 says when the thing to delete is already gone. */
const ALREADY_GONE =
  /Cannot find device|No such (file|device|process)|does not exist|Cannot assign requested address|not found|No such file or directory/i;

/** Namespaces (or, for a run, ops ÷ 40) from which the CLI starts the helper. */
export const LARGE_LAB = 60;

export interface KernelPortOptions {
  /** 'always' (default): the helper for everything; 'large-labs': only for big work or while it runs. */
  helper?: 'always' | 'large-labs';
  netlink?: NetlinkEngine;
}

export function createKernelPort(given?: Runner, opts: KernelPortOptions = {}): EngineKernel {
  const runner = given ?? sharedRunner();
  const netlink = given ? null : (opts.netlink ?? sharedNetlink());
  /** The helper for work of this size (namespaces, asked only when it matters), else the batch runner. */
  const via = async <T>(
    size: () => number | Promise<number>,
    f: (n: NetlinkEngine) => Promise<T>,
    batch: () => Promise<T>,
  ): Promise<T> =>
    netlink && (opts.helper !== 'large-labs' || netlink.running() || (await size()) >= LARGE_LAB)
      ? netlink.orElse(f, batch)
      : batch();
  const remove = (names: string[]) =>
    via(
      () => names.length,
      (n) => n.deleteNetns(names),
      () => deleteNetns(names, runner),
    );
  const read = (lab: string, only?: readonly string[]) =>
    via(
      async () => only?.length ?? (await labNetns(lab)).length,
      (n) => n.observe(lab, only),
      () => observe(lab, runner, only),
    );
  return {
    capabilities,
    listLabs,
    observe: read,
    reread: async (before, names) => replaceNetns(before, await read(before.lab, names), names),
    async repair(lab) {
      const broken = halfMadeNetns(await labNetns(lab));
      if (broken.length > 0) await remove(broken);
      return broken;
    },
    async deleteLab(lab) {
      const names = await labNetns(lab);
      // Half-made names too: `ip netns del` only unlinks them.
      const res = await remove(names);
      if (res.failed.length > 0) {
        throw new Error(res.failed.map((f) => `${f.netns}: ${f.message}`).join('; '));
      }
      return res.removed;
    },
    ping: (netns, address, deadlineS, size) => pingFrom(netns, address, deadlineS, size),
    pingMany: (netns, addresses, probe, size) => pingMany(netns, addresses, probe, size),
    // Cache flushes: a namespace deleted behind the lab's back has no cache left to flush, and
    // its pairs are measured (silent) rather than failing the whole check or ping.
    async forgetPathMtu(netns) {
      // `ip route flush cache` drops the cached routes with their learned MTUs.
      await flushIn(runner, netns, ['route', 'flush', 'cache'], 'cannot forget the path MTUs');
    },
    async forgetNeighbours(netns) {
      await flushIn(runner, netns, ['neigh', 'flush', 'all'], 'cannot flush the neighbour caches');
    },
    prepare() {
      if (netlink && opts.helper !== 'large-labs') netlink.prestart();
    },
    // With 'large-labs', the helper is pinned only when it already runs; a run that starts it
    // undoes itself right after, long before it could idle out.
    reserve: () =>
      via(
        () => 0,
        (n) => n.reserve(),
        () => runner.reserve(),
      ),
    async run(ops, opts = {}) {
      // A delete of something already gone is done (CNI's DEL semantics):
      // mark it so and run the rest, until everything ran or a real failure.
      let pending = ops.map((op, index) => ({ op, index }));
      let done = 0;
      const ran: number[] = [];
      while (pending.length > 0) {
        const onProgress = (p: { done: number }) => opts.onProgress?.(done + p.done);
        const res = await via(
          () => pending.length / 40,
          (n) =>
            n.run(
              pending.map(({ op }) => op),
              { onProgress },
            ),
          () =>
            runner.run(
              pending.map(({ op }) => ({ ...batchLine(op), stage: op.op })),
              { onProgress },
            ),
        );
        if (res.ok) return { ok: true };
        res.outcomes.forEach((o, i) => {
          if (o === 'ok') ran.push(pending[i]!.index);
        });
        const failed = pending[res.failed!.index]!;
        const tolerable =
          opts.tolerateMissing &&
          DELETIONS.has(failed.op.op) &&
          ALREADY_GONE.test(res.failed!.message);
        if (!tolerable) {
          return {
            ok: false,
            index: failed.index,
            message: res.failed!.message,
            ran: ran.sort((a, b) => a - b),
            ...(res.failed!.spawn ? { spawn: true } : {}),
          };
        }
        ran.push(failed.index);
        done += res.done + 1;
        pending = pending.filter(
          (_, i) =>
            res.outcomes[i] === 'skipped' ||
            (res.outcomes[i] === 'failed' && i !== res.failed!.index),
        );
      }
      return { ok: true };
    },
  };
}

/**
 * One flush in each of `netns` that still exists: a namespace deleted by hand between the
 * listing and the run is left out of a second try, any other failure is reported.
 */
async function flushIn(runner: Runner, netns: string[], args: string[], what: string) {
  for (let attempt = 0; ; attempt++) {
    const present = new Set(await listNetns());
    const lines = netns
      .filter((ns) => present.has(ns))
      .map((ns) => ({ netns: ns, args, stage: 'flush' }));
    const res = await runner.run(lines);
    if (res.ok) return;
    const failedIn = lines[res.failed?.index ?? -1]?.netns;
    const vanished = failedIn !== undefined && !(await listNetns()).includes(failedIn);
    if (!vanished || attempt > 0) throw new Error(`${what}: ${res.failed?.message ?? ''}`);
  }
}
