/**
 * The lab layer's view of the kernel layer: plan ops become batch lines for
 * the long-lived workers, observe and delete come straight from kernel/.
 */
import { batchLine, type Op } from '@netcanvas/shared';
import { capabilities } from '../kernel/caps.js';
import { halfMadeNetns } from '../kernel/half-made.js';
import { deleteNetns, labNetns, listLabs } from '../kernel/netns.js';
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

export function createKernelPort(runner: Runner = sharedRunner()): EngineKernel {
  return {
    capabilities,
    listLabs,
    observe: (lab) => observe(lab, runner),
    async repair(lab) {
      const broken = halfMadeNetns(await labNetns(lab));
      if (broken.length > 0) await deleteNetns(broken, runner);
      return broken;
    },
    async deleteLab(lab) {
      const names = await labNetns(lab);
      // Half-made names too: `ip netns del` only unlinks them.
      const res = await deleteNetns(names, runner);
      if (res.failed.length > 0) {
        throw new Error(res.failed.map((f) => `${f.netns}: ${f.message}`).join('; '));
      }
      return res.removed;
    },
    ping: (netns, address, deadlineS, size) => pingFrom(netns, address, deadlineS, size),
    pingMany: (netns, addresses, probe, size) => pingMany(netns, addresses, probe, size),
    async forgetPathMtu(netns) {
      // `ip route flush cache` drops the cached routes with their learned MTUs.
      const res = await runner.run(
        netns.map((ns) => ({ netns: ns, args: ['route', 'flush', 'cache'], stage: 'flush' })),
      );
      if (!res.ok) throw new Error(`cannot forget the path MTUs: ${res.failed?.message ?? ''}`);
    },
    reserve: () => runner.reserve(),
    async run(ops, opts = {}) {
      // A delete of something already gone is done (CNI's DEL semantics):
      // mark it so and run the rest, until everything ran or a real failure.
      let pending = ops.map((op, index) => ({ op, index }));
      let done = 0;
      const ran: number[] = [];
      while (pending.length > 0) {
        const res = await runner.run(
          pending.map(({ op }) => ({ ...batchLine(op), stage: op.op })),
          { onProgress: (p) => opts.onProgress?.(done + p.done) },
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
