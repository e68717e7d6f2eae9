/**
 * Diagrams that read like network diagrams: the VXLAN is a tunnel drawn
 * between its routers over the underlay, not one more box in the row of
 * VLANs; and a click right after a reload selects what it lands on.
 */
import type { Locator, Page } from '@playwright/test';
import { expect, expectSaved, openApp, openScenario, shot, test } from '../support/app.js';

/** Presses Tab until `target` has the focus (at most `limit` times), as a keyboard user does. */
async function tabTo(page: Page, target: Locator, limit = 120) {
  for (let i = 0; i < limit; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${target} never took the focus in ${limit} Tabs`);
}

async function boxOf(page: Page, id: string) {
  const b = await page.getByTestId(`node-${id}`).boundingBox();
  if (!b) throw new Error(`node-${id} is not drawn`);
  return { ...b, right: b.x + b.width, bottom: b.y + b.height, cy: b.y + b.height / 2 };
}

/** The tunnel runs between r1 and r2, at their height, above the row of segments. */
async function expectTunnelBetweenRouters(page: Page) {
  const [r1, r2, tun, pub, vlan10, vlan20] = await Promise.all(
    (['r1', 'r2', 'tun', 'public', 'vlan10', 'vlan20'] as const).map((id) => boxOf(page, id)),
  );
  if (!tun) throw new Error('no tunnel');
  expect(tun.x, 'the tunnel starts right of r1').toBeGreaterThanOrEqual(r1!.right - 1);
  expect(tun.right, 'the tunnel ends left of r2').toBeLessThanOrEqual(r2!.x + 1);
  expect(tun.width, 'the tunnel spans most of the gap').toBeGreaterThan(0.6 * (r2!.x - r1!.right));
  expect(Math.abs(tun.cy - r1!.cy), 'the tunnel runs at the routers’ height').toBeLessThan(4);
  for (const seg of [pub!, vlan10!, vlan20!])
    expect(tun.bottom, 'the tunnel is not in the row of VLANs').toBeLessThan(seg.y);
  // Over public: the segment it names lies below it.
  expect(tun.x).toBeLessThan(pub!.x + pub!.width / 2);
  expect(tun.right).toBeGreaterThan(pub!.x + pub!.width / 2);
}

test('the vxlan is a tunnel between r1 and r2 over public: drawn, clicked, reached by keyboard', async ({
  page,
  run,
}) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await openApp(page, run);
  await openScenario(page, 'vxlan');
  const tun = page.getByTestId('node-tun');
  await expect(tun).toHaveAttribute('data-pipe', '');
  await expect(page.getByTestId('tunnel-label-tun')).toHaveText('tun · VNI 42 · over public');
  await expectTunnelBetweenRouters(page);
  // Its links to the routers are still links, drawn as the pipe's two legs.
  for (const link of ['r1--tun', 'r2--tun'])
    await expect(page.locator(`.react-flow__edge[data-id="${link}"]`)).toHaveCount(1);
  await shot(page, 'diagram-vxlan');

  // Selected by a click on the pipe: the VXLAN's own form.
  await tun.click();
  await expect(page.getByTestId('inspector-vxlan')).toBeVisible();
  await expect(page.getByTestId('inspector-vni')).toHaveValue('42');
  await page.keyboard.press('Escape');
  await page
    .getByTestId('canvas')
    .locator('.react-flow__pane')
    .click({ position: { x: 5, y: 5 } });
  await expect(page.getByTestId('inspector-design')).toBeVisible();

  // And by the keyboard, like any element.
  await page.locator('body').click({ position: { x: 1, y: 1 } });
  await tabTo(page, page.locator('.react-flow__node[data-id="tun"]'));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('inspector-id')).toHaveValue('tun');
  await expect(page.getByTestId('announcer')).toHaveText('Selected tun, vxlan.');

  // The pipe follows a router that moves.
  await page.keyboard.press('Escape');
  const before = await boxOf(page, 'tun');
  const r2 = await boxOf(page, 'r2');
  await page.mouse.move(r2.x + 20, r2.cy);
  await page.mouse.down();
  await page.mouse.move(r2.x + 80, r2.cy + 30, { steps: 6 });
  await page.mouse.up();
  await expect
    .poll(async () => (await boxOf(page, 'tun')).right)
    .toBeGreaterThan(before.right + 30);
  const after = await boxOf(page, 'tun');
  expect(after.x, 'its other end stays by r1').toBeCloseTo(before.x, 0);
  await page.keyboard.press('Control+z');
  await expect.poll(async () => (await boxOf(page, 'tun')).right).toBeCloseTo(before.right, 0);

  // The same diagram on a 1024×768 screen, in the dark, and on a projector.
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.getByTestId('canvas').locator('.react-flow__controls-fitview').click();
  await expect.poll(async () => (await boxOf(page, 'tun')).right).toBeLessThan(1024);
  await expectTunnelBetweenRouters(page);
  await shot(page, 'diagram-vxlan-1024x768');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, 'diagram-vxlan-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 720 });
  const url = new URL(page.url());
  url.searchParams.set('present', '1');
  await page.goto(url.toString());
  await expect(page.getByTestId('legend')).toBeVisible();
  await expect(page.getByTestId('node-tun')).toHaveAttribute('data-pipe', '');
  await expectTunnelBetweenRouters(page);
  await shot(page, 'diagram-vxlan-present');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, 'diagram-vxlan-present-dark');
});

test('after a reload the design appears where it stays, and a click at once selects', async ({
  page,
  run,
}) => {
  await openApp(page, run);
  // Drawn here, at zoom 1: the reload shows it fitted, at another zoom.
  for (const kind of ['namespace', 'namespace', 'vlan'] as const)
    await page.getByTestId(`palette-${kind}`).click();
  await expect(page.locator('[data-testid^="node-"]')).toHaveCount(3);
  await expectSaved(page);
  // The browser's own copy is older than the server's (it is written a moment
  // after each edit, or this is another browser): the design arrives from the
  // server once the page is up.
  await page.evaluate(() => localStorage.removeItem('netcanvas:design'));
  // Where c1 is drawn, frame by frame, from the moment it appears.
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { c1Boxes: string[] }).c1Boxes = seen;
    const t0 = performance.now();
    const frame = () => {
      const r = document.querySelector('[data-testid="node-c1"]')?.getBoundingClientRect();
      if (r) {
        const box = [r.x, r.y, r.width, r.height].map(Math.round).join(',');
        if (seen.at(-1) !== box) seen.push(box);
      }
      if (performance.now() - t0 < 5000) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  await page.reload();
  // One click, as soon as the element is there: no second try.
  await page.getByTestId('node-c1').click();
  await expect(page.getByTestId('inspector-namespace')).toBeVisible({ timeout: 5_000 });
  await expect(page.getByTestId('inspector-id')).toHaveValue('c1');
  // A design that moves after it is drawn moves away from the pointer: a
  // click aimed at it then lands on the empty canvas.
  await page.waitForTimeout(1_500);
  const boxes = await page.evaluate(() => (window as unknown as { c1Boxes: string[] }).c1Boxes);
  expect(boxes, 'c1 drawn in one place only').toHaveLength(1);
});
