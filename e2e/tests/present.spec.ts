/**
 * A classroom's screens: every toolbar action reachable at 1024×768 and
 * 1280×720, before and after deploy; projector mode readable from the back
 * of the room on a 1280×720 projector.
 */
import type { Locator, Page } from '@playwright/test';
import { deploy, expect, openApp, openScenario, shot, test } from '../support/app.js';

/** The point a click at the centre of `b` lands on belongs to `b`, not to something over it. */
async function expectOnTop(b: Locator, what: string) {
  await expect(b, `${what} shown whole`).toBeInViewport({ ratio: 1 });
  const hit = await b.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
    return top !== null && el.contains(top);
  });
  expect(hit, `${what} is on top where it is clicked`).toBe(true);
}

const ACTIONS = [
  'designs',
  'labs',
  'undo',
  'redo',
  'gallery',
  'import',
  'export',
  'layout',
  'present',
  'deploy',
  'destroy',
];
const PANELS = ['problems', 'plan', 'matrix', 'capture', 'list'];

/** Every action of the top bar, reachable directly or through its More menu. */
async function expectEveryToolbarAction(page: Page) {
  const toolbar = page.getByTestId('toolbar');
  const buttons = toolbar.locator('button:visible');
  const n = await buttons.count();
  for (let i = 0; i < n; i++) {
    const b = buttons.nth(i);
    await expectOnTop(b, (await b.getAttribute('data-testid')) ?? `button ${i}`);
  }
  for (const panel of PANELS) await expectOnTop(page.getByTestId(`toggle-${panel}`), panel);
  const more = page.getByTestId('btn-more');
  for (const action of ACTIONS) {
    const inBar = page.getByTestId(`btn-${action}`);
    if (await inBar.isVisible()) {
      await expectOnTop(inBar, action);
      continue;
    }
    await expectOnTop(more, 'More');
    await more.click();
    await expectOnTop(page.getByTestId(`menu-${action}`), `${action} in the More menu`);
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('more-menu')).toBeHidden();
  }
}

for (const [width, height] of [
  [1024, 768],
  [1280, 720],
  [1440, 900],
] as const)
  test(`every toolbar action is reachable at ${width}×${height}, deployed or not`, async ({
    page,
    run,
  }) => {
    await page.setViewportSize({ width, height });
    await openApp(page, run);
    await openScenario(page, 'vxlan');
    await expectEveryToolbarAction(page);
    await deploy(page);
    await expect(page.getByTestId('btn-deploy')).toHaveText(/Apply/);
    await expectEveryToolbarAction(page);
    await shot(page, `toolbar-${width}x${height}`);
  });

/**
 * The size a card's label is drawn at on the screen: its font size times the
 * viewport's scale (a computed font size alone ignores the zoom).
 */
async function renderedLabelPx(page: Page): Promise<{ id: string; px: number }[]> {
  return page.locator('.react-flow__node .nc-node-id').evaluateAll((els) =>
    els.map((el) => {
      const h = el as HTMLElement;
      const scale = h.getBoundingClientRect().height / h.offsetHeight;
      const card = h.closest('[data-testid^="node-"]')?.getAttribute('data-testid') ?? '?';
      return { id: card, px: Number.parseFloat(getComputedStyle(h).fontSize) * scale };
    }),
  );
}

test('projector mode: labels of at least 14 px at fit zoom on 1280×720, a legend, no minimap', async ({
  page,
  run,
}) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await openApp(page, run);
  for (const [i, scenario] of ['same-vlan', 'inter-vlan', 'vxlan'].entries()) {
    await openScenario(page, scenario);
    if (i === 0) {
      // The toolbar's toggle (in the More menu at this width) puts it in the address…
      await page.getByTestId('btn-more').click();
      await page.getByTestId('menu-present').click();
      await expect(page).toHaveURL(/[?&]present=1/);
    } else {
      // …and the address alone turns it on.
      const url = new URL(page.url());
      url.searchParams.set('present', '1');
      await page.goto(url.toString());
    }
    await expect(page.locator('.nc-app.present')).toBeVisible();
    await expect(page.getByTestId('legend')).toBeVisible();
    await expect(page.locator('.react-flow__minimap')).toHaveCount(0);
    await page.getByTestId('canvas').locator('.react-flow__controls-fitview').click();
    // Fitting animates: wait until the labels stop changing size.
    let sizes = await renderedLabelPx(page);
    await expect
      .poll(async () => {
        const before = JSON.stringify(sizes);
        sizes = await renderedLabelPx(page);
        return sizes.length > 0 && JSON.stringify(sizes) === before;
      })
      .toBe(true);
    for (const { id, px } of sizes)
      expect(px, `${scenario}: ${id}'s label`).toBeGreaterThanOrEqual(14);
    // The design fills the pane: its elements span most of the canvas's width or height.
    const pane = (await page.getByTestId('canvas').boundingBox())!;
    const boxes = await page
      .locator('.react-flow__node')
      .evaluateAll((els) =>
        els.map((e) => e.getBoundingClientRect()).map((r) => [r.left, r.top, r.right, r.bottom]),
      );
    const spanX = Math.max(...boxes.map((b) => b[2]!)) - Math.min(...boxes.map((b) => b[0]!));
    const spanY = Math.max(...boxes.map((b) => b[3]!)) - Math.min(...boxes.map((b) => b[1]!));
    expect(
      Math.max(spanX / pane.width, spanY / pane.height),
      `${scenario} fills the pane`,
    ).toBeGreaterThan(0.75);
    await shot(page, `present-${scenario}-1280x720`);
  }
  // Off again: the editor comes back.
  await page.getByTestId('btn-more').click();
  await page.getByTestId('menu-present').click();
  await expect(page.locator('.nc-app.present')).toHaveCount(0);
  await expect(page).not.toHaveURL(/present=1/);
  await expect(page.getByTestId('palette-router')).toBeVisible();
});

test('dark theme follows the system setting', async ({ page, run }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await openApp(page, run);
  await openScenario(page, 'vxlan');
  const bg = await page
    .getByTestId('toolbar')
    .evaluate((el) => getComputedStyle(el).backgroundColor);
  const [r, g, b] = bg.match(/\d+/g)!.map(Number);
  expect(r! + g! + b!, `toolbar background ${bg}`).toBeLessThan(150);
  await shot(page, 'dark-vxlan');
});
