/**
 * What a page load costs: the app's bundle is the app (the benchmark page
 * is its own build), and ELK, the 1.46 MB layout engine, is downloaded only
 * when something is laid out, never by a session on a design that has its
 * positions (a gallery scenario ships its own).
 */
import { expect, expectSaved, openApp, openScenario, test, toolbarAction } from '../support/app.js';

const ELK = /\/assets\/elk\.bundled-[^/]*\.js$/;

test('a session on a drawn design never downloads ELK; Layout does', async ({ page, run }) => {
  const elk: string[] = [];
  page.on('request', (r) => {
    if (ELK.test(new URL(r.url()).pathname)) elk.push(r.url());
  });
  await openApp(page, run);
  // A design drawn here has every position: nothing in it needs a layout.
  for (const kind of ['namespace', 'namespace', 'vlan'] as const)
    await page.getByTestId(`palette-${kind}`).click();
  await expect(page.locator('[data-testid^="node-"]')).toHaveCount(3);
  await expectSaved(page);
  // Back to it after a reload, and an edit: the whole of an ordinary session.
  await page.reload();
  await expect(page.getByTestId('node-vlan1')).toBeVisible();
  await expectSaved(page);
  // The design arrives fitted (App.tsx, FitOnLoad): one click selects.
  await page.getByTestId('node-c1').click();
  await page.getByTestId('inspector-label').fill('web');
  await page.getByTestId('inspector-label').press('Enter');
  await expect(page.getByTestId('node-c1')).toContainText('web');
  await expectSaved(page);
  // No event says "ELK was not fetched": the session above (several seconds of
  // awaited steps, past the moment the old build prefetched it) is the window.
  expect(elk, 'ELK downloaded without a layout being asked for').toEqual([]);
  // A gallery scenario ships its positions: opening one lays nothing out either.
  await openScenario(page, 'vxlan');
  await expect(page.getByTestId('node-tun')).toBeVisible();
  await expectSaved(page);
  expect(elk, 'ELK downloaded to open a scenario').toEqual([]);

  // Asked for, it comes: the listener above does see it.
  const fetched = page.waitForRequest((r) => ELK.test(new URL(r.url()).pathname));
  await toolbarAction(page, 'layout');
  await fetched;
});

test('the app carries no benchmark: `?bench=N` opens the app, not a generated design', async ({
  page,
  run,
}) => {
  await page.goto(`${run.baseURL}/?bench=50`);
  await expect(page.getByTestId('toolbar')).toBeVisible();
  // The benchmark hooked itself onto the page before the first render; the app has no hook.
  expect(await page.evaluate(() => '__bench' in window)).toBe(false);
  await expect(page.getByTestId('empty-canvas')).toBeVisible();
});
