/**
 * The three built-in lessons, walked to the end as a student does: each step
 * is ticked by the live lab (a real deploy, real pings through the server, a
 * cut link in the kernel, a capture's lines), never by the test. The vxlan
 * walk also checks Predict-then-observe (a deliberately wrong prediction is
 * scored and explained), the capture on the `public` switch (VXLAN lines; its
 * pcap read back with `tcpdump -r`), stale results after a cut, a capture
 * filter starting with "-", and Destroy's question. A screenshot of every
 * step is saved under e2e/artifacts (gitignored).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import {
  deploy,
  edgeOf,
  expect,
  kernelNamespaces,
  openApp,
  openLinkMenu,
  shot,
  startLesson,
  test,
} from '../support/app.js';
import { ARTIFACTS } from '../support/run.js';

/** Waits until the live lab ticks step `i`, and saves a screenshot of it. */
async function ticked(page: Page, lesson: string, i: number) {
  await expect(page.getByTestId(`lesson-step-${i}`)).toHaveAttribute('data-state', 'done', {
    timeout: 120_000,
  });
  await shot(page, `lesson-${lesson}-${String(i).padStart(2, '0')}`);
}

async function showMatrix(page: Page) {
  if (!(await page.getByTestId('matrix-panel').isVisible()))
    await page.getByTestId('toggle-matrix').click();
  await expect(page.getByTestId('matrix-panel')).toBeVisible();
  // Its cells are the design's as it is now once its analysis (in a worker) has answered.
  await expect(page.getByTestId('matrix-panel')).toHaveAttribute('data-state', 'ready', {
    timeout: 60_000,
  });
}

/** Marks every cell ✓ (one click each), then the listed pairs ✗ (a second click). */
async function predictAll(page: Page, unreachable: string[] = []) {
  await showMatrix(page);
  await page.getByTestId('matrix-predict').check();
  const cells = page.locator('[data-testid^="matrix-cell-"] button');
  await expect(cells.first()).toBeVisible();
  const n = await cells.count();
  for (let i = 0; i < n; i++) await cells.nth(i).click();
  for (const id of unreachable)
    await page.getByTestId(`matrix-cell-${id}`).locator('button').click();
  for (const id of unreachable)
    await expect(page.getByTestId(`matrix-cell-${id}`)).toHaveAttribute('data-guess', 'fail');
}

async function measure(page: Page) {
  await showMatrix(page);
  await page.getByTestId('matrix-measure').click();
  await expect(page.getByTestId('matrix-measure')).toHaveText('Measure', { timeout: 180_000 });
}

async function linkMenu(page: Page, link: string, item: 'menu-cut-link' | 'menu-restore-link') {
  // The whole design in view, no drawer or minimap over the link.
  if (await page.getByTestId('drawer-close').isVisible())
    await page.getByTestId('drawer-close').click();
  await page.locator('.react-flow__controls-fitview').click();
  await openLinkMenu(page, link);
  await page.getByTestId(item).click();
  await expect(edgeOf(page, link)).toHaveAttribute(
    'data-live',
    item === 'menu-cut-link' ? 'down' : 'up',
    { timeout: 60_000 },
  );
}

async function explain(page: Page, from: string, to: string) {
  await showMatrix(page);
  await page.getByTestId('matrix-predict').uncheck();
  await page.getByTestId(`matrix-cell-${from}-${to}`).click();
  await expect(page.getByTestId('highlight-note')).toBeVisible();
}

