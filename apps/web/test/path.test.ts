import { analyze, designFromYaml, diagnose, scenarios, type Topology } from '@netcanvas/shared';
import { describe, expect, it } from 'vitest';
import { pathElements, pathSteps } from '../src/model/path';
import { INTER_VLAN_C1_TO_C2 } from './helpers';

function matrixOf(yaml: string) {
  const topology = diagnose(designFromYaml(yaml).design!).topology as Topology;
  const m = analyze(topology);
  const pair = (from: string, to: string) =>
    m.results[m.endpoints.indexOf(from)]![m.endpoints.indexOf(to)]!;
  return { topology, pair };
}
const scenario = (name: string) => scenarios.find((s) => s.name === name)!.yaml;

describe('the elements a path crosses', () => {
  it('includes the host a container sits in and the host’s uplink, in the order crossed', () => {
    const { topology, pair } = matrixOf(scenario('inter-vlan'));
    expect(pathElements(pair('c1', 'c2').forward, topology)).toEqual(INTER_VLAN_C1_TO_C2);
  });

  it('stays inside the host when a container pings its own host', () => {
    const { topology, pair } = matrixOf(scenario('inter-vlan'));
    expect(pathElements(pair('c1', 'node-a').forward, topology)).toEqual(['c1', 'node-a']);
  });

  it('shows the underlay a VXLAN tunnel is carried over', () => {
    const { topology, pair } = matrixOf(scenario('vxlan'));
    const ids = pathElements(pair('r1', 'r2').forward, topology);
    expect(ids).toEqual([
      'r1',
      'r1--tun',
      'tun',
      'r1--public',
      'public',
      'r2--public',
      'r2--tun',
      'r2',
    ]);
  });

  it('follows a point-to-point link and a routed host’s container bridge', () => {
    const { topology, pair } = matrixOf(`apiVersion: netcanvas/v1
name: routed
nodes:
  vlan10: { kind: vlan, vid: 10, subnet: 10.0.10.0/24 }
  r1:     { kind: router }
  r2:     { kind: router }
  node-a: { kind: host, mode: routed, subnet: 10.0.50.0/24 }
  c1:     { kind: namespace, host: node-a }
links:
  - endpoints: [r1, vlan10]
  - endpoints: [node-a, vlan10]
  - endpoints: [r1, r2]
`);
    expect(pathElements(pair('c1', 'r2').forward, topology)).toEqual([
      'c1',
      'node-a',
      'node-a--vlan10',
      'vlan10',
      'r1--vlan10',
      'r1',
      'r1--r2',
      'r2',
    ]);
  });

  it('stops where a failing path stops', () => {
    const { topology, pair } = matrixOf(
      scenario('inter-vlan').replace(
        '  - endpoints: [node-b, vlan20]',
        '  - { endpoints: [node-b, vlan20], state: down }',
      ),
    );
    const r = pair('c1', 'c2');
    expect(r.reachable).toBe(false);
    expect(r.blame).toEqual(['node-b--vlan20']);
    // Up to vlan20, where the down uplink stops it.
    expect(pathElements(r.forward, topology)).toEqual(INTER_VLAN_C1_TO_C2.slice(0, 8));
  });

  it('lights one element at a time, each with the link it was reached over', () => {
    const ids = ['c1', 'node-a', 'node-a--vlan10', 'vlan10', 'r1--vlan10', 'r1'];
    expect(pathSteps(ids, (id) => id.includes('--'))).toEqual([
      ['c1'],
      ['node-a'],
      ['node-a--vlan10', 'vlan10'],
      ['r1--vlan10', 'r1'],
    ]);
  });
});
