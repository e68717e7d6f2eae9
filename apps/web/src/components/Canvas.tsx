import type { NodeKind } from '@netcanvas/shared';
import { NODE_KINDS } from '@netcanvas/shared';
import {
  Background,
  BackgroundVariant,
  type Connection,
  ConnectionMode,
  Controls,
  type FinalConnectionState,
  type FitViewOptions,
  getNodesBounds,
  getViewportForBounds,
  MiniMap,
  ReactFlow,
  useReactFlow,
  useStore,
  type Viewport,
} from '@xyflow/react';
import {
  type DragEvent,
  type RefObject,
  useCallback,
  useLayoutEffect,
  useRef,
  useState,
} from 'react';
import { nodeTypes } from '../kinds';
import { KIND_DEFINITIONS } from '../kinds/definitions';
import { connectionProblem } from '../model/connect';
import { type AppEdge, type AppNode, droppedPosition, HOST_MIN, NODE_SIZE } from '../model/flow';
import { useApp, useStores } from '../ui/context';
import { EmptyCanvas } from './EmptyCanvas';
import { Legend } from './Legend';
import { createLabelSpots, edgeTypes, LabelPlacer, LabelSpotsProvider } from './LinkEdge';
import { PacketOverlay } from './PacketOverlay';

export const DRAG_MIME = 'application/x-netcanvas-kind';

const hostAt = (
  nodes: readonly AppNode[],
  point: { x: number; y: number },
  getAbs: (id: string) => { x: number; y: number; w: number; h: number } | null,
) =>
  nodes.find((n) => {
    if (n.type !== 'host') return false;
    const r = getAbs(n.id);
    return (
      r !== null && point.x >= r.x && point.x <= r.x + r.w && point.y >= r.y && point.y <= r.y + r.h
    );
  });

/** How a design is fitted into the pane, on mount and on "fit". */
export const FIT = { padding: 0.2, minZoom: 0.1, maxZoom: 1.2 };

/**
 * The fit for the mode the page is in. The margins are in pixels, so a big
 * pane is filled (a relative padding left a fifth of it empty on each side):
 * room on the left for the zoom buttons and at the bottom for the minimap.
 * Projector mode has no minimap and may zoom further in.
 */
export function fitOptions(
  presenting: boolean,
): Required<Pick<FitViewOptions, 'padding' | 'minZoom' | 'maxZoom'>> {
  return presenting
    ? {
        // Room at the bottom for the legend.
        padding: { top: '28px', right: '28px', bottom: '84px', left: '52px' },
        minZoom: FIT.minZoom,
        maxZoom: 2,
      }
    : {
        padding: { top: '36px', right: '36px', bottom: '108px', left: '56px' },
        minZoom: FIT.minZoom,
        maxZoom: FIT.maxZoom,
      };
}

/**
 * Projector mode sizes card text against the zoom (styles.css reads
 * `--nc-zoom`), so a label is readable from the back of a room at whatever
 * zoom fits the design. Off that mode nothing reads it and it is not set: a
 * custom property changing on every zoom frame restyles every card.
 */
function ZoomVar({ target }: { target: RefObject<HTMLElement | null> }) {
  const zoom = useStore((st) => st.transform[2]);
  useLayoutEffect(() => {
    target.current?.style.setProperty('--nc-zoom', String(zoom));
  }, [zoom, target]);
  return null;
}

/**
 * The viewport that fits what is already drawn into the pane. Computed before
 * React Flow mounts instead of its fitView prop, which fits only after the
 * first render: a big design would mount every card at zoom 1 and then render
 * it all again at the fitted zoom (overview cards). An empty canvas stays at
 * zoom 1, where the user's first drop lands under the pointer; opening a
 * scenario or an import fits explicitly (App.tsx).
 */
export function fittedViewport(
  nodes: readonly AppNode[],
  pane: { width: number; height: number },
  presenting: boolean,
): Viewport {
  const top = nodes.filter((n) => !n.parentId);
  if (top.length === 0 || pane.width === 0) return { x: 0, y: 0, zoom: 1 };
  const fit = fitOptions(presenting);
  return getViewportForBounds(
    getNodesBounds(top),
    pane.width,
    pane.height,
    fit.minZoom,
    fit.maxZoom,
    fit.padding,
  );
}

