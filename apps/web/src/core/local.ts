import type { Design } from '@netcanvas/shared';
import type { AppStore } from '../store/app';

const KEY = 'netcanvas:design';

/** Without a server the design survives a reload in this browser. */
export function restoreLocal(app: AppStore) {
  try {
    const text = localStorage.getItem(KEY);
    if (!text) return;
    const design = JSON.parse(text) as Design;
    if (design && typeof design === 'object' && design.nodes && design.name)
      app.getState().loadDesign(design);
  } catch {
    localStorage.removeItem(KEY);
  }
}

export function startLocalAutosave(app: AppStore) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return app.subscribe((s, old) => {
    if (s.design === old.design) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      try {
        localStorage.setItem(KEY, JSON.stringify(app.getState().design));
      } catch {
        // storage full or disabled: the server copy (if any) still saves
      }
    }, 300);
  });
}
