/**
 * Hosts, once every link is known: a routed host's br0 and containers make
 * its container network; a bridged host's first uplink is enslaved to its
 * br0, which holds the host's address, and its containers join that
 * segment (docs/architecture.md, "Realisation of each kind").
 */
import { diagnostic, listNames, plural } from '../diagnostics.js';
import { attach, member, type ResolveState } from './state.js';

export function hosts(st: ResolveState): void {
  for (const id of st.ids) {
    const node = st.design.nodes[id]!;
    if (node.kind !== 'host') continue;
    const br0 = st.hostBridge.get(id)!;
    const containers = st.containersOf.get(id) ?? [];
    /** Each container's eth0 joins `domain`, and so does its port on br0. */
    const containersJoin = (domain: string) => {
      for (const c of containers) {
        st.containerPort.get(c)!.domain = domain;
        const eth0 = st.containerEth0.get(c)!;
        eth0.domain = domain;
        // A container sits on its host's network: its eth0 is its address there (a tunnel's underlay too).
        attach(st, c, domain, eth0);
        st.memberPending.push({ domain, member: member(eth0, c, 1, undefined, ['nodes', c]) });
      }
    };
    if (node.mode === 'routed') {
      st.memberPending.push({ domain: id, member: member(br0, id, 0, undefined, ['nodes', id]) });
      containersJoin(id);
      continue;
    }
    const mine = st.uplinks.get(id) ?? [];
    const first = mine[0];
    if (first) {
      first.iface.master = br0.name;
      br0.domain = first.segment;
      st.memberPending.push({
        domain: first.segment,
        member: member(br0, id, 1, first.ip, ['links', first.index]),
      });
      // The host's address is on br0: its attachment for gateway choice is br0.
      const list = st.attachments.get(id)!;
      const at = list.findIndex((a) => a.iface === first.iface);
      if (at !== -1) list[at] = { domain: first.segment, iface: br0 };
      for (const extra of mine.slice(1)) {
        st.memberPending.push({
          domain: extra.segment,
          member: member(extra.iface, id, 1, extra.ip, ['links', extra.index]),
        });
      }
      if (mine.length > 1) {
        st.diagnostics.push(
          diagnostic(
            'error',
            'bridged-host-uplinks',
            `${id} is a bridged host with ${mine.length} uplinks (${listNames(mine.map((u) => u.segment))}); a bridged host joins exactly one segment, so only ${first.segment} is bridged to its containers (use mode: routed, or a router, to join several)`,
            [id, ...mine.map((u) => u.linkId)],
            ['nodes', id],
          ),
        );
      }
      containersJoin(first.segment);
    } else if (containers.length > 0) {
      st.diagnostics.push(
        diagnostic(
          'warning',
          'host-no-uplink',
          `${id} has no uplink to a vlan or switch, so its ${plural(containers.length, 'container', 'containers')} ${listNames(containers)} ${plural(containers.length, 'has', 'have')} no subnet and ${plural(containers.length, 'gets', 'get')} no address (link ${id} to a segment, or make it mode: routed with a subnet)`,
          [id, ...containers],
          ['nodes', id],
        ),
      );
    }
  }
  for (const { domain, member: m } of st.memberPending) st.domains.get(domain)?.members.push(m);
}
