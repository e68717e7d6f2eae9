import { useAnalysis } from '../core/analysis';
import { exportDesign, importText, openDesign, pickFile } from '../core/io';
import { applyOrReview, destroy } from '../live/client';
import { labDeployed, useLive } from '../live/store';
import { autoLayout } from '../model/layout';
import { type PanelId, useApp } from '../store';
import { Icon } from './icons';

function PanelButton({ panel, label, count }: { panel: PanelId; label: string; count?: number }) {
  const active = useApp((s) => s.panel === panel);
  const toggle = useApp((s) => s.togglePanel);
  return (
    <button
      type="button"
      className={`tab ${active ? 'active' : ''}`}
      data-testid={`toggle-${panel}`}
      onClick={() => toggle(panel)}
    >
      {label}
      {count ? <span className="count">{count}</span> : null}
    </button>
  );
}

function SaveState() {
  const save = useLive((s) => s.save);
  const connection = useLive((s) => s.connection);
  const note = useLive((s) => s.connectionNote);
  const label =
    connection !== 'online'
      ? save === 'local'
        ? 'saved in this browser'
        : save
      : {
          local: 'local only',
          saved: 'saved',
          saving: 'saving…',
          error: 'not saved',
        }[save];
  return (
    <span
      className={`nc-status conn-${connection} save-${save}`}
      data-testid="save-state"
      title={note ?? undefined}
    >
      <span className="dot" />
      {connection === 'online'
        ? 'server'
        : connection === 'connecting'
          ? 'connecting…'
          : 'no server'}{' '}
      · {label}
    </span>
  );
}

export function Toolbar() {
  const canUndo = useApp((s) => s.past.length > 0);
  const canRedo = useApp((s) => s.future.length > 0);
  const undo = useApp((s) => s.undo);
  const redo = useApp((s) => s.redo);
  const name = useApp((s) => s.design.name);
  const errors = useAnalysis((s) => s.diagnostics.filter((d) => d.severity === 'error').length);
  const warnings = useAnalysis((s) => s.diagnostics.length);
  const online = useLive((s) => s.connection === 'online');
  const lab = useLive((s) => s.lab);
  const progress = useLive((s) => s.progress);
  const busy = progress !== null && !progress.failed && progress.phase !== 'done';
  return (
    <header className="nc-toolbar" data-testid="toolbar">
      <div className="nc-brand">
        <span className="logo">◇</span> <span className="btn-label">netcanvas</span>
      </div>
      <span className="nc-design-name" data-testid="design-name" title={name}>
        {name}
      </span>
      <div className="nc-toolgroup">
        <button
          type="button"
          className="icon-btn"
          title="Undo (Ctrl+Z)"
          disabled={!canUndo}
          onClick={undo}
          data-testid="btn-undo"
        >
          <Icon name="undo" />
        </button>
        <button
          type="button"
          className="icon-btn"
          title="Redo (Ctrl+Y)"
          disabled={!canRedo}
          onClick={redo}
          data-testid="btn-redo"
        >
          <Icon name="redo" />
        </button>
      </div>
      <div className="nc-toolgroup">
        <button
          type="button"
          title="Open the scenario gallery"
          onClick={() => useApp.getState().setGalleryOpen(true)}
          data-testid="btn-gallery"
        >
          <Icon name="gallery" /> <span className="btn-label">Scenarios</span>
        </button>
        <button
          type="button"
          title="Import a YAML design"
          data-testid="btn-import"
          onClick={async () => {
            const file = await pickFile();
            if (file) await importText(file.text, file.name);
          }}
        >
          <Icon name="import" /> <span className="btn-label">Import</span>
        </button>
        <button
          type="button"
          title="Download the design as YAML"
          onClick={exportDesign}
          data-testid="btn-export"
        >
          <Icon name="export" /> <span className="btn-label">Export</span>
        </button>
        <button
          type="button"
          title="Arrange automatically"
          data-testid="btn-layout"
          onClick={async () => {
            const d = await autoLayout(useApp.getState().design);
            useApp.getState().moveNodes(d.layout ?? {});
            window.dispatchEvent(new CustomEvent('netcanvas:fit'));
          }}
        >
          <Icon name="layout" /> <span className="btn-label">Layout</span>
        </button>
      </div>
      <div className="nc-toolgroup tabs">
        <PanelButton panel="problems" label="Problems" count={warnings} />
        <PanelButton panel="plan" label="Plan" />
        <PanelButton panel="matrix" label="Connectivity" />
        <PanelButton panel="capture" label="Capture" />
      </div>
      <div className="nc-spacer" />
      <SaveState />
      <div className="nc-toolgroup">
        <button
          type="button"
          className="primary"
          disabled={!online || busy || errors > 0}
          title={
            !online
              ? 'Start the netcanvas server to deploy'
              : errors > 0
                ? 'Fix the errors first'
                : labDeployed(lab)
                  ? 'Review what would change in the running lab, then apply it'
                  : 'Create this network in the kernel'
          }
          onClick={() => void applyOrReview()}
          data-testid="btn-deploy"
        >
          <Icon name="play" /> {labDeployed(lab) ? 'Apply' : 'Deploy'}
        </button>
        <button
          type="button"
          className="danger"
          disabled={!online || busy || lab === 'absent'}
          onClick={destroy}
          data-testid="btn-destroy"
          title="Remove every namespace of this lab"
        >
          <Icon name="stop" /> Destroy
        </button>
      </div>
    </header>
  );
}

export { openDesign };
