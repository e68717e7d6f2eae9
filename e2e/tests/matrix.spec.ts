/**
 * The Connectivity panel of a big design (issue #13): every endpoint is
 * analysed, in a Web Worker, so the page stays usable while it computes; the
 * panel says it is analysing instead of showing the last design's cells, and
 * after an edit it shows the edited design's answers. The answers are checked
 * against the core's own analysis of the same design, made here.
 */
import {
  type Design,
  designToYaml,
  diagnose,
  generateDesign,
  linkIds,
  reachability,
} from '../../packages/shared/src/index.js';
import { expect, importYaml, openApp, test } from '../support/app.js';

const ROWS = 40; // MATRIX_MAX_ENDPOINTS: a big design's matrix shows the first 40 by id

/** What the panel should draw for `design`: the first ROWS endpoints' pairs, ok or fail. */
function expectedCells(design: Design): Map<string, string> {
  const topology = diagnose(design).topology!;
  const m = reachability(topology);
  const n = m.endpoints.length;
  const shown = [...m.endpoints].sort().slice(0, ROWS);
  const out = new Map<string, string>();
  for (const from of shown)
    for (const to of shown) {
      if (from === to) continue;
      const i = m.endpoints.indexOf(from);
      const j = m.endpoints.indexOf(to);
      out.set(`matrix-cell-${from}-${to}`, m.reach[i * n + j] === 1 ? 'ok' : 'fail');
    }
  return out;
}

/**
 * A link whose cut changes what the first endpoints' cells say: one at an
 * endpoint drawn, or at the host it lives in.
 */
function linkToCut(design: Design, before: Map<string, string>) {
  const ids = linkIds(design);
  const near = new Set<string>();
  for (const key of before.keys()) {
    const id = key.split('-')[2]!;
    near.add(id);
    const node = design.nodes[id];
    if (node?.kind === 'namespace' && node.host) near.add(node.host);
  }
  for (let k = 0; k < design.links.length; k++) {
    const l = design.links[k]!;
    if (l.state === 'down') continue;
    const ends = l.endpoints.map((e) => (typeof e === 'string' ? e : e.node));
    if (!ends.some((e) => near.has(e))) continue;
    const cut = structuredClone(design);
    cut.links[k]!.state = 'down';
    const after = expectedCells(cut);
    if ([...after].some(([key, v]) => before.get(key) !== v)) return { id: ids[k]!, cut, after };
  }
  throw new Error('no link of the first endpoints changes their matrix');
}

async function drawnCells(page: import('@playwright/test').Page): Promise<Map<string, string>> {
  const cells = await page
    .locator('[data-testid^="matrix-cell-"]')
    .evaluateAll((els) =>
      els.map((e) => [e.getAttribute('data-testid')!, e.getAttribute('data-predicted')!] as const),
    );
  return new Map(cells);
}

