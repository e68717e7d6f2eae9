/**
 * The live tools a user reaches from the context menu, on the VXLAN
 * scenario: a capture on r1's public interface shows the tunnel's
 * encapsulated traffic while c1 pings c2, a traceroute from c1 to c2 lists
 * the routers it crosses, and the traffic shows as a rate on the links.
 */

import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import {
  deploy,
  destroy,
  expect,
  expectAllLinksUp,
  kernelNamespaces,
  openApp,
  openScenario,
  shot,
  test,
} from '../support/app.js';

const LINKS = [
  'node-a--vlan10',
  'node-b--vlan20',
  'r1--vlan10',
  'r2--vlan20',
  'r1--public',
  'r2--public',
  'r1--tun',
  'r2--tun',
];

async function fromMenu(page: Page, element: string, item: string) {
  await page.getByTestId(`node-${element}`).click({ button: 'right' });
  await expect(page.getByTestId('context-menu')).toBeVisible();
  await page.getByTestId(item).click();
  await expect(page.getByTestId('context-menu')).toBeHidden();
}

/** The newest ping/traceroute entry of the tools drawer, once it has finished. */
async function finishedRun(page: Page, title: string) {
  const entry = page.locator('[data-testid^="tool-run-"]').first();
  await expect(entry).toContainText(title);
  await expect(entry).not.toHaveClass(/\brunning\b/, { timeout: 60_000 });
  return entry;
}

/**
 * Which element owns each address, as the capture drawer lists the
 * interfaces: `r1 · eth1 (10.0.10.1/24)`.
 */
async function addressOwners(page: Page): Promise<Map<string, string>> {
  const options = await page.getByTestId('capture-interface').locator('option').allTextContents();
  const owners = new Map<string, string>();
  for (const text of options) {
    const m = text.match(/^(\S+) · \S+ \((\d{1,3}(?:\.\d{1,3}){3})\/\d+\)$/);
    if (m?.[1] && m[2]) owners.set(m[2], m[1]);
  }
  return owners;
}

async function zoom(page: Page): Promise<number> {
  const transform = await page
    .locator('.react-flow__viewport')
    .evaluate((el) => getComputedStyle(el).transform);
  // matrix(scale, 0, 0, scale, x, y)
  return Number(transform.match(/^matrix\(([\d.]+)/)?.[1] ?? Number.NaN);
}

test('vxlan scenario: capture the tunnel on the public network, traceroute, link rates', async ({
  page,
  run,
}) => {
  await openApp(page, run);
  const lab = await openScenario(page, 'vxlan');
  for (const id of ['public', 'r1', 'r2', 'tun', 'c1', 'c2'])
    await expect(page.getByTestId(`node-${id}`)).toBeVisible();
  await deploy(page);
  await expectAllLinksUp(page, LINKS);
  await page.locator('.react-flow__controls-fitview').click();

  await test.step('a capture on r1’s public interface shows c1’s ping to c2 inside VXLAN', async () => {
    // Offered on the element (each of its interfaces) and on the link (each
    // end that has a namespace: r1, not the public switch's fabric port).
    await page.getByTestId('node-r1').click({ button: 'right' });
    await expect(page.getByTestId('menu-capture-public')).toBeEnabled();
    await page.keyboard.press('Escape');
    await page.getByTestId('edge-r1--public').click({ button: 'right', force: true });
    await expect(page.getByTestId('context-menu')).toBeVisible();
    await expect(page.getByTestId('menu-capture-at-public')).toHaveCount(0);
    await page.getByTestId('menu-capture-at-r1').click();
    await expect(page.getByTestId('context-menu')).toBeHidden();
    // The drawer opens by itself, where the lines will arrive.
    await expect(page.getByTestId('drawer-capture')).toBeVisible();
    const start = page.getByTestId('capture-start');
    await expect(start).toHaveText('Capturing…');
    await expect(page.getByTestId('capture-panel')).toContainText('r1/public');

    await fromMenu(page, 'c1', 'menu-ping-c2');
    const ping = await finishedRun(page, 'ping c1 → c2');
    await expect(ping).toHaveClass(/\bok\b/);

    // Observed together, so the line is known to have arrived while tcpdump still ran.
    await expect
      .poll(
        async () => ({
          running: (await start.textContent()) === 'Capturing…',
          tunnelled: (await page.getByTestId('capture-output').textContent())
            ?.split('\n')
            .some((line) => /\.4789: VXLAN\b.*\bvni 42\b/.test(line)),
        }),
        { message: 'a VXLAN (UDP 4789, VNI 42) line while the capture runs', intervals: [200] },
      )
      .toEqual({ running: true, tunnelled: true });
    await shot(page, '20-capture-vxlan');
  });

  await test.step('the finished capture downloads as a pcap, fetched with the session header', async () => {
    const button = page.getByTestId('capture-download');
    await expect(button).toBeVisible({ timeout: 40_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toMatch(/^[a-z0-9]+\.pcap$/);
    const file = await download.path();
    const head = readFileSync(file).subarray(0, 4).toString('hex');
    // libpcap's magic number, either byte order.
    expect(['d4c3b2a1', 'a1b2c3d4']).toContain(head);
  });

  await test.step('a traceroute from c1 to c2 crosses r1, then r2, then reaches c2', async () => {
    await fromMenu(page, 'c1', 'menu-traceroute-c2');
    const trace = await finishedRun(page, 'traceroute c1 → c2');
    await expect(trace).toHaveClass(/\bok\b/);
    const owners = await addressOwners(page);
    const output = (await trace.locator('pre').textContent()) ?? '';
    const hops = output
      .split('\n')
      .map((line) => line.match(/^\s*\d+\s+(\d{1,3}(?:\.\d{1,3}){3})\s/)?.[1])
      .filter((address): address is string => address !== undefined)
      .map((address) => owners.get(address) ?? `unknown ${address}`);
    expect(hops, `hops of\n${output}`).toEqual(['r1', 'r2', 'c2']);
    // The hops are named and drawn on the canvas.
    expect(output).toMatch(/^c1 → r1 \(10\.0\.10\.1\) → r2 \([\d.]+\) → c2 \(10\.0\.20\.2\)/);
    await expect(page.getByTestId('highlight-note')).toContainText('traceroute c1 → c2: c1 → r1');
    await shot(page, '21-traceroute');
  });

  await test.step('pings show as a rate on the links they cross', async () => {
    expect(
      await zoom(page),
      'the fitted view is zoomed enough to show link labels',
    ).toBeGreaterThanOrEqual(0.6);
    const label = page.getByTestId('edge-label-r1--vlan10');
    // One ping is one echo and one reply; the rate of the second it fell in
    // shows until the next counter sample, so look often and ping again if missed.
    // The link must be quiet first, or the traceroute's traffic would pass for the ping's.
    await expect(async () => {
      await expect(label, 'no rate on an idle link').toHaveCount(0, { timeout: 10_000 });
      await fromMenu(page, 'c1', 'menu-ping-c2');
      await expect
        .poll(async () => ((await label.count()) ? await label.textContent() : null), {
          timeout: 3_000,
          intervals: [100],
        })
        .toMatch(/^\d+(\.\d)? [kMG]?b\/s$/);
    }).toPass({ timeout: 60_000, intervals: [0] });
    await shot(page, '22-link-rate');
  });

  await destroy(page);
  await expect
    .poll(() => kernelNamespaces(lab), {
      message: 'no namespace of the lab is left',
      timeout: 60_000,
    })
    .toEqual([]);
});
