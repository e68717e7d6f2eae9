// @vitest-environment jsdom
/**
 * The address record is keyed by element, the analysis names namespaces
 * after the lab the server gave the design: an address the server decided
 * is the server's (not provisional) whatever name the design asks for.
 */
import { addressRecord, designFromYaml, scenarios } from '@netcanvas/shared';
import { act } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { Inspector } from '../src/components/Inspector';
import { startAnalysis, useAnalysis } from '../src/core/analysis';
import { useLive } from '../src/live/store';
import { useApp } from '../src/store';
import { testRoot } from './dom';
import { analysisSettled } from './helpers';

const dom = testRoot();

afterEach(() => useLive.setState({ labName: null, addresses: null }));

describe('provisional addresses', () => {
  it('are only those the server did not decide, when the lab is not the design’s name', async () => {
    const design = designFromYaml(scenarios.find((s) => s.name === 'same-vlan')!.yaml).design!;
    useApp.getState().loadDesign(design);
    const stop = startAnalysis(0);
    try {
      await analysisSettled();
      // The server's record of this design (element-keyed), and the lab it gave it.
      const record = addressRecord(useAnalysis.getState().topology!);
      await act(async () => {
        useLive.setState({ labName: 'same-vlan-2', addresses: record });
        await analysisSettled();
      });
      dom.render(<Inspector />);
      act(() => useApp.getState().select(['vlan10']));
      const shown = dom.host.querySelector('[data-testid="member-address-node-a"]');
      const nodeA = Object.entries(record).find(([key]) => key.startsWith('node-a/'));
      expect(shown?.textContent).toBe(nodeA?.[1]);
      expect(dom.host.querySelector('[data-testid="member-provisional-node-a"]')).toBeNull();
    } finally {
      stop();
    }
  });
});
