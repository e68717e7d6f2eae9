// Screenshots of the built app for a human look: node scripts/shots.mjs [url] [outdir]
import { chromium } from 'playwright-core';

const url = process.argv[2] ?? 'http://127.0.0.1:4173/';
const out = process.argv[3] ?? '/tmp/nc-shots';
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
const page = await browser.newPage({ viewport: { width: 1440, height: 880 } });
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
await page.goto(url);
await page.evaluate(() => localStorage.clear());
await page.reload();
await page.waitForTimeout(400);
await page.screenshot({ path: `${out}/1-empty.png` });
await page.getByTestId('btn-gallery').click();
await page.waitForTimeout(200);
await page.screenshot({ path: `${out}/2-gallery.png` });
await page.getByTestId('scenario-open-vxlan').click();
await page.waitForTimeout(900);
await page.screenshot({ path: `${out}/3-vxlan.png` });
await page.getByTestId('toggle-matrix').click();
await page.waitForTimeout(300);
const cell = page.locator('[data-testid^="matrix-cell-"]').first();
if (await cell.count()) await cell.click();
await page.waitForTimeout(300);
await page.screenshot({ path: `${out}/4-matrix.png` });
await page.getByTestId('toggle-plan').click();
await page.getByTestId('node-r1').click();
await page.waitForTimeout(300);
await page.screenshot({ path: `${out}/5-plan.png` });
await page.getByTestId('toggle-problems').click();
await page.getByTestId('palette-vlan').click();
await page.waitForTimeout(400);
await page.screenshot({ path: `${out}/6-problems.png` });
console.log(JSON.stringify({ errors }, null, 1));
await browser.close();
