import { useEffect, useRef, useState } from 'react';
import { exportDesign, pickFile } from '../core/io';
import { autoLayout } from '../model/layout';
import type { PanelId } from '../store/app';
import { labDeployed, labOf } from '../store/live';
import { useAnalysis, useApp, useClient, useLive, useStores } from '../ui/context';
import { Icon } from '../ui/icons';
import { SessionsButton } from './Sessions';

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
  const where =
    connection === 'online' ? 'server' : connection === 'connecting' ? 'connecting…' : 'no server';
  // In a narrow window the dot's colour says where; the save state keeps its words.
  return (
    <span
      className={`nc-status conn-${connection} save-${save}`}
      data-testid="save-state"
      title={note ?? `${where} · ${label}`}
    >
      <span className="dot" />
      <span className="label">{where} · </span>
      {label}
    </span>
  );
}

/**
 * The actions a narrow window moves into the More menu: each is a toolbar
 * button (`btn-*`) in a wide window and a menu item (`menu-*`) in a narrow
 * one, so every action stays one or two clicks away at 1024 px.
 */
function SecondaryActions({ kind, done }: { kind: 'bar' | 'menu'; done?: () => void }) {
  const { app } = useStores();
  const { workspace } = useClient();
  const presenting = useApp((s) => s.presenting);
  const setPresenting = useApp((s) => s.setPresenting);
  const id = (name: string) => `${kind === 'bar' ? 'btn' : 'menu'}-${name}`;
  const item = kind === 'menu' ? { role: 'menuitem' } : {};
  const after = (fn: () => unknown) => () => {
    done?.();
    void fn();
  };
  return (
    <>
      <button
        type="button"
        {...item}
        title="Import a YAML design"
        data-testid={id('import')}
        onClick={after(async () => {
          const file = await pickFile();
          if (file) await workspace.importText(file.text, file.name);
        })}
      >
        <Icon name="import" /> <span className="label">Import</span>
      </button>
      <button
        type="button"
        {...item}
        title="Download the design as YAML"
        onClick={after(() => exportDesign(app))}
        data-testid={id('export')}
      >
        <Icon name="export" /> <span className="label">Export</span>
      </button>
      <button
        type="button"
        {...item}
        title="Arrange automatically"
        data-testid={id('layout')}
        onClick={after(async () => {
          const d = await autoLayout(app.getState().design);
          app.getState().moveNodes(d.layout ?? {});
          window.dispatchEvent(new CustomEvent('netcanvas:fit'));
        })}
      >
        <Icon name="layout" /> <span className="label">Layout</span>
      </button>
      <button
        type="button"
        {...(kind === 'menu'
          ? { role: 'menuitemcheckbox', 'aria-checked': presenting }
          : { 'aria-pressed': presenting })}
        className={presenting ? 'active' : ''}
        title="Projector mode: the canvas alone, large type, high contrast, a legend"
        data-testid={id('present')}
        onClick={after(() => setPresenting(!presenting))}
      >
        <Icon name="present" /> <span className="label">Present</span>
      </button>
    </>
  );
}

/** The More menu: the secondary actions, in a window too narrow to show them in the bar. */
function MoreMenu() {
  const [open, setOpen] = useState(false);
  const menu = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return;
    menu.current?.querySelector<HTMLElement>('[role^="menuitem"]')?.focus();
    const away = (e: PointerEvent) => {
      const t = e.target as Node;
      if (!menu.current?.contains(t) && !button.current?.contains(t)) setOpen(false);
    };
    document.addEventListener('pointerdown', away);
    return () => document.removeEventListener('pointerdown', away);
  }, [open]);
  return (
    <span className="nc-narrow-only nc-more">
      <button
        ref={button}
        type="button"
        className="icon-btn"
        title="More: import, export, layout, projector mode"
        aria-label="More actions"
        aria-haspopup="menu"
        aria-expanded={open}
        data-testid="btn-more"
        onClick={() => setOpen(!open)}
      >
        <Icon name="more" />
      </button>
      {open && (
        <div
          ref={menu}
          className="nc-menu"
          role="menu"
          tabIndex={-1}
          data-testid="more-menu"
          onKeyDown={(e) => {
            const items = [
              ...(menu.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]') ?? []),
            ];
            const at = items.indexOf(document.activeElement as HTMLElement);
            if (e.key === 'Escape') {
              setOpen(false);
              button.current?.focus();
            } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
              e.preventDefault();
              const step = e.key === 'ArrowDown' ? 1 : -1;
              items[(at + step + items.length) % items.length]?.focus();
            }
          }}
        >
          <SecondaryActions kind="menu" done={() => setOpen(false)} />
        </div>
      )}
    </span>
  );
}

