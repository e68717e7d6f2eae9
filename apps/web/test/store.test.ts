import { applyOps, type EditOp, sameDesign } from '@netcanvas/shared';
import { beforeEach, describe, expect, it } from 'vitest';
import { KIND_DEFINITIONS } from '../src/kinds/definitions';
import { CONTAINER_SIZE } from '../src/model/flow';
import { type AppStore, createAppStore } from '../src/store/app';
import { scenario } from './helpers';

let app: AppStore;
const s = () => app.getState();

// Each test has a store of its own: nothing one leaves behind reaches the next.
beforeEach(() => {
  app = createAppStore(KIND_DEFINITIONS);
});

describe('store actions', () => {
  it('gives dropped elements free ids and sensible defaults', () => {
    const v1 = s().addNode('vlan', { x: 0, y: 0 });
    const v2 = s().addNode('vlan', { x: 0, y: 100 });
    const r = s().addNode('router', { x: 0, y: 200 });
    expect([v1, v2, r]).toEqual(['vlan1', 'vlan2', 'r1']);
    const d = s().design;
    expect(d.nodes.vlan1).toMatchObject({ kind: 'vlan', vid: 10, subnet: '10.0.10.0/24' });
    expect(d.nodes.vlan2).toMatchObject({ kind: 'vlan', vid: 20, subnet: '10.0.20.0/24' });
    expect(
      s()
        .nodes.map((n) => n.id)
        .sort(),
    ).toEqual(['r1', 'vlan1', 'vlan2']);
  });

  it('skips a VLAN id and subnet already taken by hand', () => {
    s().addNode('vlan', { x: 0, y: 0 });
    s().setSubnet('vlan1', '10.0.20.0/24');
    s().addNode('vlan', { x: 0, y: 0 });
    expect(s().design.nodes.vlan2).toMatchObject({ vid: 20 });
    expect((s().design.nodes.vlan2 as { subnet: string }).subnet).not.toBe('10.0.20.0/24');
  });

  it('picks the only switch as a new tunnel underlay, and a fresh VNI', () => {
    s().addNode('switch', { x: 0, y: 0 });
    s().addNode('vxlan', { x: 0, y: 0 });
    s().addNode('vxlan', { x: 0, y: 0 });
    expect(s().design.nodes.tun1).toMatchObject({ underlay: 'sw1', vni: 100 });
    expect(s().design.nodes.tun2).toMatchObject({ vni: 200 });
  });

  it('sets host when a namespace is dropped into a host, and clears it when dragged out', () => {
    s().addNode('host', { x: 0, y: 0 });
    s().addNode('namespace', { x: 400, y: 0 });
    s().moveIntoHost('c1', 'h1', { x: 20, y: 50 });
    expect(s().design.nodes.c1).toEqual({ kind: 'namespace', host: 'h1' });
    expect(s().nodes.find((n) => n.id === 'c1')!.parentId).toBe('h1');
    s().moveOutOfHost('c1', { x: 500, y: 300 });
    expect(s().design.nodes.c1).toEqual({ kind: 'namespace' });
    expect(s().design.layout!.c1).toEqual({ x: 500, y: 300 });
  });

  it('refuses a VLAN-to-VLAN link with the reason, and adds nothing', () => {
    s().addNode('vlan', { x: 0, y: 0 });
    s().addNode('vlan', { x: 0, y: 0 });
    const r = s().addLink('vlan1', 'vlan2');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/router/);
    expect(s().design.links).toHaveLength(0);
  });

  it('removing a node removes its links and its containers', () => {
    s().addNode('host', { x: 0, y: 0 });
    s().addNode('namespace', { x: 0, y: 0 }, 'h1');
    s().addNode('vlan', { x: 0, y: 0 });
    s().addNode('router', { x: 0, y: 0 });
    expect(s().addLink('h1', 'vlan1').ok).toBe(true);
    expect(s().addLink('r1', 'vlan1').ok).toBe(true);
    s().removeElements(['h1']);
    expect(Object.keys(s().design.nodes).sort()).toEqual(['r1', 'vlan1']);
    expect(s().design.links).toHaveLength(1);
    expect(s().edges.map((e) => e.id)).toEqual(['r1--vlan1']);
  });

  it('undo restores a removed element with its links; redo removes it again', () => {
    s().addNode('vlan', { x: 0, y: 0 });
    s().addNode('router', { x: 0, y: 0 });
    s().addLink('r1', 'vlan1');
    s().removeElements(['vlan1']);
    expect(s().edges).toHaveLength(0);
    s().undo();
    expect(s().design.nodes.vlan1).toBeDefined();
    expect(s().edges.map((e) => e.id)).toEqual(['r1--vlan1']);
    s().redo();
    expect(s().design.nodes.vlan1).toBeUndefined();
  });

  it('opening a scenario over a drawing is one undo step away from the drawing', () => {
    s().addNode('vlan', { x: 0, y: 0 });
    s().addNode('router', { x: 0, y: 0 });
    s().addLink('r1', 'vlan1');
    const drawing = s().design;
    s().select(['r1']);
    s().replaceDesign(scenario('vxlan'));
    expect(s().design.name).toBe('vxlan');
    expect(s().selection).toEqual([]);
    s().undo();
    expect(sameDesign(s().design, drawing)).toBe(true);
    expect(s().edges.map((e) => e.id)).toEqual(['r1--vlan1']);
    s().redo();
    expect(s().design.name).toBe('vxlan');
  });

  it('each committed value is its own undo step, however quick the next one comes', () => {
    s().addNode('vlan', { x: 0, y: 0 });
    s().setVlanId('vlan1', 12);
    s().setVlanId('vlan1', 123);
    s().undo();
    expect(s().design.nodes.vlan1).toMatchObject({ vid: 12 });
    s().undo();
    expect(s().design.nodes.vlan1).toMatchObject({ vid: 10 });
  });

  it('a renamed element stays selected, on the canvas too', () => {
    s().addNode('router', { x: 0, y: 0 });
    s().select(['r1']);
    s().renameElement('r1', 'core');
    expect(s().selection).toEqual(['core']);
    expect(s().nodes.find((n) => n.id === 'core')?.selected).toBe(true);
  });

  it('renaming an element follows its links, containers and tunnel underlays', () => {
    s().addNode('switch', { x: 0, y: 0 });
    s().addNode('vxlan', { x: 0, y: 0 });
    s().addNode('router', { x: 0, y: 0 });
    s().addLink('r1', 'sw1');
    s().renameElement('sw1', 'public');
    expect(s().design.nodes.tun1).toMatchObject({ underlay: 'public' });
    expect(s().design.links[0]!.endpoints).toEqual(['r1', 'public']);
  });

  it('sets and clears an interface address on one end of a link', () => {
    s().addNode('vlan', { x: 0, y: 0 });
    s().addNode('router', { x: 0, y: 0 });
    s().addLink('r1', 'vlan1');
    s().setInterfaceAddress('r1--vlan1', 0, '10.0.10.254/24');
    expect(s().design.links[0]!.endpoints[0]).toEqual({ node: 'r1', ip: '10.0.10.254/24' });
    s().setInterfaceAddress('r1--vlan1', 0, undefined);
    expect(s().design.links[0]!.endpoints[0]).toBe('r1');
  });

  it('pastes a copy with fresh ids, VLAN ids and subnets, keeping the links among the copies', () => {
    s().addNode('vlan', { x: 0, y: 0 });
    s().addNode('router', { x: 0, y: 0 });
    s().addLink('r1', 'vlan1');
    s().select(['vlan1', 'r1']);
    s().copySelection();
    s().paste();
    const d = s().design;
    expect(Object.keys(d.nodes).sort()).toEqual(['r1', 'r2', 'vlan1', 'vlan2']);
    expect(d.nodes.vlan2).toMatchObject({ vid: 20, subnet: '10.0.20.0/24' });
    expect(d.links.map((l) => l.endpoints)).toEqual([
      ['r1', 'vlan1'],
      ['r2', 'vlan2'],
    ]);
    expect(s().selection.sort()).toEqual(['r2', 'vlan2']);
  });

  it('cascades repeated pastes instead of stacking them on one spot', () => {
    s().addNode('router', { x: 100, y: 100 });
    s().select(['r1']);
    s().copySelection();
    s().paste();
    s().paste();
    s().paste();
    const at = ['r2', 'r3', 'r4'].map((id) => s().design.layout?.[id]);
    expect(at).toEqual([
      { x: 140, y: 140 },
      { x: 180, y: 180 },
      { x: 220, y: 220 },
    ]);
    // A new copy starts the cascade again from the copied element.
    s().select(['r4']);
    s().copySelection();
    s().paste();
    expect(s().design.layout?.r5).toEqual({ x: 260, y: 260 });
  });

  it('arranges containers dropped on a host side by side; the host grows around them', () => {
    s().addNode('host', { x: 0, y: 0 });
    // Both dropped on the same spot of the host, as a user drops them where the first one is.
    s().addNode('namespace', { x: 40, y: 60 }, 'h1');
    s().addNode('namespace', { x: 40, y: 60 }, 'h1');
    const [a, b] = [s().design.layout?.c1, s().design.layout?.c2];
    expect(a).toBeDefined();
    expect(b).toBeDefined();
    const apart =
      Math.abs(a!.x - b!.x) >= CONTAINER_SIZE.width ||
      Math.abs(a!.y - b!.y) >= CONTAINER_SIZE.height;
    expect(apart).toBe(true);
    const host = s().nodes.find((n) => n.id === 'h1')!;
    for (const p of [a!, b!]) {
      expect(p.x + CONTAINER_SIZE.width).toBeLessThanOrEqual(host.width!);
      expect(p.y + CONTAINER_SIZE.height).toBeLessThanOrEqual(host.height!);
    }
  });

  it('pastes at the pointer, cascading from there', () => {
    s().addNode('router', { x: 100, y: 100 });
    s().select(['r1']);
    s().copySelection();
    s().notePointer({ x: 600, y: 300 });
    s().paste();
    s().paste();
    expect(s().design.layout?.r2).toEqual({ x: 600, y: 300 });
    expect(s().design.layout?.r3).toEqual({ x: 640, y: 340 });
  });

  it('a pasted container keeps its host, in a free slot of it', () => {
    s().addNode('host', { x: 0, y: 0 });
    s().addNode('namespace', { x: 0, y: 0 }, 'h1');
    s().select(['c1']);
    s().copySelection();
    s().notePointer({ x: 900, y: 900 });
    s().paste();
    expect(s().design.nodes.c2).toMatchObject({ kind: 'namespace', host: 'h1' });
    const [a, b] = [s().design.layout?.c1, s().design.layout?.c2];
    expect(a!.x !== b!.x || a!.y !== b!.y).toBe(true);
  });

  it('refuses a second uplink on a bridged host', () => {
    s().addNode('host', { x: 0, y: 0 });
    s().addNode('vlan', { x: 0, y: 0 });
    s().addNode('vlan', { x: 0, y: 0 });
    expect(s().addLink('h1', 'vlan1').ok).toBe(true);
    const second = s().addLink('h1', 'vlan2');
    expect(second.ok).toBe(false);
    s().setHostMode('h1', 'routed');
    expect(s().addLink('h1', 'vlan2').ok).toBe(true);
  });
});

