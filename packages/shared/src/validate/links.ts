/** Each link: its id, its ends, the link rule, its MACs and its written addresses. */
import { formatIpv4, formatSubnet, lastAddress } from '../net/ipv4.js';
import { RESERVED_NAMES } from '../net/names.js';
import { linkEnds, linkLabel } from '../parse/links.js';
import type { Design, DesignNode, NodeKind } from '../parse/schema.js';
import { endpointObject, isSegmentKind } from '../parse/schema.js';
import { linkRule } from '../rules/link-rule.js';
import type { Collector } from './collector.js';
import { reservedReason } from './names.js';
import { parseNet, SUBNET_ADVICE, specialProblem } from './subnets.js';

/** Returns whether the design has a point-to-point link (so the p2p pool is in use). */
export function checkLinks(
  design: Design,
  nodes: Map<string, DesignNode>,
  ids: string[],
  kindOf: (id: string) => NodeKind | undefined,
  out: Collector,
): boolean {
  let hasP2p = false;
  const explicitIds = new Map<string, number>();
  const macs = new Map<string, number>();
  const endIds = linkEnds(design);
  const labels = ids.map((id, i) => linkLabel(id, endIds[i]!));

  design.links.forEach((link, i) => {
    const id = ids[i]!;
    /** "link r1--vlan10", "link uplink (r1–vlan10)": a message always names the link's ends. */
    const label = labels[i]!;
    const at: (string | number)[] = ['links', i];
    if (link.id !== undefined) {
      if (explicitIds.has(link.id)) {
        out.add(
          'error',
          'link-id-duplicate',
          `two links have the id ${link.id} (${endIds[explicitIds.get(link.id)!]!.join('–')} and ${endIds[i]!.join('–')}); link ids must be unique`,
          [link.id],
          [...at, 'id'],
        );
      }
      explicitIds.set(link.id, i);
    }
    const ends = link.endpoints.map(endpointObject) as [
      ReturnType<typeof endpointObject>,
      ReturnType<typeof endpointObject>,
    ];
    ends.forEach((ep, e) => {
      if (!nodes.has(ep.node)) {
        out.add(
          'error',
          'dangling-id',
          `${label}: its end ${ep.node} is not in nodes; add ${ep.node} or remove the link`,
          [id],
          [...at, 'endpoints', e],
        );
      }
    });

    ends.forEach((ep, e) => {
      const epPath = [...at, 'endpoints', e];
      const owner = ep.node;
      if (ep.ifname !== undefined && RESERVED_NAMES.has(ep.ifname)) {
        out.add(
          'error',
          'reserved-name',
          `${owner}'s interface on ${label} cannot be named "${ep.ifname}": ${reservedReason(ep.ifname)}`,
          [id, owner],
          [...epPath, 'ifname'],
        );
      }
      const node = nodes.get(owner);
      if (ep.ifname === 'eth0' && node?.kind === 'namespace' && node.host !== undefined) {
        out.add(
          'error',
          'reserved-name',
          `${owner}'s interface on ${label} cannot be named "eth0": eth0 is ${owner}'s attachment to its host ${node.host}`,
          [id, owner],
          [...epPath, 'ifname'],
        );
      }
      if (node && isSegmentKind(node.kind) && (ep.ip !== undefined || ep.ifname !== undefined)) {
        out.add(
          'warning',
          'ignored-endpoint-field',
          `${label}: the ${ep.ip !== undefined ? 'ip' : 'ifname'} on ${owner}'s side is ignored; a ${node.kind} is a bridge port and has no address of its own — put it on the other end`,
          [id, owner],
          [...epPath, ep.ip !== undefined ? 'ip' : 'ifname'],
        );
      }
      if (ep.mac !== undefined) {
        const first = Number.parseInt(ep.mac.slice(0, 2), 16);
        if (first % 2 === 1) {
          out.add(
            'error',
            'mac-multicast',
            `${owner}'s MAC ${ep.mac} on ${label} is a multicast address (the first byte is odd); the kernel refuses it, use e.g. 02:…`,
            [id, owner],
            [...epPath, 'mac'],
          );
        } else if (ep.mac === '00:00:00:00:00:00') {
          out.add(
            'error',
            'mac-zero',
            `${owner}'s MAC on ${label} is all zeros; the kernel refuses it`,
            [id, owner],
            [...epPath, 'mac'],
          );
        }
        const prev = macs.get(ep.mac);
        if (prev !== undefined) {
          out.add(
            'error',
            'mac-duplicate',
            `MAC ${ep.mac} is used twice (${labels[prev]} and ${label})`,
            [...new Set([ids[prev]!, id])],
            [...epPath, 'mac'],
          );
        } else {
          macs.set(ep.mac, i);
        }
      }
    });

    const [a, b] = ends;
    const rule = linkRule(
      { id: a.node, node: nodes.get(a.node) },
      { id: b.node, node: nodes.get(b.node) },
    );
    // A missing end was reported above, once per end.
    if (!rule.ok) {
      if (rule.code !== 'dangling-id')
        out.add('error', rule.code, `${label} ${rule.reason}`, [id, a.node, b.node], at);
      return;
    }
    if (rule.kind === 'p2p') hasP2p = true;

    // An explicit address must be usable: not the network or broadcast address of its subnet.
    ends.forEach((ep, e) => {
      if (ep.ip === undefined) return;
      const other = e === 0 ? b.node : a.node;
      const otherNode = nodes.get(other);
      const domainSubnet =
        otherNode &&
        (otherNode.kind === 'vlan' || otherNode.kind === 'switch' || otherNode.kind === 'vxlan')
          ? otherNode.subnet
          : undefined;
      const fallback = domainSubnet ? parseNet(domainSubnet)?.len : undefined;
      // The address itself, and on a point-to-point link the subnet it makes (a segment's subnet
      // is checked on the segment; an ip on the segment's side is ignored, as said above).
      const alone = parseNet(ep.ip, 32);
      const ownNet = ep.ip.includes('/') && !domainSubnet ? parseNet(ep.ip) : undefined;
      const reserved =
        (alone && specialProblem({ addr: alone.addr, base: alone.addr, len: 32 })) ??
        (ownNet && specialProblem(ownNet));
      if (reserved && !isSegmentKind(kindOf(ep.node)!)) {
        out.add(
          'error',
          'subnet-reserved',
          `${ep.node}'s address ${ep.ip} on ${label}: ${reserved}; ${SUBNET_ADVICE}`,
          [id, ep.node],
          [...at, 'endpoints', e, 'ip'],
        );
        return;
      }
      const net = parseNet(ep.ip, fallback);
      if (!net || net.len >= 31) return;
      const which =
        net.addr === net.base ? 'network' : net.addr === lastAddress(net) ? 'broadcast' : undefined;
      if (which) {
        out.add(
          'error',
          which === 'network' ? 'address-network' : 'address-broadcast',
          `${ep.node}'s address ${ep.ip} on ${label} is the ${which} address of ${formatSubnet(net)}; pick a host address between ${formatIpv4(net.base + 1)} and ${formatIpv4(lastAddress(net) - 1)}`,
          [id, ep.node],
          [...at, 'endpoints', e, 'ip'],
        );
      }
    });
  });
  return hasP2p;
}
