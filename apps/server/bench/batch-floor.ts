/**
 * Kernel-layer benchmark: what one op costs through the runner's batch
 * workers, against a floor measured in the same run on the same machine
 * (one spawned `ip` process per op, as Mininet and CORE do). The machine is
 * shared, so only the ratios mean something across runs.
 *
 *   npx tsx bench/batch-floor.ts [ops=300]
 *
 * Works in namespaces `nc-bench<pid>*` and deletes them at the end.
 */
import { exec } from '../src/kernel/exec.js';
import { deleteNetns, labNetns } from '../src/kernel/netns.js';
import { type BatchLine, Runner } from '../src/kernel/runner.js';

const ops = Number(process.argv[2] ?? 300);
const lab = `bench${process.pid}`;
const ns = (x: string) => `nc-${lab}.${x}`;

async function time(label: string, n: number, f: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await f();
  const per = (performance.now() - t0) / n;
  console.log(`${label.padEnd(52)} ${per.toFixed(3).padStart(8)} ms/op  (${n} ops)`);
  return per;
}

const runner = new Runner({ idleMs: 60_000 });
try {
  const setup = await runner.run(
    [ns('a'), ns('b'), ns('q'), ...Array.from({ length: 10 }, (_, i) => ns(`m${i}`))].map((n) => ({
      netns: null,
      args: ['netns', 'add', n],
    })),
  );
  if (!setup.ok) throw new Error(setup.failed?.message);

  const spawnN = Math.min(ops, 60);
  const floor = await time('floor: one spawned `ip -n NS link add` per veth', spawnN, async () => {
    for (let i = 0; i < spawnN; i++) {
      await exec([
        'ip',
        '-n',
        ns('a'),
        'link',
        'add',
        'name',
        `s${i}`,
        'type',
        'veth',
        'peer',
        'name',
        `s${i}`,
        'netns',
        ns('b'),
      ]);
    }
  });

  const veths: BatchLine[] = Array.from({ length: ops }, (_, i) => ({
    netns: ns('a'),
    args: [
      'link',
      'add',
      'name',
      `v${i}`,
      'type',
      'veth',
      'peer',
      'name',
      `v${i}`,
      'netns',
      ns('b'),
    ],
  }));
  const batch = await time('runner: veth add, one namespace (worker warm)', ops, async () => {
    const r = await runner.run(veths);
    if (!r.ok) throw new Error(r.failed?.message);
  });

  const ups: BatchLine[] = Array.from({ length: ops }, (_, i) => ({
    netns: ns(`m${i % 10}`),
    args: ['link', 'add', 'name', `d${i}`, 'type', 'bridge'],
  }));
  const spread = await time(
    'runner: bridge add over 10 namespaces (cold workers)',
    ops,
    async () => {
      const r = await runner.run(ups);
      if (!r.ok) throw new Error(r.failed?.message);
    },
  );

  const q = 200;
  const query = await time('runner: listing `link show` (only lo), one at a time', q, async () => {
    for (let i = 0; i < q; i++) await runner.query(ns('q'), ['link', 'show']);
  });

  console.log(
    `\nratios to the floor (lower is better): veth ${(batch / floor).toFixed(3)}, spread ${(spread / floor).toFixed(3)}, query ${(query / floor).toFixed(3)}`,
  );
} finally {
  await deleteNetns(await labNetns(lab), runner);
  await runner.close();
}
