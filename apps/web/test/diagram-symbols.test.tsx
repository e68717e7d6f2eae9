// @vitest-environment jsdom
import { ReactFlowProvider } from '@xyflow/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { RouterNode } from '../src/kinds/router/RouterNode';
import { SwitchNode } from '../src/kinds/switch/SwitchNode';
import { VxlanNode } from '../src/kinds/vxlan/VxlanNode';
import { designToFlow } from '../src/model/flow';
import { freshApp, type TestApp } from './app';
import { testRoot } from './dom';
import { scenario } from './helpers';

const dom = testRoot();
let page: TestApp;
beforeEach(() => {
  page = freshApp();
});

/** A node component as React Flow renders it, with the props these components read. */
function drawn(id: string, design = scenario('vxlan')) {
  const node = designToFlow(design).nodes.find((n) => n.id === id)!;
  const props = { id, data: node.data, selected: false } as unknown as Parameters<
    typeof RouterNode
  >[0];
  const View = { router: RouterNode, switch: SwitchNode, vxlan: VxlanNode }[
    node.type as 'router' | 'switch' | 'vxlan'
  ] as typeof RouterNode;
  dom.render(page.wrap(<ReactFlowProvider>{<View {...props} />}</ReactFlowProvider>));
  return dom.host.querySelector(`[data-testid="node-${id}"]`)!;
}

describe('what the canvas draws', () => {
  it('draws tun as a pipe labelled with its VNI and its underlay', () => {
    const tun = drawn('tun');
    expect(tun.hasAttribute('data-pipe')).toBe(true);
    expect(tun.querySelectorAll('.nc-tunnel-mouth')).toHaveLength(2);
    expect(dom.host.querySelector('[data-testid="tunnel-label-tun"]')!.textContent).toBe(
      'tun · VNI 42 · over public',
    );
  });

  it('draws a tunnel without members as a card, the same element', () => {
    const design = scenario('vxlan');
    const alone = { ...design, links: design.links.filter((l) => !l.endpoints.includes('tun')) };
    const tun = drawn('tun', alone);
    expect(tun.hasAttribute('data-pipe')).toBe(false);
    expect(tun.classList.contains('kind-vxlan')).toBe(true);
    expect(tun.textContent).toContain('VNI 42');
  });

  it('draws a router and a switch with their solid symbols, not as bare cards', () => {
    expect(drawn('r1').querySelector('svg.nc-symbol ellipse.nc-symbol-body')).not.toBeNull();
    expect(drawn('public').querySelector('svg.nc-symbol rect.nc-symbol-body')).not.toBeNull();
  });
});
