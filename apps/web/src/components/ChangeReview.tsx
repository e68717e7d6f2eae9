import { cancelChange, confirmChange } from '../live/client';
import { useLive } from '../live/store';
import { Icon } from './icons';
import { groupByElement, PlanOps } from './PlanOps';

/**
 * What Apply will do to the running lab, before it does it: the server's diff
 * of the saved design against the kernel, grouped by element.
 */
export function ChangeReview() {
  const change = useLive((s) => s.change);
  const lab = useLive((s) => s.lab);
  if (!change) return null;
  const groups = groupByElement(change.ops, '');
  const removes = change.ops.filter((op) => op.op.endsWith('.del'));
  return (
    <div
      className="nc-modal-backdrop"
      role="dialog"
      aria-modal="true"
      aria-label="Review the change"
      onClick={(e) => {
        if (e.target === e.currentTarget) cancelChange();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') cancelChange();
      }}
    >
      <div className="nc-modal nc-change" data-testid="change-review">
        <header>
          <h2>Apply to the running lab</h2>
          <span className="nc-muted" data-testid="change-summary">
            {change.ops.length} operation{change.ops.length === 1 ? '' : 's'} on {groups.length}{' '}
            element{groups.length === 1 ? '' : 's'}
            {removes.length ? ` · ${removes.length} removal${removes.length === 1 ? '' : 's'}` : ''}
            {lab === 'partial' ? ' · the lab is partly deployed' : ''}
          </span>
          <div className="nc-spacer" />
          <button
            type="button"
            className="icon-btn"
            onClick={cancelChange}
            aria-label="Close"
            title="Close"
          >
            <Icon name="close" />
          </button>
        </header>
        <p className="nc-muted">
          Only these commands run; everything else in the lab is left as it is. Hover a command to
          see its element.
        </p>
        <PlanOps groups={groups} />
        <footer className="nc-change-actions">
          <button type="button" onClick={cancelChange} data-testid="change-cancel">
            Cancel
          </button>
          <button
            type="button"
            className="primary"
            // biome-ignore lint/a11y/noAutofocus: the dialog's one decision; Enter confirms it
            autoFocus
            onClick={() => void confirmChange()}
            data-testid="change-apply"
          >
            <Icon name="play" /> Apply {change.ops.length} operation
            {change.ops.length === 1 ? '' : 's'}
          </button>
        </footer>
      </div>
    </div>
  );
}
