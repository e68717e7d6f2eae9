import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { useEffect } from 'react';
import { BottomDrawer } from './components/BottomDrawer';
import { Canvas, FIT } from './components/Canvas';
import { ChangeReview } from './components/ChangeReview';
import { ContextMenu } from './components/ContextMenu';
import { DesignsView } from './components/DesignsView';
import { Gallery } from './components/Gallery';
import { Inspector } from './components/Inspector';
import { LabsView } from './components/LabsView';
import { Palette } from './components/Palette';
import { StorageBanner } from './components/Sessions';
import { Toasts } from './components/Toasts';
import { Toolbar } from './components/Toolbar';
import { useShortcuts } from './components/useShortcuts';
import { WorkspaceNotice } from './components/WorkspaceNotice';
import { useApp } from './ui/context';

function FitOnLoad() {
  const flow = useReactFlow();
  useEffect(() => {
    const fit = () =>
      requestAnimationFrame(() =>
        requestAnimationFrame(() => flow.fitView({ ...FIT, duration: 200 })),
      );
    const viewport = (e: Event) =>
      void flow.setViewport((e as CustomEvent<{ x: number; y: number; zoom: number }>).detail);
    window.addEventListener('netcanvas:fit', fit);
    window.addEventListener('netcanvas:viewport', viewport);
    return () => {
      window.removeEventListener('netcanvas:viewport', viewport);
      window.removeEventListener('netcanvas:fit', fit);
    };
  }, [flow]);
  return null;
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
  return (
    <ReactFlowProvider>
      <div className="nc-app">
        <Toolbar />
        <StorageBanner />
        <div className="nc-main">
          <Palette />
          <div className="nc-center">
            <Canvas />
            <WorkspaceNotice />
            <Highlights />
            <BottomDrawer />
          </div>
          <Inspector />
        </div>
        <Gallery />
        <DesignsView />
        <LabsView />
        <ChangeReview />
        <ContextMenu />
        <Toasts />
        <FitOnLoad />
      </div>
    </ReactFlowProvider>
  );
}
