/**
 * A classroom's small screen: at 1024×768 a lesson and the inspector share
 * one side column, and the canvas keeps most of the window (a diagram with
 * text on its cards, not an overview of boxes); each panel folds, and the
 * folds survive a reload.
 */
import type { Page } from '@playwright/test';
import {
  deploy,
  expect,
  expectEveryToolbarAction,
  expectSaved,
  openApp,
  shot,
  startLesson,
  test,
} from '../support/app.js';

const WIDTH = 1024;
const HEIGHT = 768;

async function canvasWidth(page: Page): Promise<number> {
  const box = await page.getByTestId('canvas').boundingBox();
  if (!box) throw new Error('the canvas is not on screen');
  return box.width;
}

/** Neither panel's box covers the other's, and both sit beside the canvas, not on it. */
async function expectSideBySide(page: Page) {
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  const lesson = (await page.getByTestId('lesson-panel').boundingBox())!;
  const inspector = (await page.getByTestId('inspector').boundingBox())!;
  expect(lesson.y + lesson.height, 'the lesson is above the inspector').toBeLessThanOrEqual(
    inspector.y + 1,
  );
  expect(lesson.x, 'the lesson is right of the canvas').toBeGreaterThanOrEqual(
    canvas.x + canvas.width - 1,
  );
  expect(inspector.x, 'the inspector shares the lesson’s column').toBe(lesson.x);
}

test('1024×768, a lesson and the inspector open: the canvas keeps 58% of the width, every toolbar action is clickable, folds survive a reload', async ({
  page,
  run,
}) => {
  await page.setViewportSize({ width: WIDTH, height: HEIGHT });
  await openApp(page, run);
  await startLesson(page, 'vxlan');
  await page.getByTestId('node-c1').click();
  await expect(page.getByTestId('inspector-namespace')).toBeVisible();
  await expect(page.getByTestId('lesson-step-0')).toBeVisible();
  await expectSideBySide(page);
  expect(await canvasWidth(page)).toBeGreaterThanOrEqual(0.58 * WIDTH);
  // At that width the fitted diagram still has text on its cards (not overview boxes).
  await page.locator('.react-flow__controls-fitview').click();
  await expect(page.locator('.react-flow__node .nc-node-id').first()).toBeVisible();
  await shot(page, 'classroom-1024-lesson-inspector');
  await expectEveryToolbarAction(page);

  // The lesson folded to its title bar: the inspector gets the column's height.
  await page.getByTestId('lesson-fold').click();
  await expect(page.getByTestId('lesson-unfold')).toContainText('Lesson 1/');
  await expect(page.getByTestId('lesson-step-0')).toBeHidden();
  await page.reload();
  await expectSaved(page);
  await expect(page.getByTestId('lesson-unfold')).toBeVisible();
  await expect(page.getByTestId('inspector-fold')).toBeVisible();

  // Both folded: a strip of tabs, and the canvas takes nearly all the width.
  await page.getByTestId('inspector-fold').click();
  await expect(page.getByTestId('inspector-unfold')).toBeVisible();
  expect(await canvasWidth(page)).toBeGreaterThanOrEqual(0.8 * WIDTH);
  await shot(page, 'classroom-1024-folded');
  await page.reload();
  await expectSaved(page);
  await expect(page.getByTestId('lesson-unfold')).toBeVisible();
  await expect(page.getByTestId('inspector-unfold')).toBeVisible();
  await expectEveryToolbarAction(page);

  // Unfolded again, and kept so.
  await page.getByTestId('lesson-unfold').click();
  await page.getByTestId('inspector-unfold').click();
  await page.reload();
  await expectSaved(page);
  await expect(page.getByTestId('lesson-step-0')).toBeVisible();
  await expect(page.getByTestId('inspector-design')).toBeVisible();
  await expectSideBySide(page);
  expect(await canvasWidth(page)).toBeGreaterThanOrEqual(0.58 * WIDTH);
});

test('1024×768: notices and toasts stack, never over each other or the toolbar', async ({
  page,
  run,
}) => {
  await page.setViewportSize({ width: WIDTH, height: HEIGHT });
  await openApp(page, run);
  await startLesson(page, 'vxlan');
  // What opening the lesson did to labs, kept until dismissed…
  await expect(page.getByTestId('workspace-notice')).toBeVisible();
  await deploy(page);
  // …a path's note under it…
  await page.getByTestId('toggle-matrix').click();
  await page.getByTestId('matrix-cell-c1-c2').locator('button').click();
  await expect(page.getByTestId('highlight-note')).toBeVisible();
  // …and toasts: Apply on a lab that already matches says so, once per press.
  await page.getByTestId('btn-deploy').click();
  await page.getByTestId('btn-deploy').click();
  await expect(page.getByTestId('toast-info').first()).toBeVisible();
  const boxes = await page.evaluate(() => {
    const ids = ['toolbar', 'workspace-notice', 'highlight-note'];
    const els = [
      ...ids.map((id) => document.querySelector(`[data-testid="${id}"]`)),
      ...Array.from(document.querySelectorAll('[data-testid^="toast-"]')),
    ].filter((e): e is Element => e !== null);
    return els.map((e) => {
      const r = e.getBoundingClientRect();
      return { id: e.getAttribute('data-testid'), x: r.x, y: r.y, w: r.width, h: r.height };
    });
  });
  expect(boxes.length, JSON.stringify(boxes)).toBeGreaterThanOrEqual(4);
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const [p, q] = [boxes[i]!, boxes[j]!];
      const apart = p.x + p.w <= q.x || q.x + q.w <= p.x || p.y + p.h <= q.y || q.y + q.h <= p.y;
      expect(apart, `${p.id} and ${q.id} overlap: ${JSON.stringify([p, q])}`).toBe(true);
    }
  await shot(page, 'classroom-1024-notices');
});
