// @vitest-environment jsdom
/**
 * The address record is keyed by element, the analysis names namespaces
 * after the lab the server gave the design: an address the server decided
 * is the server's (not provisional) whatever name the design asks for.
 */
import { addressRecord, designFromYaml, scenarios } from '@netcanvas/shared';
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { Inspector } from '../src/components/Inspector';
import { startAnalysis } from '../src/core/analysis';
import { freshApp } from './app';
import { testRoot } from './dom';
import { analysisSettled } from './helpers';

const dom = testRoot();

describe('provisional addresses', () => {
  it('are only those the server did not decide, when the lab is not the design’s name', async () => {
    const { stores, wrap } = freshApp();
    const design = designFromYaml(scenarios.find((s) => s.name === 'same-vlan')!.yaml).design!;
    stores.app.getState().loadDesign(design);
    const stop = startAnalysis(stores, 0);
    try {
      await analysisSettled(stores.analysis);
      // The server's record of this design (element-keyed), and the lab it gave it.
      const record = addressRecord(stores.analysis.getState().topology!);
      await act(async () => {
        stores.live.setState({ labName: 'same-vlan-2', addresses: record });
        await analysisSettled(stores.analysis);
      });
      dom.render(wrap(<Inspector />));
      act(() => stores.app.getState().select(['vlan10']));
      const shown = dom.host.querySelector('[data-testid="member-address-node-a"]');
      const nodeA = Object.entries(record).find(([key]) => key.startsWith('node-a/'));
      expect(shown?.textContent).toBe(nodeA?.[1]);
      expect(dom.host.querySelector('[data-testid="member-provisional-node-a"]')).toBeNull();
    } finally {
      stop();
    }
  });
});
