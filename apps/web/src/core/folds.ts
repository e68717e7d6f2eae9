import type { AppStore, SidePanelId } from '../store/app';

const KEY = 'netcanvas:folds';
const PANELS: readonly SidePanelId[] = ['lesson', 'inspector'];

/**
 * The side column's fold states survive a reload in this browser (a teacher
 * who folded the inspector on a small projector keeps the room for the
 * canvas): read once at start, written whenever one changes.
 */
export function keepFolds(app: AppStore, storage: Storage = localStorage) {
  try {
    const saved = JSON.parse(storage.getItem(KEY) ?? 'null') as unknown;
    if (saved && typeof saved === 'object')
      for (const p of PANELS) {
        const v = (saved as Record<string, unknown>)[p];
        if (typeof v === 'boolean') app.getState().foldPanel(p, v);
      }
  } catch {
    // unreadable: both panels open
  }
  return app.subscribe((s, old) => {
    if (s.folded === old.folded) return;
    try {
      storage.setItem(KEY, JSON.stringify(s.folded));
    } catch {
      // storage full or disabled: the folds just do not survive a reload
    }
  });
}
