import { useApp, useLesson } from '../ui/context';
import { Inspector } from './Inspector';
import { LessonPanel } from './LessonPanel';

/**
 * The one column beside the canvas: the lesson above the inspector, each
 * foldable to its title bar (kept across a reload, core/folds.ts). Both
 * share one width, so a lesson and a selection together still leave the
 * canvas most of a 1024-pixel window; with everything folded the column is
 * a narrow strip of tabs.
 */
export function SideColumn() {
  const lesson = useLesson((s) => s.active !== null);
  const folded = useApp((s) => s.folded);
  const lessonOpen = lesson && !folded.lesson;
  const strip = !lessonOpen && folded.inspector;
  return (
    <div
      className={`nc-side ${strip ? 'strip' : ''} ${lessonOpen && !folded.inspector ? 'both' : ''}`}
      data-testid="side-column"
    >
      <LessonPanel />
      <Inspector />
    </div>
  );
}