export function Toolbar() {
  const canUndo = useApp((s) => s.past.length > 0);
  const canRedo = useApp((s) => s.future.length > 0);
  const undo = useApp((s) => s.undo);
  const askDestroy = useApp((s) => s.askDestroy);
  const redo = useApp((s) => s.redo);
  const name = useApp((s) => s.design.name);
  const title = useApp((s) => s.design.title);
  const labName = useLive((s) => s.labName);
  const errors = useAnalysis((s) => s.diagnostics.filter((d) => d.severity === 'error').length);
  const warnings = useAnalysis((s) => s.diagnostics.length);
  const online = useLive((s) => s.connection === 'online');
  const lab = useLive((s) => s.lab);
  const progress = useLive((s) => s.progress);
  const busy = progress !== null && !progress.failed && progress.phase !== 'done';
  const { app } = useStores();
  const { lab: actions, workspace } = useClient();
  return (
    <header className="nc-toolbar" data-testid="toolbar">
      <div className="nc-brand">
        <span className="logo">◇</span> <span className="label">netcanvas</span>
      </div>
      <div className="nc-design-id">
        <span
          className="nc-design-name"
          data-testid="design-name"
          title={`${title || name} · lab ${labOf(labName, name)}`}
        >
          {title || name}
        </span>
        <span
          className="nc-design-lab"
          data-testid="design-lab"
          title={
            labName
              ? `This design's lab: namespaces nc-${labName}.<element>. Fixed when the design was created.`
              : 'Not saved on a server: the lab name is fixed when it is'
          }
        >
          lab {labOf(labName, name)}
        </span>
      </div>
      <div className="nc-toolgroup">
        <button
          type="button"
          title="Your designs: new, open, duplicate, delete, history"
          disabled={!online}
          onClick={() => workspace.openView('designs')}
          data-testid="btn-designs"
        >
          <Icon name="designs" /> <span className="label">Designs</span>
        </button>
        <button
          type="button"
          title="Every lab running on this machine"
          disabled={!online}
          onClick={() => workspace.openView('labs')}
          data-testid="btn-labs"
        >
          <Icon name="labs" /> <span className="label">Labs</span>
        </button>
      </div>
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
          onClick={() => app.getState().setGalleryOpen(true)}
          data-testid="btn-gallery"
        >
          <Icon name="gallery" /> <span className="label">Scenarios</span>
        </button>
        {/* Wide windows show these here; narrow ones in the More menu (MoreMenu). */}
        <span className="nc-wide-only">
          <SecondaryActions kind="bar" />
        </span>
        <MoreMenu />
      </div>
      <div className="nc-toolgroup tabs">
        <PanelButton panel="problems" label="Problems" count={warnings} />
        <PanelButton panel="plan" label="Plan" />
        <PanelButton panel="matrix" label="Connectivity" />
        <PanelButton panel="capture" label="Capture" />
        <PanelButton panel="list" label="List" />
      </div>
      <div className="nc-spacer" />
      <SaveState />
      <SessionsButton />
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
          onClick={() => void actions.applyOrReview()}
          data-testid="btn-deploy"
        >
          <Icon name="play" /> {labDeployed(lab) ? 'Apply' : 'Deploy'}
        </button>
        <button
          type="button"
          className="danger"
          disabled={!online || busy || lab === 'absent'}
          onClick={() => askDestroy(true)}
          data-testid="btn-destroy"
          title="Remove every namespace of this lab"
        >
          <Icon name="stop" /> Destroy
        </button>
      </div>
    </header>
  );
}
