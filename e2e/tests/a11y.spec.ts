/**
 * The dashboard without a mouse, and for assistive technology: a keyboard
 * walk that selects, links and deletes elements (the canvas and the list
 * view in one selection, changes said in a live region), and axe-core on
 * the main views with no serious or critical violation, contrast included.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import { deploy, expect, openApp, openScenario, shot, startLesson, test } from '../support/app.js';

/** Presses Tab until `target` has the focus (at most `limit` times), as a keyboard user does. */
async function tabTo(page: Page, target: Locator, limit = 120) {
  for (let i = 0; i < limit; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${target} never took the focus in ${limit} Tabs`);
}

test('a keyboard-only walk selects, links and deletes elements', async ({ page, run }) => {
  await openApp(page, run);
  await openScenario(page, 'inter-vlan');
  // Start where a keyboard user starts: the top of the page.
  await page.locator('body').click({ position: { x: 1, y: 1 } });
  await page.keyboard.press('Escape');

  // A canvas element, by Tab and Enter: selected, and said so.
  const r1 = page.locator('.react-flow__node[data-id="r1"]');
  await tabTo(page, r1);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('inspector-id')).toHaveValue('r1');
  await expect(page.getByTestId('announcer')).toHaveText('Selected r1, router.');
  await page.keyboard.press('Escape');

  // A link, by Tab and Enter.
  const link = page.locator('.react-flow__edge[data-id="r1--vlan20"]');
  await tabTo(page, link);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('announcer')).toHaveText('Selected link r1--vlan20.');

  // A new router from the palette, then the list view.
  await tabTo(page, page.getByTestId('palette-router'));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('node-r2')).toBeVisible();
  await expect(page.getByTestId('announcer')).toContainText('Added r2');
  await tabTo(page, page.getByTestId('toggle-list'));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('list-panel')).toBeVisible();
  // The list follows the canvas's selection.
  await expect(page.getByTestId('list-node-r2')).toHaveAttribute('aria-pressed', 'true');

  // Link r2 to vlan10 with the list's form: two selects and a button.
  await tabTo(page, page.getByTestId('list-link-from'));
  await page.keyboard.type('r2');
  await expect(page.getByTestId('list-link-from')).toHaveValue('r2');
  await page.keyboard.press('Tab');
  await page.keyboard.type('vlan10');
  await expect(page.getByTestId('list-link-to')).toHaveValue('vlan10');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(page.locator('.react-flow__edge[data-id="r2--vlan10"]')).toHaveCount(1);
  await expect(page.getByTestId('list-link-r2--vlan10')).toBeVisible();

  // Select r2 in the list (the canvas follows), delete it: its link goes with it.
  await tabTo(page, page.getByTestId('list-node-r2'));
  await page.keyboard.press('Enter');
  await expect(page.locator('.react-flow__node[data-id="r2"]')).toHaveClass(/selected/);
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('node-r2')).toHaveCount(0);
  await expect(page.getByTestId('list-node-r2')).toHaveCount(0);
  await expect(page.locator('.react-flow__edge[data-id="r2--vlan10"]')).toHaveCount(0);
  await expect(page.getByTestId('announcer')).toContainText('Removed r2');
  await shot(page, 'a11y-keyboard-walk');
});

/** axe-core on what the page shows now: no serious or critical violation. */
async function expectAccessible(page: Page, view: string) {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes
          .slice(0, 5)
          .map(
            (n) => `${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1, 2).join('')}`,
          )
          .join('\n    ')}`,
    );
  expect(bad, `${view}:\n${bad.join('\n')}`).toEqual([]);
}

for (const scheme of ['light', 'dark'] as const)
  test(`axe-core finds no serious or critical violation on the main views (${scheme})`, async ({
    page,
    run,
  }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await openApp(page, run);
    await openScenario(page, 'vxlan');
    await page
      .getByTestId('toast-info')
      .getByRole('button')
      .last()
      .click()
      .catch(() => {});
    await expectAccessible(page, 'editor');
    await page.getByTestId('node-r1').click();
    await expectAccessible(page, 'an element selected');
    for (const panel of ['problems', 'plan', 'matrix', 'capture', 'list']) {
      await page.getByTestId(`toggle-${panel}`).click();
      await expect(page.getByTestId(`drawer-${panel}`)).toBeVisible();
      await expectAccessible(page, `the ${panel} drawer`);
    }
    await page.getByTestId('drawer-close').click();
    if (scheme === 'light') {
      await deploy(page);
      await expectAccessible(page, 'deployed');
      await page.getByTestId('btn-gallery').click();
      await expect(page.getByTestId('gallery')).toBeVisible();
      await expectAccessible(page, 'the gallery');
      await page.keyboard.press('Escape');
      await page.getByTestId('btn-designs').click();
      await expect(page.getByTestId('designs-view')).toBeVisible();
      await expectAccessible(page, 'the designs view');
      await page.keyboard.press('Escape');
      await page.getByTestId('btn-labs').click();
      await expectAccessible(page, 'the labs view');
      await page.keyboard.press('Escape');
    }
    const url = new URL(page.url());
    url.searchParams.set('present', '1');
    await page.goto(url.toString());
    await expect(page.getByTestId('legend')).toBeVisible();
    await expectAccessible(page, 'projector mode');
  });

for (const scheme of ['light', 'dark'] as const)
  test(`axe-core finds no serious or critical violation at 1024×768 with a lesson and the inspector open (${scheme})`, async ({
    page,
    run,
  }) => {
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.emulateMedia({ colorScheme: scheme });
    await openApp(page, run);
    await startLesson(page, 'vxlan');
    await page.getByTestId('node-c1').click();
    await expect(page.getByTestId('inspector-namespace')).toBeVisible();
    await expectAccessible(page, 'lesson and inspector at 1024×768');
    // Connectivity, with its Predict, Size and a size refused with its reason.
    await page.getByTestId('toggle-matrix').click();
    await page.getByTestId('matrix-predict').check();
    await page.getByTestId('matrix-size').fill('70000');
    await expect(page.getByTestId('matrix-size-error')).toBeVisible();
    await expectAccessible(page, 'Connectivity with a size refused, at 1024×768');
    await shot(page, `a11y-1024-lesson-matrix-${scheme}`);
    await page.getByTestId('matrix-size').press('Escape');
    await page.getByTestId('drawer-close').click();
    // Both panels folded to their tabs.
    await page.getByTestId('lesson-fold').click();
    await page.getByTestId('inspector-fold').click();
    await expectAccessible(page, 'the side column folded, at 1024×768');
  });
