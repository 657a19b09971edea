// Weight sharing and the packed format, end to end on the suite backend: prune, cluster at k = 16
// (a step of its own kind, at most 17 distinct values per clustered layer), a short fine-tune that
// keeps the sharing, a packed export decoded in Node with the decoder.mjs from its own zip and
// loaded with tf.io.fromMemory (the same zeros and distinct values as the studio), and the packed
// zip opened in the studio again.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test, expect, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_QUERY, collectPageErrors, keepScreenshot, numberAttr, waitForDemoReady } from './helpers';

const point = (page: Page, step: number) => page.locator(`[data-testid="history-point"][data-step="${step}"]`);
const idle = (page: Page, timeout = 170_000) => expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle', { timeout });

/** data-distinct of every layer row, by layer. */
async function distinctByLayer(page: Page): Promise<Record<string, string>> {
  return Object.fromEntries(await page.getByTestId('layer-row').evaluateAll((rows) =>
    rows.map((r) => [r.getAttribute('data-layer') ?? '', r.getAttribute('data-distinct') ?? ''])));
}

test('cluster at k = 16, fine-tune keeping the sharing, export packed, decode in Node, open it again', async ({ browser }, testInfo) => {
  test.setTimeout(900_000);
  const page = await browser.newPage();
  const errors = collectPageErrors(page);
  await page.goto(`./${BACKEND_QUERY}`);
  await waitForDemoReady(page);

  await page.getByTestId('global-sparsity').fill('60');
  await expect(point(page, 1)).toHaveAttribute('aria-current', 'step', { timeout: 150_000 });
  await idle(page);
  const before = await distinctByLayer(page);
  expect(Object.values(before).some((d) => d === 'many' || Number(d) > 17)).toBe(true);

  await page.getByTestId('cluster-k').fill('16');
  await page.getByTestId('cluster-init').selectOption('kmeans++');
  await page.getByTestId('cluster').click();
  await expect(point(page, 2)).toHaveAttribute('data-kind', 'cluster', { timeout: 150_000 });
  await expect(point(page, 2)).toHaveAttribute('aria-current', 'step');
  await idle(page);
  await expect(point(page, 2)).toContainText('clustered: 16 shared values per kernel, k-means++ init');
  await expect(page.locator('[data-testid="chart-point"][data-step="2"]')).toHaveClass(/dot-cluster/);
  const clustered = await distinctByLayer(page);
  for (const [layer, d] of Object.entries(clustered)) expect(Number(d), layer).toBeLessThanOrEqual(17);
  const nonzero = await numberAttr(page, 'model-nonzero');

  // The histogram of a clustered layer: its shared values as spikes.
  await page.locator('[data-testid="layer-row"][data-layer="fc1"]').getByTestId('layer-expand').click();
  await expect(page.locator('[data-testid="layer-detail"][data-layer="fc1"]')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  const bars = page.locator('[data-testid="layer-detail"][data-layer="fc1"] [data-testid="weight-histogram"]');
  await expect(bars).toHaveAttribute('data-bins', '160');
  await keepScreenshot(page, testInfo, 'compress-clustered');
  await page.emulateMedia({ colorScheme: 'dark' });
  await keepScreenshot(page, testInfo, 'compress-clustered-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  // A short fine-tune of the clustered step trains the shared values: still at most 16 (+0) each, zeros kept.
  await page.getByTestId('finetune-epochs').fill('0.05');
  await page.getByTestId('finetune').click();
  await expect(point(page, 3)).toHaveAttribute('data-kind', 'finetune', { timeout: 400_000 });
  await idle(page);
  await expect(point(page, 3)).toContainText('shared values kept');
  expect(await numberAttr(page, 'model-nonzero')).toBe(nonzero);
  const tuned = await distinctByLayer(page);
  for (const [layer, d] of Object.entries(tuned)) expect(Number(d), layer).toBeLessThanOrEqual(17);
  const params = await numberAttr(page, 'model-params');

  await page.getByTestId('export-format').selectOption('packed');
  const packedRow = page.getByTestId('packed-size');
  await expect(packedRow).toBeVisible({ timeout: 60_000 });
  await expect(packedRow).toContainText('× smaller than the original float32');
  await keepScreenshot(page, testInfo, 'compress-export');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
  expect(download.suggestedFilename()).toMatch(/-packed\.zip$/);
  const zipPath = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(zipPath);

  // What a user of the zip does: import its decoder.mjs, decode model.secpak, load with tf.io.fromMemory.
  const files = unzipSync(new Uint8Array(readFileSync(zipPath)));
  expect(Object.keys(files).sort()).toEqual(['README.md', 'decoder.mjs', 'model.secpak', 'report.json']);
  expect(files['model.secpak'].length).toBe(Number(await packedRow.getAttribute('data-value')));
  const dir = mkdtempSync(join(tmpdir(), 'secpak-e2e-'));
  writeFileSync(join(dir, 'decoder.mjs'), files['decoder.mjs']);
  const { decode } = (await import(pathToFileURL(join(dir, 'decoder.mjs')).href)) as typeof import('../src/core/compress/decoder.mjs');
  const model = await tf.loadLayersModel(tf.io.fromMemory(decode(files['model.secpak'])));
  try {
    expect(model.countParams()).toBe(params);
    let nonzeroInFile = 0;
    for (const w of model.getWeights()) for (const v of await w.data()) if (v !== 0) nonzeroInFile++;
    expect(nonzeroInFile).toBe(nonzero);
    for (const [layer, d] of Object.entries(tuned)) {
      const kernel = model.getLayer(layer).getWeights()[0];
      expect(new Set(await kernel.data()).size, layer).toBe(Number(d));
    }
  } finally {
    model.dispose();
  }

  // The studio opens its own packed zip.
  await page.getByTestId('model-input').setInputFiles(zipPath);
  await expect(page.locator('#summary-title')).toHaveText(download.suggestedFilename().replace(/\.zip$/, ''), { timeout: 150_000 });
  await waitForDemoReady(page);
  expect(await numberAttr(page, 'model-params')).toBe(params);
  expect(await numberAttr(page, 'model-nonzero')).toBe(nonzero);
  expect(await distinctByLayer(page)).toEqual(tuned);
  expect(await numberAttr(page, 'baseline-accuracy')).toBeGreaterThan(0.8);
  expect(errors).toEqual([]);
  await page.close();
});

test('merge similar units is a channel criterion: it removes channels for real', async ({ browser }) => {
  const page = await browser.newPage();
  const errors = collectPageErrors(page);
  await page.goto(`./${BACKEND_QUERY}`);
  await waitForDemoReady(page);
  const params = await numberAttr(page, 'model-params');
  await expect(page.getByTestId('prune-criterion').locator('option[value="merge"]')).toHaveCount(0);
  await page.getByTestId('prune-granularity').selectOption('channels');
  await page.getByTestId('prune-criterion').selectOption('merge');
  await page.getByTestId('global-sparsity').fill('25');
  await expect(point(page, 1)).toHaveAttribute('aria-current', 'step', { timeout: 150_000 });
  await idle(page);
  await expect(point(page, 1)).toContainText('similar units merged');
  expect(await numberAttr(page, 'model-params')).toBeLessThan(params);
  // Back to unstructured: merging does not apply there, the criterion falls back to magnitude.
  await page.getByTestId('prune-granularity').selectOption('unstructured');
  await expect(page.getByTestId('prune-criterion')).toHaveValue('magnitude');
  expect(errors).toEqual([]);
  await page.close();
});
