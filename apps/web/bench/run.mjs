// Dashboard benchmark: headless Chromium against the built app (`pnpm bench`).
// Every number is printed with its ratio to a floor measured in the same run
// (the empty canvas), so results compare across machines and loads.

import { preview } from 'vite';
import { launchChromium } from '../scripts/chromium.mjs';

const SIZES = (process.env.BENCH_SIZES ?? '250,1000,2000').split(',').map(Number);
const ROUNDS = 15;
const PAN_FRAMES = 90;

// The benchmark's own build (`vite build --mode bench`, in bench/dist).
const server = await preview({
  mode: 'bench',
  preview: { port: 0, host: '127.0.0.1', strictPort: false },
  logLevel: 'silent',
});
const base = server.resolvedUrls?.local[0] ?? 'http://127.0.0.1:4173/';
const browser = await launchChromium();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

async function measure(n) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  // No server behind the preview: keep the live client from waiting on it.
  await page.route('**/api/**', (r) => r.fulfill({ status: 503, body: '{}' }));
  await page.goto(`${base}bench/?n=${n}`);
  await page.waitForFunction(() => window.__bench !== undefined);
  await page.evaluate(() => window.__bench.ready);
  const firstRender = await page.evaluate(() => window.__benchFirstRender);
  const elements = await page.evaluate(() => window.__bench.elements);
  const domNodes = await page.evaluate(() => document.querySelectorAll('.react-flow__node').length);
  const updates = [];
  for (let i = 0; i < ROUNDS; i++)
    updates.push(await page.evaluate((r) => window.__bench.liveUpdate(r), i + 1));
  const frames = await page.evaluate((f) => window.__bench.pan(f), PAN_FRAMES);
  const frameMs = median(frames.slice(5));
  await page.close();
  return {
    n,
    elements,
    domNodes,
    firstRender,
    update: median(updates.slice(1)),
    panFps: 1000 / frameMs,
  };
}

try {
  const floor = await measure(0);
  const rows = [];
  for (const n of SIZES) rows.push(await measure(n));
  const fmt = (v, d = 1) => v.toFixed(d).padStart(8);
  console.log(
    `floor (empty canvas): first render ${floor.firstRender.toFixed(0)} ms, live-update frame ${floor.update.toFixed(1)} ms, pan ${floor.panFps.toFixed(0)} fps`,
  );
  console.log(
    'target elements  nodes  | first render ms (×floor) | live update ms (×floor) | pan fps (×floor)',
  );
  for (const r of rows) {
    console.log(
      `${String(r.n).padStart(6)} ${String(r.elements).padStart(9)} ${String(r.domNodes).padStart(6)}  |` +
        `${fmt(r.firstRender, 0)} (${(r.firstRender / floor.firstRender).toFixed(2)}×)      |` +
        `${fmt(r.update)} (${(r.update / floor.update).toFixed(2)}×)     |` +
        `${fmt(r.panFps, 0)} (${(r.panFps / floor.panFps).toFixed(2)}×)`,
    );
  }
} finally {
  await browser.close();
  await new Promise((r) => server.httpServer.close(r));
}
