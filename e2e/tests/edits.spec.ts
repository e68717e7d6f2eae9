/**
 * Two tabs on one design (DESIGN.md §7: edits are operations the server
 * orders): both keep their work when they edit at the same moment, the
 * same field edited by both ends with the later value and a plain notice
 * to the other tab, and undo in one tab never reverts the other's edit.
 */
import type { Page } from '@playwright/test';
import {
  designIdOf,
  expect,
  expectSaved,
  labOf,
  openApp,
  secondTab,
  shot,
  storedDesign,
  test,
} from '../support/app.js';

const SMALL = { width: 1024, height: 768 };

test('two tabs dropping an element at the same moment, ten times, keep every element', async ({
  page,
  browser,
  run,
}) => {
  await page.setViewportSize(SMALL);
  await openApp(page, run);
  const lab = await labOf(page);
  const { context, second } = await secondTab(browser, page, run);
  try {
    await expect(second.getByTestId('design-lab')).toHaveText(`lab ${lab}`);
    /**
     * A click on the palette at a given moment (both pages share the machine's clock); returns
     * when it happened. The timer schedules the click, it waits for nothing: two tabs acting at
     * the same moment is what this test is about.
     */
    const drop = (p: Page, when: number) =>
      p.evaluate(
        (when) =>
          new Promise<number>((resolve) =>
            setTimeout(
              () => {
                const at = Date.now();
                (
                  document.querySelector('[data-testid="palette-namespace"]') as HTMLElement
                ).click();
                resolve(at);
              },
              Math.max(0, when - Date.now()),
            ),
          ),
        when,
      );
    // Ten pairs of drops within 100 ms of each other (a loaded machine may delay a
    // page's timer: such a pair is kept too, but does not count).
    let pairs = 0;
    let rounds = 0;
    while (pairs < 10 && rounds < 20) {
      rounds++;
      const when = Date.now() + 300;
      const [a, b] = await Promise.all([drop(page, when), drop(second, when)]);
      if (Math.abs(a - b) < 100) pairs++;
      // Each tab sees both drops before the next pair (and so picks the same next id again).
      for (const p of [page, second]) {
        await expect(p.locator('[data-testid^="node-c"]')).toHaveCount(2 * rounds);
        await expectSaved(p);
      }
    }
    expect(pairs, 'pairs of drops within 100 ms').toBe(10);
    // Both tabs picked the same ids each time; the server renamed the later one.
    const stored = await storedDesign(run, designIdOf(page));
    expect(Object.values(stored.doc.nodes).filter((n) => n.kind === 'namespace')).toHaveLength(
      2 * rounds,
    );
    // The two tabs show the same document, and a reload keeps it.
    const ids = async (p: Page) =>
      (
        await p
          .locator('[data-testid^="node-c"]')
          .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.testid))
      ).sort();
    expect(await ids(second)).toEqual(await ids(page));
    await second.reload();
    await expect(second.locator('[data-testid^="node-c"]')).toHaveCount(2 * rounds);
    // Nothing was refused on the way, and the toolbar kept Deploy and Destroy on screen.
    for (const p of [page, second]) {
      await expect(p.getByTestId('toast-error')).toHaveCount(0);
      await expect(p.getByTestId('btn-deploy')).toBeInViewport({ ratio: 1 });
      await expect(p.getByTestId('btn-destroy')).toBeInViewport({ ratio: 1 });
    }
    await shot(page, '20-two-tabs-1024');
  } finally {
    await context.close();
  }
});

test('the same field typed in two tabs: the later wins, the other tab is told which', async ({
  page,
  browser,
  run,
}) => {
  await openApp(page, run);
  await page.getByTestId('palette-vlan').click();
  await expect(page.getByTestId('node-vlan1')).toBeVisible();
  await expectSaved(page);
  const { context, second } = await secondTab(browser, page, run);
  try {
    await second.getByTestId('node-vlan1').click();
    const theirs = second.getByTestId('inspector-subnet');
    await expect(theirs).toHaveValue('10.0.10.0/24');
    // The second tab starts typing a subnet: not a subnet yet, so nothing is committed.
    await theirs.fill('');
    await theirs.pressSequentially('10.0.77');
    await expect(second.getByTestId('inspector-subnet-error')).toBeVisible();

    // Meanwhile the first tab sets one and leaves the field.
    const mine = page.getByTestId('inspector-subnet');
    await mine.fill('10.0.55.0/24');
    await mine.press('Tab');
    await expectSaved(page);

    // The second tab keeps what it is typing and says what arrived.
    await expect(second.getByTestId('inspector-subnet-remote')).toContainText('10.0.55.0/24');
    await expect(theirs).toHaveValue('10.0.77');
    await theirs.pressSequentially('.0/24');
    await theirs.press('Enter');
    await expectSaved(second);

    // Its value wins; the first tab is told, in words, which element and field.
    await expect(
      page.getByTestId('toast-info').filter({ hasText: "vlan1's subnet" }),
    ).toContainText('10.0.77.0/24');
    await expect(mine).toHaveValue('10.0.77.0/24');
    const stored = await storedDesign(run, designIdOf(page));
    expect(stored.doc.nodes.vlan1).toMatchObject({ subnet: '10.0.77.0/24' });
  } finally {
    await context.close();
  }
});

test('undo in one tab takes back its own edit and never the other tab’s', async ({
  page,
  browser,
  run,
}) => {
  await openApp(page, run);
  const lab = await labOf(page);
  const { context, second } = await secondTab(browser, page, run);
  try {
    await page.getByTestId('palette-router').click();
    await expectSaved(page);
    await expect(second.getByTestId('node-r1')).toBeVisible();
    await second.getByTestId('palette-vlan').click();
    await expectSaved(second);
    await expect(page.getByTestId('node-vlan1')).toBeVisible();

    // The first tab's last change is its router: undo takes back that, not the VLAN.
    await page.getByTestId('btn-undo').click();
    for (const p of [page, second]) {
      await expect(p.getByTestId('node-r1')).toHaveCount(0);
      await expect(p.getByTestId('node-vlan1')).toBeVisible();
    }
    // Redo brings it back; the second tab's undo then takes its VLAN and nothing of the first tab's.
    await page.getByTestId('btn-redo').click();
    await expect(second.getByTestId('node-r1')).toBeVisible();
    await second.getByTestId('btn-undo').click();
    for (const p of [page, second]) {
      await expect(p.getByTestId('node-vlan1')).toHaveCount(0);
      await expect(p.getByTestId('node-r1')).toBeVisible();
    }
    await expectSaved(second);
    const stored = await storedDesign(run, designIdOf(page));
    expect(Object.keys(stored.doc.nodes)).toEqual(['r1']);
    expect(stored.lab).toBe(lab);
  } finally {
    await context.close();
  }
});
