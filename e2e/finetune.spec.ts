// Fine-tuning from the studio: gradual pruning while training (each event a history point, the
// fine-tuned model wins accuracy back with its zeros intact), cancel within one batch leaving the
// model usable, pause / resume, and BatchNorm recalibration. On the suite's backend (wasm, the fastest
// trainer on machines without a GPU; helpers.ts).
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

const point = (step: number) => page.locator(`[data-testid="history-point"][data-step="${step}"]`);
const idle = () => expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle', { timeout: 170_000 });

test('gradual pruning (AGP) while training: each pruning step appears as it happens; the fine-tuned point wins accuracy back with every zero kept', async () => {
  test.setTimeout(420_000);
  await page.getByTestId('finetune-epochs').fill('0.25');
  await page.getByTestId('finetune-schedule').selectOption('agp');
  await page.getByTestId('finetune-final').fill('90');
  await page.getByTestId('finetune-rounds').fill('3');
  await page.getByTestId('finetune').click();
  await expect(page.getByTestId('progress')).toBeVisible();
  // The first pruning event lands while the job is still running.
  await expect(point(1)).toHaveAttribute('data-kind', 'prune', { timeout: 200_000 });
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'busy');
  await expect(point(4)).toHaveAttribute('data-kind', 'finetune', { timeout: 400_000 });
  await idle();
  await expect(page.locator('[data-testid="history-point"]')).toHaveCount(5);
  const labels = await page.locator('[data-testid="history-point"][data-kind="prune"]').allInnerTexts();
  expect(labels).toHaveLength(3);
  expect(labels.every((l) => l.includes('AGP'))).toBe(true);
  expect(labels[2]).toContain('90%');
  // Sparsity rises step by step: fewer nonzero weights at every event.
  const sizes = await Promise.all([1, 2, 3].map(async (i) => Number(await point(i).getAttribute('data-size'))));
  expect(sizes[0]).toBeGreaterThan(sizes[1]);
  expect(sizes[1]).toBeGreaterThan(sizes[2]);
  // The training after the last event wins accuracy back with exactly the same zeros.
  expect(Number(await point(4).getAttribute('data-accuracy'))).toBeGreaterThan(Number(await point(3).getAttribute('data-accuracy')));
  expect(await numberAttr(page, 'model-nonzero')).toBe(sizes[2]);
  await expect(page.getByTestId('finetune-outcome')).toContainText('every pruned weight is still exactly 0');
  await expect(page.locator('[data-testid="chart-point"][data-step="4"]')).toHaveClass(/dot-finetune/);
  // Live curves: the loss after every step, the held-out accuracy every 10 steps and after the last (24 steps: 10, 20, 24).
  await expect(page.getByTestId('loss-curve')).toHaveAttribute('data-count', '24');
  await expect(page.getByTestId('metric-curve')).toHaveAttribute('data-count', '3');
  await keepScreenshot(page, test.info(), 'agp');
  await page.getByTestId('finetune-schedule').selectOption('none');
});

test('cancel stops a fine-tune within one batch and the model stays usable', async () => {
  const steps = await page.locator('[data-testid="history-point"]').count();
  const accuracy = await numberAttr(page, 'accuracy');
  const nonzero = await numberAttr(page, 'model-nonzero');
  await page.getByTestId('finetune-epochs').fill('2');
  await page.getByTestId('finetune').click();
  const step = page.getByTestId('finetune-step');
  await expect(step).toHaveAttribute('data-step', /^[1-9]/, { timeout: 60_000 });
  const atClick = Number(await step.getAttribute('data-step'));
  await page.getByTestId('cancel-finetune').click();
  await idle();
  const outcome = await page.getByTestId('finetune-outcome').innerText();
  const ran = Number(/Cancelled after (\d+) steps/.exec(outcome)?.[1]);
  expect(ran).toBeGreaterThanOrEqual(atClick);
  expect(ran).toBeLessThanOrEqual(atClick + 1);
  await expect(page.locator('[data-testid="history-point"]')).toHaveCount(steps);
  expect(await numberAttr(page, 'accuracy')).toBe(accuracy);
  expect(await numberAttr(page, 'model-nonzero')).toBe(nonzero);
  await expect(page.getByTestId('error')).toHaveCount(0);
  // Still usable: a new prune step works on the fine-tuned starting point.
  await page.getByTestId('global-sparsity').fill('95');
  await expect(point(steps)).toHaveAttribute('aria-current', 'step', { timeout: 120_000 });
  expect(await numberAttr(page, 'model-nonzero')).toBeLessThan(nonzero);
});

test('pause holds a fine-tune between batches; resume finishes it', async () => {
  test.setTimeout(420_000);
  const before = await page.locator('[data-testid="history-point"]').count();
  await page.getByTestId('finetune-epochs').fill('0.1');
  await page.getByTestId('finetune').click();
  const step = page.getByTestId('finetune-step');
  await expect(step).toHaveAttribute('data-step', /^[1-9]/, { timeout: 60_000 });
  await page.getByTestId('pause-finetune').click();
  await expect(page.getByTestId('finetune-paused')).toBeVisible({ timeout: 30_000 });
  const held = await step.getAttribute('data-step');
  await page.waitForTimeout(4000);
  await expect(step).toHaveAttribute('data-step', held!);
  await expect(page.getByTestId('pause-finetune')).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('pause-finetune').click();
  await expect(point(before)).toHaveAttribute('data-kind', 'finetune', { timeout: 300_000 });
  await idle();
});

test('BatchNorm recalibration is one click and a new step', async () => {
  const before = await page.locator('[data-testid="history-point"]').count();
  const nonzero = await numberAttr(page, 'model-nonzero');
  await page.getByTestId('recalibrate-bn').click();
  await expect(point(before)).toContainText('BatchNorm recalibrated on 256 inputs', { timeout: 120_000 });
  await idle();
  expect(await numberAttr(page, 'model-nonzero')).toBe(nonzero);
});
