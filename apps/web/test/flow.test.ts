import { linkIds as coreLinkIds } from '@netcanvas/shared';
import { describe, expect, it } from 'vitest';
import { KIND_DEFINITIONS } from '../src/kinds/definitions';
import { linkIds } from '../src/model/endpoints';
import { absolutePosition, designToFlow, hostSizes } from '../src/model/flow';
import { edit, emptyDesign } from '../src/store/design';
import { scenario } from './helpers';

describe('designToFlow', () => {
  it('draws a container inside its host: parentId set and the host listed before it', () => {
    const design = scenario('same-vlan');
    const { nodes } = designToFlow(design);
    const c1 = nodes.find((n) => n.id === 'c1')!;
    expect(c1.parentId).toBe('node-a');
    expect(nodes.findIndex((n) => n.id === 'node-a')).toBeLessThan(
      nodes.findIndex((n) => n.id === 'c1'),
    );
    expect(nodes.find((n) => n.id === 'vlan10')!.parentId).toBeUndefined();
  });

  it('gives every link one edge whose id is the core link id', () => {
    const design = scenario('inter-vlan');
    const { edges } = designToFlow(design);
    expect(edges.map((e) => e.id)).toEqual([
      'r1--vlan10',
      'r1--vlan20',
      'node-a--vlan10',
      'node-b--vlan20',
    ]);
    expect(edges[0]).toMatchObject({ source: 'r1', target: 'vlan10' });
  });

  it('numbers parallel links like the core: a--b, a--b#2', () => {
    let d = emptyDesign();
    d = edit.addNode(d, KIND_DEFINITIONS, 'router', { x: 0, y: 0 }).design;
    d = edit.addNode(d, KIND_DEFINITIONS, 'router', { x: 300, y: 0 }).design;
    d = edit.addLink(d, 'r1', 'r2').design;
    d = edit.addLink(d, 'r1', 'r2').design;
    expect(linkIds(d.links)).toEqual(['r1--r2', 'r1--r2#2']);
    expect(designToFlow(d).edges.map((e) => e.id)).toEqual(['r1--r2', 'r1--r2#2']);
  });

  it('names a link like the core even when an explicit id takes its default name', () => {
    // The server reports live state by the core's ids: an edge named
    // differently would show another link's state, or none.
    const d = scenario('inter-vlan');
    const links = [
      { id: 'r1--vlan10', endpoints: ['r1', 'vlan20'] },
      { endpoints: ['r1', 'vlan10'] },
    ] as typeof d.links;
    expect(linkIds(links)).toEqual(['r1--vlan10', 'r1--vlan10#2']);
    expect(linkIds(links)).toEqual(coreLinkIds({ links }));
  });

  it('keeps the previous node object when its element did not change, so memoised nodes skip rendering', () => {
    const design = scenario('inter-vlan');
    const first = designToFlow(design);
    const changed = edit.updateNode(design, 'vlan10', { vid: 11 } as never);
    const second = designToFlow(changed, first);
    expect(second.nodes.find((n) => n.id === 'r1')).toBe(first.nodes.find((n) => n.id === 'r1'));
    expect(second.nodes.find((n) => n.id === 'vlan10')).not.toBe(
      first.nodes.find((n) => n.id === 'vlan10'),
    );
    expect(second.edges[0]).toBe(first.edges[0]);
  });

  it('grows a host around its containers', () => {
    let d = emptyDesign();
    d = edit.addNode(d, KIND_DEFINITIONS, 'host', { x: 0, y: 0 }).design;
    const small = hostSizes(d).get('h1')!;
    for (let i = 0; i < 5; i++) {
      const r = edit.addNode(d, KIND_DEFINITIONS, 'namespace', { x: 0, y: 0 }, 'h1');
      d = edit.moveIntoHost(r.design, r.id, 'h1');
    }
    const big = hostSizes(d).get('h1')!;
    expect(big.height).toBeGreaterThan(small.height);
    expect(big.width).toBeGreaterThanOrEqual(small.width);
  });

  it('stores container positions relative to the host and reports absolute ones', () => {
    let d = emptyDesign();
    d = edit.addNode(d, KIND_DEFINITIONS, 'host', { x: 100, y: 200 }).design;
    d = edit.addNode(d, KIND_DEFINITIONS, 'namespace', { x: 12, y: 44 }, 'h1').design;
    expect(d.layout!.c1).toEqual({ x: 12, y: 44 });
    expect(absolutePosition(d, 'c1')).toEqual({ x: 112, y: 244 });
  });
});
