/**
 * Fixtures and gestures shared by the specs. Everything here acts as a user
 * would (mouse, keyboard, context menus); the only direct API calls are the
 * cleanup after a test, so a failed test cannot leave a lab running.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { type Browser, test as base, expect, type Locator, type Page } from '@playwright/test';
import {
  ARTIFACTS,
  loginLink,
  namespacesOfLab,
  REPO_ROOT,
  type RunInfo,
  readRunInfo,
} from './run.js';

export { expect };

/** Uncaught exceptions of every page the current test opened with `openApp`. */
const pageErrors: string[] = [];
/** Content-Security-Policy violations (`securitypolicyviolation` events) of those pages. */
const cspViolations: string[] = [];

export interface Fixtures {
  run: RunInfo;
  /** Fails the test when the app threw an uncaught exception, even if every assertion held. */
  noPageErrors: undefined;
  /**
   * After each test, every lab of the run's designs leaves the kernel and every
   * design the store (the run's store is its own): the next test starts empty.
   */
  cleanRun: undefined;
  /**
   * A lab name unique to this run and test, for labs a test brings up with the
   * CLI: `labName('vx')` → `e2e-1a2b-vx`. Destroyed after the test.
   */
  labName: (tag: string) => string;
}

export const test = base.extend<Fixtures>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies by destructuring
  run: async ({}, use) => {
    await use(readRunInfo());
  },
  noPageErrors: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies by destructuring
    async ({}, use) => {
      pageErrors.length = 0;
      cspViolations.length = 0;
      await use(undefined);
      expect(pageErrors, 'uncaught exceptions in the app').toEqual([]);
      expect(cspViolations, 'Content-Security-Policy violations').toEqual([]);
    },
    { auto: true },
  ],
  cleanRun: [
    async ({ run }, use) => {
      await use(undefined);
      await cleanRun(run);
    },
    { auto: true },
  ],
  labName: async ({ run }, use) => {
    const made: string[] = [];
    await use((tag: string) => {
      const name = `${run.labPrefix}${tag}`;
      made.push(name);
      return name;
    });
    for (const lab of made)
      if (namespacesOfLab(lab).length > 0)
        await serverApi(run, 'POST', `/labs/by-name/${lab}/destroy`, {}).catch((err) =>
          console.warn(`[e2e] cleanup destroy ${lab}: ${String(err)}`),
        );
  },
});

async function serverApi<T>(
  run: RunInfo,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${run.baseURL}/api${path}`, {
    method,
    headers: {
      authorization: `Bearer ${run.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(90_000),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** Cleanup only: the labs of the run's designs leave the kernel, then the designs the store. */
async function cleanRun(run: RunInfo) {
  const { designs } = await serverApi<{ designs: { id: string; lab: string }[] }>(
    run,
    'GET',
    '/designs',
  );
  for (const d of designs) {
    if (namespacesOfLab(d.lab).length > 0)
      await serverApi(run, 'POST', `/labs/${d.id}/destroy`, {}).catch((err) =>
        console.warn(`[e2e] cleanup destroy ${d.lab}: ${String(err)}`),
      );
    await serverApi(run, 'DELETE', `/designs/${d.id}`).catch((err) =>
      console.warn(`[e2e] cleanup delete design ${d.id}: ${String(err)}`),
    );
  }
}

/** The design id the page is attached to (the app keeps it in the address: `#design=<id>`). */
export function designIdOf(page: Page): string {
  const id = new URLSearchParams(new URL(page.url()).hash.slice(1)).get('design');
  if (!id) throw new Error(`the page is not attached to a stored design (${page.url()})`);
  return id;
}

/**
 * Reports every Content-Security-Policy violation of the page (the app must
 * run with none: no inline script, no eval, no inline style element).
 */
export async function watchCsp(page: Page) {
  await page.exposeBinding('__ncCspViolation', (_source, text: string) => {
    cspViolations.push(`${page.url()}: ${text}`);
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __ncCspViolation: (t: string) => void }).__ncCspViolation(
        `${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`,
      );
    });
  });
}

