import { type LoadedLesson, lessonFromYaml, scenarios } from '@netcanvas/shared';
import { BUILTIN_LESSONS } from '../lessons/builtin';
import { useApp, useClient, useStores } from '../ui/context';
import { Modal } from './Modal';

/** Most a lesson file may weigh (lessonFromYaml refuses more; this keeps the read short). */
const MAX_LESSON_FILE = 1024 * 1024;

export function Gallery() {
  const open = useApp((s) => s.galleryOpen);
  const setOpen = useApp((s) => s.setGalleryOpen);
  const { importText, openAsNewDesign } = useClient().workspace;
  const { app, lesson, live } = useStores();
  if (!open) return null;

  /** Opens the lesson's design as a new design, then the lesson beside it. */
  async function startLesson(l: LoadedLesson, source: string, text: string) {
    if (await openAsNewDesign(l.design, source)) {
      lesson.getState().startLesson(l, { text, designId: live.getState().designId });
      setOpen(false);
    }
  }

  async function openLessonFile(file: File) {
    if (file.size > MAX_LESSON_FILE) {
      app.getState().toast(`Cannot open ${file.name}: a lesson file may be at most 1 MiB`, 'error');
      return;
    }
    const text = await file.text();
    const { lesson: l, diagnostics } = lessonFromYaml(text);
    if (!l) {
      app
        .getState()
        .toast(`Cannot open ${file.name}: ${diagnostics[0]?.message ?? 'not a lesson'}`, 'error');
      return;
    }
    await startLesson(l, file.name, text);
  }

  return (
    <Modal
      label="Scenarios"
      title="Scenarios"
      subtitle={
        <span className="nc-muted">
          Open one, deploy it, then break it and watch the canvas explain why; or follow it as a
          lesson, step by step.
        </span>
      }
      onClose={() => setOpen(false)}
      testid="gallery"
      closeTestid="gallery-close"
    >
      {scenarios.length === 0 && <p className="nc-muted">No scenarios in this build.</p>}
      <div className="nc-gallery-grid">
        {scenarios.map((sc, i) => {
          const text = BUILTIN_LESSONS[sc.name];
          const l = text === undefined ? undefined : lessonFromYaml(text).lesson;
          return (
            <article key={sc.name} className="nc-scenario" data-testid={`scenario-${sc.name}`}>
              <div className="nc-scenario-num">{i + 1}</div>
              <h3 className="nc-scenario-title">{sc.title}</h3>
              <p>{sc.teaches}</p>
              <h4>Try this</h4>
              <ul>
                {sc.tryThis.map((t) => (
                  <li key={t}>{t}</li>
                ))}
              </ul>
              <div className="nc-scenario-actions">
                {l && (
                  <button
                    type="button"
                    className="primary"
                    data-testid={`lesson-start-${sc.name}`}
                    onClick={() => void startLesson(l, `lesson ${sc.name}`, text!)}
                  >
                    Start lesson
                  </button>
                )}
                <button
                  type="button"
                  className={l ? '' : 'primary'}
                  data-testid={`scenario-open-${sc.name}`}
                  onClick={async () => {
                    if (await importText(sc.yaml, `scenario ${sc.name}`)) setOpen(false);
                  }}
                >
                  Open
                </button>
              </div>
            </article>
          );
        })}
      </div>
      <label className="nc-lesson-file">
        Open a lesson file (.lesson.yaml, see docs/lessons.md)…
        <input
          type="file"
          accept=".yaml,.yml,application/yaml,text/yaml"
          data-testid="lesson-file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void openLessonFile(file);
          }}
        />
      </label>
    </Modal>
  );
}
