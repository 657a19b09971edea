// Crash recovery: the engine worker is crashed on purpose (test hooks, ?testhooks=1); the studio
// restarts it, restores the last saved step with the history intact, reports a job that was running
// as interrupted, and after a second crash on the same backend falls back to the next one.
import { test, expect, type Page } from '@playwright/test';
import { BACKEND_QUERY, SUITE_BACKEND, collectPageErrors, keepScreenshot, numberAttr, waitForDemoReady } from './helpers';

test.describe.configure({ mode: 'serial' });

let page: Page;
let errors: string[];
const points = () => page.locator('[data-testid="history-point"]');
const idle = () => expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle', { timeout: 120_000 });
const fault = (kind: string) => page.evaluate((k) => (window as unknown as { __secateurTest: { fault(k: string): Promise<void> } }).__secateurTest.fault(k), kind);
const history = () => points().evaluateAll((els) => els.map((el) => [el.getAttribute('data-kind'), el.getAttribute('data-size'), el.getAttribute('data-accuracy')]));

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  errors = collectPageErrors(page);
  await page.goto(`./${BACKEND_QUERY}&testhooks=1`);
  await waitForDemoReady(page);
});

test.afterAll(async () => {
  expect(errors).toEqual([]);
  await page.close();
});

test('the test hooks are absent without ?testhooks=1', async ({ browser }) => {
  const other = await browser.newPage();
  await other.goto(`./${BACKEND_QUERY}`);
  expect(await other.evaluate(() => '__secateurTest' in window)).toBe(false);
  await other.close();
});

test('an uncaught error in the worker: restarted on the same backend, the saved step restored with its history', async () => {
  test.setTimeout(240_000);
  await page.getByTestId('global-sparsity').fill('50');
  await expect(points()).toHaveCount(2, { timeout: 60_000 });
  await idle();
  await page.getByTestId('global-sparsity').fill('80');
  await expect(points()).toHaveCount(3, { timeout: 60_000 });
  await idle();
  await expect(page.getByTestId('autosave')).toHaveAttribute('data-steps', '3', { timeout: 30_000 });
  const before = { history: await history(), nonzero: await numberAttr(page, 'model-nonzero'), accuracy: await numberAttr(page, 'accuracy') };

  await fault('throw');
  const note = page.getByTestId('recovery');
  await expect(note).toBeVisible({ timeout: 120_000 });
  await idle();
  await expect(note).toHaveAttribute('data-backend', SUITE_BACKEND);
  await expect(note).toHaveAttribute('data-step', '2');
  await expect(note).toContainText('test hook: an uncaught error in the engine');
  await expect(note).toContainText('the session was restored at step 2 of 2');
  expect(await history()).toEqual(before.history);
  expect(await numberAttr(page, 'model-nonzero')).toBe(before.nonzero);
  expect(await numberAttr(page, 'accuracy')).toBe(before.accuracy);
  await expect(page.getByTestId('backend')).toHaveAttribute('data-value', SUITE_BACKEND);
  await keepScreenshot(page, test.info(), 'recovered');
  // The new engine works: one more step.
  await page.getByTestId('global-sparsity').fill('85');
  await expect(points()).toHaveCount(4, { timeout: 60_000 });
  await idle();
  await expect(page.getByTestId('autosave')).toHaveAttribute('data-steps', '4', { timeout: 30_000 });
});

test('the worker ends during a fine-tune: the job is reported as interrupted; a second crash on the same backend falls back to the next one', async () => {
  test.setTimeout(240_000);
  const saved = await history();
  await page.getByTestId('finetune-epochs').fill('3');
  await page.getByTestId('finetune').click();
  await expect(page.getByTestId('finetune-step')).toHaveAttribute('data-step', /^[1-9]/, { timeout: 60_000 });
  await fault('exit');
  const note = page.getByTestId('recovery');
  await expect(note).toContainText('was interrupted: start it again', { timeout: 120_000 });
  await idle();
  const next = { webgpu: 'webgl', webgl: 'wasm', wasm: 'cpu', cpu: 'cpu' }[SUITE_BACKEND];
  await expect(note).toHaveAttribute('data-backend', next);
  await expect(page.getByTestId('backend')).toHaveAttribute('data-value', next);
  await expect(note).toContainText('the engine worker ended');
  expect(Number(await note.getAttribute('data-ms'))).toBeGreaterThan(0);
  expect(await history()).toEqual(saved);
  await keepScreenshot(page, test.info(), 'interrupted');
});

// WebGL on SwiftShader is slow to start here (minutes on a busy 2-core machine): a generous limit.
test('a lost WebGL context: the worker is restarted and the saved step comes back', async ({ browser }) => {
  test.setTimeout(540_000);
  const gl = await browser.newPage();
  const glErrors = collectPageErrors(gl);
  await gl.goto('./?backend=webgl&testhooks=1');
  await waitForDemoReady(gl, 240_000);
  await gl.getByTestId('global-sparsity').fill('60');
  await expect(gl.locator('[data-testid="history-point"]')).toHaveCount(2, { timeout: 120_000 });
  await expect(gl.getByTestId('status')).toHaveAttribute('data-state', 'idle', { timeout: 120_000 });
  await expect(gl.getByTestId('autosave')).toHaveAttribute('data-steps', '2', { timeout: 30_000 });
  const nonzero = await numberAttr(gl, 'model-nonzero');
  await gl.evaluate(() => (window as unknown as { __secateurTest: { fault(k: string): Promise<void> } }).__secateurTest.fault('lose-device'));
  const note = gl.getByTestId('recovery');
  await expect(note).toContainText('the WebGL context was lost', { timeout: 240_000 });
  await expect(gl.getByTestId('status')).toHaveAttribute('data-state', 'idle', { timeout: 120_000 });
  await expect(note).toHaveAttribute('data-backend', 'webgl');
  await expect(gl.locator('[data-testid="history-point"]')).toHaveCount(2);
  expect(await numberAttr(gl, 'model-nonzero')).toBe(nonzero);
  expect(glErrors).toEqual([]);
  await gl.close();
});
