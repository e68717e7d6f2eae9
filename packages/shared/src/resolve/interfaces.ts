/**
 * Interfaces that exist whatever the links: every segment's bridge, every
 * host's br0 and every container's attachment to its host; and how an
 * interface gets its kernel name (docs/architecture.md, "Kernel names").
 */
import { diagnostic } from '../diagnostics.js';
import { IfnameScope } from '../net/names.js';
import { isSegmentKind } from '../parse/schema.js';
import { type Claimant, makeIface, nodeOf, pushTo, type ResolveState } from './state.js';

/**
 * A kernel name for an interface of `owner` in namespace `ns`: the readable
 * name when it is free, else a hashed one. A clash involving a name the
 * user wrote is an error naming both interfaces.
 */
export function claimName(
  st: ResolveState,
  ns: string,
  readable: string,
  identity: string,
  explicit: boolean,
  owner: string,
  purpose: () => string,
  path?: (string | number)[],
): string {
  let scope = st.scopes.get(ns);
  if (!scope) {
    scope = new IfnameScope<Claimant>();
    st.scopes.set(ns, scope);
  }
  const { name, clashed, first } = scope.claim(readable, identity, { explicit, purpose });
  if (clashed && first && (explicit || first.explicit)) {
    st.diagnostics.push(
      diagnostic(
        'error',
        'ifname-duplicate',
        `${owner} has two interfaces named ${readable} (${first.purpose()} and ${purpose()}); interface names must be unique within ${owner}, so the second one becomes ${name}`,
        [owner],
        path,
      ),
    );
  }
  return name;
}

/** Bridges first: they exist before anything is enslaved to them, and they claim their names first. */
export function bridges(st: ResolveState): void {
  const nodes = st.design.nodes;
  for (const id of st.ids) {
    if (!isSegmentKind(nodes[id]!.kind)) continue;
    const name = claimName(st, st.fabric, id, id, false, id, () => `the bridge of ${id}`);
    st.segmentBridge.set(id, name);
    st.bridges.push(
      makeIface({
        netns: st.fabric,
        name,
        node: id,
        kind: 'bridge',
        domain: id,
        master: null,
        up: true,
      }),
    );
  }
  for (const id of st.ids) {
    const node = nodes[id]!;
    if (node.kind !== 'host') continue;
    const ns = st.netnsOf.get(id)!;
    const name = claimName(st, ns, 'br0', 'br0', false, id, () => 'its container bridge');
    const br0 = makeIface({
      netns: ns,
      name,
      node: id,
      kind: 'bridge',
      domain: node.mode === 'routed' ? id : null,
      master: null,
      up: true,
    });
    st.hostBridge.set(id, br0);
    st.bridges.push(br0);
  }
}

/** Containers: eth0 in the container, a port named after it on the host's br0. */
export function containers(st: ResolveState): void {
  for (const id of st.ids) {
    const node = st.design.nodes[id]!;
    if (node.kind !== 'namespace' || node.host === undefined) continue;
    const host = node.host;
    if (nodeOf(st, host)?.kind !== 'host') continue;
    const ns = st.netnsOf.get(id)!;
    const hostNs = st.netnsOf.get(host)!;
    const br0 = st.hostBridge.get(host)!;
    const eth0 = makeIface({
      netns: ns,
      name: claimName(st, ns, 'eth0', 'eth0', false, id, () => `its attachment to ${host}`),
      node: id,
      kind: 'veth',
      domain: null,
      master: null,
      up: true,
    });
    const port = makeIface({
      netns: hostNs,
      name: claimName(st, hostNs, id, id, false, host, () => `the port of container ${id}`),
      node: host,
      kind: 'veth',
      domain: null,
      master: br0.name,
      up: true,
    });
    eth0.peer = { netns: hostNs, name: port.name };
    eth0.link = id;
    eth0.towards = host;
    port.peer = { netns: ns, name: eth0.name };
    port.link = id;
    port.towards = id;
    st.veths.push(eth0, port);
    st.containerEth0.set(id, eth0);
    st.containerPort.set(id, port);
    pushTo(st.containersOf, host, id);
    st.links.push({
      id,
      index: -1,
      kind: 'container',
      a: { node: id, ifname: eth0.name },
      b: { node: host, ifname: port.name },
      state: 'up',
    });
  }
}
