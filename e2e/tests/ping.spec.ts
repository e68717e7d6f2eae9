/**
 * Ping as a tool: a count of real pings and a continuous ping with Stop, each
 * drawn as a packet moving along its path; the output shown whole (not cut);
 * Measure's progress and its Cancel.
 */
import { execFileSync } from 'node:child_process';
import { deploy, expect, labOf, openApp, openScenario, shot, test } from '../support/app.js';

test('ping with a count and continuously, drawn on the canvas; output not cut; Measure cancelled', async ({
  page,
  run,
}) => {
  await openApp(page, run);
  await openScenario(page, 'inter-vlan');
  const lab = await labOf(page);
  await deploy(page);

  await page.getByTestId('toggle-capture').click();
  await page.getByTestId('ping-from').selectOption('c1');
  await page.getByTestId('ping-to').selectOption('c2');
  await page.getByTestId('ping-count').fill('3');
  await page.getByTestId('ping-start').click();
  const last = page.locator('[data-testid^="tool-run-"]').first();
  await expect(last).toContainText('ping c1 → c2 ×3');
  await expect(last).toContainText('3/3 got through', { timeout: 60_000 });
  await expect(last.locator('pre')).toContainText('── ping 3 ──');
  // Every ping is drawn: the packet overlay follows the path c1 → … → r1 → … → c2.
  const overlay = page.getByTestId('packet-overlay');
  await expect(overlay).toHaveAttribute('data-reached', 'true');
  expect(Number(await overlay.getAttribute('data-seq'))).toBeGreaterThanOrEqual(3);
  // The whole output shows: nothing cut at the side or the bottom of its box.
  const cut = await last
    .locator('pre')
    .evaluate((el) => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1);
  expect(cut, 'ping output is cut off').toBe(false);

  // Continuous: pings until Stop.
  await page.getByTestId('ping-continuous').click();
  const cont = page.locator('[data-testid^="tool-run-"]').first();
  await expect(cont).toContainText('(continuous)');
  await expect(cont.locator('pre')).toContainText('── ping 2 ──', { timeout: 30_000 });
  await page.getByTestId('ping-stop').click();
  await expect(page.getByTestId('ping-continuous')).toBeVisible();
  await expect(cont).toHaveClass(/\bok\b/, { timeout: 30_000 });

  // A refused count is never sent.
  await page.getByTestId('ping-count').fill('0');
  await expect(page.getByTestId('ping-start')).toBeDisabled();

  // Measure shows its progress and can be cancelled. A Measure of a healthy lab is over
  // before a person could press Cancel; c1's interface set down by hand makes every pair
  // from c1 differ from the prediction, and each such pair is asked again with a longer
  // deadline, so this one runs long enough to be cancelled, as a slow one would.
  execFileSync('ip', ['-n', `nc-${lab}.c1`, 'link', 'set', 'dev', 'eth0', 'down']);
  await page.getByTestId('toggle-matrix').click();
  await page.getByTestId('matrix-measure').click();
  await expect(page.getByTestId('matrix-progress')).toBeVisible();
  await page.getByTestId('matrix-cancel').click();
  await expect(page.getByTestId('matrix-progress')).toBeHidden({ timeout: 30_000 });
  await expect(page.getByTestId('matrix-measure')).toHaveText('Measure');
  // Cancel was clicked while Measure ran (the button exists only then). That the server
  // pings no further pair after it is proven where it can be counted: the REST test of
  // `matrix/cancel` (apps/server/test/api/rest.test.ts); here pairs may already be done.
});

test('a ping size: the tunnel’s MTU fails big pings across it, predicted and measured alike; a bad size is refused', async ({
  page,
  run,
}) => {
  await openApp(page, run);
  await openScenario(page, 'vxlan');
  await deploy(page);
  await page.getByTestId('toggle-matrix').click();
  const size = page.getByTestId('matrix-size');
  // 1472 bytes of payload fill a 1500-byte packet: fine on one site, too big for the tunnel.
  await size.fill('1472');
  await size.press('Enter');
  await page.getByTestId('matrix-measure').click();
  await expect(page.getByTestId('matrix-measure')).toHaveText('Measure', { timeout: 180_000 });
  const across = page.getByTestId('matrix-cell-c1-c2');
  await expect(across).toHaveAttribute('data-predicted', 'fail');
  await expect(across).toHaveAttribute('data-measured', 'fail');
  const beside = page.getByTestId('matrix-cell-c1-r1');
  await expect(beside).toHaveAttribute('data-predicted', 'ok');
  await expect(beside).toHaveAttribute('data-measured', 'ok');
  // Every pair measured, none against its prediction.
  await expect(page.locator('.nc-cell[data-measured="none"]:not(.self)')).toHaveCount(0);
  await expect(page.locator('.nc-cell.mismatch')).toHaveCount(0);
  await shot(page, 'ping-size-1472-vxlan');

  // Typed key by key and left, a size out of range is refused and the last good one kept.
  await size.fill('');
  await size.pressSequentially('70000');
  await expect(page.getByTestId('matrix-size-error')).toContainText('at most 65507');
  await size.blur();
  await expect(size).toHaveValue('1472');
  await expect(page.getByTestId('matrix-size-note')).toContainText('kept 1472');

  // The ping bar pings at the same size, and says so.
  await page.getByTestId('toggle-capture').click();
  await expect(page.getByTestId('ping-size')).toHaveValue('1472');
  await page.getByTestId('ping-from').selectOption('c1');
  await page.getByTestId('ping-to').selectOption('c2');
  await page.getByTestId('ping-count').fill('1');
  await page.getByTestId('ping-start').click();
  const last = page.locator('[data-testid^="tool-run-"]').first();
  await expect(last).toContainText('1472 bytes');
  await expect(last).toHaveClass(/\bfail\b/, { timeout: 60_000 });
});
