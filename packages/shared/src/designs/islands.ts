/**
 * A lab that is half unreachable on purpose, for `check` at scale: two VLANs
 * joined by a router, and a third VLAN with no router at all. Pairs inside
 * the routed part and inside the island answer; every pair across does not,
 * for a reason the analyzer gives ("… has no gateway"). About half the pairs
 * of the matrix are each kind.
 */
import { API_VERSION, Design } from '../parse/schema.js';

export function islandsDesign(opts: { name: string; perVlan: number }): Design {
  const { name, perVlan } = opts;
  if (!(Number.isInteger(perVlan) && perVlan >= 1 && perVlan <= 200))
    throw new RangeError(`perVlan is 1 to 200, not ${perVlan}`);
  const nodes: Record<string, unknown> = {
    v10: { kind: 'vlan', vid: 10, subnet: '10.0.10.0/24' },
    v20: { kind: 'vlan', vid: 20, subnet: '10.0.20.0/24' },
    v30: { kind: 'vlan', vid: 30, subnet: '10.0.30.0/24' },
    r1: { kind: 'router' },
  };
  const links: { endpoints: [string, string] }[] = [
    { endpoints: ['r1', 'v10'] },
    { endpoints: ['r1', 'v20'] },
  ];
  for (const vlan of ['v10', 'v20', 'v30']) {
    for (let k = 1; k <= perVlan; k++) {
      const id = `n${vlan.slice(1)}-${k}`;
      nodes[id] = { kind: 'namespace' };
      links.push({ endpoints: [id, vlan] });
    }
  }
  return Design.parse({ apiVersion: API_VERSION, name, nodes, links });
}
