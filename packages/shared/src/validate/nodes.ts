/** Each node on its own: its references, its mode, its subnet and its numbers. */
import { formatSubnet } from '../net/ipv4.js';
import type { Design, DesignNode } from '../parse/schema.js';
import { isSegmentKind } from '../parse/schema.js';
import type { Collector } from './collector.js';
import { parseNet, SUBNET_ADVICE, specialProblem } from './subnets.js';

export function checkNodes(design: Design, nodes: Map<string, DesignNode>, out: Collector): void {
  const hostBits = (id: string, field: string, cidr: string, path: (string | number)[]) => {
    const n = parseNet(cidr);
    if (n && n.addr !== n.base) {
      out.add(
        'error',
        'host-bits',
        `${id}: ${field} ${cidr} has host bits set; did you mean ${formatSubnet(n)}?`,
        id === 'addressing' ? [] : [id],
        path,
      );
    }
  };
  hostBits('addressing', 'p2p pool', design.addressing.p2p, ['addressing', 'p2p']);
  /** A subnet the kernel gives another meaning: an error on its element. */
  const special = (id: string, field: string, cidr: string, path: (string | number)[]) => {
    const n = parseNet(cidr);
    const problem = n && specialProblem(n);
    if (!problem) return;
    out.add(
      'error',
      'subnet-reserved',
      `${id === 'addressing' ? 'the p2p pool' : `${id}'s ${field}`} ${problem}; ${SUBNET_ADVICE}`,
      id === 'addressing' ? [] : [id],
      path,
    );
  };
  special('addressing', 'p2p pool', design.addressing.p2p, ['addressing', 'p2p']);

  for (const [id, node] of nodes) {
    const at = ['nodes', id];
    switch (node.kind) {
      case 'namespace':
        if (node.host !== undefined) {
          const host = nodes.get(node.host);
          if (!host) {
            out.add(
              'error',
              'dangling-id',
              `${id} runs on host ${node.host}, which is not in nodes`,
              [id],
              [...at, 'host'],
            );
          } else if (host.kind !== 'host') {
            out.add(
              'error',
              'host-not-host',
              `${id} runs on ${node.host}, but ${node.host} is a ${host.kind}; a container's host must be a host`,
              [id, node.host],
              [...at, 'host'],
            );
          }
        }
        break;
      case 'vxlan': {
        const under = nodes.get(node.underlay);
        if (!under) {
          out.add(
            'error',
            'dangling-id',
            `${id} uses underlay ${node.underlay}, which is not in nodes`,
            [id],
            [...at, 'underlay'],
          );
        } else if (!isSegmentKind(under.kind)) {
          out.add(
            'error',
            'underlay-kind',
            `${id} uses ${node.underlay} as underlay, but it is a ${under.kind}; the underlay must be a vlan or switch that carries the tunnel`,
            [id, node.underlay],
            [...at, 'underlay'],
          );
        }
        hostBits(id, 'subnet', node.subnet, [...at, 'subnet']);
        special(id, 'subnet', node.subnet, [...at, 'subnet']);
        break;
      }
      case 'vlan':
        hostBits(id, 'subnet', node.subnet, [...at, 'subnet']);
        special(id, 'subnet', node.subnet, [...at, 'subnet']);
        break;
      case 'switch':
        if (node.subnet !== undefined) {
          hostBits(id, 'subnet', node.subnet, [...at, 'subnet']);
          special(id, 'subnet', node.subnet, [...at, 'subnet']);
        }
        break;
      case 'host':
        if (node.mode === 'routed' && node.subnet === undefined) {
          out.add(
            'error',
            'routed-host-no-subnet',
            `${id} is in routed mode but has no subnet; give it a container subnet such as 172.17.1.0/24`,
            [id],
            [...at, 'subnet'],
          );
        }
        if (node.mode === 'bridged' && node.subnet !== undefined) {
          out.add(
            'warning',
            'bridged-host-subnet',
            `${id} is in bridged mode, so its subnet ${node.subnet} is ignored (its containers use the uplink's subnet); set mode: routed to use it`,
            [id],
            [...at, 'subnet'],
          );
        }
        if (node.subnet !== undefined) {
          hostBits(id, 'subnet', node.subnet, [...at, 'subnet']);
          if (node.mode === 'routed')
            special(id, 'container subnet', node.subnet, [...at, 'subnet']);
        }
        break;
      case 'router':
        if (node.routing === 'static' && node.routes.length === 0) {
          out.add(
            'info',
            'static-no-routes',
            `${id} has routing: static and no routes, so it only reaches the subnets it is attached to`,
            [id],
            [...at, 'routing'],
          );
        }
        node.routes.forEach((r, i) => {
          if (r.to !== 'default') hostBits(id, 'route to', r.to, [...at, 'routes', i, 'to']);
        });
        break;
    }
  }
}

export function checkDuplicateNumbers(nodes: Map<string, DesignNode>, out: Collector): void {
  const byVid = new Map<number, string[]>();
  const byVni = new Map<number, string[]>();
  for (const [id, node] of nodes) {
    if (node.kind === 'vlan') byVid.set(node.vid, [...(byVid.get(node.vid) ?? []), id]);
    if (node.kind === 'vxlan') byVni.set(node.vni, [...(byVni.get(node.vni) ?? []), id]);
  }
  for (const [vid, owners] of byVid) {
    if (owners.length < 2) continue;
    const sorted = [...owners].sort();
    out.add(
      'error',
      'duplicate-vid',
      `${sorted.join(' and ')} both use VLAN id ${vid}; each VLAN needs its own id`,
      sorted,
      ['nodes', sorted[1]!, 'vid'],
    );
  }
  for (const [vni, owners] of byVni) {
    if (owners.length < 2) continue;
    const sorted = [...owners].sort();
    out.add(
      'error',
      'duplicate-vni',
      `${sorted.join(' and ')} both use VNI ${vni}; each VXLAN needs its own VNI`,
      sorted,
      ['nodes', sorted[1]!, 'vni'],
    );
  }
}
