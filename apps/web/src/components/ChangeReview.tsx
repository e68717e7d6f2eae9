import { groupByElement } from '@netcanvas/shared';
import { labOf } from '../store/live';
import { useApp, useClient, useLive } from '../ui/context';
import { Icon } from '../ui/icons';
import { Modal } from './Modal';
import { PlanOps } from './PlanOps';

/**
 * What Apply will do to the running lab, before it does it: the server's diff
 * of the saved design against the kernel, grouped by element.
 */
export function ChangeReview() {
  const change = useLive((s) => s.change);
  const { cancelChange, confirmChange } = useClient().lab;
  const lab = useLive((s) => s.lab);
  const labName = labOf(
    useLive((s) => s.labName),
    useApp((s) => s.design.name),
  );
  if (!change) return null;
  const groups = groupByElement(change.ops, labName);
  const removes = change.ops.filter((op) => op.op.endsWith('.del'));
  return (
    <Modal
      label="Review the change"
      title="Apply to the running lab"
      subtitle={
        <span className="nc-muted" data-testid="change-summary">
          {change.ops.length} operation{change.ops.length === 1 ? '' : 's'} on {groups.length}{' '}
          element{groups.length === 1 ? '' : 's'}
          {removes.length ? ` · ${removes.length} removal${removes.length === 1 ? '' : 's'}` : ''}
          {lab === 'partial' ? ' · the lab is partly deployed' : ''}
        </span>
      }
      onClose={cancelChange}
      testid="change-review"
      className="nc-change"
    >
      <p className="nc-muted">
        Only these commands run; everything else in the lab is left as it is. Hover a command to see
        its element.
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
    </Modal>
  );
}
