import type { Design } from '@netcanvas/shared';
import { describe, expect, it } from 'vitest';
import {
  type AppNode,
  designToFlow,
  droppedPosition,
  followPipes,
  NODE_SIZE,
} from '../src/model/flow';
import { PIPE_GAP, PIPE_HEIGHT, PIPE_MIN, pipeToLayout, tunnelRect } from '../src/model/tunnel';
import { scenario } from './helpers';

const node = (nodes: AppNode[], id: string) => nodes.find((n) => n.id === id)!;
const box = (n: AppNode) => ({
  left: n.position.x,
  right: n.position.x + (n.width ?? NODE_SIZE.width),
  top: n.position.y,
  bottom: n.position.y + (n.height ?? NODE_SIZE.height),
});
const moved = (d: Design, id: string, x: number, y: number): Design => ({
  ...d,
  layout: { ...d.layout, [id]: { x, y } },
});

describe('the vxlan drawn as a tunnel between its members', () => {
  it('spans the gap between r1 and r2, at their height, above public and out of the row of VLANs', () => {
    const { nodes } = designToFlow(scenario('vxlan'));
    const tun = node(nodes, 'tun');
    const [r1, r2, pub, vlan10] = ['r1', 'r2', 'public', 'vlan10'].map((id) =>
      box(node(nodes, id)),
    );
    expect(tun.data).toMatchObject({ pipe: { over: 'public' } });
    const t = box(tun);
    expect(t.left).toBe(r1!.right + PIPE_GAP);
    expect(t.right).toBe(r2!.left - PIPE_GAP);
    expect(t.bottom).toBeLessThan(pub!.top);
    expect(t.bottom).toBeLessThan(vlan10!.top);
    // Its centre line is the routers' centre line: the links are two short legs.
    expect((t.top + t.bottom) / 2).toBe((r1!.top + r1!.bottom) / 2);
    // Over public: the pipe runs above the segment it names.
    expect(t.left).toBeLessThan((pub!.left + pub!.right) / 2);
    expect(t.right).toBeGreaterThan((pub!.left + pub!.right) / 2);
  });

  it('follows its members: moving r2 to the right lengthens the pipe, the drop keeps its height', () => {
    const design = scenario('vxlan');
    const before = box(node(designToFlow(design).nodes, 'tun'));
    const r2 = design.layout!.r2!;
    const after = box(node(designToFlow(moved(design, 'r2', r2.x + 300, r2.y)).nodes, 'tun'));
    expect(after.left).toBe(before.left);
    expect(after.right).toBe(before.right + 300);
    expect(after.top).toBe(before.top);
  });

  it('follows a member while it is dragged, before the drop writes the design', () => {
    const design = scenario('vxlan');
    const { nodes } = designToFlow(design);
    const dragging = nodes.map((n) =>
      n.id === 'r2' ? { ...n, position: { x: n.position.x + 120, y: n.position.y } } : n,
    );
    const followed = followPipes(dragging, design, new Set(['r2']));
    expect(box(node(followed, 'tun')).right).toBe(box(node(nodes, 'tun')).right + 120);
    // Nothing to follow: the same array back, so React Flow re-renders nothing.
    expect(followPipes(nodes, design, new Set(['vlan10']))).toBe(nodes);
  });

  it('moves only up or down when dragged itself, and drops where it was left', () => {
    const design = scenario('vxlan');
    const { nodes } = designToFlow(design);
    const tun = node(nodes, 'tun');
    const dragged = nodes.map((n) =>
      n.id === 'tun' ? { ...n, position: { x: n.position.x + 77, y: n.position.y - 40 } } : n,
    );
    const during = node(followPipes(dragged, design, new Set(['tun'])), 'tun');
    expect(during.position).toEqual({ x: tun.position.x, y: tun.position.y - 40 });
    const dropped = moved(design, 'tun', droppedPosition(during).x, droppedPosition(during).y);
    expect(node(designToFlow(dropped).nodes, 'tun').position).toEqual(during.position);
  });

  it('falls back to a card where it has fewer than two members', () => {
    const design = scenario('vxlan');
    const alone: Design = {
      ...design,
      links: design.links.filter((l) => !l.endpoints.includes('tun')),
    };
    const tun = node(designToFlow(alone).nodes, 'tun');
    expect(tun.data).not.toHaveProperty('pipe');
    expect(tun.position).toEqual(design.layout!.tun);
    expect(tun.width).toBeUndefined();
    const one: Design = {
      ...design,
      links: design.links.filter((l) => l.endpoints.join() !== 'r2,tun'),
    };
    expect(node(designToFlow(one).nodes, 'tun').data).not.toHaveProperty('pipe');
    expect(tunnelRect([], undefined, NODE_SIZE)).toBeNull();
  });

  it('keeps a readable length when its members stand close or one above the other', () => {
    const a = { x: 0, y: 0, width: 188, height: 48 };
    const b = { x: 0, y: 300, width: 188, height: 48 };
    const pipe = tunnelRect([a, b], undefined, NODE_SIZE)!;
    expect(pipe.width).toBe(PIPE_MIN);
    expect(pipe.height).toBe(PIPE_HEIGHT);
    expect(pipe.x + pipe.width / 2).toBe(94);
    // Between them vertically when it has no height of its own.
    expect(pipe.y + pipe.height / 2).toBe((24 + 324) / 2);
  });

  it('reads back the layout it writes (no drift from drop to drop)', () => {
    const members = [
      { x: 0, y: 0, width: 188, height: 48 },
      { x: 600, y: 10, width: 188, height: 48 },
    ];
    const first = tunnelRect(members, { x: 0, y: 133 }, NODE_SIZE)!;
    expect(tunnelRect(members, pipeToLayout(first, NODE_SIZE), NODE_SIZE)).toEqual(first);
  });

  it('names the underlay by its label in the pipe, and redraws when that label changes', () => {
    const design = scenario('vxlan');
    const first = designToFlow(design);
    const renamed: Design = {
      ...design,
      nodes: { ...design.nodes, public: { ...design.nodes.public!, label: 'internet' } },
    };
    const tun = node(designToFlow(renamed, first).nodes, 'tun');
    expect(tun.data).toMatchObject({ pipe: { over: 'internet' } });
    expect(tun).not.toBe(node(first.nodes, 'tun'));
  });
});
