import type { LoadedLesson } from '@netcanvas/shared';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { pairKey } from './live';

/**
 * The lesson the student follows, and the Predict matrix. Steps are walked
 * in order and a step once ticked stays ticked (lessons/progress.ts decides
 * when the current one is done, from the live lab).
 */
export interface LessonState {
  active: LoadedLesson | null;
  /** The lesson file's text (kept to resume it after a reload) and the design it runs on. */
  source: { text: string; designId: string | null } | null;
  /** How many steps are ticked: steps[0 .. done-1]. */
  done: number;
  /** Pairs whose path or reason the student opened in the matrix (pairKey). */
  explained: Record<string, true>;
  /** The matrix shows the student's marks instead of the analyzer's prediction. */
  predicting: boolean;
  /** The student's marks: pairKey → reaches. */
  predictions: Record<string, boolean>;

  startLesson(lesson: LoadedLesson, source?: LessonState['source']): void;
  /** Puts a lesson back as it was (a reload): its ticks, explained pairs, marks and Predict mode. */
  resumeLesson(
    lesson: LoadedLesson,
    saved: Pick<LessonState, 'source' | 'done' | 'explained' | 'predictions' | 'predicting'>,
  ): void;
  closeLesson(): void;
  tickStep(index: number): void;
  noteExplained(from: string, to: string): void;
  setPredicting(on: boolean): void;
  /** Marks a cell; undefined takes the mark away. */
  predict(from: string, to: string, reaches: boolean | undefined): void;
  clearPredictions(): void;
}

export type LessonStore = StoreApi<LessonState>;

export const createLessonStore = (): LessonStore =>
  createStore<LessonState>()((set) => ({
    active: null,
    source: null,
    done: 0,
    explained: {},
    predicting: false,
    predictions: {},
    startLesson: (lesson, source = null) =>
      set({ active: lesson, source, done: 0, explained: {}, predictions: {}, predicting: false }),
    resumeLesson: (lesson, saved) =>
      set({
        active: lesson,
        source: saved.source,
        done: Math.min(saved.done, lesson.lesson.steps.length),
        explained: saved.explained,
        predictions: saved.predictions,
        predicting: saved.predicting,
      }),
    closeLesson: () => set({ active: null, source: null, done: 0, explained: {} }),
    // Only the current step can be ticked: a lesson is walked in order.
    tickStep: (index) => set((s) => (s.active && index === s.done ? { done: s.done + 1 } : s)),
    noteExplained: (from, to) =>
      set((s) => ({ explained: { ...s.explained, [pairKey(from, to)]: true } })),
    setPredicting: (predicting) => set({ predicting }),
    predict: (from, to, reaches) =>
      set((s) => {
        const predictions = { ...s.predictions };
        if (reaches === undefined) delete predictions[pairKey(from, to)];
        else predictions[pairKey(from, to)] = reaches;
        return { predictions };
      }),
    clearPredictions: () => set({ predictions: {} }),
  }));
