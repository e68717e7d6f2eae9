/**
 * One truth per lab, as a user meets it: a design owns its lab whatever it
 * is renamed to; a scenario opened twice or a file imported is a design of
 * its own with a lab of its own; a lab brought up by the CLI is listed and
 * only ever becomes a design when the user asks. Real server, real kernel.
 */
import {
  deploy,
  designIdOf,
  destroy,
  expect,
  expectAllLinksUp,
  kernelNamespaces,
  labOf,
  netcanvasCli,
  openApp,
  openScenario,
  showDesignInspector,
  test,
} from '../support/app.js';

const SAME_VLAN_LINKS = ['node-a--vlan10', 'node-b--vlan10'];

async function importYaml(page: import('@playwright/test').Page, name: string, yaml: string) {
  const before = page.url();
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('btn-import').click();
  await (await chooser).setFiles({
    name,
    mimeType: 'application/yaml',
    buffer: Buffer.from(yaml),
  });
  await expect(page).not.toHaveURL(before);
  await expect(page.getByTestId('save-state')).toHaveText(/^server · saved$/);
}

test('renaming a running design keeps its lab: Apply stays, and Destroy leaves nothing', async ({
  page,
  run,
}) => {
  await openApp(page, run);
  const lab = await openScenario(page, 'same-vlan');
  await deploy(page);
  await expectAllLinksUp(page, SAME_VLAN_LINKS);

  await showDesignInspector(page);
  await expect(page.getByTestId('inspector-lab')).toHaveText(lab);
  const name = page.getByTestId('inspector-name');
  await name.fill('renamed');
  await name.press('Tab');
  await expect(page.getByTestId('save-state')).toHaveText(/^server · saved$/);
  await expect(page.getByTestId('design-name')).toHaveText('renamed');
  // The lab is the design's, not its name's: still running, still reachable.
  await expect(page.getByTestId('design-lab')).toHaveText(`lab ${lab}`);
  await expect(page.getByTestId('inspector-lab')).toHaveText(lab);
  await expect(page.getByTestId('btn-deploy')).toHaveText(/Apply/);
  await expect(page.getByTestId('btn-destroy')).toBeEnabled();
  await expect(page.getByTestId('live-badge-c1')).toHaveAttribute('title', /deployed/);
  // The plan shows the kernel's names, under the lab.
  await page.getByTestId('toggle-plan').click();
  await expect(page.getByTestId('plan-op').first()).toContainText(`nc-${lab}`);
  await expect(page.getByTestId('plan-panel')).not.toContainText('nc-renamed');
  await page.getByTestId('toggle-plan').click();

  await destroy(page);
  await expect.poll(() => kernelNamespaces(lab), { timeout: 60_000 }).toEqual([]);
  expect(kernelNamespaces('renamed')).toEqual([]);
});

test('a scenario opened twice and a file imported are designs with labs of their own, side by side', async ({
  page,
  run,
}) => {
  await openApp(page, run);
  const first = await openScenario(page, 'same-vlan');
  const firstDesign = designIdOf(page);
  await deploy(page);
  await expectAllLinksUp(page, SAME_VLAN_LINKS);

  // The same scenario again: a second design, its own lab, the first left running.
  const second = await openScenario(page, 'same-vlan');
  expect(second).not.toBe(first);
  expect(designIdOf(page)).not.toBe(firstDesign);
  const notice = page.getByTestId('workspace-notice');
  await expect(notice).toContainText(`Lab ${first} keeps running`);
  await expect(notice).toContainText(`Lab same-vlan is taken`);
  await expect(notice).toContainText(`this design's lab is ${second}`);
  // Nothing of the first lab shows here: a new lab is deployed, not applied over the other.
  await expect(page.getByTestId('btn-deploy')).toHaveText(/Deploy/);
  await expect(page.getByTestId('live-badge-c1')).toBeHidden();
  await deploy(page);
  await expectAllLinksUp(page, SAME_VLAN_LINKS);
  expect(kernelNamespaces(first)).toContain(`nc-${first}.c1`);
  expect(kernelNamespaces(second)).toContain(`nc-${second}.c1`);

  // A file imported while the second runs: a third design; the second keeps running.
  const yaml = netcanvasCli(run, ['scenario', 'same-vlan']);
  expect(yaml.code, yaml.out).toBe(0);
  await importYaml(page, 'same-vlan.yaml', yaml.out);
  await expect(notice).toContainText(`Lab ${second} keeps running`);
  const third = await labOf(page);
  expect([first, second]).not.toContain(third);
  await expect(page.getByTestId('btn-deploy')).toHaveText(/Deploy/);

  // Labs lists both running labs, each with its design; the third is not running.
  await page.getByTestId('workspace-notice-labs').click();
  for (const lab of [first, second])
    await expect(page.getByTestId(`lab-row-${lab}`)).toHaveAttribute('data-owner', 'design');
  await expect(page.getByTestId(`lab-row-${third}`)).toHaveCount(0);
  // Open the first from Labs: back on its design, which still runs.
  await page.getByTestId(`lab-open-${first}`).click();
  await expect(page.getByTestId('design-lab')).toHaveText(`lab ${first}`);
  expect(designIdOf(page)).toBe(firstDesign);
  await expect(page.getByTestId('btn-deploy')).toHaveText(/Apply/);
  await destroy(page);
  expect(kernelNamespaces(first)).toEqual([]);
  expect(kernelNamespaces(second)).toContain(`nc-${second}.c1`);
});

