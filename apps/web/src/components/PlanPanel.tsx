import type { Op, Plan } from '@netcanvas/shared';
import { compile, render, renderScript } from '@netcanvas/shared';
import { useMemo } from 'react';
import { useAnalysis } from '../core/analysis';
import { download } from '../core/io';
import { attempt } from '../core/safe';
import { useApp } from '../store';
import { Icon } from './icons';

function command(op: Op): string {
  const r = attempt('render', () => render(op));
  return r.value ? r.value.join(' ') : `# ${op.op} (${r.error?.message})`;
}

/** Ops grouped by the first element that produced them, in plan order of first appearance. */
export function groupByElement(plan: Plan): { element: string; ops: Op[] }[] {
  const groups = new Map<string, Op[]>();
  for (const op of plan.ops) {
    const key = op.source[0] ?? plan.lab;
    const g = groups.get(key) ?? [];
    g.push(op);
    groups.set(key, g);
  }
  return [...groups].map(([element, ops]) => ({ element, ops }));
}

export function PlanPanel() {
  const topology = useAnalysis((s) => s.topology);
  const selection = useApp((s) => s.selection);
  const setHighlight = useApp((s) => s.setHighlight);
  const clearHighlight = useApp((s) => s.clearHighlight);
  const toast = useApp((s) => s.toast);
  const result = useMemo(
    () => (topology ? attempt('compile', () => compile(topology)) : null),
    [topology],
  );
  if (!result)
    return <div className="nc-panel-empty">No plan: fix the errors in Problems first.</div>;
  if (!result.value) return <div className="nc-panel-empty">{result.error?.message}</div>;
  const plan = result.value;
  const groups = groupByElement(plan);
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
      <div className="nc-plan-groups">
        {shown.map((g) => (
          <section
            key={g.element}
            className="nc-plan-group"
            data-testid={`plan-group-${g.element}`}
          >
            <h4>
              <button
                type="button"
                className="nc-plan-group-title"
                onMouseEnter={() => setHighlight([g.element], 'hover')}
                onMouseLeave={clearHighlight}
                onFocus={() => setHighlight([g.element], 'hover')}
                onBlur={clearHighlight}
                onClick={() => useApp.getState().select([g.element])}
              >
                {g.element} <span className="nc-muted">{g.ops.length}</span>
              </button>
            </h4>
            <ol className="nc-plan-ops">
              {g.ops.map((op, i) => (
                <li
                  // biome-ignore lint/suspicious/noArrayIndexKey: ops are positional in a plan
                  key={i}
                  className="nc-plan-op"
                  data-testid="plan-op"
                  data-source={op.source.join(' ')}
                  onMouseEnter={() => setHighlight(op.source, 'hover')}
                  onMouseLeave={clearHighlight}
                  title={op.why}
                >
                  <code>{command(op)}</code>
                  <span className="why">{op.why}</span>
                </li>
              ))}
            </ol>
          </section>
        ))}
      </div>
    </div>
  );
}
