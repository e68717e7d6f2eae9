// @vitest-environment jsdom
import { generateDesign } from '@netcanvas/shared';
import { ReactFlowProvider } from '@xyflow/react';
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { MATRIX_MAX_ENDPOINTS, MatrixPanel, shownEndpoints } from '../src/components/MatrixPanel';
import { runDiagnose } from '../src/core/analysis';
import { freshApp } from './app';
import { testRoot } from './dom';

const dom = testRoot();

describe('which endpoints a big design’s matrix shows', () => {
  const all = Array.from({ length: 100 }, (_, i) => `c${i}`);

  it('shows everything while the design is small', () => {
    expect(shownEndpoints(all.slice(0, 12), [], '')).toBeUndefined();
  });

  it('shows the selected endpoints and those matching the filter, at most the limit', () => {
    expect(shownEndpoints(all, ['c7', 'r1', 'c42'], '')).toEqual(['c42', 'c7']);
    expect(shownEndpoints(all, ['c7'], 'c9')).toEqual([
      'c7',
      'c9',
      ...['c90', 'c91', 'c92', 'c93', 'c94', 'c95', 'c96', 'c97', 'c98', 'c99'],
    ]);
    expect(shownEndpoints(all, [], 'c')).toHaveLength(MATRIX_MAX_ENDPOINTS);
  });

  it('falls back to the first ones by id when nothing is chosen', () => {
    expect(shownEndpoints(all, [], 'nothing-matches')).toEqual(
      [...all].sort().slice(0, MATRIX_MAX_ENDPOINTS),
    );
  });
});

describe('the matrix of a 1000-element design', () => {
  it('draws a readable part of it, and the part follows the selection', () => {
    const { stores, wrap } = freshApp();
    const design = generateDesign({ seed: 7, elements: 1000, name: 'big' });
    act(() => {
      stores.app.getState().loadDesign(design);
      stores.analysis.setState({ ...runDiagnose(design), running: false });
    });
    dom.render(
      wrap(
        <ReactFlowProvider>
          <MatrixPanel />
        </ReactFlowProvider>,
      ),
    );
    const endpoints = stores.analysis.getState().topology!.endpoints.map((e) => e.node);
    expect(endpoints.length).toBeGreaterThan(300);
    const rows = () =>
      [...dom.host.querySelectorAll('tbody > tr > th')].map((th) =>
        th.firstChild?.textContent?.trim(),
      );
    expect(rows()).toHaveLength(MATRIX_MAX_ENDPOINTS);
    expect(dom.host.querySelector('[data-testid="matrix-subset"]')?.textContent).toContain(
      `${MATRIX_MAX_ENDPOINTS} of ${endpoints.length} endpoints`,
    );
    const [a, b] = [...endpoints].sort().slice(-2);
    act(() => stores.app.getState().select([a!, b!]));
    expect(rows()).toEqual([a, b]);
  });
});
