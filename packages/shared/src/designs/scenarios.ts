/** The three classic lessons, as the YAML a teacher opens (and the CLI prints with `scenario NAME`). */
export interface Scenario {
  name: 'same-vlan' | 'inter-vlan' | 'vxlan';
  title: string;
  /** Two lines: what it teaches. */
  teaches: string;
  /** What to try (break it and watch why). */
  tryThis: string[];
  yaml: string;
}

const sameVlan = `apiVersion: netcanvas/v1
name: same-vlan
description: >-
  Two containers on two different nodes share one VLAN and one subnet, so they
  reach each other directly at layer 2, with no router in between.
nodes:
  vlan10: { kind: vlan, vid: 10, subnet: 10.0.10.0/24 }
  node-a: { kind: host }
  node-b: { kind: host }
  c1:     { kind: namespace, host: node-a }
  c2:     { kind: namespace, host: node-b }
links:
  - endpoints: [node-a, vlan10]
  - endpoints: [node-b, vlan10]
# Positions on the canvas (containers: inside their host), so opening it needs no layout engine.
layout:
  c1:     { x: 12, y: 44 }
  c2:     { x: 12, y: 44 }
  vlan10: { x: 162, y: 200 }
  node-a: { x: 12, y: 12 }
  node-b: { x: 280, y: 12 }
`;

const interVlan = `apiVersion: netcanvas/v1
name: inter-vlan
description: >-
  Two VLANs are two broadcast domains with two subnets; the router r1 has a leg
  in each and forwards between them, so c1 reaches c2 only through r1.
nodes:
  vlan10: { kind: vlan, vid: 10, subnet: 10.0.10.0/24 }
  vlan20: { kind: vlan, vid: 20, subnet: 10.0.20.0/24 }
  r1:     { kind: router }
  node-a: { kind: host }
  node-b: { kind: host }
  c1:     { kind: namespace, host: node-a }
  c2:     { kind: namespace, host: node-b }
links:
  - endpoints: [r1, vlan10]
  - endpoints: [r1, vlan20]
  - endpoints: [node-a, vlan10]
  - endpoints: [node-b, vlan20]
# Positions on the canvas (containers: inside their host), so opening it needs no layout engine.
layout:
  c1:     { x: 12, y: 44 }
  c2:     { x: 12, y: 44 }
  vlan10: { x: 138, y: 198 }
  vlan20: { x: 422, y: 198 }
  r1:     { x: 280, y: 74 }
  node-a: { x: 12, y: 12 }
  node-b: { x: 516, y: 12 }
`;

const vxlan = `apiVersion: netcanvas/v1
name: vxlan
description: >-
  Two sites, each a VLAN behind its own router, are joined by a VXLAN tunnel
  (VNI 42) that the routers carry over the shared public network.
nodes:
  public: { kind: switch, subnet: 203.0.113.0/24 }
  vlan10: { kind: vlan, vid: 10, subnet: 10.0.10.0/24 }
  vlan20: { kind: vlan, vid: 20, subnet: 10.0.20.0/24 }
  r1:     { kind: router }
  r2:     { kind: router }
  tun:    { kind: vxlan, vni: 42, underlay: public, subnet: 172.16.42.0/29 }
  node-a: { kind: host }
  node-b: { kind: host }
  c1:     { kind: namespace, host: node-a }
  c2:     { kind: namespace, host: node-b }
links:
  - endpoints: [node-a, vlan10]
  - endpoints: [node-b, vlan20]
  - endpoints: [r1, vlan10]
  - endpoints: [r2, vlan20]
  - endpoints: [r1, public]
  - endpoints: [r2, public]
  - endpoints: [r1, tun]
  - endpoints: [r2, tun]
# Positions on the canvas (containers: inside their host), so opening it needs no layout engine.
layout:
  c1:     { x: 12, y: 44 }
  c2:     { x: 12, y: 44 }
  public: { x: 436, y: 230 }
  vlan10: { x: 16, y: 230 }
  vlan20: { x: 856, y: 230 }
  r1:     { x: 166, y: 74 }
  r2:     { x: 706, y: 74 }
  tun:    { x: 436, y: 74 }
  node-a: { x: 0, y: 330 }
  node-b: { x: 840, y: 330 }
`;

export const scenarios: Scenario[] = [
  {
    name: 'same-vlan',
    title: 'Containers on two nodes in one VLAN',
    teaches:
      'Containers on different nodes that share a VLAN and a subnet talk directly at layer 2.\n' +
      'No router is involved: ARP finds the peer across the hosts\u2019 bridges and the VLAN.',
    tryThis: [
      'Right-click the link node-b--vlan10, choose Cut link, and watch c1 lose c2 while c1 still reaches node-a.',
      'Add a vlan20 (10.0.20.0/24), link node-b to it instead of vlan10, and see why c1 can no longer reach c2 without a router.',
      'Give c2 an address outside 10.0.10.0/24 in the inspector and read the problem it reports.',
    ],
    yaml: sameVlan,
  },
  {
    name: 'inter-vlan',
    title: 'Two VLANs joined by one router',
    teaches:
      'Each VLAN is its own broadcast domain and subnet; traffic between them must be routed.\n' +
      'r1 is the default gateway of both VLANs and forwards packets from one to the other.',
    tryThis: [
      'Remove r1 and see why c1 can no longer reach c2 (vlan10 has no gateway).',
      'Right-click the link r1--vlan20, choose Cut link, and follow the ping until r1 drops it.',
      'Link vlan10 directly to vlan20 and read why VLANs are joined through a router.',
    ],
    yaml: interVlan,
  },
  {
    name: 'vxlan',
    title: 'Two sites joined by a VXLAN tunnel',
    teaches:
      'A VXLAN overlay carries a private subnet between routers inside UDP over a shared public network.\n' +
      'The public network never routes the private subnets: they cross it only inside the tunnel.',
    tryThis: [
      'Right-click the link r2--public, choose Cut link, and watch the tunnel fail although vlan10 and vlan20 are untouched.',
      'Right-click public, choose Capture on r1-public, ping c1 → c2 and see the encapsulated packets (UDP port 4789, VNI 42).',
      'Set r2\u2019s Routing to static in the inspector, with no routes, and see where the reply from c2 is lost.',
    ],
    yaml: vxlan,
  },
];

export function findScenario(name: string): Scenario | undefined {
  return scenarios.find((s) => s.name === name);
}
