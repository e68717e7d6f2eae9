import { describe, expect, it } from 'vitest';
import { compile } from '../src/compile/compile.js';
import { batchLine, render } from '../src/compile/render.js';
import type { Op } from '../src/model.js';
import { hostTopology, vxlanTopology } from './compile-fixtures.js';

const base = { source: ['r1'], why: 'test' };
const NS = 'nc-lab.r1';

describe('render: one argv per op kind', () => {
  const cases: [Op, string[]][] = [
    [{ op: 'netns.add', netns: NS, ...base }, ['ip', 'netns', 'add', NS]],
    [{ op: 'netns.del', netns: NS, ...base }, ['ip', 'netns', 'del', NS]],
    [{ op: 'netns.nsid', netns: NS, ...base }, ['ip', 'netns', 'set', NS, 'auto']],
    [
      { op: 'sysctl', netns: NS, key: 'net.ipv4.ip_forward', value: '1', ...base },
      ['ip', 'netns', 'exec', NS, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'],
    ],
    [
      { op: 'bridge.add', netns: 'nc-lab', dev: 'vlan10', ...base },
      ['ip', '-n', 'nc-lab', 'link', 'add', 'name', 'vlan10', 'type', 'bridge'],
    ],
    [
      { op: 'bridge.add', netns: 'nc-lab', dev: 'vlan10', mtu: 9000, ...base },
      ['ip', '-n', 'nc-lab', 'link', 'add', 'name', 'vlan10', 'mtu', '9000', 'type', 'bridge'],
    ],
    [
      { op: 'veth.add', netns: NS, dev: 'vlan10', peerNetns: 'nc-lab', peer: 'r1-vlan10', ...base },
      [
        'ip',
        '-n',
        NS,
        'link',
        'add',
        'name',
        'vlan10',
        'type',
        'veth',
        'peer',
        'name',
        'r1-vlan10',
        'netns',
        'nc-lab',
      ],
    ],
    [
      {
        op: 'veth.add',
        netns: NS,
        dev: 'vlan10',
        peerNetns: 'nc-lab',
        peer: 'r1-vlan10',
        mtu: 1400,
        mac: '02:00:00:00:00:01',
        peerMac: '02:00:00:00:00:02',
        ...base,
      },
      [
        'ip',
        '-n',
        NS,
        'link',
        'add',
        'name',
        'vlan10',
        'mtu',
        '1400',
        'address',
        '02:00:00:00:00:01',
        'type',
        'veth',
        'peer',
        'name',
        'r1-vlan10',
        'mtu',
        '1400',
        'address',
        '02:00:00:00:00:02',
        'netns',
        'nc-lab',
      ],
    ],
    [
      {
        op: 'vxlan.add',
        netns: NS,
        dev: 'tun',
        vni: 42,
        port: 4789,
        local: '203.0.113.1',
        underlayDev: 'public',
        ...base,
      },
      [
        'ip',
        '-n',
        NS,
        'link',
        'add',
        'name',
        'tun',
        'type',
        'vxlan',
        'id',
        '42',
        'dstport',
        '4789',
        'local',
        '203.0.113.1',
        'dev',
        'public',
      ],
    ],
    [
      {
        op: 'vxlan.add',
        netns: NS,
        dev: 'tun',
        vni: 16777215,
        port: 8472,
        local: '203.0.113.1',
        underlayDev: 'public',
        mtu: 1450,
        ...base,
      },
      [
        'ip',
        '-n',
        NS,
        'link',
        'add',
        'name',
        'tun',
        'mtu',
        '1450',
        'type',
        'vxlan',
        'id',
        '16777215',
        'dstport',
        '8472',
        'local',
        '203.0.113.1',
        'dev',
        'public',
      ],
    ],
    [
      { op: 'link.del', netns: NS, dev: 'vlan10', ...base },
      ['ip', '-n', NS, 'link', 'del', 'dev', 'vlan10'],
    ],
    [
      { op: 'link.master', netns: 'nc-lab', dev: 'r1-vlan10', master: 'vlan10', ...base },
      ['ip', '-n', 'nc-lab', 'link', 'set', 'dev', 'r1-vlan10', 'master', 'vlan10'],
    ],
    [
      { op: 'link.nomaster', netns: 'nc-lab', dev: 'r1-vlan10', ...base },
      ['ip', '-n', 'nc-lab', 'link', 'set', 'dev', 'r1-vlan10', 'nomaster'],
    ],
    [
      { op: 'link.mtu', netns: NS, dev: 'vlan10', mtu: 1500, ...base },
      ['ip', '-n', NS, 'link', 'set', 'dev', 'vlan10', 'mtu', '1500'],
    ],
    [
      { op: 'link.state', netns: NS, dev: 'vlan10', state: 'up', ...base },
      ['ip', '-n', NS, 'link', 'set', 'dev', 'vlan10', 'up'],
    ],
    [
      { op: 'link.state', netns: NS, dev: 'vlan10', state: 'down', ...base },
      ['ip', '-n', NS, 'link', 'set', 'dev', 'vlan10', 'down'],
    ],
    [
      { op: 'addr.add', netns: NS, dev: 'vlan10', address: '10.0.10.1/24', ...base },
      ['ip', '-n', NS, 'addr', 'add', '10.0.10.1/24', 'dev', 'vlan10'],
    ],
    [
      { op: 'addr.del', netns: NS, dev: 'vlan10', address: '10.0.10.1/24', ...base },
      ['ip', '-n', NS, 'addr', 'del', '10.0.10.1/24', 'dev', 'vlan10'],
    ],
    [
      { op: 'fdb.append', netns: NS, dev: 'tun', dst: '203.0.113.2', ...base },
      [
        'bridge',
        '-n',
        NS,
        'fdb',
        'append',
        '00:00:00:00:00:00',
        'dev',
        'tun',
        'dst',
        '203.0.113.2',
      ],
    ],
    [
      { op: 'fdb.del', netns: NS, dev: 'tun', dst: '203.0.113.2', ...base },
      ['bridge', '-n', NS, 'fdb', 'del', '00:00:00:00:00:00', 'dev', 'tun', 'dst', '203.0.113.2'],
    ],
    [
      { op: 'route.add', netns: NS, to: '10.0.20.0/24', via: '172.16.42.2', dev: 'tun', ...base },
      ['ip', '-n', NS, 'route', 'add', '10.0.20.0/24', 'via', '172.16.42.2', 'dev', 'tun'],
    ],
    [
      {
        op: 'route.add',
        netns: 'nc-lab.c1',
        to: 'default',
        via: '10.0.10.1',
        dev: 'eth0',
        ...base,
      },
      ['ip', '-n', 'nc-lab.c1', 'route', 'add', 'default', 'via', '10.0.10.1', 'dev', 'eth0'],
    ],
    [
      { op: 'route.del', netns: NS, to: '10.0.20.0/24', ...base },
      ['ip', '-n', NS, 'route', 'del', '10.0.20.0/24'],
    ],
    [
      { op: 'route.del', netns: NS, to: '10.0.20.0/24', via: '172.16.42.2', dev: 'tun', ...base },
      ['ip', '-n', NS, 'route', 'del', '10.0.20.0/24', 'via', '172.16.42.2', 'dev', 'tun'],
    ],
  ];
  for (const [op, argv] of cases) {
    it(`${op.op} → ${argv.join(' ')}`, () => {
      expect(render(op)).toEqual(argv);
    });
  }
});

describe('render: batch lines', () => {
  it('routes namespace management and sysctls to the root worker, fdb to a bridge worker', () => {
    expect(batchLine({ op: 'netns.add', netns: NS, ...base })).toEqual({
      tool: 'ip',
      netns: null,
      args: ['netns', 'add', NS],
    });
    expect(
      batchLine({
        op: 'sysctl',
        netns: NS,
        key: 'net.ipv4.conf.all.rp_filter',
        value: '0',
        ...base,
      }),
    ).toEqual({
      tool: 'ip',
      netns: null,
      args: ['netns', 'exec', NS, 'sysctl', '-q', '-w', 'net.ipv4.conf.all.rp_filter=0'],
    });
    expect(
      batchLine({ op: 'fdb.append', netns: NS, dev: 'tun', dst: '203.0.113.2', ...base }),
    ).toEqual({
      tool: 'bridge',
      netns: NS,
      args: ['fdb', 'append', '00:00:00:00:00:00', 'dev', 'tun', 'dst', '203.0.113.2'],
    });
    expect(batchLine({ op: 'link.state', netns: NS, dev: 'lo', state: 'up', ...base })).toEqual({
      tool: 'ip',
      netns: NS,
      args: ['link', 'set', 'dev', 'lo', 'up'],
    });
  });

  it('agrees with render for every op of real plans, and every word is safe on a batch line', () => {
    for (const topo of [vxlanTopology(), hostTopology()]) {
      const plan = compile(topo);
      for (const op of [...plan.ops, ...plan.teardown]) {
        const line = batchLine(op);
        const argv = render(op);
        expect(argv).toEqual(
          line.netns === null
            ? [line.tool, ...line.args]
            : [line.tool, '-n', line.netns, ...line.args],
        );
        // A batch worker splits on blanks and reads quotes and `#`: none may appear.
        for (const word of line.args) expect(word).toMatch(/^[^\s"'#\\]+$/);
      }
    }
  });
});

describe('render: refuses what iproute2 would misread', () => {
  const bad: [string, Op][] = [
    ['a name with a blank', { op: 'link.state', netns: NS, dev: 'eth 0', state: 'up', ...base }],
    [
      'a name that is too long',
      { op: 'link.state', netns: NS, dev: 'abcdefghijklmnop', state: 'up', ...base },
    ],
    [
      'a name starting with a dash (an option)',
      { op: 'link.del', netns: NS, dev: '-all', ...base },
    ],
    ['a namespace outside the lab prefix', { op: 'netns.del', netns: 'default', ...base }],
    ['the root namespace by path', { op: 'netns.add', netns: '../nc-x', ...base }],
    [
      'a namespace with a blank',
      { op: 'link.state', netns: 'nc-lab r1', dev: 'eth0', state: 'up', ...base },
    ],
    [
      'an octal-looking address',
      { op: 'addr.add', netns: NS, dev: 'eth0', address: '10.0.010.1/24', ...base },
    ],
    [
      'an address without prefix length',
      { op: 'addr.add', netns: NS, dev: 'eth0', address: '10.0.10.1', ...base },
    ],
    [
      'a gateway with a prefix length',
      { op: 'route.add', netns: NS, to: 'default', via: '10.0.10.1/24', dev: 'eth0', ...base },
    ],
    [
      'a destination that is a keyword',
      { op: 'route.add', netns: NS, to: 'all', via: '10.0.10.1', dev: 'eth0', ...base },
    ],
    ['a fractional MTU', { op: 'link.mtu', netns: NS, dev: 'eth0', mtu: 1400.5, ...base }],
    ['an MTU out of range', { op: 'link.mtu', netns: NS, dev: 'eth0', mtu: 70000, ...base }],
    [
      'a VNI out of range',
      {
        op: 'vxlan.add',
        netns: NS,
        dev: 'tun',
        vni: 2 ** 24,
        port: 4789,
        local: '10.0.0.1',
        underlayDev: 'eth0',
        ...base,
      },
    ],
    [
      'port 0',
      {
        op: 'vxlan.add',
        netns: NS,
        dev: 'tun',
        vni: 1,
        port: 0,
        local: '10.0.0.1',
        underlayDev: 'eth0',
        ...base,
      },
    ],
    [
      'NaN',
      {
        op: 'vxlan.add',
        netns: NS,
        dev: 'tun',
        vni: Number.NaN,
        port: 4789,
        local: '10.0.0.1',
        underlayDev: 'eth0',
        ...base,
      },
    ],
    [
      'an upper-case MAC',
      {
        op: 'veth.add',
        netns: NS,
        dev: 'a1',
        peerNetns: NS,
        peer: 'b1',
        mac: '02:00:00:00:00:AB',
        ...base,
      },
    ],
    [
      'a sysctl key outside net.ipv4/ipv6',
      { op: 'sysctl', netns: NS, key: 'kernel.panic', value: '1', ...base },
    ],
    [
      'a sysctl value that smuggles a word',
      { op: 'sysctl', netns: NS, key: 'net.ipv4.ip_forward', value: '1 -w', ...base },
    ],
    [
      'an unknown link state',
      { op: 'link.state', netns: NS, dev: 'eth0', state: 'sideways' as 'up', ...base },
    ],
  ];
  for (const [what, op] of bad) {
    it(what, () => {
      expect(() => render(op)).toThrow(/cannot render .*: invalid/);
      expect(() => batchLine(op)).toThrow(/cannot render/);
    });
  }

  it('names the element at fault', () => {
    expect(() =>
      render({
        op: 'link.state',
        netns: NS,
        dev: 'eth 0',
        state: 'up',
        source: ['r1', 'r1--vlan10'],
        why: '',
      }),
    ).toThrow('cannot render link.state (from r1, r1--vlan10): invalid interface name "eth 0"');
  });

  it('writes numbers in canonical decimal', () => {
    expect(render({ op: 'link.mtu', netns: NS, dev: 'eth0', mtu: 1e3, ...base }).at(-1)).toBe(
      '1000',
    );
    expect(
      render({
        op: 'vxlan.add',
        netns: NS,
        dev: 'tun',
        vni: 0x10,
        port: 0o10,
        local: '10.0.0.1',
        underlayDev: 'eth0',
        ...base,
      }).slice(9, 13),
    ).toEqual(['id', '16', 'dstport', '8']);
  });

  it('rejects an unknown op kind', () => {
    expect(() => render({ op: 'link.rename', netns: NS, ...base } as unknown as Op)).toThrow(
      /unknown op "link.rename"/,
    );
  });
});
