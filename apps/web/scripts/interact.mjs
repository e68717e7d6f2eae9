// Drives the editing gestures on the built app (no server needed): node scripts/interact.mjs [url]
import { launchChromium } from './chromium.mjs';

const url = process.argv[2] ?? 'http://127.0.0.1:4173/';
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1440, height: 880 } });
page.on('pageerror', (e) => console.log('PAGEERROR', String(e)));
await page.goto(url);
await page.evaluate(() => localStorage.clear());
await page.reload();
const canvas = page.getByTestId('canvas');
const at = (x, y) => ({ targetPosition: { x, y } });
await page.getByTestId('palette-vlan').dragTo(canvas, at(250, 350));
await page.getByTestId('palette-vlan').dragTo(canvas, at(650, 350));
await page.getByTestId('palette-router').dragTo(canvas, at(450, 150));
await page.getByTestId('palette-host').dragTo(canvas, at(250, 600));
console.log(
  'nodes:',
  await page.locator('.react-flow__node').evaluateAll((n) => n.map((e) => e.dataset.id).join(',')),
);
// a namespace dropped onto the host becomes its container
await page.getByTestId('palette-namespace').dragTo(canvas, at(250, 610));
console.log(
  'c1 parent host?',
  await page.locator('.react-flow__node[data-id="c1"]').evaluate((e) => e.parentElement?.className),
  await page.getByTestId('inspector-ns-host').inputValue(),
);
// link r1 → vlan1 by dragging handle to node
async function connect(from, side, to) {
  const h = page.getByTestId(`handle-${from}-${side}`);
  await page.getByTestId(`node-${from}`).hover({ position: { x: 40, y: 12 }, force: true });
  const hb = await h.boundingBox();
  const tb = await page.getByTestId(`node-${to}`).boundingBox();
  await page.mouse.move(hb.x + hb.width / 2, hb.y + hb.height / 2);
  await page.mouse.down();
  await page.mouse.move(tb.x + tb.width / 2, tb.y + tb.height / 2, { steps: 8 });
  await page.mouse.move(tb.x + tb.width / 2 + 2, tb.y + tb.height / 2, { steps: 2 });
  await page.mouse.up();
}
await connect('r1', 'bottom', 'vlan1');
await connect('r1', 'bottom', 'vlan2');
await connect('h1', 'top', 'vlan1');
console.log(
  'edges:',
  await page.locator('.react-flow__edge').evaluateAll((n) => n.map((e) => e.dataset.id).join(',')),
);
await connect('vlan1', 'right', 'vlan2');
await page.waitForTimeout(200);
console.log('refusal toast:', await page.locator('.nc-toast').allTextContents());
await page.screenshot({ path: '/tmp/nc-shots/11-drawn.png' });
// drag c1 out of the host
const c1 = await page.getByTestId('node-c1').boundingBox();
await page.mouse.move(c1.x + 30, c1.y + 20);
await page.mouse.down();
await page.mouse.move(c1.x + 30, c1.y - 250, { steps: 10 });
await page.mouse.up();
await page.waitForTimeout(200);
console.log(
  'c1 host after drag out:',
  await page.evaluate(() => JSON.parse(localStorage.getItem('netcanvas:design') ?? '{}').nodes?.c1),
);
await page.waitForTimeout(400);
console.log(
  'saved c1:',
  await page.evaluate(() => JSON.parse(localStorage.getItem('netcanvas:design') ?? '{}').nodes?.c1),
);
// undo brings it back in
await page.keyboard.press('Control+z');
await page.waitForTimeout(500);
console.log(
  'after undo:',
  await page.evaluate(() => JSON.parse(localStorage.getItem('netcanvas:design') ?? '{}').nodes?.c1),
);
// invalid input in the inspector
await page.getByTestId('node-vlan1').click();
await page.getByTestId('inspector-vid').fill('5000');
console.log('vid error:', await page.getByTestId('inspector-vid-error').textContent());
await page.getByTestId('inspector-vid').fill('20');
await page.waitForTimeout(500);
console.log(
  'problem badges:',
  await page
    .locator('[data-testid^="problem-badge-"]')
    .evaluateAll((n) => n.map((e) => e.dataset.testid).join(',')),
);
await page.getByTestId('toggle-problems').click();
await page.screenshot({ path: '/tmp/nc-shots/12-problem.png' });
await page.getByTestId('problem-0').click();
console.log(
  'selected after problem click:',
  await page
    .locator('.react-flow__node.selected')
    .evaluateAll((n) => n.map((e) => e.dataset.id).join(',')),
);
await page.keyboard.press('Escape');
await page.keyboard.press('Escape');
await page.getByTestId('node-r1').click();
await page.keyboard.press('Delete');
console.log(
  'after delete r1 edges:',
  await page.locator('.react-flow__edge').evaluateAll((n) => n.map((e) => e.dataset.id).join(',')),
);
await browser.close();
