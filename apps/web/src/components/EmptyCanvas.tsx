import type { NodeKind } from '@netcanvas/shared';
import { useApp } from '../ui/context';

export function EmptyCanvas({ onAdd }: { onAdd(kind: NodeKind): void }) {
  const openGallery = useApp((s) => s.setGalleryOpen);
  return (
    <div className="nc-empty" data-testid="empty-canvas">
      <div className="nc-empty-card">
        <h2>Start a network</h2>
        <p>
          Drag a <b>VLAN</b>, <b>router</b> or <b>host</b> from the palette on the left, then draw
          links between their handles. Drop namespaces onto a host to make them its containers.
        </p>
        <div className="nc-empty-actions">
          <button
            type="button"
            className="primary"
            data-testid="empty-open-gallery"
            onClick={() => openGallery(true)}
          >
            Open a scenario
          </button>
          <button type="button" data-testid="empty-add-vlan" onClick={() => onAdd('vlan')}>
            Add a VLAN
          </button>
        </div>
        <p className="nc-muted">
          The three classic lessons — same VLAN, inter-VLAN routing, VXLAN — are in the gallery.
        </p>
      </div>
    </div>
  );
}
