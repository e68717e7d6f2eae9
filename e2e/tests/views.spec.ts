/**
 * The Designs and Labs views at 1024×768, mostly by keyboard: list the
 * designs, open one, restore an old version, refuse to delete a design whose
 * lab runs (offering to destroy it first), list the running labs with their
 * design, elements and drift, and destroy one after a confirmation.
 */
import {
  deploy,
  expect,
  kernelNamespaces,
  labOf,
  openApp,
  openScenario,
  shot,
  test,
} from '../support/app.js';

test.use({ viewport: { width: 1024, height: 768 } });

test('designs and labs views: list, open, restore a version, delete, destroy a lab', async ({
  page,
  run,
}) => {
  await openApp(page, run);
  const first = await labOf(page);
  const lab = await openScenario(page, 'inter-vlan');
  // Everything of the top bar fits at 1024 px.
  await expect(page.getByTestId('btn-destroy')).toBeInViewport({ ratio: 1 });
  await expect(page.getByTestId('save-state')).toBeInViewport({ ratio: 1 });

  // Version 2 adds a router; the lab runs with it.
  await page.getByTestId('palette-router').click();
  await expect(page.getByTestId('node-r2')).toBeVisible();
  await expect(page.getByTestId('save-state')).toHaveText(/^server · saved$/);
  await deploy(page);

  // Designs, from the keyboard.
  await page.getByTestId('btn-designs').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('designs-view')).toBeVisible();
  await expect(page.getByTestId('designs-new')).toBeFocused();
  const row = page.getByTestId(`design-row-${lab}`);
  await expect(row).toContainText('open here');
  await expect(row).toContainText('running');
  await expect(page.getByTestId(`design-row-${first}`)).toBeVisible();
  await shot(page, '20-designs-view');

  // Version history: version 1 (no r2) comes back as the newest version.
  await page.getByTestId(`design-history-${lab}`).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('version-1')).toBeVisible();
  await page.getByTestId('version-restore-1').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('node-r2')).toHaveCount(0);
  await expect(page.getByTestId('node-r1')).toBeVisible();
  await expect(
    page.getByTestId('toast-info').filter({ hasText: 'Restored version 1' }),
  ).toBeVisible();

  // Deleting a design whose lab runs is refused; the offer to destroy it is made.
  await page.getByTestId(`design-delete-${lab}`).click();
  await page.getByTestId('design-delete-yes').click();
  await expect(page.getByTestId('design-delete-refused')).toContainText(`Lab ${lab}`);
  await expect(row).toBeVisible();
  await page.getByTestId('design-delete-refused-cancel').click();

  // Open the other design: this lab keeps running, and says so.
  await page.getByTestId(`design-open-${first}`).click();
  await expect(page.getByTestId('designs-view')).toBeHidden();
  await expect(page.getByTestId('design-lab')).toHaveText(`lab ${first}`);
  await expect(page.getByTestId('workspace-notice')).toContainText(`Lab ${lab} keeps running`);
  expect(kernelNamespaces(lab)).toContain(`nc-${lab}.r2`);

  // Labs: the running lab with its design, its elements, and the drift the restore made
  // (r2 runs, the design no longer has it).
  await page.getByTestId('btn-labs').click();
  await expect(page.getByTestId('labs-view')).toBeVisible();
  const labRow = page.getByTestId(`lab-row-${lab}`);
  await expect(labRow).toHaveAttribute('data-owner', 'design');
  await expect(page.getByTestId(`lab-state-${lab}`)).toContainText('drifted');
  await expect(labRow.locator('td').nth(2)).toHaveText('7'); // elements of the restored design
  await shot(page, '21-labs-view');
  await page.getByTestId(`lab-destroy-${lab}`).click();
  await expect(page.getByTestId('lab-destroy-confirm')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(labRow).toHaveCount(0);
  expect(kernelNamespaces(lab)).toEqual([]);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('labs-view')).toBeHidden();

  // With its lab gone, the design can be deleted.
  await page.getByTestId('btn-designs').click();
  await page.getByTestId(`design-delete-${lab}`).click();
  await page.getByTestId('design-delete-yes').click();
  await expect(page.getByTestId(`design-row-${lab}`)).toHaveCount(0);
  await expect(page.getByTestId(`design-row-${first}`)).toBeVisible();
});
