// @vitest-environment jsdom
import { designFromYaml, scenarios } from '@netcanvas/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { startAnalysis, useAnalysis } from '../src/core/analysis';
import { useLive } from '../src/live/store';
import { useApp } from '../src/store';

const settled = () =>
  new Promise<void>((resolve) => {
    const check = () => (useAnalysis.getState().running ? setTimeout(check, 5) : resolve());
    setTimeout(check, 5);
  });

afterEach(() => useLive.setState({ labName: null }));

describe('kernel names in the browser', () => {
  it('are under the lab the server gave the design, not the name it asks for', async () => {
    const design = designFromYaml(scenarios.find((s) => s.name === 'same-vlan')!.yaml).design!;
    useApp.getState().loadDesign(design);
    const stop = startAnalysis(0);
    try {
      await settled();
      expect(useAnalysis.getState().topology?.netns.map((n) => n.name)).toContain(
        'nc-same-vlan.c1',
      );
      useLive.setState({ labName: 'same-vlan-2' });
      await settled();
      const names = useAnalysis.getState().topology?.netns.map((n) => n.name) ?? [];
      expect(names).toContain('nc-same-vlan-2.c1');
      expect(names).not.toContain('nc-same-vlan.c1');
    } finally {
      stop();
    }
  });
});
