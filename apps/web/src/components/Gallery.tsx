import { scenarios } from '@netcanvas/shared';
import { useApp, useClient } from '../ui/context';
import { Modal } from './Modal';

export function Gallery() {
  const open = useApp((s) => s.galleryOpen);
  const setOpen = useApp((s) => s.setGalleryOpen);
  const { importText } = useClient().workspace;
  if (!open) return null;
  return (
    <Modal
      label="Scenarios"
      title="Scenarios"
      subtitle={
        <span className="nc-muted">
          Open one, deploy it, then break it and watch the canvas explain why.
        </span>
      }
      onClose={() => setOpen(false)}
      testid="gallery"
      closeTestid="gallery-close"
    >
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
    </Modal>
  );
}
