import { useClient, useWorkspace } from '../ui/context';

/**
 * What the last change of design did to labs ("lab vxlan keeps running; it
 * is in Labs", "the lab name was taken…"), kept until dismissed: a toast
 * would be gone before anyone wondered where the running lab went.
 */
export function WorkspaceNotice() {
  const notices = useWorkspace((s) => s.notices);
  const { openView, dismissNotices: dismiss } = useClient().workspace;
  if (notices.length === 0) return null;
  return (
    <div className="nc-workspace-notice" role="status" data-testid="workspace-notice">
      <ul>
        {notices.map((n) => (
          <li key={n}>{n}</li>
        ))}
      </ul>
      <button type="button" onClick={() => openView('labs')} data-testid="workspace-notice-labs">
        Labs
      </button>
      <button
        type="button"
        className="icon-btn"
        onClick={dismiss}
        title="Dismiss"
        aria-label="Dismiss"
        data-testid="workspace-notice-close"
      >
        ×
      </button>
    </div>
  );
}
