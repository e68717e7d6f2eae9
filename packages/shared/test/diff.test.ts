/**
 * diff(plan, topology, observed): only the difference runs. The kernel is
 * stood in for by the state a perfect apply would leave (built from the
 * topology), so each case changes one thing and checks what diff asks for.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateDesign, mulberry32 } from '../src/designs/generate.js';
import {
  compile,
  diagnose,
  diff,
  diffWithin,
  emptyObserved,
  type ObservedState,
  type Op,
  replaceNetns,
  resolve,
  type Topology,
} from '../src/index.js';
import { interVlan, vxlan } from './helpers/designs.js';
import { EDIT_KINDS, editDesign } from './helpers/edits.js';

/** What the kernel shows after a perfect apply of this topology. */
function applied(t: Topology): ObservedState {
  const plan = compile(t);
  return {
    lab: t.lab,
    netns: t.netns.map((n) => n.name).sort(),
    interfaces: t.interfaces.map((i, ifindex) => ({
      netns: i.netns,
      name: i.name,
      ifindex,
      kind: i.kind,
      up: i.up,
      operstate: i.up ? 'UP' : 'DOWN',
      master: i.master,
      mtu: i.mtu ?? 1500,
      mac: '02:00:00:00:00:01',
      addresses: i.address ? [i.address] : [],
      ...(i.vxlan
        ? {
            vxlan: {
              vni: i.vxlan.vni,
              port: i.vxlan.port,
              local: i.vxlan.local,
              underlayDev: i.vxlan.underlayDev,
            },
          }
        : {}),
    })),
    routes: plan.ops.flatMap((o) =>
      o.op === 'route.add' ? [{ netns: o.netns, to: o.to, via: o.via, dev: o.dev }] : [],
    ),
    fdb: plan.ops.flatMap((o) =>
      o.op === 'fdb.append'
        ? [{ netns: o.netns, dev: o.dev, mac: '00:00:00:00:00:00', dst: o.dst }]
        : [],
    ),
    sysctls: plan.ops.flatMap((o) =>
      o.op === 'sysctl' ? [{ netns: o.netns, key: o.key, value: o.value }] : [],
    ),
    nsids: Object.fromEntries(t.netns.map((n, i) => [n.name, i])),
  };
}

const empty = emptyObserved;

function setup(design = vxlan()) {
  const { topology } = resolve(design);
  return { topology, plan: compile(topology) };
}

describe('diff', () => {
  it('from nothing, the whole plan runs and nothing is removed', () => {
    const { topology, plan } = setup();
    const d = diff(plan, topology, empty(topology.lab));
    expect(d.add).toEqual(plan.ops);
    expect(d.pre).toEqual([]);
    expect(d.remove).toEqual([]);
  });

  it('a lab that matches needs nothing', () => {
    const { topology, plan } = setup();
    expect(diff(plan, topology, applied(topology))).toEqual({ pre: [], add: [], remove: [] });
  });

  it('an MTU changed on a running link is set in place on both ends, and only that', () => {
    const before = interVlan();
    const seen = applied(setup(before).topology);
    const after = interVlan();
    const i = after.links.findIndex(
      (l) => l.endpoints.includes('r1') && l.endpoints.includes('vlan20'),
    );
    after.links[i] = { ...after.links[i]!, mtu: 1400 };
    const { topology, plan } = setup(after);
    const d = diff(plan, topology, seen);
    expect(d.pre).toEqual([]);
    expect(d.remove).toEqual([]);
    expect(d.add.map((o) => (o.op === 'link.mtu' ? `${o.dev}=${o.mtu}` : o.op))).toEqual([
      'vlan20=1400',
      'r1-vlan20=1400',
    ]);
    // And back: the design no longer sets it, the veth returns to the kernel's default.
    const again = diff(setup(before).plan, setup(before).topology, applied(topology));
    expect(again.add.map((o) => (o.op === 'link.mtu' ? `${o.dev}=${o.mtu}` : o.op))).toEqual([
      'vlan20=1500',
      'r1-vlan20=1500',
    ]);
  });

  it('a veth deleted by hand is made again with everything that hangs on it, and only that', () => {
    const { topology, plan } = setup(interVlan());
    const seen = applied(topology);
    const gone = (i: { netns: string; name: string }) =>
      (i.netns.endsWith('.r1') && i.name === 'vlan20') || i.name === 'r1-vlan20';
    seen.interfaces = seen.interfaces.filter((i) => !gone(i));
    const d = diff(plan, topology, seen);
    expect(d.pre).toEqual([]);
    expect(d.remove).toEqual([]);
    expect(d.add.map((o) => o.op)).toEqual([
      'veth.add',
      'link.master',
      'addr.add',
      'link.state',
      'link.state',
    ]);
    expect(d.add.every((o) => o.source.includes('r1'))).toBe(true);
  });

  it('what the design no longer has is removed last; a wrong address is replaced', () => {
    const { topology, plan } = setup(interVlan());
    const seen = applied(topology);
    seen.netns.push(`nc-${topology.lab}.old`);
    const c1 = seen.interfaces.find((i) => i.netns.endsWith('.c1') && i.name === 'eth0')!;
    const want = c1.addresses[0]!;
    c1.addresses = ['10.0.10.99/24'];
    const d = diff(plan, topology, seen);
    expect(d.add).toEqual([expect.objectContaining({ op: 'addr.add', address: want })]);
    expect(d.remove).toEqual([
      expect.objectContaining({
        op: 'netns.del',
        netns: `nc-${topology.lab}.old`,
        source: ['old'],
      }),
      expect.objectContaining({ op: 'addr.del', address: '10.0.10.99/24', source: ['c1'] }),
    ]);
  });

  it('a vxlan device with other parameters is deleted first and made again', () => {
    const { topology, plan } = setup();
    const seen = applied(topology);
    const tun = seen.interfaces.find((i) => i.netns.endsWith('.r1') && i.name === 'tun')!;
    tun.vxlan = { ...tun.vxlan!, vni: 43 };
    const d = diff(plan, topology, seen);
    expect(d.pre).toEqual([expect.objectContaining({ op: 'link.del', dev: 'tun' })]);
    expect(d.add[0]).toMatchObject({ op: 'vxlan.add', dev: 'tun', vni: 42 });
    // Everything on the new device runs again, even what the old one showed.
    expect(d.add.map((o) => o.op)).toContain('addr.add');
    expect(d.add.map((o) => o.op)).toContain('fdb.append');
  });

  it('a route whose gateway changed is deleted before the new one is added', () => {
    const { topology, plan } = setup();
    const seen = applied(topology);
    const route = seen.routes.find((r) => r.netns.endsWith('.r1') && r.to === '10.0.20.0/24')!;
    route.via = '172.16.42.6';
    const d = diff(plan, topology, seen);
    expect(d.pre).toEqual([
      expect.objectContaining({ op: 'route.del', to: '10.0.20.0/24', via: '172.16.42.6' }),
    ]);
    expect(d.add).toEqual([
      expect.objectContaining({ op: 'route.add', to: '10.0.20.0/24', via: '172.16.42.2' }),
    ]);
  });

  it('a veth whose MAC differs from the one the design writes is made again', () => {
    const design = interVlan();
    const i = design.links.findIndex(
      (l) => l.endpoints.includes('r1') && l.endpoints.includes('vlan20'),
    );
    design.links[i] = {
      ...design.links[i]!,
      endpoints: [{ node: 'r1', mac: '02:00:00:00:20:01' }, 'vlan20'],
    };
    const { topology, plan } = setup(design);
    const seen = applied(topology);
    const r1 = seen.interfaces.find((x) => x.netns.endsWith('.r1') && x.name === 'vlan20')!;
    r1.mac = '02:00:00:00:20:01';
    expect(diff(plan, topology, seen)).toEqual({ pre: [], add: [], remove: [] });
    r1.mac = '02:00:00:00:99:99';
    const d = diff(plan, topology, seen);
    expect(d.pre.map((o) => (o.op === 'link.del' ? o.dev : o.op))).toEqual(['vlan20', 'r1-vlan20']);
    expect(d.add[0]).toMatchObject({ op: 'veth.add', dev: 'vlan20', mac: '02:00:00:00:20:01' });
  });
});

