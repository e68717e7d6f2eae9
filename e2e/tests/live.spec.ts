/**
 * Live state is the server's, not the page's: a reload brings back a running
 * lab as it is in the kernel, and two browsers on one design see each
 * other's edits and the lab's state as they happen.
 */
import {
  applyChange,
  deploy,
  designIdOf,
  destroy,
  edgeOf,
  expect,
  expectAllLinksUp,
  kernelNamespaces,
  openApp,
  openScenario,
  shot,
  test,
} from '../support/app.js';

const LINKS = ['r1--vlan10', 'r1--vlan20', 'node-a--vlan10', 'node-b--vlan20'];
const ELEMENTS = ['r1', 'vlan10', 'vlan20', 'node-a', 'node-b', 'c1', 'c2'];

test('a reload mid-lab and a second browser show the live lab and each other’s edits', async ({
  page,
  browser,
  run,
}) => {
  await openApp(page, run);
  const lab = await openScenario(page, 'inter-vlan');
  await expect(page.getByTestId('node-r1')).toBeVisible();
  await deploy(page);
  await expectAllLinksUp(page, LINKS);
  for (const id of ELEMENTS)
    await expect(page.getByTestId(`live-badge-${id}`)).toHaveAttribute('title', /deployed/);

  // Reload: the page starts from nothing and must get the lab back from the server.
  await page.reload();
  await expect(page.getByTestId('save-state')).toHaveText(/^server · saved$/);
  await expect(page.getByTestId('design-lab')).toHaveText(`lab ${lab}`);
  await expectAllLinksUp(page, LINKS);
  for (const id of ELEMENTS)
    await expect(page.getByTestId(`live-badge-${id}`)).toHaveAttribute('title', /deployed/);
  await expect(page.getByTestId('btn-deploy')).toHaveText(/Apply/);

  // A second browser (own cookie jar, own storage) opens the same design by its address.
  const other = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    const second = await other.newPage();
    await openApp(second, run, `design=${designIdOf(page)}`);
    await expect(second.getByTestId('design-lab')).toHaveText(`lab ${lab}`);
    await expectAllLinksUp(second, LINKS);
    await expect(second.getByTestId('live-badge-r1')).toHaveAttribute('title', /deployed/);

    // An element added in the first browser appears in the second…
    await expect(page.getByTestId('node-r2')).toHaveCount(0);
    await page.getByTestId('palette-router').click();
    await expect(page.getByTestId('node-r2')).toBeVisible();
    await expect(page.getByTestId('save-state')).toHaveText(/^server · saved$/);
    await expect(second.getByTestId('node-r2')).toBeVisible();

    // …and one added in the second appears in the first.
    await second.getByTestId('palette-vlan').click();
    await expect(second.getByTestId('node-vlan1')).toBeVisible();
    await expect(second.getByTestId('save-state')).toHaveText(/^server · saved$/);
    await expect(page.getByTestId('node-vlan1')).toBeVisible();
    await expect(page.getByTestId('node-r2')).toBeVisible();

    // Apply on the running lab shows the change first: the two new elements,
    // nothing of what already runs. Applied, both browsers see them deployed.
    await applyChange(page, async (review) => {
      await expect(review.getByTestId('plan-group-r2')).toBeVisible();
      await expect(review.getByTestId('plan-group-vlan1')).toBeVisible();
      for (const id of ELEMENTS)
        await expect(review.getByTestId(`plan-group-${id}`)).toHaveCount(0);
      await shot(page, '12-change-review');
    });
    for (const p of [page, second])
      for (const id of ['r2', 'vlan1'])
        await expect(p.getByTestId(`live-badge-${id}`)).toHaveAttribute('title', /deployed/);
    expect(kernelNamespaces(lab)).toEqual(expect.arrayContaining([`nc-${lab}.r2`]));

    // Destroying in one browser clears the live state in the other.
    await destroy(page);
    await expect(second.getByTestId('btn-deploy')).toHaveText(/Deploy/);
    for (const link of LINKS)
      await expect(edgeOf(second, link)).not.toHaveAttribute('data-live', 'up');
    await expect(second.getByTestId('live-badge-r1')).toBeHidden();
  } finally {
    await other.close();
  }
  await expect.poll(() => kernelNamespaces(lab), { timeout: 60_000 }).toEqual([]);
});