/**
 * Logs in as a user does: with a fresh login link (`/#login=CODE`, minted
 * with the master token the way `netcanvas login` does, one per call), which
 * the page trades for a session; then waits until the design is saved on
 * the server. `hash` (e.g. `design=<id>`) rides along in the fragment.
 */
export async function openApp(page: Page, run: RunInfo, hash?: string) {
  page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.stack ?? String(err)}`));
  await watchCsp(page);
  await page.goto(await loginLink(run, hash));
  await expect(page).toHaveURL(/#design=/);
  await expectSaved(page);
}

/**
 * A second browser (own cookies and storage, as another tab or another person) on the design
 * `page` has open; the caller closes its context.
 */
export async function secondTab(
  browser: Browser,
  page: Page,
  run: RunInfo,
  viewport = { width: 1024, height: 768 },
) {
  const context = await browser.newContext({ viewport });
  const second = await context.newPage();
  await openApp(second, run, `design=${designIdOf(page)}`);
  return { context, second };
}

/** The page's edits are all stored on the server. */
export function expectSaved(page: Page) {
  return expect(page.getByTestId('save-state')).toHaveText(/^server · saved$/);
}

/** The lab the open design owns, as the top bar shows it (fixed by the server when the design was made). */
export async function labOf(page: Page): Promise<string> {
  const text = (await page.getByTestId('design-lab').textContent()) ?? '';
  const lab = text.replace(/^lab /, '').trim();
  if (!lab) throw new Error('the top bar shows no lab');
  return lab;
}

/** Opens a gallery scenario (a new design with a lab of its own) and returns that lab. */
export async function openScenario(page: Page, name: string): Promise<string> {
  const before = page.url();
  await page.getByTestId('btn-gallery').click();
  await page.getByTestId(`scenario-open-${name}`).click();
  await expect(page.getByTestId('gallery')).toBeHidden();
  await expect(page).not.toHaveURL(before);
  await expectSaved(page);
  return labOf(page);
}

/** Shows the design inspector (nothing selected). */
export async function showDesignInspector(page: Page) {
  await page
    .getByTestId('canvas')
    .locator('.react-flow__pane')
    .click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('inspector-design')).toBeVisible();
}

/** The `netcanvas` CLI as a user runs it beside the dashboard (same machine, same state directory). */
export function netcanvasCli(run: RunInfo, args: string[]): { code: number; out: string } {
  try {
    const out = execFileSync(
      process.execPath,
      [join(REPO_ROOT, 'apps', 'server', 'dist', 'netcanvas.js'), ...args],
      {
        cwd: join(REPO_ROOT, 'apps', 'server'),
        env: { ...process.env, NETCANVAS_STATE_DIR: join(run.tmpDir, 'state') },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 120_000,
      },
    );
    return { code: 0, out };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    return { code: e.status ?? 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

export function edgeOf(page: Page, link: string): Locator {
  return page.locator(`.react-flow__edge[data-id="${link}"] .nc-link`);
}

/**
 * Right-clicks a link where the browser itself says the link is on top: points
 * along its own path are tried from the middle outwards and the first one that
 * hit-tests to the link is used (links cross, and labels sit on them, in the
 * gallery's layouts, so neither the middle of its box nor a fixed point is safe).
 */
export async function openLinkMenu(page: Page, link: string) {
  const hit = page.getByTestId(`edge-${link}`);
  await expect(async () => {
    const at = await hit.evaluate((el) => {
      const path = el as SVGPathElement;
      const m = path.getScreenCTM()!;
      // What receives the click is any part of this link's edge (its wide hit path).
      const edge = path.closest('.react-flow__edge') ?? path;
      for (const t of [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.15, 0.85]) {
        const p = path.getPointAtLength(path.getTotalLength() * t);
        const x = p.x * m.a + p.y * m.c + m.e;
        const y = p.x * m.b + p.y * m.d + m.f;
        const top = document.elementFromPoint(x, y);
        if (top && edge.contains(top)) return { x, y };
      }
      return null;
    });
    expect(at, `no point of ${link} is on top`).not.toBeNull();
    await page.mouse.click(at!.x, at!.y, { button: 'right' });
    await expect(page.getByTestId('context-menu')).toBeVisible({ timeout: 2_000 });
    // The view may still be moving (a fit animates for 200 ms): the click can land on the
    // element the link ran under a moment later. Only the link's own menu counts.
    const own = page.getByTestId('menu-cut-link').or(page.getByTestId('menu-restore-link'));
    if (!(await own.isVisible())) {
      await page.keyboard.press('Escape');
      throw new Error(`the menu that opened is not ${link}'s`);
    }
  }).toPass({ timeout: 20_000 });
}

