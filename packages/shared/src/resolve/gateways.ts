/**
 * Each domain's canonical subnet and gateway, and the address every
 * element is pinged at (docs/architecture.md, "Routing").
 */
import type { DomainSpec, IfaceSpec, Topology } from '../model.js';
import { bareAddress, formatSubnet } from '../net/ipv4.js';
import { isNamespacedKind } from '../parse/schema.js';
import type { DomainState, Member, ResolveState } from './state.js';

export function gateways(st: ResolveState): void {
  for (const id of st.domainOrder) {
    const d = st.domains.get(id)!;
    d.spec.subnet = d.subnet === null ? null : formatSubnet(d.subnet);
    d.spec.gateway = chooseGateway(d, st.design.nodes);
  }
}

/**
 * The first router by id with an address in the domain; a routed host's
 * br0 in its hostnet; on a p2p link the forwarding end (routers first).
 */
function chooseGateway(
  d: DomainState,
  nodes: ResolveState['design']['nodes'],
): DomainSpec['gateway'] {
  const addressed = d.members.filter((m) => m.iface.address !== null);
  const byNode = (a: Member, b: Member): number => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0);
  const routers = addressed.filter((m) => nodes[m.node]?.kind === 'router').sort(byNode);
  let chosen: Member | undefined;
  if (d.spec.kind === 'hostnet')
    chosen = addressed.find((m) => m.node === d.spec.id && m.iface.kind === 'bridge');
  else if (d.spec.kind === 'p2p') {
    chosen =
      routers[0] ??
      addressed
        .filter((m) => {
          const n = nodes[m.node];
          return n?.kind === 'host' && n.mode === 'routed';
        })
        .sort(byNode)[0];
  } else chosen = routers[0];
  if (!chosen) return null;
  return { node: chosen.node, address: bareAddress(chosen.iface.address!) };
}

/**
 * The address each element is pinged at: a container's eth0, a bridged
 * host's br0, else its first addressed interface that is up (the first
 * addressed one when none is). A down port's address still answers from the
 * other ports (the weak host model), but not on its own link.
 */
export function endpoints(
  st: ResolveState,
  interfaces: readonly IfaceSpec[],
): Topology['endpoints'] {
  const firstAddressed = new Map<string, IfaceSpec>();
  for (const iface of interfaces) {
    if (iface.address === null || iface.netns === st.fabric) continue;
    const had = firstAddressed.get(iface.node);
    if (!had || (!had.up && iface.up)) firstAddressed.set(iface.node, iface);
  }
  const out: Topology['endpoints'] = [];
  for (const id of st.ids) {
    const node = st.design.nodes[id]!;
    if (!isNamespacedKind(node.kind)) continue;
    let preferred: IfaceSpec | undefined;
    if (st.containerEth0.has(id)) preferred = st.containerEth0.get(id);
    else if (node.kind === 'host' && node.mode === 'bridged') preferred = st.hostBridge.get(id);
    const chosen = preferred?.address ? preferred : firstAddressed.get(id);
    if (chosen?.address)
      out.push({ node: id, netns: st.netnsOf.get(id)!, address: bareAddress(chosen.address) });
  }
  return out;
}
