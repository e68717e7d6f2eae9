import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { capabilities, probeCapabilities } from '../../src/kernel/caps.js';
import { exec } from '../../src/kernel/exec.js';
import { listNetns } from '../../src/kernel/netns.js';
import { cleanup, leftovers, testLab } from './helpers.js';

const lab = testLab('cap');
const ns = `nc-${lab}`;

/**
 * The same questions asked directly, one `ip`/`tc` process each, in a namespace of this test.
 * The deadline is long on purpose: right after an earlier test file deletes many namespaces the
 * kernel's cleanup holds the rtnl lock for seconds, and a slow answer is still an answer.
 */
async function attempt(args: string[], tool = 'ip'): Promise<boolean> {
  const r = await exec([tool, '-n', ns, ...args], { allowFailure: true, timeoutMs: 50_000 });
  return r.exitCode === 0;
}

describe('capability probe', () => {
  afterAll(async () => {
    await cleanup(lab);
    expect(await leftovers(lab)).toEqual([]);
  });

  it('agrees with direct attempts on this kernel and removes its probe namespace', async () => {
    const caps = await probeCapabilities();
    expect(caps.root).toBe(process.getuid?.() === 0);
    const version = (await exec(['ip', '-V'])).stdout;
    expect(version).toContain(`iproute2-${caps.iproute2}`);

    await exec(['ip', 'netns', 'add', ns]);
    const direct = {
      veth: await attempt(['link', 'add', 'name', 'x0', 'type', 'veth', 'peer', 'name', 'x1']),
      bridge: await attempt(['link', 'add', 'name', 'xb', 'type', 'bridge']),
      vxlan: await attempt([
        'link',
        'add',
        'name',
        'xv',
        'type',
        'vxlan',
        'id',
        '7',
        'dstport',
        '4789',
      ]),
      vlan8021q: await attempt([
        'link',
        'add',
        'link',
        'x0',
        'name',
        'x0.7',
        'type',
        'vlan',
        'id',
        '7',
      ]),
      vlanFiltering: await attempt([
        'link',
        'set',
        'dev',
        'xb',
        'type',
        'bridge',
        'vlan_filtering',
        '1',
      ]),
      netem: await attempt(['qdisc', 'add', 'dev', 'x0', 'root', 'netem', 'delay', '2ms'], 'tc'),
      tbf: await attempt(
        [
          'qdisc',
          'add',
          'dev',
          'x1',
          'root',
          'tbf',
          'rate',
          '2mbit',
          'burst',
          '32kbit',
          'latency',
          '100ms',
        ],
        'tc',
      ),
    };
    expect(caps.kinds).toEqual(direct);
    // The three the product cannot work without: a failure here is a broken machine, not a probe bug.
    expect(caps.kinds.veth && caps.kinds.bridge && caps.kinds.vxlan).toBe(true);

    for (const [name, file] of Object.entries(caps.tools)) {
      if (file === null) continue;
      expect(path.basename(file)).toBe(name);
      expect(() => fs.accessSync(file, fs.constants.X_OK)).not.toThrow();
    }
    expect((await listNetns()).filter((n) => n.startsWith('nc-caps'))).toEqual([]);
  });

  it('is cached per process', async () => {
    const first = capabilities();
    expect(capabilities()).toBe(first);
    await first;
  });
});
