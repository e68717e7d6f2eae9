import { compile, designFromYaml, groupByElement, scenarios, validate } from '@netcanvas/shared';
import { describe, expect, it } from 'vitest';
import { runDiagnose } from '../src/core/analysis';
import { readDesign } from '../src/core/io';
import { KIND_DEFINITIONS } from '../src/kinds/definitions';
import { connectionProblem } from '../src/model/connect';
import { createAnalysisStore } from '../src/store/analysis';
import { edit, emptyDesign } from '../src/store/design';

describe('problems on elements', () => {
  it('marks both VLANs of a duplicate VLAN id with an error', () => {
    let d = emptyDesign();
    d = edit.addNode(d, KIND_DEFINITIONS, 'vlan', { x: 0, y: 0 }).design;
    d = edit.addNode(d, KIND_DEFINITIONS, 'vlan', { x: 0, y: 0 }).design;
    d = edit.updateNode(d, 'vlan2', { vid: 10 } as never);
    const r = runDiagnose(d);
    expect(r.worst.vlan1).toBe('error');
    expect(r.worst.vlan2).toBe('error');
    expect(r.messages.vlan1!.some((m) => /10/.test(m.message))).toBe(true);
  });

  it('reports a tunnel without underlay on the tunnel', () => {
    let d = emptyDesign();
    d = edit.addNode(d, KIND_DEFINITIONS, 'vxlan', { x: 0, y: 0 }).design;
    const r = runDiagnose(d);
    expect(r.worst.tun1).toBeDefined();
  });

  it('a valid scenario has no errors and yields a topology', () => {
    const d = designFromYaml(scenarios.find((s) => s.name === 'inter-vlan')!.yaml).design!;
    const r = runDiagnose(d);
    expect(r.diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
    expect(r.topology?.endpoints.map((e) => e.node)).toContain('c1');
  });

  it('keeps addresses when an element is added, given the previous topology as hints', () => {
    const d = designFromYaml(scenarios.find((s) => s.name === 'same-vlan')!.yaml).design!;
    const first = runDiagnose(d);
    const addr = (t: typeof first.topology, node: string) =>
      t!.endpoints.find((e) => e.node === node)!.address;
    // a router added to vlan10 would take the first address if nothing held it
    let more = edit.addNode(d, KIND_DEFINITIONS, 'router', { x: 0, y: 0 }).design;
    more = edit.addLink(more, 'r1', 'vlan10').design;
    const second = runDiagnose(more, first.topology);
    expect(addr(second.topology, 'c1')).toBe(addr(first.topology, 'c1'));
    expect(addr(second.topology, 'node-a')).toBe(addr(first.topology, 'node-a'));
  });
});

describe('a design that stops resolving', () => {
  it('clears the topology in the store instead of keeping the last design', () => {
    const good = designFromYaml(scenarios.find((s) => s.name === 'vxlan')!.yaml).design!;
    const analysis = createAnalysisStore();
    analysis.setState({ ...runDiagnose(good), running: false });
    expect(analysis.getState().topology).toBeDefined();
    // an empty underlay is refused before resolving: there is no topology
    const bad = edit.updateNode(good, 'tun', { underlay: '' } as never);
    analysis.setState({ ...runDiagnose(bad, analysis.getState().topology), running: false });
    expect(analysis.getState().diagnostics.some((d) => d.severity === 'error')).toBe(true);
    expect(analysis.getState().topology).toBeUndefined();
  });
});

describe('plan helpers', () => {
  it('groups plan operations by the element that produced them', () => {
    const d = designFromYaml(scenarios.find((s) => s.name === 'inter-vlan')!.yaml).design!;
    const plan = compile(runDiagnose(d).topology!);
    const groups = groupByElement(plan.ops, plan.lab);
    expect(groups.map((g) => g.element)).toContain('r1');
    expect(groups.flatMap((g) => g.ops)).toHaveLength(plan.ops.length);
    expect(groups.find((g) => g.element === 'r1')!.ops.every((op) => op.source[0] === 'r1')).toBe(
      true,
    );
  });
});

describe('connection rules', () => {
  it('refuses what validate refuses, in its words: VLAN to VLAN, a tunnel to a segment, a container to its own host', () => {
    let d = emptyDesign();
    for (const k of ['vlan', 'vlan', 'namespace', 'vxlan', 'host'] as const)
      d = edit.addNode(d, KIND_DEFINITIONS, k, { x: 0, y: 0 }).design;
    expect(connectionProblem(d, 'vlan1', 'vlan2')).toMatch(/through a router/);
    expect(connectionProblem(d, 'tun1', 'vlan1')).toMatch(/set underlay: vlan1/);
    expect(connectionProblem(d, 'c1', 'vlan1')).toBeNull();
    // A namespace joins a tunnel like a router or a host; resolve checks its underlay address.
    expect(connectionProblem(d, 'c1', 'tun1')).toBeNull();
    const contained = {
      ...d,
      nodes: { ...d.nodes, c1: { kind: 'namespace' as const, host: 'h1' } },
    };
    const said = validate({ ...contained, links: [{ endpoints: ['c1', 'h1'], state: 'up' }] });
    const refused = connectionProblem(contained, 'c1', 'h1');
    expect(refused).toBe(
      'this link joins container c1 to its own host h1; c1 is already attached to h1 through eth0 — remove the link',
    );
    expect(said.find((x) => x.code === 'container-host-link')?.message).toBe(
      refused!.replace(/^this link/, 'link c1--h1'),
    );
  });
});

describe('import', () => {
  it('reads YAML and JSON, and names the line of a YAML mistake', () => {
    const sc = scenarios.find((s) => s.name === 'vxlan')!;
    expect(readDesign(sc.yaml).design?.nodes.tun).toMatchObject({ kind: 'vxlan', vni: 42 });
    const json = JSON.stringify(readDesign(sc.yaml).design);
    expect(readDesign(json).design?.name).toBe('vxlan');
    // A draft opens (its problems show on its elements); a wrong type does not.
    const draft = readDesign(
      'apiVersion: netcanvas/v1\nname: x\nnodes:\n  v: { kind: vlan, vid: 99999, subnet: 10.0.0.0/33 }\n',
    );
    expect(draft.design?.nodes.v).toMatchObject({ vid: 99999 });
    const bad = readDesign(
      'apiVersion: netcanvas/v1\nname: x\nnodes:\n  v: { kind: vlan, vid: ten, subnet: 10.0.0.0/24 }\n',
    );
    expect(bad.design).toBeUndefined();
    expect(bad.diagnostics[0]?.line).toBe(4);
  });
});