test('a lab brought up by the CLI is listed, never taken by a same-named design, and opened as a design only when asked', async ({
  page,
  run,
  labName,
}) => {
  const lab = labName('cli');
  const up = netcanvasCli(run, ['up', '--scenario', 'same-vlan', '--name', lab]);
  expect(up.code, up.out).toBe(0);
  const cliNamespaces = kernelNamespaces(lab);

  await openApp(page, run);
  await page.getByTestId('btn-labs').click();
  const row = page.getByTestId(`lab-row-${lab}`);
  await expect(row).toHaveAttribute('data-owner', 'cli');
  await expect(page.getByTestId(`lab-owner-${lab}`)).toHaveText('CLI');
  await expect(page.getByTestId(`lab-state-${lab}`)).toHaveText('running');
  await page.getByTestId('labs-close').click();

  // A design asking for that very name gets a lab of its own.
  const scenario = netcanvasCli(run, ['scenario', 'same-vlan']);
  await importYaml(page, `${lab}.yaml`, scenario.out.replace(/^name: .*$/m, `name: ${lab}`));
  await expect(page.getByTestId('design-lab')).toHaveText(`lab ${lab}-2`);
  await expect(page.getByTestId('workspace-notice')).toContainText(
    `Lab ${lab} is taken (by the command line`,
  );
  await expect(page.getByTestId('btn-deploy')).toHaveText(/Deploy/);
  await deploy(page);
  expect(kernelNamespaces(`${lab}-2`)).toContain(`nc-${lab}-2.c1`);
  expect(kernelNamespaces(lab)).toEqual(cliNamespaces);
  // The CLI still owns its lab.
  expect(netcanvasCli(run, ['up', '--scenario', 'same-vlan', '--name', lab]).out).toMatch(
    /already up to date/,
  );

  // "Open as design" is asked for, confirmed, and then the design owns the lab.
  await page.getByTestId('btn-labs').click();
  await page.getByTestId(`lab-adopt-${lab}`).click();
  await page.getByTestId('lab-adopt-confirm').click();
  await expect(page.getByTestId('labs-view')).toBeHidden();
  await expect(page.getByTestId('design-lab')).toHaveText(`lab ${lab}`);
  await expect(page.getByTestId('btn-deploy')).toHaveText(/Apply/);
  await expect(page.getByTestId('live-badge-c1')).toHaveAttribute('title', /deployed/);
  const refused = netcanvasCli(run, ['up', '--scenario', 'same-vlan', '--name', lab]);
  expect(refused.code).toBe(1);
  expect(refused.out).toContain(`belongs to design ${lab} (${designIdOf(page)})`);

  // Destroy from Labs, after a confirmation.
  await page.getByTestId('btn-labs').click();
  await expect(page.getByTestId(`lab-row-${lab}`)).toHaveAttribute('data-owner', 'design');
  await page.getByTestId(`lab-destroy-${lab}`).click();
  await page.getByTestId('lab-destroy-confirm').click();
  await expect(page.getByTestId(`lab-row-${lab}`)).toHaveCount(0);
  expect(kernelNamespaces(lab)).toEqual([]);
  expect(kernelNamespaces(`${lab}-2`)).toContain(`nc-${lab}-2.c1`);
});
