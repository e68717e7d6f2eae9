import { useEffect } from 'react';
import type { PanelId } from '../store/app';
import { useApp, useClient, useLive } from '../ui/context';
import { ListPanel } from './ListPanel';
import { MatrixPanel } from './MatrixPanel';
import { CloseButton } from './Modal';
import { PlanPanel } from './PlanPanel';
import { ProblemsPanel } from './ProblemsPanel';
import { ToolsPanel } from './ToolsPanel';

const TITLES: Record<PanelId, string> = {
  problems: 'Problems',
  plan: 'Plan — the commands this design becomes',
  matrix: 'Connectivity — who can ping whom',
  capture: 'Tools & capture',
  list: 'Elements and links',
};

function Progress() {
  const p = useLive((s) => s.progress);
  const { dismissProgress } = useClient().lab;
  useEffect(() => {
    // A finished deploy says so for a moment, then gets out of the way; a failure stays.
    if (p?.phase !== 'done') return;
    const t = setTimeout(() => dismissProgress(p), 4000);
    return () => clearTimeout(t);
  }, [p, dismissProgress]);
  if (!p) return null;
  const pct = p.total ? Math.round((p.done / p.total) * 100) : p.phase === 'done' ? 100 : 8;
  return (
    <div
      className={`nc-progress ${p.failed ? 'failed' : p.phase === 'done' ? 'done' : ''}`}
      data-testid="deploy-progress"
      data-phase={p.phase}
    >
      {/* A failed run fills the bar in the error colour: it is over, however far it got. */}
      <div className="bar" style={{ width: p.failed ? '100%' : `${pct}%` }} />
      <span>
        {p.action} · {p.phase}
        {p.total ? ` ${p.done}/${p.total}` : ''}
        {p.message ? ` · ${p.message}` : ''}
      </span>
    </div>
  );
}

export function BottomDrawer() {
  const panel = useApp((s) => s.panel);
  const setPanel = useApp((s) => s.setPanel);
  return (
    <>
      <Progress />
      {panel && (
        <section className="nc-drawer" data-testid={`drawer-${panel}`}>
          <header>
            <h3>{TITLES[panel]}</h3>
            <div className="nc-spacer" />
            <CloseButton onClose={() => setPanel(null)} testid="drawer-close" />
          </header>
          <div className="nc-drawer-body">
            {panel === 'problems' && <ProblemsPanel />}
            {panel === 'plan' && <PlanPanel />}
            {panel === 'matrix' && <MatrixPanel />}
            {panel === 'capture' && <ToolsPanel />}
            {panel === 'list' && <ListPanel />}
          </div>
        </section>
      )}
    </>
  );
}
