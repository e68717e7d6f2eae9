import { useAnalysis, useApp } from '../ui/context';
import { Icon } from '../ui/icons';
import { useReveal } from './useReveal';

/** Every diagnostic of the design; clicking one selects what it is about and brings it into view. */
export function ProblemsPanel() {
  const diagnostics = useAnalysis((s) => s.diagnostics);
  const select = useApp((s) => s.select);
  const setHighlight = useApp((s) => s.setHighlight);
  const reveal = useReveal();
  if (diagnostics.length === 0) {
    return (
      <div className="nc-panel-empty" data-testid="problems-empty">
        No problems: the design is valid.
      </div>
    );
  }
  return (
    <ul className="nc-problem-list" data-testid="problems-list">
      {diagnostics.map((d, i) => (
        <li
          // biome-ignore lint/suspicious/noArrayIndexKey: diagnostics may repeat a message for different paths
          key={i}
          className={`sev-${d.severity}`}
          data-testid={`problem-${i}`}
          data-elements={d.elements.join(' ')}
        >
          <button
            type="button"
            className="nc-problem"
            onClick={() => {
              select(d.elements);
              setHighlight(d.elements, 'fail', d.message);
              // After the banner is on screen, so the view leaves room for it.
              requestAnimationFrame(() => reveal(d.elements));
            }}
          >
            <Icon name={d.severity === 'error' ? 'error' : 'warn'} label={d.severity} />
            <span className="nc-problem-msg">{d.message}</span>
            <span className="nc-problem-els">{d.elements.join(', ')}</span>
            <span className="nc-problem-code">{d.code}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
