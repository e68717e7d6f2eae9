import { useLayoutEffect, useRef } from 'react';
import type { LiveState } from '../store/live';
import { useStores } from './context';

/**
 * zustand's transient updates: a live tick is written straight to the DOM
 * element that shows it, with no React render. A status tick changes every
 * card and every link at once; at 1000 elements re-rendering them all cost
 * about 50 ms of script per tick, the attribute writes cost well under 5.
 *
 * `write` receives the selected slice whenever it changes (by identity) and
 * once on mount; it must only touch attributes and text that React does not
 * render, or React would overwrite them on its next render.
 */
export function useLiveWriter<T>(select: (s: LiveState) => T, write: (value: T) => void) {
  const live = useStores().live;
  const latest = useRef({ select, write });
  latest.current = { select, write };
  useLayoutEffect(() => {
    let last = latest.current.select(live.getState());
    latest.current.write(last);
    return live.subscribe((s) => {
      const value = latest.current.select(s);
      if (value === last) return;
      last = value;
      latest.current.write(value);
    });
  }, [live]);
}

/** Sets or removes one attribute: absence means "no live state". */
export function setAttr(el: Element | null, name: string, value: string | undefined) {
  if (!el) return;
  if (value === undefined) el.removeAttribute(name);
  else if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}
