// Encrypted export and re-open in the studio: the export is sealed with a passphrase in the worker;
// opening it asks for the passphrase; a wrong one says so and keeps the current model; the right one
// opens the same pruned model (its weight digests checked on the way in).
import { test, expect } from '@playwright/test';
import { BACKEND_QUERY, collectPageErrors, keepScreenshot, numberAttr, waitForDemoReady } from './helpers';

test('export encrypted, re-open with a wrong and then the right passphrase', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  const errors = collectPageErrors(page);
  await page.goto(`./${BACKEND_QUERY}`);
  await waitForDemoReady(page);
  const idle = () => expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle', { timeout: 60_000 });

  await page.getByTestId('global-sparsity').fill('60');
  await expect(page.locator('[data-testid="history-point"]')).toHaveCount(2, { timeout: 60_000 });
  await idle();
  const nonzero = await numberAttr(page, 'model-nonzero');
  const accuracy = await page.locator('[data-testid="history-point"][data-step="1"]').getAttribute('data-accuracy');

  await page.getByTestId('export-encrypt').check();
  await page.getByTestId('export-passphrase').fill('correct horse battery');
  await keepScreenshot(page, testInfo, 'export-encrypt');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
  expect(download.suggestedFilename()).toMatch(/\.zip\.enc$/);
  const path = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(path);
  await idle();

  // Opening it asks for the passphrase; a wrong one keeps the dialog, says so, and the model stays.
  await page.getByTestId('model-input').setInputFiles(path);
  await expect(page.getByTestId('open-passphrase')).toBeVisible();
  await page.getByTestId('open-passphrase').fill('wrong horse');
  await page.getByTestId('open-passphrase-submit').click();
  await expect(page.getByTestId('open-passphrase-error')).toHaveText(
    `${download.suggestedFilename()}: wrong passphrase. Type it again (capitals and spaces count).`, { timeout: 60_000 });
  await keepScreenshot(page, testInfo, 'wrong-passphrase');
  await idle();
  await expect(page.locator('[data-testid="history-point"]')).toHaveCount(2);
  expect(await numberAttr(page, 'model-nonzero')).toBe(nonzero);
  await expect(page.getByTestId('model-source')).toHaveAttribute('data-kind', 'demo');

  await page.getByTestId('open-passphrase').fill('correct horse battery');
  await page.getByTestId('open-passphrase-submit').click();
  await expect(page.getByTestId('open-passphrase')).toHaveCount(0, { timeout: 90_000 });
  await expect(page.getByTestId('model-source')).toHaveAttribute('data-kind', 'file');
  await idle();
  // The same pruned model: same nonzero weights, same accuracy on the same (live subset) images.
  expect(await numberAttr(page, 'model-nonzero')).toBe(nonzero);
  await expect(page.locator('[data-testid="history-point"][data-step="0"]')).toHaveAttribute('data-accuracy', accuracy!);
  await expect(page.getByTestId('error')).toHaveCount(0);
  expect(errors).toEqual([]);
});
