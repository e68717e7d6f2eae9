/**
 * A first-time user, mouse only: two namespaces and a VLAN dragged from the
 * palette, linked by dragging between them, deployed, and a ping from the
 * context menu crosses the kernel.
 */
import {
  deploy,
  destroy,
  drawLink,
  edgeOf,
  expect,
  expectAllLinksUp,
  kernelNamespaces,
  labOf,
  openApp,
  shot,
  test,
} from '../support/app.js';

test('draw two namespaces on a VLAN with the mouse, deploy, ping', async ({ page, run }) => {
  await openApp(page, run);
  await expect(page.getByTestId('empty-canvas')).toBeVisible();
  const lab = await labOf(page);

  const canvas = page.getByTestId('canvas');
  const box = await canvas.boundingBox();
  if (!box) throw new Error('the canvas is not on screen');
  const at = (fx: number, fy: number) => ({
    targetPosition: { x: box.width * fx, y: box.height * fy },
  });
  await page.getByTestId('palette-namespace').dragTo(canvas, at(0.25, 0.25));
  await expect(page.getByTestId('node-c1')).toBeVisible();
  await expect(page.getByTestId('empty-canvas')).toBeHidden();
  await page.getByTestId('palette-namespace').dragTo(canvas, at(0.75, 0.25));
  await expect(page.getByTestId('node-c2')).toBeVisible();
  await page.getByTestId('palette-vlan').dragTo(canvas, at(0.5, 0.65));
  await expect(page.getByTestId('node-vlan1')).toBeVisible();

  // The layout the user drew is kept: c1 left of c2, both above the VLAN, and
  // every drop lands under the pointer.
  const [c1, c2, vlan] = await Promise.all(
    ['c1', 'c2', 'vlan1'].map((id) => page.getByTestId(`node-${id}`).boundingBox()),
  );
  expect(c1!.x).toBeLessThan(c2!.x);
  expect(c1!.y).toBeLessThan(vlan!.y);
  const centre = (b: { x: number; y: number; width: number; height: number }) => ({
    x: b.x + b.width / 2,
    y: b.y + b.height / 2,
  });
  expect(centre(c2!).x).toBeCloseTo(box.x + box.width * 0.75, -1);
  expect(centre(c2!).y).toBeCloseTo(box.y + box.height * 0.25, -1);
  expect(centre(vlan!).x).toBeCloseTo(box.x + box.width * 0.5, -1);
  expect(centre(vlan!).y).toBeCloseTo(box.y + box.height * 0.65, -1);

  await drawLink(page, 'c1', 'bottom', 'vlan1');
  await expect(page.locator('.react-flow__edge[data-id="c1--vlan1"]')).toHaveCount(1);
  await drawLink(page, 'c2', 'bottom', 'vlan1');
  await expect(page.locator('.react-flow__edge[data-id="c2--vlan1"]')).toHaveCount(1);
  // One subnet and no router is a whole network: nothing to warn about, nothing blocks a deploy.
  await expect(page.getByTestId('problem-badge-vlan1')).toHaveCount(0);
  await expect(page.getByTestId('save-state')).toHaveText(/^server · saved$/);
  await shot(page, '10-drawn');

  await deploy(page);
  await expectAllLinksUp(page, ['c1--vlan1', 'c2--vlan1']);
  for (const id of ['c1', 'c2', 'vlan1'])
    await expect(page.getByTestId(`live-badge-${id}`)).toBeVisible();
  expect(kernelNamespaces(lab)).toEqual(expect.arrayContaining([`nc-${lab}.c1`, `nc-${lab}.c2`]));

  await page.getByTestId('node-c1').click({ button: 'right' });
  await expect(page.getByTestId('context-menu')).toBeVisible();
  await page.getByTestId('menu-ping-c2').click();
  const runEntry = page.locator('[data-testid^="tool-run-"]').first();
  await expect(runEntry).toContainText('ping c1 → c2');
  await expect(runEntry).not.toHaveClass(/\brunning\b/, { timeout: 60_000 });
  await expect(runEntry).toHaveClass(/\bok\b/);
  await expect(runEntry).toContainText(/ 0% packet loss/);
  await shot(page, '11-ping');

  await destroy(page);
  await expect.poll(() => kernelNamespaces(lab), { timeout: 60_000 }).toEqual([]);
  await expect(edgeOf(page, 'c1--vlan1')).not.toHaveAttribute('data-live', 'up');
});

// React Flow's `fitView` prop fits the view when the first node appears, so
// on an empty canvas the first drop used to jump to the centre.
test('the first element dropped on an empty canvas lands under the pointer', async ({
  page,
  run,
}) => {
  await openApp(page, run);
  await expect(page.getByTestId('empty-canvas')).toBeVisible();
  const canvas = page.getByTestId('canvas');
  const box = (await canvas.boundingBox())!;
  await page
    .getByTestId('palette-namespace')
    .dragTo(canvas, { targetPosition: { x: box.width * 0.25, y: box.height * 0.25 } });
  const c1 = (await page.getByTestId('node-c1').boundingBox())!;
  expect(c1.x + c1.width / 2).toBeCloseTo(box.x + box.width * 0.25, -1);
  expect(c1.y + c1.height / 2).toBeCloseTo(box.y + box.height * 0.25, -1);
});