test('same-vlan lesson: every step ticked by the live lab, no gateway alarm', async ({
  page,
  run,
}) => {
  await openApp(page, run);
  await startLesson(page, 'same-vlan');
  // The lesson's point is that no router is needed: nothing to warn about.
  await expect(page.getByTestId('problem-badge-vlan10')).toHaveCount(0);
  await expect(page.getByTestId('problem-badge-c1')).toHaveCount(0);
  await deploy(page);
  await ticked(page, 'same-vlan', 0);
  await predictAll(page);
  await ticked(page, 'same-vlan', 1);
  // A reload mid-way keeps the lesson, its ticks, the marks and Predict mode.
  await page.reload();
  await expect(page.getByTestId('lesson-step-1')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('lesson-step-2')).toHaveAttribute('data-state', 'current');
  await showMatrix(page);
  await expect(page.getByTestId('matrix-predict')).toBeChecked();
  await expect(page.getByTestId('matrix-cell-c1-c2')).toHaveAttribute('data-guess', 'ok');
  await measure(page);
  await ticked(page, 'same-vlan', 2);
  await expect(page.getByTestId('predict-score-total')).toHaveText('12 of 12 predictions right');
  await linkMenu(page, 'node-b--vlan10', 'menu-cut-link');
  await ticked(page, 'same-vlan', 3);
  await page.getByTestId('lesson-check-4').click();
  await ticked(page, 'same-vlan', 4);
  await page.getByTestId('lesson-check-5').click();
  await ticked(page, 'same-vlan', 5);
  await explain(page, 'c1', 'c2');
  await ticked(page, 'same-vlan', 6);
  await linkMenu(page, 'node-b--vlan10', 'menu-restore-link');
  await ticked(page, 'same-vlan', 7);
  // A ping from before the restore does not count: the step waits for a new one.
  await expect(page.getByTestId('lesson-step-8')).toHaveAttribute('data-state', 'current');
  await page.getByTestId('lesson-check-8').click();
  await ticked(page, 'same-vlan', 8);
  await expect(page.getByTestId('lesson-progress')).toContainText('Lesson complete');
});

test('inter-vlan lesson: every step ticked by the live lab', async ({ page, run }) => {
  await openApp(page, run);
  await startLesson(page, 'inter-vlan');
  await deploy(page);
  await ticked(page, 'inter-vlan', 0);
  await predictAll(page);
  await ticked(page, 'inter-vlan', 1);
  await measure(page);
  await ticked(page, 'inter-vlan', 2);
  await explain(page, 'c1', 'c2');
  await expect(page.getByTestId('highlight-note')).toContainText('r1');
  await ticked(page, 'inter-vlan', 3);
  await linkMenu(page, 'r1--vlan20', 'menu-cut-link');
  await ticked(page, 'inter-vlan', 4);
  await page.getByTestId('lesson-check-5').click();
  await ticked(page, 'inter-vlan', 5);
  await page.getByTestId('lesson-check-6').click();
  await ticked(page, 'inter-vlan', 6);
  await linkMenu(page, 'r1--vlan20', 'menu-restore-link');
  await ticked(page, 'inter-vlan', 7);
  await page.getByTestId('lesson-check-8').click();
  await ticked(page, 'inter-vlan', 8);
  await expect(page.getByTestId('lesson-progress')).toContainText('Lesson complete');
});

