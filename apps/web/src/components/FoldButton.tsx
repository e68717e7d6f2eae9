import type { ReactNode } from 'react';
import type { SidePanelId } from '../store/app';
import { useApp } from '../ui/context';

/** The fold (▾) or unfold (▸) button of a side-column panel. */
export function FoldButton({
  panel,
  folded,
  label,
  children,
}: {
  panel: SidePanelId;
  folded: boolean;
  /** What the panel is, for the button's accessible name ("the lesson"). */
  label: string;
  children?: ReactNode;
}) {
  const fold = useApp((s) => s.foldPanel);
  return (
    <button
      type="button"
      className={folded ? 'nc-side-unfold' : 'icon-btn nc-side-fold'}
      onClick={() => fold(panel, !folded)}
      aria-expanded={!folded}
      aria-label={folded ? undefined : `Fold ${label}`}
      title={folded ? `Show ${label}` : `Fold ${label} to its title (kept after a reload)`}
      data-testid={`${panel}-${folded ? 'unfold' : 'fold'}`}
    >
      <span className="chevron" aria-hidden="true">
        {folded ? '▸' : '▾'}
      </span>
      {children}
    </button>
  );
}