export async function deploy(page: Page) {
  const button = page.getByTestId('btn-deploy');
  await expect(button).toHaveText(/Deploy/);
  await expect(button).toBeEnabled();
  await button.click();
  await expectDeployDone(page);
}

/**
 * Apply on a running lab: the change is shown first; `check` looks at the
 * review before it is confirmed.
 */
export async function applyChange(page: Page, check: (review: Locator) => Promise<void>) {
  const button = page.getByTestId('btn-deploy');
  await expect(button).toHaveText(/Apply/);
  await expect(button).toBeEnabled();
  await button.click();
  const review = page.getByTestId('change-review');
  await expect(review).toBeVisible();
  await check(review);
  await review.getByTestId('change-apply').click();
  await expect(review).toBeHidden();
  await expectDeployDone(page);
}

async function expectDeployDone(page: Page) {
  const progress = page.getByTestId('deploy-progress');
  await expect(progress).toHaveAttribute('data-phase', /^(done|failed)$/, { timeout: 180_000 });
  await expect(progress, `deploy failed: ${await progress.textContent()}`).toHaveAttribute(
    'data-phase',
    'done',
  );
}

export async function destroy(page: Page) {
  const button = page.getByTestId('btn-destroy');
  await expect(button).toBeEnabled();
  await button.click();
  // Destroy asks first.
  await page.getByTestId('destroy-confirm').click();
  await expect(page.getByTestId('btn-deploy')).toHaveText(/Deploy/, { timeout: 120_000 });
}

/** Every link of the design drawn with the kernel's `up` state. */
export async function expectAllLinksUp(page: Page, links: readonly string[]) {
  for (const link of links)
    await expect(edgeOf(page, link), `link ${link}`).toHaveAttribute('data-live', 'up', {
      timeout: 60_000,
    });
}

/**
 * Drags from one of `from`'s handles and releases over `to`, in small steps
 * so React Flow sees a real pointer drag.
 */
export async function drawLink(
  page: Page,
  from: string,
  side: 'top' | 'right' | 'bottom' | 'left',
  to: string,
) {
  await page.getByTestId(`node-${from}`).hover();
  const handle = await page.getByTestId(`handle-${from}-${side}`).boundingBox();
  const target = await page.getByTestId(`node-${to}`).boundingBox();
  if (!handle || !target) throw new Error(`handle-${from}-${side} or node-${to} is not on screen`);
  await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
  await page.mouse.down();
  await page.mouse.move(target.x + target.width / 2, target.y + target.height / 2, { steps: 12 });
  await page.mouse.move(target.x + target.width / 2 + 3, target.y + target.height / 2, {
    steps: 3,
  });
  await page.mouse.up();
}

export async function shot(page: Page, name: string) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

export function kernelNamespaces(lab: string): string[] {
  return namespacesOfLab(lab);
}

/** The kernel's operational state of a device inside a namespace (`UP`, `DOWN`, `LOWERLAYERDOWN`…), read with iproute2. */
export function kernelOperstate(netns: string, dev: string): string {
  try {
    const out = execFileSync('ip', ['-n', netns, '-j', 'link', 'show', 'dev', dev], {
      encoding: 'utf8',
    });
    const [link] = JSON.parse(out) as { operstate?: string }[];
    return link?.operstate ?? 'unknown';
  } catch (err) {
    return `error: ${String(err)}`;
  }
}

