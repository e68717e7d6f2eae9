import { lessonFromYaml } from '@netcanvas/shared';
import type { Stores } from '../store';

const KEY = 'netcanvas:lesson';

interface Saved {
  text: string;
  designId: string | null;
  done: number;
  explained: Record<string, true>;
  predictions: Record<string, boolean>;
  /** Predict mode was on (the matrix showed the marks, not the analyzer's answer). */
  predicting?: boolean;
}

function read(storage: Storage): Saved | null {
  try {
    const saved = JSON.parse(storage.getItem(KEY) ?? 'null') as Saved | null;
    return saved && typeof saved.text === 'string' && Number.isInteger(saved.done) ? saved : null;
  } catch {
    return null;
  }
}

/**
 * A lesson survives a reload in this browser: its file, its ticks, the pairs
 * explained, the Predict marks and whether Predict mode was on are saved as
 * they change, and put back when the page is on the lesson's design again.
 * Closing the lesson forgets it.
 */
export function followLesson(
  { lesson, live }: Pick<Stores, 'lesson' | 'live'>,
  storage: Storage = localStorage,
) {
  const stopSaving = lesson.subscribe((s, old) => {
    if (
      s.active === old.active &&
      s.done === old.done &&
      s.explained === old.explained &&
      s.predictions === old.predictions &&
      s.predicting === old.predicting
    )
      return;
    try {
      if (!s.active || !s.source) {
        if (old.active) storage.removeItem(KEY);
        return;
      }
      const saved: Saved = {
        text: s.source.text,
        designId: s.source.designId,
        done: s.done,
        explained: s.explained,
        predictions: s.predictions,
        predicting: s.predicting,
      };
      storage.setItem(KEY, JSON.stringify(saved));
    } catch {
      // storage full or disabled: the lesson just does not survive a reload
    }
  });
  const resume = () => {
    if (lesson.getState().active) return;
    const saved = read(storage);
    const designId = live.getState().designId;
    if (!saved || !designId || saved.designId !== designId) return;
    const loaded = lessonFromYaml(saved.text).lesson;
    if (loaded)
      lesson.getState().resumeLesson(loaded, {
        source: { text: saved.text, designId },
        done: saved.done,
        explained: saved.explained ?? {},
        predictions: saved.predictions ?? {},
        predicting: saved.predicting === true,
      });
  };
  const stopResuming = live.subscribe((s, old) => {
    if (s.designId !== old.designId) resume();
  });
  resume();
  return () => {
    stopSaving();
    stopResuming();
  };
}
