import { useEffect, useState } from 'react';
import type { AppState } from '../store/app';
import type { LiveState } from '../store/live';
import { useStores } from '../ui/context';

/** What changed in the design, in words: elements and links added or removed. */
export function designChange(before: AppState['design'], after: AppState['design']): string | null {
  if (before === after) return null;
  const said: string[] = [];
  const added = Object.keys(after.nodes).filter((id) => !before.nodes[id]);
  const removed = Object.keys(before.nodes).filter((id) => !after.nodes[id]);
  if (added.length) said.push(`Added ${added.join(', ')}`);
  if (removed.length) said.push(`Removed ${removed.join(', ')}`);
  const linkCount = after.links.length - before.links.length;
  if (linkCount > 0 && added.length === 0)
    said.push(`${linkCount} link${linkCount > 1 ? 's' : ''} added`);
  if (linkCount < 0 && removed.length === 0)
    said.push(`${-linkCount} link${linkCount < -1 ? 's' : ''} removed`);
  return said.length ? `${said.join('. ')}.` : null;
}

/** A link's kernel state changing, in words. */
export function linkChanges(before: LiveState['links'], after: LiveState['links']): string | null {
  if (before === after) return null;
  const said: string[] = [];
  for (const [id, l] of Object.entries(after)) {
    const was = before[id]?.state;
    if (was && was !== l.state && l.state !== 'absent') said.push(`link ${id} is ${l.state}`);
  }
  return said.length ? `${said.join(', ')}.` : null;
}

/**
 * Says politely (aria-live) what changed, for a screen reader and for anyone
 * not looking at the canvas: what is selected, what was added or removed,
 * links going up or down in the kernel, a deploy or destroy finishing.
 */
export function Announcer() {
  const { app, live } = useStores();
  const [text, setText] = useState('');
  useEffect(() => {
    // What one action changes (an element added, then selected) is said in one breath.
    let parts: string[] = [];
    const say = (part: string) => {
      if (parts.length === 0)
        queueMicrotask(() => {
          setText(parts.join(' '));
          parts = [];
        });
      parts.push(part);
    };
    const offApp = app.subscribe((s, prev) => {
      const change = designChange(prev.design, s.design);
      if (change) say(change);
      else if (s.selection.length > 0 && s.selection.join(' ') !== prev.selection.join(' ')) {
        const what = s.selection
          .map((id) => {
            const n = s.design.nodes[id];
            return n ? `${n.label || id}, ${n.kind}` : `link ${id}`;
          })
          .join('; ');
        say(`Selected ${what}.`);
      }
    });
    const offLive = live.subscribe((s, prev) => {
      const links = linkChanges(prev.links, s.links);
      if (links) say(links);
      const p = s.progress;
      if (
        p &&
        p !== prev.progress &&
        (p.phase === 'done' || p.failed) &&
        prev.progress?.phase !== p.phase
      )
        say(
          `${p.action === 'deploy' ? 'Deploy' : 'Destroy'} ${p.failed ? `failed${p.message ? `: ${p.message}` : ''}` : 'finished'}.`,
        );
    });
    return () => {
      offApp();
      offLive();
    };
  }, [app, live]);
  return (
    <div className="nc-sr-only" aria-live="polite" role="status" data-testid="announcer">
      {text}
    </div>
  );
}
