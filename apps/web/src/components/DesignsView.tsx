import type { DesignSummary, VersionSummary } from '@netcanvas/shared';
import { useEffect, useState } from 'react';
import { designLabel } from '../live/workspace';
import { useClient, useLive, useWorkspace } from '../ui/context';
import { ConfirmRow } from './ConfirmRow';
import { Modal } from './Modal';

/** "3 min ago", "yesterday"…: enough to tell versions and labs apart. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  const t = iso ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(t)) return '—';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

/**
 * The designs on the server: New, Open, Duplicate, Delete, and each one's
 * version history with Restore. A design whose lab runs is not deleted
 * without destroying the lab first, which the row offers.
 */
export function DesignsView() {
  const open = useWorkspace((s) => s.view === 'designs');
  return open ? <DesignsDialog /> : null;
}

function DesignsDialog() {
  const designs = useWorkspace((s) => s.designs);
  const labs = useWorkspace((s) => s.labs);
  const error = useWorkspace((s) => s.error);
  const running = new Set((labs ?? []).map((l) => l.lab));
  const [history, setHistory] = useState<string | null>(null);
  const { openView, newDesign } = useClient().workspace;
  return (
    <Modal
      label="Designs"
      title="Designs"
      subtitle={
        <span className="nc-muted">
          Each design owns one lab; opening another design leaves it running.
        </span>
      }
      onClose={() => openView(null)}
      testid="designs-view"
      closeTestid="designs-close"
      className="nc-view"
    >
      <div className="nc-view-actions">
        <button
          type="button"
          className="primary"
          // biome-ignore lint/a11y/noAutofocus: the dialog opens on its first action, for the keyboard
          autoFocus
          onClick={() => void newDesign()}
          data-testid="designs-new"
        >
          New design
        </button>
      </div>
      {error && <p className="nc-field-error">{error}</p>}
      {!designs ? (
        <p className="nc-muted">Loading…</p>
      ) : (
        <table className="nc-table" data-testid="designs-list">
          <thead>
            <tr>
              <th>Design</th>
              <th>Lab</th>
              <th>Version</th>
              <th>Changed</th>
              <th>
                <span className="nc-sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          {designs.map((d) => (
            <DesignRow
              key={d.id}
              design={d}
              running={running.has(d.lab)}
              showHistory={history === d.id}
              toggleHistory={() => setHistory(history === d.id ? null : d.id)}
            />
          ))}
        </table>
      )}
    </Modal>
  );
}

function DesignRow({
  design: d,
  running,
  showHistory,
  toggleHistory,
}: {
  design: DesignSummary;
  running: boolean;
  showHistory: boolean;
  toggleHistory(): void;
}) {
  const current = useLive((s) => s.designId === d.id);
  const { deleteDesign, openDesignById, duplicateDesign } = useClient().workspace;
  const [confirm, setConfirm] = useState<'delete' | 'destroy' | null>(null);
  const del = async (destroyLabFirst: boolean) => {
    const r = await deleteDesign(d.id, { destroyLabFirst });
    setConfirm(r?.labRunning ? 'destroy' : null);
  };
  return (
    <tbody>
      <tr data-testid={`design-row-${d.lab}`} className={current ? 'current' : ''}>
        <td>
          <div className="nc-table-title">{designLabel(d)}</div>
          {current && <span className="nc-pill">open here</span>}
        </td>
        <td className="mono">
          {d.lab}
          {running && (
            <span className="nc-pill live" title="This design's lab runs in the kernel">
              running
            </span>
          )}
        </td>
        <td>{d.version}</td>
        <td title={d.updatedAt}>{ago(d.updatedAt)}</td>
        <td>
          <div className="nc-table-actions">
            <button
              type="button"
              disabled={current}
              onClick={() => void openDesignById(d.id)}
              data-testid={`design-open-${d.lab}`}
            >
              Open
            </button>
            <button
              type="button"
              onClick={() => void duplicateDesign(d.id)}
              data-testid={`design-duplicate-${d.lab}`}
              title="A copy with a lab of its own"
            >
              Duplicate
            </button>
            <button
              type="button"
              aria-expanded={showHistory}
              onClick={toggleHistory}
              data-testid={`design-history-${d.lab}`}
            >
              History
            </button>
            <button
              type="button"
              className="danger"
              onClick={() => setConfirm('delete')}
              data-testid={`design-delete-${d.lab}`}
            >
              Delete
            </button>
          </div>
        </td>
      </tr>
      {confirm === 'delete' && (
        <ConfirmRow
          colSpan={5}
          action="Delete"
          tone="danger"
          onConfirm={() => void del(false)}
          onCancel={() => setConfirm(null)}
          testid="design-delete-confirm"
          confirmTestid="design-delete-yes"
          cancelTestid="design-delete-cancel"
        >
          Delete {designLabel(d)} and its {d.version} versions?
        </ConfirmRow>
      )}
      {confirm === 'destroy' && (
        <ConfirmRow
          colSpan={5}
          action={`Destroy lab ${d.lab} and delete`}
          tone="danger"
          onConfirm={() => void del(true)}
          onCancel={() => setConfirm(null)}
          testid="design-delete-refused"
          confirmTestid="design-destroy-and-delete"
          cancelTestid="design-delete-refused-cancel"
        >
          Lab {d.lab} of this design is running, so the design is kept. Destroy the lab first?
        </ConfirmRow>
      )}
      {showHistory && (
        <tr>
          <td colSpan={5}>
            {/* Keyed by version: a restore (a new version) reads the history again. */}
            <Versions key={d.version} id={d.id} current={d.version} />
          </td>
        </tr>
      )}
    </tbody>
  );
}

/** Shown versions; a design keeps up to 500 (autosave writes many). */
const SHOWN_VERSIONS = 50;

function Versions({ id, current }: { id: string; current: number }) {
  const [versions, setVersions] = useState<VersionSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { versionsOf, restoreVersion } = useClient().workspace;
  useEffect(() => {
    let live = true;
    versionsOf(id).then(
      (v) => live && setVersions(v),
      (err: unknown) => live && setError(String(err)),
    );
    return () => {
      live = false;
    };
  }, [id, versionsOf]);
  if (error) return <p className="nc-field-error">{error}</p>;
  if (!versions) return <p className="nc-muted">Loading versions…</p>;
  return (
    <ol className="nc-versions" data-testid="design-versions">
      {versions.slice(0, SHOWN_VERSIONS).map((v) => (
        <li key={v.version} className="nc-version" data-testid={`version-${v.version}`}>
          <span className="mono">v{v.version}</span>
          <span className="nc-muted" title={v.createdAt}>
            {ago(v.createdAt)}
          </span>
          {v.version === current ? (
            <span className="nc-pill">current</span>
          ) : (
            <button
              type="button"
              onClick={() => void restoreVersion(id, v.version, current)}
              data-testid={`version-restore-${v.version}`}
              title="Make this version current again (as a new version)"
            >
              Restore
            </button>
          )}
        </li>
      ))}
      {versions.length > SHOWN_VERSIONS && (
        <li className="nc-muted">
          {versions.length - SHOWN_VERSIONS} older versions are kept on the server
        </li>
      )}
    </ol>
  );
}