test('a 1,000-element design: analysed off the page, usable meanwhile, right after an edit', async ({
  page,
  run,
}) => {
  test.slow();
  const design = generateDesign({ seed: 7, elements: 1000, name: 'big-matrix' });
  const before = expectedCells(design);
  expect(before.size).toBe(ROWS * (ROWS - 1));
  const { id: link, cut, after } = linkToCut(design, before);
  const endpoints = diagnose(design).topology!.endpoints.length;

  await openApp(page, run);
  await importYaml(page, 'big-matrix.yaml', designToYaml(design));
  await expect(page.locator('.react-flow__node').first()).toBeVisible();

  // The panel opens analysing; its answer: the whole matrix counted, the first 40 drawn.
  await page.getByTestId('toggle-matrix').click();
  const panel = page.getByTestId('matrix-panel');
  const filter = page.getByTestId('matrix-filter');
  const size = page.getByTestId('matrix-size');
  await expect(panel).toBeVisible();
  await expect(panel).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('matrix-subset')).toContainText(`of ${endpoints} endpoints`);
  const rows = page.locator('[data-testid="matrix-panel"] tbody > tr');
  await expect(rows).toHaveCount(ROWS);
  await expect.poll(() => drawnCells(page)).toEqual(before);

  // The page answers input while the matrix is analysed: typed text shows while the panel
  // still says it is analysing, with no cell of the answer before (on the page's thread the
  // keys would wait for the analysis). A new ping size is analysed in full; how long that
  // takes depends on the machine, so a few tries, one of which must see it.
  const seen: unknown[] = [];
  let during = false;
  for (let k = 1; k <= 5 && !during; k++) {
    await size.fill(String(1000 + k));
    await size.press('Enter');
    await filter.fill(`c${k}`);
    const now = await page.evaluate(() => ({
      value: (document.querySelector('[data-testid="matrix-filter"]') as HTMLInputElement).value,
      state: document.querySelector('[data-testid="matrix-panel"]')?.getAttribute('data-state'),
      status: document.querySelector('[data-testid="matrix-analyzing"]')?.textContent,
      cells: document.querySelectorAll('[data-testid^="matrix-cell-"]').length,
    }));
    seen.push(now);
    during = now.value === `c${k}` && now.state === 'analyzing';
    if (during)
      expect(now).toMatchObject({ status: `Analyzing ${endpoints} endpoints…`, cells: 0 });
    await expect(panel).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    await expect(panel).toContainText(`Predicted at ${1000 + k} bytes`);
    await expect(rows.first().locator('th')).toHaveText(new RegExp(`^c${k}`));
  }
  expect(during, `typed while analysing: ${JSON.stringify(seen)}`).toBe(true);
  await size.fill('');
  await size.press('Enter');
  await filter.fill('');
  await expect(panel).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect(panel).toContainText('Predicted: ');
  await expect(rows).toHaveCount(ROWS);
  await expect.poll(() => drawnCells(page)).toEqual(before);

  // An edit (the link cut in its inspector): analysing again, then the edited design's answers.
  await page.getByTestId('toggle-list').click();
  await page.getByTestId(`list-link-${link}`).click();
  await page.getByTestId('toggle-matrix').click();
  await expect(panel).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect.poll(() => drawnCells(page)).toEqual(before);
  await page.getByTestId('inspector-link-state').selectOption('down');
  await expect.poll(() => drawnCells(page), { timeout: 60_000 }).toEqual(after);
  await expect(panel).toHaveAttribute('data-state', 'ready');
  expect(cut.links.filter((l) => l.state === 'down').length).toBe(
    design.links.filter((l) => l.state === 'down').length + 1,
  );
});

test('at 1024×768 the bar wraps: the summary reads on its line, every control is inside the panel', async ({
  page,
  run,
}) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  const design = generateDesign({ seed: 7, elements: 300, name: 'narrow-matrix' });
  await openApp(page, run);
  await importYaml(page, 'narrow-matrix.yaml', designToYaml(design));
  await page.getByTestId('toggle-matrix').click();
  const panel = page.getByTestId('matrix-panel');
  await expect(panel).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  const box = (await panel.boundingBox())!;
  for (const id of [
    'matrix-summary',
    'matrix-filter',
    'matrix-predict',
    'matrix-size',
    'matrix-measure',
  ]) {
    const b = (await page.getByTestId(id).boundingBox())!;
    expect(b.x, `${id} starts inside the panel`).toBeGreaterThanOrEqual(box.x);
    expect(b.x + b.width, `${id} ends inside the panel`).toBeLessThanOrEqual(
      box.x + box.width + 0.5,
    );
  }
  // The summary is not squeezed into a column of one or two words a line.
  expect((await page.getByTestId('matrix-summary').boundingBox())!.width).toBeGreaterThan(300);
  // Nothing in the panel scrolls it sideways (the table scrolls in its own box).
  expect(await panel.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(1);
});