/** The design as the server stores it (to check what every tab converged on). */
export function storedDesign(
  run: RunInfo,
  id: string,
): Promise<{
  version: number;
  lab: string;
  doc: { name: string; nodes: Record<string, { kind: string; [k: string]: unknown }> };
  addresses: Record<string, string>;
}> {
  return serverApi(run, 'GET', `/designs/${id}`);
}

/**
 * Clicks a toolbar action as a user finds it: in the bar (`btn-<name>`) in a
 * wide window, in the More menu (`menu-<name>`) in a narrower one.
 */
export async function toolbarAction(page: Page, name: string) {
  const inBar = page.getByTestId(`btn-${name}`);
  if (await inBar.isVisible()) return inBar.click();
  await page.getByTestId('btn-more').click();
  await page.getByTestId(`menu-${name}`).click();
}

/**
 * Opens a YAML design with the toolbar's Import, as a user picks a file;
 * with a server it becomes a new design: returns once the page is on it, saved.
 */
export async function importYaml(page: Page, name: string, yaml: string) {
  const before = page.url();
  const chooser = page.waitForEvent('filechooser');
  await toolbarAction(page, 'import');
  await (await chooser).setFiles({
    name,
    mimeType: 'application/yaml',
    buffer: Buffer.from(yaml),
  });
  await expect(page).not.toHaveURL(before);
  await expectSaved(page);
}

/** The IPv4 addresses of a device inside a namespace, as the kernel has them (`10.0.10.4/24`). */
export function kernelAddresses(netns: string, dev: string): string[] {
  const out = execFileSync('ip', ['-n', netns, '-j', 'addr', 'show', 'dev', dev], {
    encoding: 'utf8',
  });
  const [link] = JSON.parse(out) as {
    addr_info: { family: string; local: string; prefixlen: number }[];
  }[];
  return (link?.addr_info ?? [])
    .filter((a) => a.family === 'inet')
    .map((a) => `${a.local}/${a.prefixlen}`);
}

/** The point a click at the centre of `b` lands on belongs to `b`, not to something over it. */
export async function expectOnTop(b: Locator, what: string) {
  await expect(b, `${what} shown whole`).toBeInViewport({ ratio: 1 });
  const hit = await b.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
    return top !== null && el.contains(top);
  });
  expect(hit, `${what} is on top where it is clicked`).toBe(true);
}

const ACTIONS = [
  'designs',
  'labs',
  'undo',
  'redo',
  'gallery',
  'import',
  'export',
  'layout',
  'present',
  'deploy',
  'destroy',
];
const PANELS = ['problems', 'plan', 'matrix', 'capture', 'list'];

/** Every action of the top bar, reachable directly or through its More menu. */
export async function expectEveryToolbarAction(page: Page) {
  const toolbar = page.getByTestId('toolbar');
  const buttons = toolbar.locator('button:visible');
  const n = await buttons.count();
  for (let i = 0; i < n; i++) {
    const b = buttons.nth(i);
    await expectOnTop(b, (await b.getAttribute('data-testid')) ?? `button ${i}`);
  }
  for (const panel of PANELS) await expectOnTop(page.getByTestId(`toggle-${panel}`), panel);
  const more = page.getByTestId('btn-more');
  for (const action of ACTIONS) {
    const inBar = page.getByTestId(`btn-${action}`);
    if (await inBar.isVisible()) {
      await expectOnTop(inBar, action);
      continue;
    }
    await expectOnTop(more, 'More');
    await more.click();
    await expectOnTop(page.getByTestId(`menu-${action}`), `${action} in the More menu`);
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('more-menu')).toBeHidden();
  }
}

/** Opens a built-in lesson from the gallery (its scenario as a new design); returns the lab. */
export async function startLesson(page: Page, name: string): Promise<string> {
  const before = page.url();
  await page.getByTestId('btn-gallery').click();
  await page.getByTestId(`lesson-start-${name}`).click();
  await expect(page.getByTestId('gallery')).toBeHidden();
  await expect(page).not.toHaveURL(before);
  await expect(page.getByTestId('lesson-panel')).toBeVisible();
  await expect(page.getByTestId('lesson-step-0')).toHaveAttribute('data-state', 'current');
  return labOf(page);
}
