/**
 * Designs for tests, written in TypeScript and passed through the schema
 * (`Design.parse`) so every default applies exactly as for a YAML file.
 * Other test files import these; keep the names and shapes stable.
 */
import { API_VERSION, Design, type DesignInput } from '../../src/schema.js';

type Nodes = DesignInput['nodes'];
type Links = NonNullable<DesignInput['links']>;

/** A parsed design from nodes and links; `extra` may set addressing, description, … */
export function makeDesign(name: string, nodes: Nodes, links: Links = [], extra: Partial<DesignInput> = {}): Design {
  return Design.parse({ apiVersion: API_VERSION, name, nodes, links, ...extra });
}

/** Scenario 1: containers on two nodes in one VLAN and subnet talk directly. */
export function sameVlan(): Design {
  return makeDesign(
    'same-vlan',
    {
      vlan10: { kind: 'vlan', vid: 10, subnet: '10.0.10.0/24' },
      'node-a': { kind: 'host' },
      'node-b': { kind: 'host' },
      c1: { kind: 'namespace', host: 'node-a' },
      c2: { kind: 'namespace', host: 'node-b' },
    },
    [{ endpoints: ['node-a', 'vlan10'] }, { endpoints: ['node-b', 'vlan10'] }],
  );
}

/** Scenario 2: two VLANs behind one router (inter-VLAN routing). */
export function interVlan(): Design {
  return makeDesign(
    'inter-vlan',
    {
      vlan10: { kind: 'vlan', vid: 10, subnet: '10.0.10.0/24' },
      vlan20: { kind: 'vlan', vid: 20, subnet: '10.0.20.0/24' },
      r1: { kind: 'router' },
      'node-a': { kind: 'host' },
      'node-b': { kind: 'host' },
      c1: { kind: 'namespace', host: 'node-a' },
      c2: { kind: 'namespace', host: 'node-b' },
    },
    [
      { endpoints: ['node-a', 'vlan10'] },
      { endpoints: ['node-b', 'vlan20'] },
      { endpoints: ['r1', 'vlan10'] },
      { endpoints: ['r1', 'vlan20'] },
    ],
  );
}

/** Scenario 3: two VLANs behind two routers joined by a VXLAN tunnel over a public switch. */
export function vxlan(): Design {
  return makeDesign(
    'vxlan',
    {
      public: { kind: 'switch', subnet: '203.0.113.0/24' },
      vlan10: { kind: 'vlan', vid: 10, subnet: '10.0.10.0/24' },
      vlan20: { kind: 'vlan', vid: 20, subnet: '10.0.20.0/24' },
      r1: { kind: 'router' },
      r2: { kind: 'router' },
      tun: { kind: 'vxlan', vni: 42, underlay: 'public', subnet: '172.16.42.0/29' },
      'node-a': { kind: 'host' },
      'node-b': { kind: 'host' },
      c1: { kind: 'namespace', host: 'node-a' },
      c2: { kind: 'namespace', host: 'node-b' },
    },
    [
      { endpoints: ['node-a', 'vlan10'] },
      { endpoints: ['node-b', 'vlan20'] },
      { endpoints: ['r1', 'vlan10'] },
      { endpoints: ['r2', 'vlan20'] },
      { endpoints: ['r1', 'public'] },
      { endpoints: ['r2', 'public'] },
      { endpoints: ['r1', 'tun'] },
      { endpoints: ['r2', 'tun'] },
    ],
  );
}

export const scenarioDesigns = { 'same-vlan': sameVlan, 'inter-vlan': interVlan, vxlan } as const;
