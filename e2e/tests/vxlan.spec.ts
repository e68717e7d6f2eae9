/**
 * The lesson a teacher runs in class: open the VXLAN scenario, deploy it,
 * measure, cut the public link of one site, watch the prediction and the
 * measurement agree on what broke and why, restore, destroy.
 */

import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import {
  deploy,
  destroy,
  edgeOf,
  expect,
  expectAllLinksUp,
  kernelNamespaces,
  kernelOperstate,
  labOf,
  openApp,
  shot,
  test,
} from '../support/app.js';
import { ARTIFACTS } from '../support/run.js';

const LINKS = [
  'node-a--vlan10',
  'node-b--vlan20',
  'r1--vlan10',
  'r2--vlan20',
  'r1--public',
  'r2--public',
  'r1--tun',
  'r2--tun',
];
const SITE_A = ['c1', 'node-a', 'r1'];
const SITE_B = ['c2', 'node-b', 'r2'];

interface Cell {
  id: string;
  predicted: string;
  measured: string;
  mismatch: boolean;
}

/** The matrix's cells, once its analysis of the design as it is now has answered. */
async function matrixCells(page: Page): Promise<Cell[]> {
  await expect(page.getByTestId('matrix-panel')).toHaveAttribute('data-state', 'ready', {
    timeout: 60_000,
  });
  return page.locator('[data-testid^="matrix-cell-"]').evaluateAll((els) =>
    els.map((e) => {
      const el = e as HTMLElement;
      return {
        id: el.dataset.testid ?? '',
        predicted: el.dataset.predicted ?? '',
        measured: el.dataset.measured ?? '',
        mismatch: el.classList.contains('mismatch'),
      };
    }),
  );
}

/** Clicks Measure and waits until every pair has a measured answer. */
async function measure(page: Page): Promise<Cell[]> {
  await page.getByTestId('matrix-measure').click();
  await expect
    .poll(
      async () => {
        const cells = await matrixCells(page);
        return cells.length === 0 ? 'no cells' : cells.filter((c) => c.measured === 'none').length;
      },
      { message: 'every pair of the matrix is measured', timeout: 180_000, intervals: [1000] },
    )
    .toBe(0);
  return matrixCells(page);
}

const CROSS_SITE = new Set(
  SITE_A.flatMap((a) => SITE_B.flatMap((b) => [`matrix-cell-${a}-${b}`, `matrix-cell-${b}-${a}`])),
);
const crossSite = (cell: Cell) => CROSS_SITE.has(cell.id);

