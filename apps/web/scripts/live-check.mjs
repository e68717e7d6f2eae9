// Drives the built app against a running `netcanvas serve`: node scripts/live-check.mjs <login-url>
import { launchChromium } from './chromium.mjs';

const [login] = process.argv.slice(2);
const out = '/tmp/nc-shots';
const browser = await launchChromium();
const ctx = await browser.newContext({ viewport: { width: 1440, height: 880 } });
const page = await ctx.newPage();
page.on('pageerror', (e) => console.log('PAGEERROR', String(e)));
await page.goto(login);
await page.getByTestId('save-state').filter({ hasText: 'server' }).waitFor({ timeout: 20000 });
console.log('online:', await page.getByTestId('save-state').textContent());
await page.getByTestId('btn-gallery').click();
await page.getByTestId('scenario-open-inter-vlan').click();
await page.getByTestId('node-r1').waitFor();
await page.keyboard.press('Escape');
await page.getByTestId('save-state').filter({ hasText: 'saved' }).waitFor({ timeout: 20000 });
console.log('opened as', await page.getByTestId('design-lab').textContent(), page.url());

// second browser on the same design
const page2 = await ctx.newPage();
await page2.goto(page.url().replace(/\?.*#/, '#'));
await page2.getByTestId('node-r1').waitFor({ timeout: 20000 });
console.log('second browser:', await page2.getByTestId('design-lab').textContent());

await page.getByTestId('btn-deploy').click();
await page
  .getByTestId('deploy-progress')
  .and(page.locator('[data-phase="done"], [data-phase="failed"]'))
  .waitFor({ timeout: 120000 });
console.log('deploy:', await page.getByTestId('deploy-progress').textContent());
await page.waitForTimeout(3000);
console.log('r1 live badge:', await page.getByTestId('live-badge-r1').count());
await page.screenshot({ path: `${out}/7-deployed.png` });
await page.getByTestId('toggle-matrix').click();
await page.getByTestId('matrix-measure').click();
await page.waitForTimeout(8000);
const cells = await page
  .locator('[data-testid^="matrix-cell-"]')
  .evaluateAll((els) =>
    els.map((e) => `${e.dataset.testid}:${e.dataset.predicted}/${e.dataset.measured}`),
  );
console.log('matrix:', cells.join(' '));
await page.screenshot({ path: `${out}/8-measured.png` });
// cut r1--vlan20 from its context menu
await page
  .getByTestId('edge-r1--vlan20')
  .dispatchEvent('contextmenu', { clientX: 700, clientY: 300 });
await page
  .locator('.react-flow__edge[data-id="r1--vlan20"]')
  .click({ button: 'right', force: true });
await page.getByTestId('menu-cut-link').click();
await page.waitForTimeout(3000);
await page.screenshot({ path: `${out}/9-cut.png` });
console.log(
  'second browser sees cut:',
  await page2.locator('.react-flow__edge[data-id="r1--vlan20"] .admin-down').count(),
);
await page.getByTestId('node-c1').click({ button: 'right' });
await page.getByTestId('menu-ping-c2').click();
await page.waitForTimeout(4000);
await page.screenshot({ path: `${out}/10-ping.png` });
await page.reload();
await page.getByTestId('node-r1').waitFor();
await page.waitForTimeout(3000);
console.log(
  'after reload, r1 badge:',
  await page.getByTestId('live-badge-r1').count(),
  await page.getByTestId('design-lab').textContent(),
);
await page.getByTestId('btn-destroy').click();
await page.getByTestId('deploy-progress').waitFor({ timeout: 60000 });
await page.waitForTimeout(1500);
console.log(
  'destroy:',
  await page
    .getByTestId('deploy-progress')
    .textContent()
    .catch(() => 'progress already faded'),
  'lab:',
  await page.getByTestId('btn-destroy').isDisabled(),
);
await browser.close();
