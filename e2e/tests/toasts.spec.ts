/**
 * Toasts and the minimap never hide each other (issue #11's leftover): on a
 * projector-sized window and at 1024×768, with a drawer open or not, a long
 * toast stacks clear of the minimap in the canvas's bottom right corner.
 */
import type { Page } from '@playwright/test';
import { expect, openApp, openScenario, shot, test } from '../support/app.js';

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

async function boxesOf(page: Page): Promise<{ minimap: Box; toasts: Box[] }> {
  return page.evaluate(() => {
    const box = (e: Element) => {
      const r = e.getBoundingClientRect();
      return { x: r.x, y: r.y, w: r.width, h: r.height };
    };
    return {
      minimap: box(document.querySelector('.react-flow__minimap')!),
      toasts: Array.from(document.querySelectorAll('[data-testid^="toast-"]')).map(box),
    };
  });
}

const apart = (p: Box, q: Box) =>
  p.x + p.w <= q.x || q.x + q.w <= p.x || p.y + p.h <= q.y || q.y + q.h <= p.y;

/** A refused link from the list (a bridged host's second uplink): a long error toast. */
async function refusedLink(page: Page) {
  await page.getByTestId('list-link-from').selectOption('node-a');
  await page.getByTestId('list-link-to').selectOption('vlan20');
  await page.getByTestId('list-link-add').click();
  await expect(page.getByTestId('toast-error').last()).toBeVisible();
}

async function expectClear(page: Page, what: string) {
  await expect(page.locator('.react-flow__minimap')).toBeVisible();
  await expect
    .poll(
      async () => {
        const { minimap, toasts } = await boxesOf(page);
        if (toasts.length === 0) return 'no toast';
        const over = toasts.filter((t) => !apart(t, minimap));
        return over.length === 0 ? 'clear' : JSON.stringify({ minimap, over });
      },
      // Fixed boxes: a few tries, well within the error toast's 6 s.
      { message: `${what}: a toast over the minimap`, timeout: 3_000 },
    )
    .toBe('clear');
}

for (const [width, height] of [
  [1280, 720],
  [1024, 768],
] as const)
  test(`at ${width}×${height} toasts stack clear of the minimap, drawer open or not`, async ({
    page,
    run,
  }) => {
    await page.setViewportSize({ width, height });
    await openApp(page, run);
    await openScenario(page, 'inter-vlan');
    await page.getByTestId('toggle-list').click();
    await refusedLink(page);
    // The toast reaches across the canvas's bottom right, where the minimap is.
    const { toasts } = await boxesOf(page);
    expect(toasts.at(-1)!.w).toBeGreaterThan(300);
    await expectClear(page, 'list drawer open');
    await shot(page, `toasts-${width}-drawer`);
    // The drawer closed (the error toast stays 6 s): the minimap is at the window's bottom.
    await page.getByTestId('toggle-list').click();
    await expect(page.getByTestId('list-panel')).toBeHidden();
    await expect(page.getByTestId('toast-error').last()).toBeVisible();
    await expectClear(page, 'no drawer');
    await shot(page, `toasts-${width}`);
  });
