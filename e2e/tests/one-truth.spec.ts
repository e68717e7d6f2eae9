/**
 * One truth per lab, seen in the browser (DESIGN.md §7): the addresses
 * shown are the server's (after edits, applies and reloads), a half-drawn
 * design always saves, and a link cut changes that one link in the kernel.
 */
import {
  applyChange,
  deploy,
  edgeOf,
  expect,
  expectSaved,
  importYaml,
  kernelAddresses,
  kernelNamespaces,
  kernelOperstate,
  labOf,
  openApp,
  test,
} from '../support/app.js';

/** r1 and three standalone namespaces on one VLAN: r1 .1, c1 .2, c2 .3, c3 .4. */
const threeOnOneVlan = (lab: string) => `apiVersion: netcanvas/v1
name: ${lab}
nodes:
  vlan10: { kind: vlan, vid: 10, subnet: 10.0.10.0/24 }
  r1:     { kind: router }
  c1:     { kind: namespace }
  c2:     { kind: namespace }
  c3:     { kind: namespace }
links:
  - endpoints: [r1, vlan10]
  - endpoints: [c1, vlan10]
  - endpoints: [c2, vlan10]
  - endpoints: [c3, vlan10]
layout:
  vlan10: { x: 300, y: 300 }
  r1:     { x: 300, y: 100 }
  c1:     { x: 0, y: 500 }
  c2:     { x: 300, y: 500 }
  c3:     { x: 600, y: 500 }
`;

test('c2 deleted and applied, then a reload: c3’s address shown is the kernel’s', async ({
  page,
  run,
  labName,
}) => {
  const lab = labName('addr');
  await openApp(page, run);
  await importYaml(page, `${lab}.yaml`, threeOnOneVlan(lab));
  // The file becomes a new design; its lab is the name it asks for (free: unique to this test).
  await expect(page.getByTestId('design-lab')).toHaveText(`lab ${lab}`);
  await expectSaved(page);
  await deploy(page);
  expect(kernelAddresses(`nc-${lab}.c3`, 'vlan10')).toEqual(['10.0.10.4/24']);

  await page.getByTestId('node-c2').click();
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('node-c2')).toHaveCount(0);
  await expectSaved(page);
  await applyChange(page, async (review) => {
    await expect(review.getByTestId('plan-group-c2')).toBeVisible();
    await expect(review.getByTestId('plan-group-c3')).toHaveCount(0);
  });
  const kernel = kernelAddresses(`nc-${lab}.c3`, 'vlan10');
  expect(kernel).toEqual(['10.0.10.4/24']);

  // A reload starts from nothing: what it shows comes from the server's record.
  await page.reload();
  await expectSaved(page);
  await page.getByTestId('node-c3').click();
  await expect(page.getByTestId('endpoint-ip-c3--vlan10-0')).toHaveAttribute(
    'placeholder',
    kernel[0]!,
  );
  await expect(page.getByTestId('endpoint-provisional-c3--vlan10-0')).toHaveCount(0);
  await page.getByTestId('node-vlan10').click();
  await expect(page.getByTestId('member-address-c3')).toHaveText(kernel[0]!);
  // The plan drawer shows the same address.
  await page.getByTestId('toggle-plan').click();
  await expect(page.getByTestId('plan-group-c3')).toContainText(`${kernel[0]} dev vlan10`);
});

test('a VXLAN just dropped (no underlay yet) saves, and a reload keeps every edit', async ({
  page,
  run,
}) => {
  await openApp(page, run);
  const lab = await labOf(page);
  await page.getByTestId('palette-vxlan').click();
  await expect(page.getByTestId('node-tun1')).toBeVisible();
  // A problem on the element, not a refused save.
  await expect(page.getByTestId('problem-badge-tun1')).toHaveAttribute('title', /no underlay/);
  await expectSaved(page);
  await page.getByTestId('palette-router').click();
  await expect(page.getByTestId('node-r1')).toBeVisible();
  await expectSaved(page);
  await expect(page.getByTestId('toast-error')).toHaveCount(0);
  // Errors stop a deploy, not a save.
  await expect(page.getByTestId('btn-deploy')).toBeDisabled();

  await page.reload();
  await expectSaved(page);
  await expect(page.getByTestId('design-lab')).toHaveText(`lab ${lab}`);
  await expect(page.getByTestId('node-tun1')).toBeVisible();
  await expect(page.getByTestId('node-r1')).toBeVisible();
});

test('a cut with an unrelated edit pending changes only that link in the kernel; undo restores it', async ({
  page,
  run,
  labName,
}) => {
  const lab = labName('cut');
  await openApp(page, run);
  await importYaml(page, `${lab}.yaml`, threeOnOneVlan(lab));
  // The file becomes a new design; its lab is the name it asks for (free: unique to this test).
  await expect(page.getByTestId('design-lab')).toHaveText(`lab ${lab}`);
  await expectSaved(page);
  await deploy(page);
  await expect(edgeOf(page, 'c1--vlan10')).toHaveAttribute('data-live', 'up', { timeout: 60_000 });

  // An edit that is saved but not applied: a second router.
  await page.getByTestId('palette-router').click();
  await expect(page.getByTestId('node-r2')).toBeVisible();
  await expectSaved(page);

  await page.getByTestId('edge-c1--vlan10').click({ button: 'right', force: true });
  await page.getByTestId('menu-cut-link').click();
  await expect(edgeOf(page, 'c1--vlan10')).toHaveClass(/\badmin-down\b/);
  await expect(edgeOf(page, 'c1--vlan10')).toHaveAttribute('data-live', 'down', {
    timeout: 60_000,
  });
  expect(kernelOperstate(`nc-${lab}.c1`, 'vlan10')).toBe('DOWN');
  expect(kernelNamespaces(lab), 'the pending router stays out of the kernel').not.toContain(
    `nc-${lab}.r2`,
  );

  // Undo of the cut restores the link in the kernel too; the pending router stays pending.
  await page.getByTestId('btn-undo').click();
  await expect(edgeOf(page, 'c1--vlan10')).not.toHaveClass(/\badmin-down\b/);
  await expect(edgeOf(page, 'c1--vlan10')).toHaveAttribute('data-live', 'up', { timeout: 60_000 });
  await expect.poll(() => kernelOperstate(`nc-${lab}.c1`, 'vlan10')).toBe('UP');
  expect(kernelNamespaces(lab)).not.toContain(`nc-${lab}.r2`);
  await expect(page.getByTestId('node-r2')).toBeVisible();

  // The router still goes through the change review, alone.
  await applyChange(page, async (review) => {
    await expect(review.getByTestId('plan-group-r2')).toBeVisible();
    await expect(review.getByTestId('plan-group-c1')).toHaveCount(0);
  });
  expect(kernelNamespaces(lab)).toContain(`nc-${lab}.r2`);
});
