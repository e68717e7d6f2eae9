import { ReactFlowProvider, useReactFlow, useStoreApi } from '@xyflow/react';
import { useEffect, useRef } from 'react';
import { Announcer } from './components/Announcer';
import { BottomDrawer } from './components/BottomDrawer';
import { Canvas, fitOptions, fittedViewport } from './components/Canvas';
import { ChangeReview } from './components/ChangeReview';
import { ContextMenu } from './components/ContextMenu';
import { DesignsView } from './components/DesignsView';
import { DestroyDialog } from './components/DestroyDialog';
import { Gallery } from './components/Gallery';
import { LabsView } from './components/LabsView';
import { Palette } from './components/Palette';
import { StorageBanner } from './components/Sessions';
import { SideColumn } from './components/SideColumn';
import { Toasts } from './components/Toasts';
import { Toolbar } from './components/Toolbar';
import { useShortcuts } from './components/useShortcuts';
import { WorkspaceNotice } from './components/WorkspaceNotice';
import { useApp, useLesson, useStores } from './ui/context';

/**
 * Fits the view when asked (`netcanvas:fit`). A design that just arrived
 * (`detail.instant`: from the server after a reload, a file, an adopted lab)
 * is fitted at once, before it is painted: drawn first where the old view
 * put it and then slid into place, it moved away from a click aimed at it,
 * and the click selected nothing. A fit the user asked for on a design
 * already on screen (Layout, a drawer, projector mode) animates, so the eye
 * can follow where things went.
 */
function FitOnLoad() {
  const flow = useReactFlow();
  const pane = useStoreApi();
  const { app } = useStores();
  useEffect(() => {
    const fit = (e: Event) => {
      if ((e as CustomEvent<{ instant?: boolean } | null>).detail?.instant) {
        const { width, height } = pane.getState();
        if (width > 0)
          void flow.setViewport(
            fittedViewport(app.getState().nodes, { width, height }, app.getState().presenting),
          );
        return;
      }
      requestAnimationFrame(() =>
        requestAnimationFrame(() =>
          flow.fitView({ ...fitOptions(app.getState().presenting), duration: 200 }),
        ),
      );
    };
    const viewport = (e: Event) =>
      void flow.setViewport((e as CustomEvent<{ x: number; y: number; zoom: number }>).detail);
    window.addEventListener('netcanvas:fit', fit);
    window.addEventListener('netcanvas:viewport', viewport);
    return () => {
      window.removeEventListener('netcanvas:viewport', viewport);
      window.removeEventListener('netcanvas:fit', fit);
    };
  }, [flow, app, pane]);
  // A drawer opening or closing, projector mode, or the side column folding or
  // unfolding resizes the pane: fit again, so nothing is left under the drawer
  // or off the edge.
  const drawer = useApp((s) => s.panel !== null);
  const presenting = useApp((s) => s.presenting);
  const side = useApp((s) => s.folded);
  const lesson = useLesson((s) => s.active !== null);
  const first = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: drawer, presenting and the side column only decide when
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    window.dispatchEvent(new CustomEvent('netcanvas:fit'));
  }, [drawer, presenting, side, lesson]);
  return null;
}

/**
 * Projector mode follows the address (`?present=1`), so a teacher can open
 * the dashboard projecting, and a reload keeps the mode.
 */
function usePresentFromAddress() {
  const { app } = useStores();
  const presenting = useApp((s) => s.presenting);
  useEffect(() => {
    if (new URLSearchParams(window.location.search).get('present') === '1')
      app.getState().setPresenting(true);
  }, [app]);
  useEffect(() => {
    const url = new URL(window.location.href);
    if ((url.searchParams.get('present') === '1') === presenting) return;
    if (presenting) url.searchParams.set('present', '1');
    else url.searchParams.delete('present');
    window.history.replaceState(window.history.state, '', url);
  }, [presenting]);
  return presenting;
}

function Highlights() {
  const note = useApp((s) => s.highlightNote);
  const clear = useApp((s) => s.clearHighlight);
  if (!note) return null;
  return (
    <div className="nc-highlight-note" data-testid="highlight-note">
      <span>{note}</span>
      <button type="button" className="icon-btn" onClick={clear} title="Clear (Esc)">
        ×
      </button>
    </div>
  );
}

export function App() {
  useShortcuts();
  const presenting = usePresentFromAddress();
  return (
    <ReactFlowProvider>
      <div className={`nc-app ${presenting ? 'present' : ''}`}>
        <Toolbar />
        <StorageBanner />
        <div className="nc-main">
          {!presenting && <Palette />}
          <div className="nc-center">
            <Canvas />
            {/* Notices stack in one column at the top of the canvas, never over each other. */}
            <div className="nc-notices">
              <WorkspaceNotice />
              <Highlights />
            </div>
            <BottomDrawer />
          </div>
          {!presenting && <SideColumn />}
        </div>
        <Gallery />
        <DesignsView />
        <LabsView />
        <ChangeReview />
        <DestroyDialog />
        <ContextMenu />
        <Toasts />
        <Announcer />
        <FitOnLoad />
      </div>
    </ReactFlowProvider>
  );
}
