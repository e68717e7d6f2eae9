/**
 * The live counters' reads on the real kernel: the netlink helper keeps each
 * namespace's /proc/net/dev open and reads it again each second
 * (NetlinkEngine.netDevTraffic). Two namespaces made by hand under a lab name
 * of this file's own, removed at the end. What a user would notice: the
 * counters follow traffic; a namespace deleted by hand really goes (an open
 * file keeps a namespace alive, and with it a veth whose peer end is
 * elsewhere); one made again under the same name is counted, not the old
 * one. Needs root.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NetlinkEngine } from '../../src/kernel/netlink.js';
import { untilAsync } from '../until.js';
import { cleanup, ipIn, ping, testLab } from './helpers.js';

const lab = testLab('netdev');
const A = `nc-${lab}.a`;
const B = `nc-${lab}.b`;
const netlink = new NetlinkEngine();

const ip = (args: string[]) => execFileSync('ip', args, { stdio: 'ignore' });

/** `ip netns add B` and a veth a-b between A and B, 10.9.0.1/30 ↔ .2, both ends up. */
function makeB(): void {
  ip(['netns', 'add', B]);
  ip(['-n', A, 'link', 'add', 'a-b', 'type', 'veth', 'peer', 'name', 'b-a', 'netns', B]);
  ip(['-n', A, 'addr', 'add', '10.9.0.1/30', 'dev', 'a-b']);
  ip(['-n', B, 'addr', 'add', '10.9.0.2/30', 'dev', 'b-a']);
  ip(['-n', A, 'link', 'set', 'a-b', 'up']);
  ip(['-n', B, 'link', 'set', 'b-a', 'up']);
}

/** Three pings A → B, after the product's own ping got a first answer (a new veth may drop the first ARP). */
async function pingB(): Promise<void> {
  expect(await ping(A, '10.9.0.2')).toBe(true);
  execFileSync('ip', ['netns', 'exec', A, 'ping', '-c', '3', '-i', '0.2', '-W', '1', '10.9.0.2'], {
    stdio: 'ignore',
  });
}

const rxPackets = async (netns: string, dev: string) =>
  (await netlink.netDevTraffic([A, B])).get(netns)?.find((r) => r.ifname === dev)?.rxPackets;

beforeAll(() => {
  ip(['netns', 'add', A]);
  makeB();
});
afterAll(async () => {
  await netlink.close();
  await cleanup(lab);
});

it('counters follow traffic, read again from the files kept open', async () => {
  const first = await netlink.netDevTraffic([A, B, `nc-${lab}.none`]);
  expect([...first.keys()].sort()).toEqual([A, B]);
  expect(first.get(A)!.map((r) => r.ifname)).toEqual(['a-b']);
  const before = (await rxPackets(B, 'b-a')) ?? Number.NaN;
  // Read again (the helper sends a name only when its text did not change): never behind.
  expect(await rxPackets(B, 'b-a')).toBeGreaterThanOrEqual(before);
  await pingB();
  expect(await rxPackets(B, 'b-a')).toBeGreaterThanOrEqual(before + 3);
});

it('the state listing says what the kernel says: a device set down by hand, and its peer', async () => {
  const states = async () =>
    (await netlink.netDevListing([A, B]))
      .map((r) => `${r.netns}/${r.ifname} ${r.up ? 'up' : 'down'} ${r.operstate}`)
      .sort();
  // An operstate follows its device a moment later (the kernel's linkwatch, up to a second
  // when loaded): polled, as a poll sees it.
  const up = [`${A}/a-b up UP`, `${B}/b-a up UP`];
  await untilAsync(async () => (await states()).join() === up.join(), 'both ends up');
  // The same as the pyroute2 listing the helper had.
  const old = (await netlink.listing([A, B]))
    .map((r) => `${r.netns}/${r.ifname} ${r.up ? 'up' : 'down'} ${r.operstate}`)
    .sort();
  expect(await states()).toEqual(old);
  ip(['-n', B, 'link', 'set', 'b-a', 'down']);
  const down = [`${A}/a-b up DOWN`, `${B}/b-a down DOWN`];
  await untilAsync(
    async () => (await states()).join() === down.join(),
    'b-a down, a-b without carrier (operstate DOWN)',
  );
  ip(['-n', B, 'link', 'set', 'b-a', 'up']);
  await untilAsync(async () => (await states()).join() === up.join(), 'both ends up again');
  const counted = (await netlink.netDevListing([B])).find((r) => r.ifname === 'b-a')!;
  expect(counted.rxPackets).toBe(await rxPackets(B, 'b-a'));
});

it('a namespace deleted by hand goes at once, and one made again under its name is the one counted', async () => {
  await pingB();
  const old = (await rxPackets(B, 'b-a')) ?? 0;
  expect(old).toBeGreaterThanOrEqual(3);
  ip(['netns', 'del', B]);
  // The helper's open file must not keep B alive: B's end of the veth goes, and with it A's.
  await untilAsync(
    async () => (await ipIn(A, ['link', 'show', 'dev', 'a-b'])).exitCode !== 0,
    "A's end of the veth gone with B",
  );
  expect((await netlink.netDevTraffic([A, B])).has(B)).toBe(false);
  makeB();
  const fresh = (await rxPackets(B, 'b-a')) ?? Number.NaN;
  expect(fresh).toBeLessThan(old);
  await pingB();
  expect(await rxPackets(B, 'b-a')).toBeGreaterThanOrEqual(fresh + 3);
});
