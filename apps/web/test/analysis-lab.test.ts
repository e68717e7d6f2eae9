// @vitest-environment jsdom
import { designFromYaml, scenarios } from '@netcanvas/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { startAnalysis } from '../src/core/analysis';
import { freshApp } from './app';
import { analysisSettled } from './helpers';

let stop: (() => void) | null = null;
afterEach(() => {
  stop?.();
  stop = null;
});

/** The same-vlan scenario loaded and analysed once; the analysis stops after the test. */
async function sameVlanAnalysed() {
  const { stores } = freshApp();
  stores.app
    .getState()
    .loadDesign(designFromYaml(scenarios.find((s) => s.name === 'same-vlan')!.yaml).design!);
  stop = startAnalysis(stores, 0);
  await analysisSettled(stores.analysis);
  return stores;
}

describe('kernel names in the browser', () => {
  it('are under the lab the server gave the design, not the name it asks for', async () => {
    const stores = await sameVlanAnalysed();
    expect(stores.analysis.getState().topology?.netns.map((n) => n.name)).toContain(
      'nc-same-vlan.c1',
    );
    stores.live.setState({ labName: 'same-vlan-2' });
    await analysisSettled(stores.analysis);
    const names = stores.analysis.getState().topology?.netns.map((n) => n.name) ?? [];
    expect(names).toContain('nc-same-vlan-2.c1');
    expect(names).not.toContain('nc-same-vlan.c1');
  });

  it('keep the topology shown when a change resolves the same (a move, the same address record)', async () => {
    const stores = await sameVlanAnalysed();
    const first = stores.analysis.getState().topology!;
    // A card moved: the design changes, what it resolves to does not.
    const moved = structuredClone(stores.app.getState().design);
    moved.layout = { ...moved.layout, c1: { x: 400, y: 300 } };
    stores.app.setState({ design: moved });
    await analysisSettled(stores.analysis);
    expect(stores.analysis.getState().topology).toBe(first);
    // A link cut resolves otherwise: a new topology.
    const cut = structuredClone(moved);
    cut.links[0]!.state = 'down';
    stores.app.setState({ design: cut });
    await analysisSettled(stores.analysis);
    expect(stores.analysis.getState().topology).not.toBe(first);
    expect(stores.analysis.getState().topology?.links.some((l) => l.state === 'down')).toBe(true);
  });
});
