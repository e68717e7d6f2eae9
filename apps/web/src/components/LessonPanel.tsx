import { useEffect, useRef } from 'react';
import { checkDone, checkLabel } from '../lessons/progress';
import { labRunning } from '../store/live';
import { useApp, useClient, useLesson, useLive, useStores } from '../ui/context';
import { FoldButton } from './FoldButton';
import { CloseButton } from './Modal';

/**
 * Ticks the current step whenever the live lab (or the student's marks)
 * shows it done; steps are walked in order, so one change can tick several.
 */
function useLessonProgress() {
  const { live, lesson, analysis } = useStores();
  useEffect(() => {
    let busy = false;
    const evaluate = () => {
      if (busy) return;
      busy = true;
      try {
        for (;;) {
          const l = lesson.getState();
          const step = l.active?.lesson.steps[l.done];
          if (!step) break;
          const done = checkDone(step.check, {
            live: live.getState(),
            endpoints: analysis.getState().topology?.endpoints.map((e) => e.node) ?? [],
            predictions: l.predictions,
            explained: l.explained,
          });
          if (!done) break;
          l.tickStep(l.done);
        }
      } finally {
        busy = false;
      }
    };
    const stop = [
      live.subscribe(evaluate),
      lesson.subscribe(evaluate),
      analysis.subscribe(evaluate),
    ];
    evaluate();
    return () => {
      for (const s of stop) s();
    };
  }, [live, lesson, analysis]);
}

/** The lesson being followed: its steps, ticked by the live lab, beside the canvas. */
export function LessonPanel() {
  const active = useLesson((s) => s.active);
  if (!active) return null;
  return <LessonSteps />;
}

function LessonSteps() {
  useLessonProgress();
  const active = useLesson((s) => s.active)!;
  const done = useLesson((s) => s.done);
  const close = useLesson((s) => s.closeLesson);
  const running = useLive(labRunning);
  const { ping } = useClient().lab;
  const setPanel = useApp((s) => s.setPanel);
  const { steps, title, summary } = active.lesson;
  const finished = done >= steps.length;
  const folded = useApp((s) => s.folded.lesson);
  // The step to do now stays in view as steps tick (the lesson shares its column with the inspector).
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    list.current?.children[done]?.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
  }, [done]);
  if (folded)
    return (
      <aside
        className="nc-lesson folded"
        aria-label={`Lesson: ${title}`}
        data-testid="lesson-panel"
      >
        <FoldButton panel="lesson" folded label="the lesson">
          <span className="what">
            Lesson {Math.min(done + 1, steps.length)}/{steps.length}
          </span>
          <span className="name">{title}</span>
        </FoldButton>
      </aside>
    );
  return (
    <aside className="nc-lesson" aria-label={`Lesson: ${title}`} data-testid="lesson-panel">
      <header>
        <FoldButton panel="lesson" folded={false} label="the lesson (its steps still tick)" />
        <h2>{title}</h2>
        <CloseButton onClose={close} testid="lesson-close" />
      </header>
      {summary && <p className="nc-muted">{summary}</p>}
      <div
        className="nc-lesson-progress"
        data-testid="lesson-progress"
        role="status"
        aria-live="polite"
      >
        {finished ? 'Lesson complete' : `Step ${done + 1} of ${steps.length}`} · {done}/
        {steps.length} done
      </div>
      <ol className="nc-lesson-steps" ref={list}>
        {steps.map((step, i) => {
          const state = i < done ? 'done' : i === done ? 'current' : 'todo';
          const check = step.check;
          return (
            <li
              // biome-ignore lint/suspicious/noArrayIndexKey: steps are fixed for the lesson's life
              key={i}
              className={`nc-lesson-step ${state}`}
              data-testid={`lesson-step-${i}`}
              data-state={state}
              aria-current={state === 'current' ? 'step' : undefined}
            >
              <span className="tick" aria-hidden="true">
                {state === 'done' ? '✓' : i + 1}
              </span>
              <div>
                <div className="title">{step.title}</div>
                {state === 'current' && (
                  <>
                    {step.text && <p>{step.text}</p>}
                    <div className="nc-muted small">Ticked when {checkLabel(check)}.</div>
                    {'ping' in check && (
                      <button
                        type="button"
                        disabled={!running}
                        title={running ? 'Ping for real, now' : 'Deploy the lab first'}
                        onClick={() => void ping(check.ping.from, check.ping.to)}
                        data-testid={`lesson-check-${i}`}
                      >
                        Check: ping {check.ping.from} → {check.ping.to}
                      </button>
                    )}
                    {('predicted' in check || 'measured' in check || 'explained' in check) && (
                      <button
                        type="button"
                        onClick={() => setPanel('matrix')}
                        data-testid={`lesson-open-matrix-${i}`}
                      >
                        Open Connectivity
                      </button>
                    )}
                  </>
                )}
              </div>
            </li>
          );
        })}
      </ol>
    </aside>
  );
}
