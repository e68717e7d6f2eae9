import { useReactFlow, useStoreApi } from '@xyflow/react';
import { useCallback } from 'react';
import type { AppEdge, AppNode } from '../model/flow';
import { revealViewport, uncoveredArea } from '../model/view';
import { OVERVIEW_ZOOM } from '../ui/ElementShell';
import { FIT } from './Canvas';

const REVEAL_MS = 350;

/** What can lie over the canvas: the open drawer, the banner of a highlight. */
const COVERS = '.nc-drawer, .nc-highlight-note';

/**
 * Brings elements (node ids, or link ids: their two ends) into the part of
 * the canvas nothing covers, with a short pan; leaves the view alone when
 * they are already there. Call it after the render that shows the banner.
 */
export function useReveal(): (ids: readonly string[]) => void {
  const flow = useReactFlow<AppNode, AppEdge>();
  const store = useStoreApi<AppNode, AppEdge>();
  return useCallback(
    (ids) => {
      const nodes = new Set<string>();
      for (const id of ids) {
        if (flow.getInternalNode(id)) nodes.add(id);
        else {
          const edge = flow.getEdge(id);
          if (edge) nodes.add(edge.source).add(edge.target);
        }
      }
      const dom = store.getState().domNode;
      if (nodes.size === 0 || !dom) return;
      const pane = dom.getBoundingClientRect();
      const covers = [...document.querySelectorAll(COVERS)].map((el) => el.getBoundingClientRect());
      const next = revealViewport(
        flow.getNodesBounds([...nodes]),
        uncoveredArea(pane, covers),
        flow.getViewport(),
        {
          padding: 48,
          minZoom: FIT.minZoom,
          maxZoom: FIT.maxZoom,
          overviewZoom: OVERVIEW_ZOOM,
          readableZoom: 0.8,
        },
      );
      if (!next) return;
      const still = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
      void flow.setViewport(next, { duration: still ? 0 : REVEAL_MS });
    },
    [flow, store],
  );
}