export function Canvas() {
  const { app } = useStores();
  const nodes = useApp((s) => s.nodes);
  const section = useRef<HTMLElement>(null);
  const [initialViewport, setInitialViewport] = useState<Viewport | null>(null);
  useLayoutEffect(() => {
    if (section.current)
      setInitialViewport(
        fittedViewport(
          app.getState().nodes,
          section.current.getBoundingClientRect(),
          app.getState().presenting,
        ),
      );
  }, [app]);
  const edges = useApp((s) => s.edges);
  const presenting = useApp((s) => s.presenting);
  const [labelSpots] = useState(createLabelSpots);
  const onNodesChange = useApp((s) => s.onNodesChange);
  const onEdgesChange = useApp((s) => s.onEdgesChange);
  const flow = useReactFlow<AppNode, AppEdge>();
  const refusal = useRef<string | null>(null);

  const rectOf = useCallback(
    (id: string) => {
      const n = flow.getInternalNode(id);
      if (!n) return null;
      return {
        x: n.internals.positionAbsolute.x,
        y: n.internals.positionAbsolute.y,
        w: n.measured.width ?? n.width ?? 0,
        h: n.measured.height ?? n.height ?? 0,
      };
    },
    [flow],
  );

  const onDragOver = useCallback((e: DragEvent) => {
    if (e.dataTransfer.types.includes(DRAG_MIME)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    }
  }, []);

  const dropElement = useCallback(
    (kind: NodeKind, at: { x: number; y: number }) => {
      const state = app.getState();
      if (kind === 'namespace') {
        const host = hostAt(state.nodes, at, rectOf);
        if (host) {
          // The host's next free slot: the store places it, and the host grows around it.
          const id = state.addNode(kind, at, host.id);
          state.select([id]);
          return;
        }
      }
      const size = kind === 'host' ? HOST_MIN : NODE_SIZE;
      const id = state.addNode(kind, { x: at.x - size.width / 2, y: at.y - size.height / 2 });
      state.select([id]);
    },
    [app, rectOf],
  );

  const onDrop = useCallback(
    (e: DragEvent) => {
      const kind = e.dataTransfer.getData(DRAG_MIME) as NodeKind;
      if (!NODE_KINDS.includes(kind)) return;
      e.preventDefault();
      const at = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      dropElement(kind, at);
    },
    [flow, dropElement],
  );

  const isValidConnection = useCallback(
    (c: Connection | AppEdge) => {
      const reason = connectionProblem(app.getState().design, c.source, c.target);
      refusal.current = reason;
      return reason === null;
    },
    [app],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      refusal.current = null;
      const result = app.getState().addLink(c.source, c.target);
      if (!result.ok) app.getState().toast(result.reason, 'error');
    },
    [app],
  );

  const onConnectStart = useCallback(() => {
    refusal.current = null;
  }, []);

  const onConnectEnd = useCallback(
    (e: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      const reason = refusal.current;
      refusal.current = null;
      if (state.isValid || !state.fromNode) return;
      // Dropping anywhere on an element links to it, not only on one of its handles.
      const point = 'changedTouches' in e ? e.changedTouches[0] : e;
      const el = point ? document.elementFromPoint(point.clientX, point.clientY) : null;
      const target = el?.closest<HTMLElement>('.react-flow__node')?.dataset.id;
      if (!target || target === state.fromNode.id) {
        // A refused drop gets the validator's reason instead of silently snapping back.
        if (reason && state.toNode) app.getState().toast(reason, 'error');
        return;
      }
      const result = app.getState().addLink(state.fromNode.id, target);
      if (!result.ok) app.getState().toast(result.reason, 'error');
    },
    [app],
  );

  const onNodeDragStop = useCallback(
    (_e: MouseEvent | TouchEvent, _node: AppNode, dragged: AppNode[]) => {
      const state = app.getState();
      const positions: Record<string, { x: number; y: number }> = {};
      for (const n of dragged) {
        const design = state.design.nodes[n.id];
        if (design?.kind === 'namespace') {
          const r = rectOf(n.id);
          if (!r) continue;
          const centre = { x: r.x + r.w / 2, y: r.y + r.h / 2 };
          const host = hostAt(state.nodes, centre, rectOf);
          if (host && host.id !== design.host) {
            const hr = rectOf(host.id)!;
            state.moveIntoHost(n.id, host.id, { x: r.x - hr.x, y: r.y - hr.y });
            continue;
          }
          if (!host && design.host) {
            state.moveOutOfHost(n.id, { x: r.x, y: r.y });
            continue;
          }
        }
        positions[n.id] = droppedPosition(n);
      }
      if (Object.keys(positions).length > 0) app.getState().moveNodes(positions);
    },
    [app, rectOf],
  );

  const onNodeContextMenu = useCallback(
    (e: React.MouseEvent, node: AppNode) => {
      e.preventDefault();
      app.getState().select([node.id]);
      app.getState().openContextMenu({ kind: 'node', id: node.id, x: e.clientX, y: e.clientY });
    },
    [app],
  );

  const onEdgeContextMenu = useCallback(
    (e: React.MouseEvent, edge: AppEdge) => {
      e.preventDefault();
      if (edge.type !== 'link') return;
      app.getState().select([edge.id]);
      app.getState().openContextMenu({ kind: 'edge', id: edge.id, x: e.clientX, y: e.clientY });
    },
    [app],
  );

  const onPaneClick = useCallback(() => {
    const s = app.getState();
    if (s.contextMenu) s.openContextMenu(null);
    if (Object.keys(s.highlight).length) s.clearHighlight();
  }, [app]);

  return (
    // Marching-ants animation on hundreds of links repaints the whole canvas every frame: above a few hundred, rates show as labels only.
    <section
      ref={section}
      className="nc-canvas"
      data-testid="canvas"
      aria-label="Network design canvas"
      data-many-links={edges.length > 300 ? '' : undefined}
      onDragOver={onDragOver}
      onDrop={onDrop}
      onMouseMove={(e) =>
        app.getState().notePointer(flow.screenToFlowPosition({ x: e.clientX, y: e.clientY }))
      }
      onMouseLeave={() => app.getState().notePointer(null)}
    >
      {initialViewport && (
        <LabelSpotsProvider value={labelSpots}>
          <ReactFlow<AppNode, AppEdge>
            defaultViewport={initialViewport}
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            edgeTypes={edgeTypes}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={onConnect}
            onConnectStart={onConnectStart}
            onConnectEnd={onConnectEnd}
            isValidConnection={isValidConnection}
            onNodeDragStop={onNodeDragStop}
            onNodeContextMenu={onNodeContextMenu}
            onEdgeContextMenu={onEdgeContextMenu}
            onPaneClick={onPaneClick}
            connectionMode={ConnectionMode.Loose}
            onlyRenderVisibleElements
            deleteKeyCode={null}
            selectionKeyCode="Shift"
            multiSelectionKeyCode={['Meta', 'Control']}
            minZoom={FIT.minZoom}
            proOptions={{ hideAttribution: true }}
            colorMode="system"
            snapToGrid
            snapGrid={[4, 4]}
          >
            <Background variant={BackgroundVariant.Dots} gap={16} size={1} />
            <Controls showInteractive={false} position="bottom-left" />
            {presenting && <ZoomVar target={section} />}
            <LabelPlacer edges={edges} presenting={presenting} />
            <PacketOverlay />
            {presenting && <Legend />}
            {/* The minimap draws every element a second time; on big designs it costs more than it shows. A projector has no use for it. */}
            {nodes.length <= 400 && !presenting && (
              <MiniMap
                style={{ width: 150, height: 96 }}
                pannable
                zoomable
                position="bottom-right"
                nodeColor={(n) =>
                  KIND_DEFINITIONS[(n as AppNode).type as NodeKind]?.color ?? '#999'
                }
              />
            )}
          </ReactFlow>
        </LabelSpotsProvider>
      )}
      {nodes.length === 0 && (
        <EmptyCanvas
          onAdd={(kind) =>
            dropElement(
              kind,
              flow.screenToFlowPosition({ x: window.innerWidth / 2, y: window.innerHeight / 2 }),
            )
          }
        />
      )}
    </section>
  );
}
