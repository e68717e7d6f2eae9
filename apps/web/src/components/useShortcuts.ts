import { useEffect } from 'react';
import { useClient, useStores } from '../ui/context';

function typingInField(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  return (
    !!t &&
    (t.tagName === 'INPUT' ||
      t.tagName === 'TEXTAREA' ||
      t.tagName === 'SELECT' ||
      t.isContentEditable)
  );
}

/** Ctrl+Z / Ctrl+Y (Ctrl+Shift+Z), Ctrl+C / Ctrl+V, Delete / Backspace, Escape. Fields and dialogs keep their own. */
export function useShortcuts() {
  const { app } = useStores();
  const client = useClient();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typingInField(e)) {
        if (e.key === 'Escape') (e.target as HTMLElement).blur();
        return;
      }
      // A dialog is on top (gallery, change review): the keys are not meant for
      // the design behind it, which must not lose elements to a stray Delete.
      const s = app.getState();
      if (document.querySelector('[aria-modal="true"]')) {
        if (e.key === 'Escape') {
          s.setGalleryOpen(false);
          client.lab.cancelChange();
          client.workspace.openView(null);
        }
        return;
      }
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === 'z' && !e.shiftKey) {
        e.preventDefault();
        s.undo();
      } else if (mod && (key === 'y' || (key === 'z' && e.shiftKey))) {
        e.preventDefault();
        s.redo();
      } else if (mod && key === 'c') {
        s.copySelection();
      } else if (mod && key === 'v') {
        e.preventDefault();
        s.paste();
      } else if (mod && key === 'a') {
        e.preventDefault();
        s.select(s.nodes.map((n) => n.id));
      } else if (e.key === 'Delete' || e.key === 'Backspace') {
        if (s.selection.length) {
          e.preventDefault();
          s.removeElements(s.selection);
        }
      } else if (e.key === 'Escape') {
        if (s.contextMenu) s.openContextMenu(null);
        else if (s.galleryOpen) s.setGalleryOpen(false);
        else if (Object.keys(s.highlight).length) s.clearHighlight();
        else s.select([]);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [app, client]);
}
