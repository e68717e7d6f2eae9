import { lessonFromYaml } from '@netcanvas/shared';
import { describe, expect, it } from 'vitest';
import { followLesson } from '../src/core/lesson-save';
import { KIND_DEFINITIONS } from '../src/kinds/definitions';
import { BUILTIN_LESSONS } from '../src/lessons/builtin';
import { createStores } from '../src/store';
import { pairKey } from '../src/store/live';

function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, v),
  };
}

describe('a lesson survives a reload', () => {
  it('comes back with its ticks and marks on its design, and not on another', () => {
    const storage = memoryStorage();
    const text = BUILTIN_LESSONS.vxlan!;
    const lesson = lessonFromYaml(text).lesson!;
    const before = createStores(KIND_DEFINITIONS);
    before.live.setState({ designId: 'd1' });
    followLesson(before, storage);
    before.lesson.getState().startLesson(lesson, { text, designId: 'd1' });
    before.lesson.getState().tickStep(0);
    before.lesson.getState().predict('c1', 'c2', false);

    // The page reloads: fresh stores, the same browser storage.
    const after = createStores(KIND_DEFINITIONS);
    followLesson(after, storage);
    expect(after.lesson.getState().active).toBeNull();
    after.live.setState({ designId: 'other' });
    expect(after.lesson.getState().active).toBeNull();
    after.live.setState({ designId: 'd1' });
    expect(after.lesson.getState().active?.lesson.title).toBe(lesson.lesson.title);
    expect(after.lesson.getState().done).toBe(1);
    expect(after.lesson.getState().predictions).toEqual({ [pairKey('c1', 'c2')]: false });

    // Closing it forgets it.
    after.lesson.getState().closeLesson();
    const again = createStores(KIND_DEFINITIONS);
    again.live.setState({ designId: 'd1' });
    followLesson(again, storage);
    expect(again.lesson.getState().active).toBeNull();
  });

  it('keeps Predict mode on or off across a reload, as it keeps the marks', () => {
    const storage = memoryStorage();
    const text = BUILTIN_LESSONS.vxlan!;
    const lesson = lessonFromYaml(text).lesson!;
    const reload = () => {
      const page = createStores(KIND_DEFINITIONS);
      page.live.setState({ designId: 'd1' });
      followLesson(page, storage);
      return page;
    };
    const first = reload();
    first.lesson.getState().startLesson(lesson, { text, designId: 'd1' });
    first.lesson.getState().setPredicting(true);
    first.lesson.getState().predict('c1', 'c2', true);

    const second = reload();
    expect(second.lesson.getState().predicting).toBe(true);
    expect(second.lesson.getState().predictions).toEqual({ [pairKey('c1', 'c2')]: true });
    second.lesson.getState().setPredicting(false);

    expect(reload().lesson.getState().predicting).toBe(false);
  });
});
