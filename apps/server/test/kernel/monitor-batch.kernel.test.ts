/**
 * The link monitor with onEvents on the real kernel: link changes that reach
 * it together (50 veth ends set up by one `ip -batch`) come in a few calls,
 * in order, not one call each; nothing goes to onEvent. One namespace made
 * by hand under this file's own lab name, removed at the end. Needs root.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type LinkEvent, LinkMonitor } from '../../src/kernel/monitor.js';
import { until, untilAsync } from '../until.js';
import { cleanup, testLab } from './helpers.js';

const lab = testLab('batch');
const A = `nc-${lab}.a`;
const DEVICES = 50;
const ip = (args: string[], input?: string) =>
  execFileSync('ip', args, {
    stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'ignore'],
    input,
  });

beforeAll(() => {
  ip(['netns', 'add', A]);
  ip(['netns', 'set', A, 'auto']);
  ip(
    ['-n', A, '-batch', '-'],
    Array.from({ length: DEVICES }, (_, i) => `link add d${i} type veth peer name e${i}\n`).join(
      '',
    ),
  );
});
afterAll(async () => {
  await cleanup(lab);
});

it('changes that come together are handed over together, in order', async () => {
  const batches: LinkEvent[][] = [];
  let single = 0;
  const monitor = new LinkMonitor({
    filter: (ns) => ns === A,
    onEvent: () => {
      single += 1;
    },
    onEvents: (es) => batches.push(es),
  });
  await monitor.start();
  try {
    // The monitor is live once it reports a change: d0 toggled until an event of it arrives.
    let up = false;
    await untilAsync(async () => {
      up = !up;
      ip(['-n', A, 'link', 'set', 'd0', up ? 'up' : 'down']);
      return batches.flat().some((e) => e.ifname === 'd0');
    }, 'the monitor live');
    batches.length = 0;
    ip(
      ['-n', A, '-batch', '-'],
      Array.from({ length: DEVICES - 1 }, (_, i) => `link set d${i + 1} up\n`).join(''),
    );
    const ups = () =>
      batches.flat().filter((e) => e.up && /^d\d+$/.test(e.ifname) && e.ifname !== 'd0');
    await until(() => new Set(ups().map((e) => e.ifname)).size === DEVICES - 1, 'every device up');
    expect(batches.length).toBeLessThan(ups().length);
    const order = ups().map((e) => Number(e.ifname.slice(1)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(single).toBe(0);
  } finally {
    await monitor.close();
  }
});