test('vxlan lesson: predict then observe, capture on public, stale after a cut, confirm destroy', async ({
  page,
  run,
}) => {
  await openApp(page, run);
  const lab = await startLesson(page, 'vxlan');
  await deploy(page);
  await ticked(page, 'vxlan', 0);

  // A deliberately wrong prediction: c1 cannot reach c2 (it can, through the tunnel).
  await predictAll(page, ['c1-c2']);
  await ticked(page, 'vxlan', 1);
  await measure(page);
  await ticked(page, 'vxlan', 2);
  await expect(page.getByTestId('predict-score-total')).toHaveText('29 of 30 predictions right');
  const wrong = page.locator('[data-testid^="predict-wrong-"]');
  await expect(wrong).toHaveCount(1);
  await expect(page.getByTestId('predict-wrong-c1-c2')).toContainText('you said ✗, the lab says ✓');
  await expect(page.getByTestId('predict-wrong-c1-c2')).toContainText('tun');
  await expect(page.getByTestId('matrix-cell-c1-c2')).toHaveClass(/\bguess-wrong\b/);
  await shot(page, 'lesson-vxlan-02b-score');

  // A filter that starts with "-" is never sent: it would be an option of a root tcpdump.
  await page.getByTestId('toggle-capture').click();
  await page.getByTestId('capture-filter').fill('-w /tmp/owned');
  await expect(page.getByTestId('capture-filter-error')).toContainText('cannot start with "-"');
  await expect(page.getByTestId('capture-start')).toBeDisabled();
  await page.getByTestId('capture-filter').fill('');

  // Capture on the switch public, from its menu: the list follows the choice.
  await page.getByTestId('node-public').click({ button: 'right' });
  await page.getByTestId('menu-capture-r1-public').click();
  await expect(page.getByTestId('capture-interface')).toHaveValue(/r1-public$/);
  await page.getByTestId('capture-stop').waitFor();
  await page.getByTestId('node-c1').click({ button: 'right' });
  await page.getByTestId('menu-ping-c2').click();
  await ticked(page, 'vxlan', 3);
  await expect(page.getByTestId('capture-output')).toContainText('VXLAN');
  await page.getByTestId('capture-stop').click();
  const download = page.waitForEvent('download');
  await page.getByTestId('capture-download').click();
  const file = join(ARTIFACTS, 'lesson-vxlan-public.pcap');
  await (await download).saveAs(file);
  const read = execFileSync('tcpdump', ['-n', '-r', file], { encoding: 'utf8' });
  expect(read).toMatch(/VXLAN, flags \[I\] \(0x08\), vni 42/);

  // After the cut, what was measured before is stale: faded, never a mismatch.
  await showMatrix(page);
  await page.getByTestId('matrix-predict').uncheck();
  await linkMenu(page, 'r2--public', 'menu-cut-link');
  await ticked(page, 'vxlan', 4);
  await showMatrix(page);
  await expect(page.getByTestId('matrix-cell-c1-c2')).toHaveAttribute('data-predicted', 'fail');
  await expect(page.getByTestId('matrix-cell-c1-c2')).toHaveAttribute('data-stale', 'true');
  await expect(page.locator('.nc-cell.mismatch')).toHaveCount(0);
  await shot(page, 'lesson-vxlan-04b-stale');

  // Measured again with the prediction on: the cross-site ✓ marks are now wrong, each with the analyzer's reason.
  await page.getByTestId('matrix-predict').check();
  await measure(page);
  await ticked(page, 'vxlan', 5);
  await expect(page.getByTestId('predict-wrong-c2-c1')).toContainText('you said ✓, the lab says ✗');
  await expect(page.getByTestId('predict-wrong-c2-c1')).toContainText('r2--public');
  await shot(page, 'lesson-vxlan-05b-score-after-cut');
  await explain(page, 'c1', 'c2');
  await expect(page.getByTestId('highlight-note')).toContainText('r2--public');
  await ticked(page, 'vxlan', 6);
  await linkMenu(page, 'r2--public', 'menu-restore-link');
  await ticked(page, 'vxlan', 7);
  await page.getByTestId('lesson-check-8').click();
  await ticked(page, 'vxlan', 8);
  await expect(page.getByTestId('lesson-progress')).toContainText('Lesson complete');

  // Destroy asks first; Cancel keeps the lab.
  await page.getByTestId('btn-destroy').click();
  await expect(page.getByTestId('destroy-dialog')).toContainText(`Destroy lab ${lab}?`);
  await page.getByTestId('destroy-cancel').click();
  await expect(page.getByTestId('destroy-dialog')).toBeHidden();
  expect(kernelNamespaces(lab).length).toBeGreaterThan(0);
  await page.getByTestId('btn-destroy').click();
  await page.getByTestId('destroy-confirm').click();
  await expect.poll(() => kernelNamespaces(lab), { timeout: 60_000 }).toEqual([]);
});

test('a teacher’s lesson file, with its design inside, opens from the gallery; a broken one is refused naming its step', async ({
  page,
  run,
}) => {
  await openApp(page, run);
  const lesson = (check: string) => `apiVersion: netcanvas/lesson/v1
title: Two namespaces on a switch
design:
  apiVersion: netcanvas/v1
  name: twosw
  nodes:
    sw: { kind: switch, subnet: 10.9.0.0/24 }
    a: { kind: namespace }
    b: { kind: namespace }
  links:
    - endpoints: [a, sw]
    - endpoints: [b, sw]
steps:
  - title: Deploy
    check: { deployed: true }
  - title: Cut a's link
    check: ${check}
`;
  await page.getByTestId('btn-gallery').click();
  await page.getByTestId('lesson-file').setInputFiles({
    name: 'broken.lesson.yaml',
    mimeType: 'application/yaml',
    buffer: Buffer.from(lesson('{ cut: a--nowhere }')),
  });
  await expect(page.getByTestId('toast-error')).toContainText(
    "step 2 (Cut a's link) names the link a--nowhere",
  );
  await expect(page.getByTestId('lesson-panel')).toHaveCount(0);
  const before = page.url();
  await page.getByTestId('lesson-file').setInputFiles({
    name: 'twosw.lesson.yaml',
    mimeType: 'application/yaml',
    buffer: Buffer.from(lesson('{ cut: a--sw }')),
  });
  await expect(page.getByTestId('lesson-panel')).toContainText('Two namespaces on a switch');
  await expect(page).not.toHaveURL(before);
  for (const id of ['sw', 'a', 'b']) await expect(page.getByTestId(`node-${id}`)).toBeVisible();
  await expect(page.getByTestId('lesson-step-0')).toHaveAttribute('data-state', 'current');
});
