import type { SessionRow } from '@netcanvas/shared';
import { useEffect, useState } from 'react';
import { useClient, useLive } from '../ui/context';
import { Modal } from './Modal';

const when = (iso: string) => new Date(iso).toLocaleString();

/**
 * The browser sessions of the server: each one a login link that was
 * opened. Revoking one logs that browser out at once (its socket closes);
 * restarting the server revokes them all.
 */
export function SessionsDialog({ onClose }: { onClose: () => void }) {
  const { listSessions, revokeSession } = useClient().lab;
  const [rows, setRows] = useState<SessionRow[] | null>(null);
  const refresh = () => void listSessions().then((r) => setRows(r ?? []));
  useEffect(refresh, [listSessions]);
  return (
    <Modal
      label="Sessions"
      title="Sessions"
      subtitle={<span className="nc-muted">browsers logged in to this server</span>}
      onClose={onClose}
      testid="sessions-dialog"
      closeTestid="sessions-close"
      className="nc-sessions"
    >
      {rows === null ? (
        <p className="nc-muted">Loading…</p>
      ) : rows.length === 0 ? (
        <p className="nc-muted" data-testid="sessions-empty">
          No browser session (this page uses the server’s master token).
        </p>
      ) : (
        <table className="nc-sessions-table">
          <thead>
            <tr>
              <th>session</th>
              <th>browser</th>
              <th>logged in</th>
              <th>last seen</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => (
              <tr key={s.id} data-testid={`session-${s.id}`} data-current={s.current || undefined}>
                <td>
                  {s.id}
                  {s.current ? ' (this browser)' : ''}
                </td>
                <td title={s.client}>{s.client.slice(0, 48)}</td>
                <td>{when(s.createdAt)}</td>
                <td>{when(s.lastSeenAt)}</td>
                <td>
                  <button
                    type="button"
                    className="danger"
                    data-testid={`session-revoke-${s.id}`}
                    onClick={async () => {
                      if (await revokeSession(s.id)) refresh();
                    }}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="nc-muted">
        A new browser logs in with the link <code>pnpm netcanvas login</code> prints (valid once,
        for 5 minutes).
      </p>
    </Modal>
  );
}

/** Opens the dialog; only with a server to ask. */
export function SessionsButton() {
  const online = useLive((s) => s.connection === 'online');
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        disabled={!online}
        onClick={() => setOpen(true)}
        data-testid="btn-sessions"
        title="Browsers logged in to this server; revoke one"
      >
        Sessions
      </button>
      {open && <SessionsDialog onClose={() => setOpen(false)} />}
    </>
  );
}

/** Loud, until dismissed: the server started with an empty store because the old one was damaged. */
export function StorageBanner() {
  const storage = useLive((s) => s.storage);
  const [dismissed, setDismissed] = useState(false);
  if (!storage || dismissed) return null;
  return (
    <div className="nc-storage-banner" role="alert" data-testid="storage-banner">
      <strong>The design database was damaged</strong> ({storage.reason}). It was moved aside to{' '}
      <code data-testid="storage-moved-to">{storage.movedTo}</code> and the server started with an
      empty store at <code data-testid="storage-path">{storage.path}</code>. Designs shown here are
      only what this browser kept; <code>sqlite3 … .recover</code> may rescue the old ones.
      <button type="button" className="icon-btn" onClick={() => setDismissed(true)} title="Hide">
        ×
      </button>
    </div>
  );
}