describe('diffWithin: the verification of an apply diffs only what its ops touched', () => {
  /** The namespaces an apply of these changes touches (as apply.ts's verify collects them). */
  const touchedBy = (d: { pre: Op[]; add: Op[]; remove: Op[] }) => {
    const out = new Set<string>();
    for (const op of [...d.pre, ...d.add, ...d.remove]) {
      out.add(op.netns);
      if (op.op === 'veth.add') out.add(op.peerNetns);
    }
    return out;
  };

  it('equals the whole diff on random designs, one-element edits and runs that did all, part or none of their ops', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.constantFrom(...EDIT_KINDS),
        fc.nat(),
        fc.integer({ min: 1, max: 100_000 }),
        (seed, kind, pick, faultSeed) => {
          const before = generateDesign({ seed, elements: 40, name: 'prop' });
          const after = editDesign(before, kind, pick);
          if (!after) return;
          const t0 = diagnose(before).topology;
          const t1 = diagnose(after).topology;
          if (!t0 || !t1) return;
          const plan = compile(t1);
          const first = applied(t0);
          const changes = diff(plan, t1, first);
          const touched = touchedBy(changes);
          // The run: the touched namespaces as a perfect apply leaves them, with some of their
          // entries lost (an op the kernel took but did not carry out, a device deleted meanwhile).
          const rand = mulberry32(faultSeed);
          const perfect = applied(t1);
          const lossy = {
            ...perfect,
            netns: perfect.netns.filter(() => rand() > 0.05),
            interfaces: perfect.interfaces
              .filter(() => rand() > 0.1)
              .map((i) => (rand() < 0.1 ? { ...i, up: !i.up, master: null } : i)),
            routes: perfect.routes.filter(() => rand() > 0.1),
            fdb: perfect.fdb.filter(() => rand() > 0.1),
            sysctls: perfect.sysctls.map((x) => (rand() < 0.05 ? { ...x, value: '9' } : x)),
          };
          const names = [...touched].sort();
          for (const run of [perfect, lossy, first]) {
            const seen = replaceNetns(first, run, names);
            expect(diffWithin(plan, t1, seen, touched)).toEqual(diff(plan, t1, seen));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a lab the apply left as planned needs nothing more', () => {
    const { topology, plan } = setup(interVlan());
    const seen = applied(topology);
    expect(diffWithin(plan, topology, seen, new Set(seen.netns.slice(0, 2)))).toEqual({
      pre: [],
      add: [],
      remove: [],
    });
  });
});
