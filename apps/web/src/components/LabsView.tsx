import type { LabEntry } from '@netcanvas/shared';
import { useState } from 'react';
import { designLabel } from '../live/workspace';
import { useClient, useLive, useWorkspace } from '../ui/context';
import { ConfirmRow } from './ConfirmRow';
import { ago } from './DesignsView';
import { Modal } from './Modal';

/**
 * Every lab running on this machine, whoever started it: its design here,
 * the command line, or nobody. Open goes to its design; a lab with no
 * design here can be opened as one (an explicit adoption) or destroyed.
 */
export function LabsView() {
  const open = useWorkspace((s) => s.view === 'labs');
  return open ? <LabsDialog /> : null;
}

function LabsDialog() {
  const labs = useWorkspace((s) => s.labs);
  const error = useWorkspace((s) => s.error);
  const { openView, refreshLabs } = useClient().workspace;
  return (
    <Modal
      label="Labs"
      title="Labs"
      subtitle={<span className="nc-muted">Every lab running on this machine.</span>}
      onClose={() => openView(null)}
      testid="labs-view"
      closeTestid="labs-close"
      className="nc-view"
    >
      <div className="nc-view-actions">
        <button
          type="button"
          // biome-ignore lint/a11y/noAutofocus: the dialog opens on its first action, for the keyboard
          autoFocus
          onClick={() => void refreshLabs()}
          data-testid="labs-refresh"
        >
          Refresh
        </button>
      </div>
      {error && <p className="nc-field-error">{error}</p>}
      {!labs ? (
        <p className="nc-muted">Loading…</p>
      ) : labs.length === 0 ? (
        <p className="nc-muted" data-testid="labs-empty">
          No lab is running on this machine.
        </p>
      ) : (
        <table className="nc-table" data-testid="labs-list">
          <thead>
            <tr>
              <th>Lab</th>
              <th>Design</th>
              <th>Elements</th>
              <th>Up since</th>
              <th>State</th>
              <th>
                <span className="nc-sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          {labs.map((l) => (
            <LabRow key={l.lab} lab={l} />
          ))}
        </table>
      )}
    </Modal>
  );
}

function ownerText(l: LabEntry): string {
  if (l.design) return designLabel(l.design);
  if (l.owner?.kind === 'cli') return 'CLI';
  if (l.owner?.kind === 'design') return `${designLabel(l.owner)} (another dashboard)`;
  return 'no design';
}

function stateText(l: LabEntry): { text: string; detail: string } {
  const off = Object.entries(l.status.elements).filter(([, e]) => e.state !== 'deployed');
  const detail = off
    .map(([id, e]) => `${id}: ${e.state}${e.differences.length ? ` (${e.differences[0]})` : ''}`)
    .join('\n');
  if (l.status.state === 'running') return { text: 'running', detail: 'as designed' };
  if (off.length === 0) return { text: l.status.state, detail: 'no design known to compare with' };
  return { text: `${l.status.state} · ${off.length} drifted`, detail };
}

function LabRow({ lab: l }: { lab: LabEntry }) {
  const here = useLive((s) => s.labName === l.lab);
  const { openDesignById, destroyLab, adoptLab } = useClient().workspace;
  const [confirm, setConfirm] = useState<'destroy' | 'adopt' | null>(null);
  const owner = l.design ? 'design' : (l.owner?.kind ?? 'none');
  const state = stateText(l);
  const adoptable = !l.design && l.owner?.kind !== 'design';
  return (
    <tbody>
      <tr data-testid={`lab-row-${l.lab}`} data-owner={owner} data-state={l.status.state}>
        <td className="mono">
          {l.lab}
          {here && <span className="nc-pill">open here</span>}
        </td>
        <td data-testid={`lab-owner-${l.lab}`}>{ownerText(l)}</td>
        <td>{l.elements ?? '—'}</td>
        <td title={l.since ?? undefined}>{ago(l.since)}</td>
        <td title={state.detail} data-testid={`lab-state-${l.lab}`}>
          {state.text}
        </td>
        <td>
          <div className="nc-table-actions">
            {l.design ? (
              <button
                type="button"
                disabled={here}
                onClick={() => void openDesignById(l.design!.id)}
                data-testid={`lab-open-${l.lab}`}
              >
                Open
              </button>
            ) : (
              <button
                type="button"
                disabled={!adoptable}
                title={
                  adoptable
                    ? 'Make this lab a design of the dashboard'
                    : 'This lab belongs to a design of another dashboard'
                }
                onClick={() => setConfirm('adopt')}
                data-testid={`lab-adopt-${l.lab}`}
              >
                Open as design
              </button>
            )}
            <button
              type="button"
              className="danger"
              onClick={() => setConfirm('destroy')}
              data-testid={`lab-destroy-${l.lab}`}
            >
              Destroy
            </button>
          </div>
        </td>
      </tr>
      {confirm === 'destroy' && (
        <ConfirmRow
          colSpan={6}
          action={`Destroy ${l.lab}`}
          tone="danger"
          onConfirm={() => void destroyLab(l).then(() => setConfirm(null))}
          onCancel={() => setConfirm(null)}
          confirmTestid="lab-destroy-confirm"
          cancelTestid="lab-destroy-cancel"
        >
          Destroy lab {l.lab}? Every namespace of it is removed
          {l.design ? '; its design stays' : ''}.
        </ConfirmRow>
      )}
      {confirm === 'adopt' && (
        <ConfirmRow
          colSpan={6}
          action="Open as design"
          tone="primary"
          onConfirm={() => void adoptLab(l.lab)}
          onCancel={() => setConfirm(null)}
          confirmTestid="lab-adopt-confirm"
          cancelTestid="lab-adopt-cancel"
        >
          Open lab {l.lab} as a design of this dashboard? The design owns the lab from then on:{' '}
          <code>netcanvas up</code> will refuse it.
        </ConfirmRow>
      )}
    </tbody>
  );
}