test('vxlan scenario: deploy, measure, cut r2’s public link, restore, destroy', async ({
  page,
  run,
}) => {
  const started = Date.now();
  await openApp(page, run);
  await shot(page, '00-empty');

  await page.getByTestId('btn-gallery').click();
  await expect(page.getByTestId('gallery')).toBeVisible();
  await expect(page.getByTestId('scenario-vxlan')).toBeVisible();
  await shot(page, '01-gallery');
  await page.getByTestId('scenario-open-vxlan').click();
  await expect(page.getByTestId('gallery')).toBeHidden();
  for (const id of ['public', 'r1', 'r2', 'tun', 'c1', 'c2'])
    await expect(page.getByTestId(`node-${id}`)).toBeVisible();

  const lab = await labOf(page);
  await expect(page.getByTestId('save-state')).toHaveText(/^server · saved$/);
  await expect(
    page.getByTestId('problems-empty').or(page.getByTestId('toggle-problems')),
  ).toBeVisible();

  await page.getByTestId('toggle-plan').click();
  await expect(page.getByTestId('plan-panel')).toBeVisible();
  await expect(page.getByTestId('plan-op').first()).toBeVisible();
  await shot(page, '02-plan-drawer');

  const deployStarted = Date.now();
  await deploy(page);
  console.log(`[e2e] vxlan deployed in ${((Date.now() - deployStarted) / 1000).toFixed(1)} s`);
  await expectAllLinksUp(page, LINKS);
  for (const id of ['r1', 'r2', 'c1', 'c2'])
    await expect(page.getByTestId(`live-badge-${id}`)).toHaveAttribute('title', /deployed/);
  expect(kernelNamespaces(lab).length, 'the lab has namespaces in the kernel').toBeGreaterThan(0);
  // The running canvas on its own: drawer closed, fitted with React Flow's own control.
  await page.getByTestId('toggle-plan').click();
  await expect(page.getByTestId('drawer-plan')).toBeHidden();
  await page.locator('.react-flow__controls-fitview').click();
  await expect(edgeOf(page, 'r1--tun')).toBeInViewport();
  await shot(page, '03-canvas-vxlan-running');

  // Zoomed out past reading distance the cards turn into boxes coloured by the
  // kernel's state, and zooming back in brings text and badges back.
  const r1 = page.getByTestId('node-r1');
  for (let i = 0; i < 12 && !(await r1.evaluate((el) => el.classList.contains('overview'))); i++)
    await page.locator('.react-flow__controls-zoomout').click();
  await expect(r1).toHaveClass(/\boverview\b/);
  await expect(r1).toHaveAttribute('data-live', 'deployed');
  await expect(r1).toHaveAttribute('title', 'r1: deployed');
  await expect(r1).not.toContainText('r1');
  await shot(page, '03b-overview-running');
  await page.locator('.react-flow__controls-fitview').click();
  await expect(r1).not.toHaveClass(/\boverview\b/);
  await expect(page.getByTestId('live-badge-r1')).toHaveAttribute('title', /deployed/);
  await expect(r1).not.toHaveAttribute('title');

  await page.getByTestId('toggle-matrix').click();
  await expect(page.getByTestId('matrix-panel')).toBeVisible();
  let cells = await measure(page);
  expect(cells.length).toBeGreaterThanOrEqual(30);
  expect(
    cells.filter((c) => c.predicted === 'ok').length,
    'the scenario predicts reachability',
  ).toBeGreaterThan(0);
  expect(
    cells.filter((c) => c.mismatch || c.measured !== c.predicted),
    'measured equals predicted',
  ).toEqual([]);
  expect(cells.find((c) => c.id === 'matrix-cell-c1-c2')).toMatchObject({
    predicted: 'ok',
    measured: 'ok',
  });
  await shot(page, '04-matrix-measured');

  // Cut r2's public link from its context menu.
  await page.getByTestId('edge-r2--public').click({ button: 'right', force: true });
  await expect(page.getByTestId('context-menu')).toBeVisible();
  await page.getByTestId('menu-cut-link').click();
  await expect(edgeOf(page, 'r2--public')).toHaveClass(/\badmin-down\b/);
  await expect(edgeOf(page, 'r2--public')).toHaveAttribute('data-live', 'down', {
    timeout: 60_000,
  });
  expect(kernelOperstate(`nc-${lab}.r2`, 'public'), 'r2’s public interface in the kernel').not.toBe(
    'UP',
  );
  await expect(page.getByTestId('matrix-cell-c1-c2')).toHaveAttribute('data-predicted', 'fail');
  cells = await measure(page);
  const cross = cells.filter(crossSite);
  expect(cross.map((c) => c.id)).toEqual(
    expect.arrayContaining(['matrix-cell-c1-c2', 'matrix-cell-c2-c1']),
  );
  for (const c of cross)
    expect(c, `${c.id} after the cut`).toMatchObject({ predicted: 'fail', measured: 'fail' });
  expect(
    cells.filter((c) => c.measured !== c.predicted),
    'measured equals predicted after the cut',
  ).toEqual([]);
  await expect(page.getByTestId('matrix-cell-c1-c2')).toHaveClass(/\bfail\b/);
  await page.getByTestId('matrix-cell-c1-c2').click();
  await expect(page.getByTestId('highlight-note')).toContainText('r2--public');
  await expect(edgeOf(page, 'r2--public')).toHaveClass(/\bhl-fail\b/);
  await shot(page, '05-cut-explained');

  // Restore it: the cross-site pairs come back.
  await page.keyboard.press('Escape');
  await page.getByTestId('edge-r2--public').click({ button: 'right', force: true });
  await page.getByTestId('menu-restore-link').click();
  await expect(edgeOf(page, 'r2--public')).not.toHaveClass(/\badmin-down\b/);
  await expect(edgeOf(page, 'r2--public')).toHaveAttribute('data-live', 'up', { timeout: 60_000 });
  expect(kernelOperstate(`nc-${lab}.r2`, 'public'), 'r2’s public interface in the kernel').toBe(
    'UP',
  );
  cells = await measure(page);
  for (const c of cells.filter(crossSite))
    expect(c, `${c.id} after the restore`).toMatchObject({ predicted: 'ok', measured: 'ok' });
  expect(
    cells.filter((c) => c.measured !== c.predicted),
    'measured equals predicted after the restore',
  ).toEqual([]);
  await expect(page.getByTestId('matrix-cell-c1-c2')).toHaveClass(/\bok\b/);
  await shot(page, '06-restored');

  await destroy(page);
  await expect
    .poll(() => kernelNamespaces(lab), {
      message: 'no namespace of the lab is left',
      timeout: 60_000,
    })
    .toEqual([]);
  for (const link of LINKS) await expect(edgeOf(page, link)).not.toHaveAttribute('data-live', 'up');

  await test.step('screenshots of the main views are saved', () => {
    for (const view of [
      '01-gallery',
      '02-plan-drawer',
      '03-canvas-vxlan-running',
      '04-matrix-measured',
      '05-cut-explained',
    ]) {
      const file = statSync(join(ARTIFACTS, `${view}.png`));
      expect(file.mtimeMs, `${view}.png is from this run`).toBeGreaterThanOrEqual(started - 1000);
      expect(file.size, `${view}.png has content`).toBeGreaterThan(20_000);
    }
  });
});
