// "Plan for me" from the UI: one click scans the layers, plans 90% global sparsity, sets the layer
// sliders and applies them; the plan beats uniform pruning at the same size. Then a size target.
import { test, expect, type Page } from '@playwright/test';
import { BACKEND_QUERY, collectPageErrors, keepScreenshot, numberAttr, waitForDemoReady } from './helpers';

test.describe.configure({ mode: 'serial' });

let page: Page;
let errors: string[];

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  errors = collectPageErrors(page);
  await page.goto(`./${BACKEND_QUERY}`);
  await waitForDemoReady(page);
});

test.afterAll(async () => {
  expect(errors).toEqual([]);
  await page.close();
});

const idle = () => expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle', { timeout: 300_000 });

test('plan for 90% sparsity: the layer sliders follow the plan, and it beats uniform 90% per layer', async ({}, testInfo) => {
  test.setTimeout(400_000);
  await page.getByTestId('plan-target-kind').selectOption('sparsity');
  await page.getByTestId('plan-target').fill('90');
  await page.getByTestId('plan').click();
  await expect(page.getByTestId('scan-chart')).toBeVisible({ timeout: 300_000 });
  const result = page.getByTestId('plan-result');
  await expect(result).toBeVisible({ timeout: 300_000 });
  await expect(page.locator('[data-testid="history-point"]')).toHaveCount(2, { timeout: 120_000 });
  await idle();
  const measured = Number(await result.getAttribute('data-measured'));
  const uniform = Number(await result.getAttribute('data-uniform'));
  console.log(`[plan] 90% sparsity: planned ${(measured * 100).toFixed(1)}%, uniform ${(uniform * 100).toFixed(1)}%`);
  expect(measured - uniform).toBeGreaterThan(0.05);
  expect(Number(await result.getAttribute('data-sparsity'))).toBeCloseTo(0.9, 2);
  // The step the sliders applied is the plan, measured the same way.
  expect(await numberAttr(page, 'accuracy')).toBeCloseTo(measured, 6);
  // Layer sliders differ per layer now, and can still be moved by hand.
  const values = await page.locator('[data-testid="layer-sparsity"]').evaluateAll((inputs) => inputs.map((i) => Number((i as HTMLInputElement).value)));
  expect(new Set(values).size).toBeGreaterThan(1);
  await expect(page.getByTestId('scan-ranking')).toContainText('Robust → fragile');
  await keepScreenshot(page, testInfo, 'plan');
});

test('plan for a gzip size lands within 2% of it', async () => {
  test.setTimeout(300_000);
  await page.getByTestId('plan-target-kind').selectOption('gzipBytes');
  await page.getByTestId('plan-target').fill('150');
  await page.getByTestId('plan').click();
  const result = page.getByTestId('plan-result');
  await expect(result).toHaveAttribute('data-gzip', /.+/, { timeout: 200_000 });
  await idle();
  const gzip = Number(await result.getAttribute('data-gzip'));
  expect(Math.abs(gzip - 150 * 1024) / (150 * 1024)).toBeLessThan(0.02);
});
