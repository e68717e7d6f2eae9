import { scenarios } from '@netcanvas/shared';
import { importText } from '../core/io';
import { useApp } from '../store';
import { Icon } from './icons';

export function Gallery() {
  const open = useApp((s) => s.galleryOpen);
  const setOpen = useApp((s) => s.setGalleryOpen);
  if (!open) return null;
  return (
    // The dialog spans the dimmed backdrop, as modal dialogs do: a click on the backdrop itself
    // (outside the panel) or Escape anywhere inside closes it.
    <div
      className="nc-modal-backdrop"
      role="dialog"
      aria-modal="true"
      aria-label="Scenarios"
      onClick={(e) => {
        if (e.target === e.currentTarget) setOpen(false);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') setOpen(false);
      }}
    >
      <div className="nc-modal" data-testid="gallery">
        <header>
          <h2>Scenarios</h2>
          <span className="nc-muted">
            Open one, deploy it, then break it and watch the canvas explain why.
          </span>
          <div className="nc-spacer" />
          <button
            type="button"
            className="icon-btn"
            onClick={() => setOpen(false)}
            data-testid="gallery-close"
            aria-label="Close"
            title="Close"
          >
            <Icon name="close" />
          </button>
        </header>
        {scenarios.length === 0 && <p className="nc-muted">No scenarios in this build.</p>}
        <div className="nc-gallery-grid">
          {scenarios.map((sc, i) => (
            <article key={sc.name} className="nc-scenario" data-testid={`scenario-${sc.name}`}>
              <div className="nc-scenario-num">{i + 1}</div>
              <h3 className="nc-scenario-title">{sc.title}</h3>
              <p>{sc.teaches}</p>
              <h4>Try this</h4>
              <ul>
                {sc.tryThis.map((t) => (
                  <li key={t}>{t}</li>
                ))}
              </ul>
              <button
                type="button"
                className="primary"
                data-testid={`scenario-open-${sc.name}`}
                onClick={async () => {
                  if (await importText(sc.yaml, `scenario ${sc.name}`)) setOpen(false);
                }}
              >
                Open
              </button>
            </article>
          ))}
        </div>
      </div>
    </div>
  );
}
