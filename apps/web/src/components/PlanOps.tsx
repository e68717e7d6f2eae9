import { commandLine, type groupByElement, type Op } from '@netcanvas/shared';
import { useState } from 'react';
import { attempt } from '../core/safe';
import { useApp } from '../ui/context';

/** The shell line of an op, as the script has it; an op the renderer refuses says why instead. */
export function command(op: Op): string {
  const r = attempt('render', () => commandLine(op));
  return r.value ?? `# ${op.op} (${r.error?.message})`;
}

export type OpGroup = ReturnType<typeof groupByElement>[number];

/**
 * About how many commands are drawn before "show more": a 1000-element design
 * compiles to ~15 000, which as list items took seconds to open. Copy and
 * download always take the whole plan.
 */
export const PLAN_ROWS = 1500;

/** The first groups that fit in `rows` commands (at least one group). */
export function firstGroups(groups: readonly OpGroup[], rows: number): readonly OpGroup[] {
  let n = 0;
  let count = 0;
  while (n < groups.length && (n === 0 || count + groups[n]!.ops.length <= rows)) {
    count += groups[n]!.ops.length;
    n++;
  }
  return n === groups.length ? groups : groups.slice(0, n);
}

/**
 * Commands grouped by element, as the plan drawer and the change review show
 * them: hovering a group or a command highlights its elements on the canvas,
 * clicking a group selects its element.
 */
export function PlanOps({ groups }: { groups: readonly OpGroup[] }) {
  const setHighlight = useApp((s) => s.setHighlight);
  const clearHighlight = useApp((s) => s.clearHighlight);
  const select = useApp((s) => s.select);
  const [rows, setRows] = useState(PLAN_ROWS);
  const shown = firstGroups(groups, rows);
  const hidden = groups.slice(shown.length);
  return (
    <div className="nc-plan-groups">
      {shown.map((g) => (
        <section key={g.element} className="nc-plan-group" data-testid={`plan-group-${g.element}`}>
          <h4>
            <button
              type="button"
              className="nc-plan-group-title"
              onMouseEnter={() => setHighlight([g.element], 'hover')}
              onMouseLeave={clearHighlight}
              onFocus={() => setHighlight([g.element], 'hover')}
              onBlur={clearHighlight}
              onClick={() => select([g.element])}
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
      {hidden.length > 0 && (
        <button
          type="button"
          className="nc-plan-more"
          onClick={() => setRows((r) => r + PLAN_ROWS)}
          data-testid="plan-more"
        >
          Show more: {hidden.length} more elements, {hidden.reduce((n, g) => n + g.ops.length, 0)}{' '}
          commands
        </button>
      )}
    </div>
  );
}
