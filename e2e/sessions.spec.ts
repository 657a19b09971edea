// Autosave and restore: prune twice, fine-tune, reload, restore: the same current step, the same
// numbers, the same history and chart points, the same sliders and undo stack. Then the sessions
// list: rename and delete. On the suite's backend (helpers.ts).
import { test, expect, type Page } from '@playwright/test';
import { BACKEND_QUERY, collectPageErrors, keepScreenshot, numberAttr, waitForDemoReady } from './helpers';

const idle = (page: Page) => expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle', { timeout: 120_000 });

/** Everything a restore must bring back, as the page shows it. */
async function onScreen(page: Page) {
  const attrs = (selector: string) => page.locator(selector).evaluateAll((els) =>
    els.map((el) => Object.fromEntries([...el.attributes].filter((a) => a.name.startsWith('data-') || a.name === 'aria-current').map((a) => [a.name, a.value]))));
  return {
    points: await attrs('[data-testid="history-point"]'),
    chart: await attrs('[data-testid="chart-point"]'),
    accuracy: await numberAttr(page, 'accuracy'),
    nonzero: await numberAttr(page, 'model-nonzero'),
    params: await numberAttr(page, 'model-params'),
    slider: await page.getByTestId('global-sparsity').inputValue(),
    undo: await page.getByTestId('undo').isEnabled(),
    layers: await attrs('[data-testid="layer-row"]'),
  };
}

test('prune twice, fine-tune, reload, restore: the same step, numbers, chart and undo', async ({ page }, testInfo) => {
  test.setTimeout(420_000);
  const errors = collectPageErrors(page);
  await page.goto(`./${BACKEND_QUERY}`);
  await waitForDemoReady(page);
  await expect(page.getByTestId('session-restore')).toHaveCount(0);
  const points = page.locator('[data-testid="history-point"]');

  await page.getByTestId('global-sparsity').fill('50');
  await expect(points).toHaveCount(2, { timeout: 60_000 });
  await idle(page);
  await page.getByTestId('global-sparsity').fill('75');
  await expect(points).toHaveCount(3, { timeout: 60_000 });
  await idle(page);
  await page.getByTestId('finetune-epochs').fill('0.1');
  await page.getByTestId('finetune').click();
  await expect(points).toHaveCount(4, { timeout: 200_000 });
  await idle(page);
  await expect(page.getByTestId('autosave')).toHaveAttribute('data-steps', '4', { timeout: 30_000 });
  await expect(page.getByTestId('autosave')).toHaveAttribute('data-state', 'saved');
  const budget = page.getByTestId('history-budget');
  expect(Number(await budget.getAttribute('data-used'))).toBeGreaterThan(0);
  expect(Number(await budget.getAttribute('data-limit'))).toBe(256 * 1024 * 1024);
  await expect(page.locator('[data-testid="sessions"] [data-testid="session-item"]')).toHaveCount(1);
  await expect(page.getByTestId('session-item')).toHaveAttribute('data-steps', '4');
  const before = await onScreen(page);
  expect(before.points).toHaveLength(4);
  expect(before.chart).toHaveLength(4);

  await page.reload();
  await waitForDemoReady(page);
  await expect(page.getByTestId('restore-offer')).toContainText(/Restore the session of \d\d:\d\d: Fashion-MNIST CNN, 4 steps/);
  await keepScreenshot(page, testInfo, 'restore-offer');
  await page.getByTestId('session-restore').click();
  await expect(page.getByTestId('restore-offer')).toHaveCount(0);
  await expect(points).toHaveCount(4, { timeout: 60_000 });
  await idle(page);
  expect(await onScreen(page)).toEqual(before);
  await keepScreenshot(page, testInfo, 'restored');

  // Undo walks the restored stack: back to the second prune.
  await page.getByTestId('undo').click();
  await idle(page);
  await expect(page.locator('[data-testid="history-point"][aria-current="step"]')).toHaveAttribute('data-step', '2');

  // The sessions list: rename, then delete.
  const item = page.getByTestId('session-item');
  await item.getByTestId('session-rename').click();
  await item.getByTestId('session-name').fill('before the big cut');
  await item.getByTestId('session-name').press('Enter');
  await expect(item).toContainText('before the big cut');
  await item.getByTestId('session-delete').click();
  await expect(page.getByTestId('session-item')).toHaveCount(0);
  await expect(page.getByTestId('error')).toHaveCount(0);
  expect(errors).toEqual([]);
});