describe('undo is per tab', () => {
  /** Another tab's edit arriving: the server's document, with this tab's own on top. */
  const remote = (ops: EditOp[]) => s().showServerDesign(applyOps(s().design, ops).doc);

  it('every action hands its ops to the sync, a rename as a rename', () => {
    const sent: EditOp[][] = [];
    const stop = app.onLocalEdits((ops) => sent.push(ops));
    s().addNode('vlan', { x: 0, y: 0 });
    s().renameElement('vlan1', 'office');
    stop();
    expect(sent).toEqual([
      [
        {
          op: 'node.add',
          id: 'vlan1',
          node: { kind: 'vlan', vid: 10, subnet: '10.0.10.0/24' },
          at: { x: 0, y: 0 },
          auto: ['vid', 'subnet'],
        },
      ],
      [{ op: 'node.rename', from: 'vlan1', to: 'office' }],
    ]);
  });

  it('undo takes back this tab’s last change and never another tab’s edit', () => {
    s().addNode('router', { x: 0, y: 0 });
    remote([
      { op: 'node.add', id: 'vlan7', node: { kind: 'vlan', vid: 70, subnet: '10.0.70.0/24' } },
    ]);
    expect(Object.keys(s().design.nodes).sort()).toEqual(['r1', 'vlan7']);
    s().undo();
    expect(Object.keys(s().design.nodes)).toEqual(['vlan7']);
    s().redo();
    expect(Object.keys(s().design.nodes).sort()).toEqual(['r1', 'vlan7']);
  });

  it('a field another tab changed since is left as it is, and the tab is told', () => {
    s().addNode('router', { x: 0, y: 0 });
    s().setLabel('r1', 'mine');
    remote([{ op: 'node.set', id: 'r1', field: 'label', value: 'theirs' }]);
    s().undo();
    expect(s().design.nodes.r1).toMatchObject({ label: 'theirs' });
    expect(s().toasts.at(-1)?.message).toMatch(/Not undone: r1 changed in another tab/);
    // The element itself was added here and is unchanged otherwise: the next undo removes it…
    // …unless another tab changed it: its label is theirs now, so it stays.
    s().undo();
    expect(s().design.nodes.r1).toBeDefined();
  });

  it('an element another tab linked to is not removed by undoing its creation', () => {
    s().addNode('router', { x: 0, y: 0 });
    remote([
      { op: 'node.add', id: 'vlan7', node: { kind: 'vlan', vid: 70, subnet: '10.0.70.0/24' } },
      { op: 'link.add', link: { endpoints: ['r1', 'vlan7'], state: 'up' } },
    ]);
    s().undo();
    expect(s().design.nodes.r1).toBeDefined();
    expect(s().design.links).toHaveLength(1);
  });

  it('history follows an element the server renamed', () => {
    s().addNode('router', { x: 0, y: 0 });
    s().setLabel('r1', 'edge');
    // The server gave this tab's r1 another id (another tab had added an r1 first).
    const renamed = applyOps(s().design, [{ op: 'node.rename', from: 'r1', to: 'r2' }]).doc;
    s().showServerDesign(renamed, { r1: 'r2' });
    s().undo();
    expect(s().design.nodes.r2).toEqual({ kind: 'router', routing: 'auto', routes: [] });
    s().undo();
    expect(s().design.nodes).toEqual({});
  });
});
