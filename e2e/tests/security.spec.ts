/**
 * Logging in leaves nothing another local port could use: the login link
 * works once, the session lives in this origin's localStorage (no cookie),
 * a page served on another port of 127.0.0.1 gets nothing, and a revoked
 * session is out at once.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, openApp, test, watchCsp } from '../support/app.js';
import { loginLink } from '../support/run.js';

test('a login link works once, and leaves no cookie for another local port', async ({
  page,
  browser,
  run,
}) => {
  await openApp(page, run);
  const secret = await page.evaluate(() => localStorage.getItem('netcanvas.session'));
  expect(secret).toMatch(/^[A-Za-z0-9_-]{16,}$/);
  // The code left the address bar; no cookie was set.
  expect(page.url()).not.toContain('login=');
  expect(await page.context().cookies()).toEqual([]);

  await test.step('the same link a second time is refused, and says what to do', async () => {
    const link = await loginLink(run);
    const first = await browser.newContext();
    const second = await browser.newContext();
    try {
      const a = await first.newPage();
      await watchCsp(a);
      await a.goto(link);
      await expect(a.getByTestId('save-state')).toHaveText(/^server · /);
      const b = await second.newPage();
      await watchCsp(b);
      await b.goto(link);
      await expect(b.getByTestId('save-state')).toHaveText(/^no server/);
      await expect(b.getByTestId('save-state')).toHaveAttribute('title', /already used|expired/);
      expect(await b.evaluate(() => localStorage.getItem('netcanvas.session'))).toBeNull();
    } finally {
      await first.close();
      await second.close();
    }
  });

  await test.step('a page on another local port receives nothing usable', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const other = createServer((req, res) => {
      seen.push(req.headers);
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><title>another local server</title>');
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    try {
      const port = (other.address() as AddressInfo).port;
      await page.goto(`http://127.0.0.1:${port}/`);
      expect(await page.title()).toBe('another local server');
      expect(seen.length).toBeGreaterThan(0);
      for (const h of seen) expect(h.cookie).toBeUndefined();
      expect(await page.evaluate(() => document.cookie)).toBe('');
      expect(await page.evaluate(() => localStorage.getItem('netcanvas.session'))).toBeNull();
      // Whatever cookies the browser holds, replayed alone, open nothing.
      const cookies = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`);
      const replay = await fetch(`${run.baseURL}/api/designs`, {
        headers: { cookie: cookies.join('; ') || `netcanvas_${new URL(run.baseURL).port}=x` },
      });
      expect(replay.status).toBe(401);
    } finally {
      await new Promise((r) => other.close(r));
    }
  });
});

test('sessions are listed in the dashboard; revoking one logs that browser out at once', async ({
  page,
  browser,
  run,
}) => {
  const otherContext = await browser.newContext();
  try {
    const other = await otherContext.newPage();
    await openApp(other, run);
    await openApp(page, run);
    const otherId = await other.evaluate(async () => {
      const r = await fetch('/api/session', {
        headers: { authorization: `Bearer ${localStorage.getItem('netcanvas.session')}` },
      });
      return ((await r.json()) as { session: string }).session;
    });

    await page.getByTestId('btn-sessions').click();
    const dialog = page.getByTestId('sessions-dialog');
    await expect(dialog).toBeVisible();
    await expect(dialog.locator('tr[data-current]')).toContainText('(this browser)');
    await expect(dialog.getByTestId(`session-${otherId}`)).toBeVisible();
    await dialog.getByTestId(`session-revoke-${otherId}`).click();
    await expect(dialog.getByTestId(`session-${otherId}`)).toHaveCount(0);

    // The revoked browser's socket closes; it is offline and told why.
    await expect(other.getByTestId('save-state')).toHaveText(/^no server/);
    await expect(other.getByTestId('save-state')).toHaveAttribute('title', /revoked|login/);
    await page.getByTestId('sessions-close').click();
    await expect(page.getByTestId('save-state')).toHaveText(/^server · saved$/);
  } finally {
    await otherContext.close();
  }
});
