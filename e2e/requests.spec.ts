// Nothing leaves the tab: every request of the page and its worker is recorded through a whole
// session (open the demo, prune with the slider, fine-tune briefly, export; import a model from the
// fixtures, plan for it, prune, export) and none may go to another origin. The one way a request
// may leave is `?model=<url>` naming a model elsewhere (import.spec.ts tests it); this journey does
// not use it. Under the studio's Content-Security-Policy, with no violation on the way.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect, type Page } from '@playwright/test';
import { BACKEND_QUERY, collectPageErrors, keepScreenshot, waitForDemoReady } from './helpers';
import { leaving, recordRequests, watchCsp } from './sealedTab';

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const idle = (page: Page) => expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle', { timeout: 400_000 });
const points = (page: Page) => page.locator('[data-testid="history-point"]');

test('a whole session sends no request to another origin', async ({ page }, testInfo) => {
  test.setTimeout(1_200_000);
  const errors = collectPageErrors(page);
  const csp = watchCsp(page);
  const requests = recordRequests(page);
  const downloads: string[] = [];
  page.on('download', (d) => downloads.push(d.suggestedFilename()));

  // The suite's backend (wasm here): its binaries are among the requests that must stay home.
  await page.goto(`./${BACKEND_QUERY}`);
  const origin = new URL(page.url()).origin;
  await waitForDemoReady(page, 400_000);

  await page.getByTestId('global-sparsity').fill('60');
  await expect(points(page)).toHaveCount(2, { timeout: 300_000 });
  await idle(page);

  await page.getByTestId('finetune-epochs').fill('0.05');
  await page.getByTestId('finetune').click();
  await expect(page.locator('[data-testid="history-point"][data-kind="finetune"]')).toHaveCount(1, { timeout: 600_000 });
  await idle(page);

  await page.getByTestId('export-format').selectOption('zip');
  await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
  await idle(page);

  // A model of the user's own, its plan, a prune, an export as loose files.
  await page.getByTestId('model-input').setInputFiles(['model.json', 'group1-shard1of1.bin'].map((f) => join(FIXTURES, 'good/tiny-files', f)));
  await expect(page.getByTestId('model-params')).toHaveAttribute('data-value', '23', { timeout: 120_000 });
  await idle(page);
  await page.getByTestId('plan-target-kind').selectOption('sparsity');
  await page.getByTestId('plan-target').fill('50');
  await page.getByTestId('plan').click();
  await expect(page.getByTestId('plan-result')).toBeVisible({ timeout: 300_000 });
  await idle(page);
  await page.getByTestId('global-sparsity').fill('30');
  await idle(page);
  await page.getByTestId('export-format').selectOption('files');
  await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
  await idle(page);
  await keepScreenshot(page, testInfo, 'requests-journey');

  // The recorder saw the worker's requests too (the demo model is fetched by the engine).
  expect(requests.some((r) => r.url.includes('/models/fashion-cnn/'))).toBe(true);
  expect(downloads.length).toBeGreaterThanOrEqual(2);
  const away = leaving(requests, origin);
  testInfo.annotations.push({ type: 'requests', description: `${requests.length} requests, ${away.length} to another origin` });
  expect(away.map((r) => `${r.method} ${r.url}`)).toEqual([]);
  expect(await csp.violations()).toEqual([]);
  expect(errors).toEqual([]);
});
