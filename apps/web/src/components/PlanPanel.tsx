import { compile, groupByElement, renderScript } from '@netcanvas/shared';
import { useMemo } from 'react';
import { download } from '../core/io';
import { attempt } from '../core/safe';
import { useAnalysis, useApp } from '../ui/context';
import { Icon } from '../ui/icons';
import { command, PlanOps } from './PlanOps';

export function PlanPanel() {
  const topology = useAnalysis((s) => s.topology);
  const selection = useApp((s) => s.selection);
  const toast = useApp((s) => s.toast);
  const result = useMemo(
    () => (topology ? attempt('compile', () => compile(topology)) : null),
    [topology],
  );
  if (!result)
    return <div className="nc-panel-empty">No plan: fix the errors in Problems first.</div>;
  if (!result.value) return <div className="nc-panel-empty">{result.error?.message}</div>;
  const plan = result.value;
  const groups = groupByElement(plan.ops, plan.lab);
  const shown = selection.length
    ? groups.filter((g) => g.ops.some((op) => op.source.some((s) => selection.includes(s))))
    : groups;
  const script = () =>
    attempt('script', () => renderScript(plan)).value ?? plan.ops.map(command).join('\n');
  return (
    <div className="nc-plan" data-testid="plan-panel">
      <div className="nc-panel-bar">
        <span className="nc-muted">
          {plan.ops.length} operations{selection.length ? ` · showing ${selection.join(', ')}` : ''}{' '}
          · teardown: {plan.teardown.length} namespace
          {plan.teardown.length === 1 ? '' : 's'}
        </span>
        <div className="nc-spacer" />
        <button
          type="button"
          data-testid="plan-copy"
          onClick={() =>
            navigator.clipboard?.writeText(script()).then(
              () => toast('Script copied'),
              () => toast('The browser refused the clipboard; use Download', 'error'),
            )
          }
        >
          <Icon name="copy" /> Copy script
        </button>
        <button
          type="button"
          data-testid="plan-download"
          onClick={() => download(`${plan.lab}.sh`, script(), 'text/x-shellscript')}
        >
          <Icon name="download" /> Download .sh
        </button>
      </div>
      <PlanOps groups={shown} />
    </div>
  );
}
