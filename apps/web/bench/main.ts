import type { Design } from '@netcanvas/shared';
import { generateDesign } from '@netcanvas/shared';
import { boot } from '../src/boot';
import { linkIds } from '../src/model/endpoints';
import type { ElementLiveState } from '../src/store/live';

/**
 * The benchmark page (`bench/?n=N`, its own entry: the app's bundle carries
 * none of this): the app with a generated design of about N elements, laid
 * out on a grid, with hooks for bench/run.mjs to time a full live-status
 * update and panning. `n=0` is the floor: an empty canvas. No server: the
 * client is made but never started.
 */

function gridLayout(design: Design): Design {
  const layout: Record<string, { x: number; y: number }> = {};
  const cols = Math.ceil(Math.sqrt(Object.keys(design.nodes).length * 1.6));
  let i = 0;
  for (const [id, n] of Object.entries(design.nodes)) {
    if (n.kind === 'namespace' && n.host) continue;
    layout[id] = { x: (i % cols) * 260, y: Math.floor(i / cols) * 170 };
    i++;
  }
  const perHost = new Map<string, number>();
  for (const [id, n] of Object.entries(design.nodes)) {
    if (n.kind !== 'namespace' || !n.host) continue;
    const k = perHost.get(n.host) ?? 0;
    perHost.set(n.host, k + 1);
    layout[id] = { x: 12 + (k % 3) * 150, y: 44 + Math.floor(k / 3) * 50 };
  }
  return { ...design, layout };
}

const frame = () => new Promise<number>((r) => requestAnimationFrame(r));

declare global {
  interface Window {
    __benchFirstRender?: number;
    __bench?: {
      elements: number;
      ready: Promise<void>;
      liveUpdate(round: number): Promise<number>;
      pan(frames: number): Promise<number[]>;
    };
  }
}

function startBench(target: number) {
  const design =
    target > 0 ? gridLayout(generateDesign({ seed: 7, elements: target, name: 'bench' })) : null;
  const { live, analysis } = boot(({ app }) => {
    if (design) app.getState().loadDesign(design);
  });
  const elements = design ? Object.keys(design.nodes).length + design.links.length : 0;
  const ids = design ? Object.keys(design.nodes) : [];
  const links = design ? linkIds(design.links) : [];
  const states: ElementLiveState[] = ['deployed', 'drift', 'error'];
  window.__bench = {
    elements,
    ready: (async () => {
      // First render: the nodes are in the DOM and two frames have been painted.
      while (design && document.querySelectorAll('.react-flow__node').length === 0) await frame();
      await frame();
      await frame();
      window.__benchFirstRender = performance.now();
      // The first diagnosis runs after the first paint: let it land before timing anything else.
      while (analysis.getState().running) await frame();
      await frame();
    })(),
    /** One server tick that changes every element's badge and every link's state and rate. */
    async liveUpdate(round) {
      await frame();
      const t0 = performance.now();
      const el: Record<string, ElementLiveState> = {};
      for (const id of ids) el[id] = states[round % states.length]!;
      const ls: Record<string, { state: 'up' | 'down'; rate: number }> = {};
      links.forEach((id, i) => {
        ls[id] = {
          state: (i + round) % 5 === 0 ? 'down' : 'up',
          rate: 1000 * (1 + ((i + round) % 50)),
        };
      });
      live.setState({ elements: el, links: ls, lab: 'running' });
      await frame();
      return performance.now() - t0;
    },
    /**
     * Frame intervals while the user drags the pane one step per frame: real
     * mouse events into React Flow's d3-zoom handler, the path a hand takes.
     */
    async pan(frames) {
      // At a working zoom: React Flow then renders only what is on screen.
      window.dispatchEvent(
        new CustomEvent('netcanvas:viewport', { detail: { x: 0, y: 0, zoom: 1 } }),
      );
      await frame();
      await frame();
      const pane = document.querySelector('.react-flow__pane')!;
      const box = pane.getBoundingClientRect();
      let x = box.left + box.width / 2;
      let y = box.top + box.height / 2;
      const mouse = (type: string, target: EventTarget) =>
        target.dispatchEvent(
          new MouseEvent(type, { bubbles: true, button: 0, clientX: x, clientY: y, view: window }),
        );
      mouse('mousedown', pane);
      const times: number[] = [];
      let last = await frame();
      for (let i = 0; i < frames; i++) {
        x -= 12;
        y -= 4;
        mouse('mousemove', window);
        const now = await frame();
        times.push(now - last);
        last = now;
      }
      mouse('mouseup', window);
      return times;
    },
  };
}

startBench(Number(new URLSearchParams(location.search).get('n') ?? 0));
