import { compile, type ObservedState, type Topology } from '../../src/index.js';

/** What the kernel shows after a perfect apply of this topology. */
export function applied(t: Topology): ObservedState {
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
