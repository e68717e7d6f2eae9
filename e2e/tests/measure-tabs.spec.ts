/**
 * One Measure per lab, seen from two tabs and a reload: a Measure started in one tab shows its
 * progress in the other (whose Measure waits for it instead of pinging every pair again beside
 * it), a tab reloaded in the middle gets it back with the pairs measured so far, and Cancel from
 * either tab ends it in both.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { deploy, expect, labOf, openApp, openScenario, secondTab, test } from '../support/app.js';

const SMALL = { width: 1024, height: 768 };

/** [pid, parent pid, argv] of every process. */
function processes(): [number, number, string[]][] {
  const out: [number, number, string[]][] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      out.push([Number(pid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]), argv]);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * The server's ping helper once it runs a Measure's second asking (an fping with the longer
 * probe, `-t 600`): by then the first pass has reported its pairs, and the rest wait on it.
 */
async function helperConfirming(server: number): Promise<number> {
  for (let waited = 0; waited < 30_000; waited += 5) {
    const all = processes();
    const helper = all.find(
      ([, ppid, argv]) => ppid === server && argv.some((a) => a.endsWith('ping-helper.py')),
    );
    if (helper && all.some(([, ppid, argv]) => ppid === helper[0] && argv.includes('600')))
      return helper[0];
    await new Promise((r) => setTimeout(r, 5));
  }
  return 0;
}

async function showMatrix(p: Page) {
  if (!(await p.getByTestId('matrix-measure').isVisible()))
    await p.getByTestId('toggle-matrix').click();
  await expect(p.getByTestId('matrix-measure')).toBeVisible();
}

test('a Measure started in one tab shows in the other, survives its reload, and either tab cancels it', async ({
  page,
  browser,
  run,
}) => {
  await page.setViewportSize(SMALL);
  await openApp(page, run);
  await openScenario(page, 'inter-vlan');
  const lab = await labOf(page);
  await deploy(page);
  const { context: other, second } = await secondTab(browser, page, run);
  try {
    await expect(second.getByTestId('design-lab')).toHaveText(`lab ${lab}`);
    await showMatrix(page);
    await showMatrix(second);

    // c1 cut by hand: every pair from or to c1 differs from its prediction and is asked again
    // with a longer deadline, so this Measure lasts seconds, as a big lab's does.
    execFileSync('ip', ['-n', `nc-${lab}.c1`, 'link', 'set', 'dev', 'eth0', 'down']);
    // At 1000 bytes: the other tab predicts at the size the run measures at, not its own.
    await page.getByTestId('matrix-size').fill('1000');
    await page.getByTestId('matrix-size').press('Enter');
    await page.getByTestId('matrix-measure').click();
    await expect(page.getByTestId('matrix-progress')).toBeVisible();
    // The other tab shows the same run, and offers no second Measure beside it.
    await expect(second.getByTestId('matrix-progress')).toBeVisible();
    await expect(second.getByTestId('matrix-size')).toHaveValue('1000');
    await expect(second.getByTestId('matrix-measure')).toBeDisabled();
    await expect(second.getByTestId('matrix-measure')).toHaveText('Measuring…');

    // Held in the middle, as a big lab's Measure lasts: once pairs are in (the first tab shows
    // one), the server's ping helper is stopped while it asks c1's pairs again, and goes on after
    // Cancel. (A confirming fping can start before any pair is in: c1's own, which fails at once.)
    await expect(page.locator('[data-testid^="matrix-cell-"] .meas').first()).toBeVisible();
    const helper = await helperConfirming(run.pid);
    expect(helper, "the server's ping helper asks c1's pairs again").toBeGreaterThan(0);
    process.kill(helper, 'SIGSTOP');
    try {
      // Reloaded in the middle: the run comes back, with what it has measured so far.
      await second.reload();
      await showMatrix(second);
      await expect(second.getByTestId('matrix-progress')).toBeVisible();
      await expect(second.getByTestId('matrix-measure')).toBeDisabled();
      await expect(second.getByTestId('matrix-size')).toHaveValue('1000');
      await expect(second.locator('[data-testid^="matrix-cell-"] .meas').first()).toBeVisible();

      // Cancel in the reloaded tab ends the run in both.
      await second.getByTestId('matrix-cancel').click();
    } finally {
      process.kill(helper, 'SIGCONT');
    }
    for (const p of [page, second]) {
      await expect(p.getByTestId('matrix-progress')).toBeHidden({ timeout: 30_000 });
      await expect(p.getByTestId('matrix-measure')).toHaveText('Measure');
      await expect(p.getByTestId('matrix-measure')).toBeEnabled();
    }
  } finally {
    await other.close();
  }
});
