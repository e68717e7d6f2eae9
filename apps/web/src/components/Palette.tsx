import type { NodeKind } from '@netcanvas/shared';
import { useReactFlow } from '@xyflow/react';
import { KIND_DEFINITIONS, PALETTE_ORDER } from '../kinds/definitions';
import { freeSpot, HOST_MIN, NODE_SIZE } from '../model/flow';
import { useStores } from '../ui/context';
import { KindIcon } from '../ui/icons';
import { DRAG_MIME } from './Canvas';

export function Palette() {
  const flow = useReactFlow();
  const { app } = useStores();
  const addAtCentre = (kind: NodeKind) => {
    const pane = document.querySelector('.nc-canvas')?.getBoundingClientRect();
    const s = app.getState();
    const centre = flow.screenToFlowPosition({
      x: (pane?.left ?? 0) + (pane?.width ?? 800) / 2,
      y: (pane?.top ?? 0) + (pane?.height ?? 600) / 2,
    });
    const size = kind === 'host' ? HOST_MIN : NODE_SIZE;
    const at = freeSpot(
      s.design,
      { x: centre.x - size.width / 2, y: centre.y - size.height / 2 },
      size,
    );
    const id = s.addNode(kind, at);
    s.select([id]);
  };
  return (
    <nav className="nc-palette" data-testid="palette" aria-label="Elements">
      <div className="nc-palette-title">Elements</div>
      {PALETTE_ORDER.map((kind) => {
        const def = KIND_DEFINITIONS[kind];
        return (
          <button
            type="button"
            key={kind}
            className="nc-palette-item"
            style={{ ['--kind' as string]: def.color }}
            draggable
            data-testid={`palette-${kind}`}
            title={`${def.hint} — drag onto the canvas, or click to add`}
            onDragStart={(e) => {
              e.dataTransfer.setData(DRAG_MIME, kind);
              e.dataTransfer.effectAllowed = 'copy';
            }}
            onClick={() => addAtCentre(kind)}
          >
            <span className="nc-palette-icon">
              <KindIcon kind={kind} size={18} />
            </span>
            <span>{def.title}</span>
          </button>
        );
      })}
      <div className="nc-palette-help">
        <p>Drag onto the canvas.</p>
        <p>Link: drag from a dot on an element's edge to another element.</p>
        <p>Containers: drop a namespace on a host.</p>
      </div>
    </nav>
  );
}
