// The whole journey on the backend the studio chooses by itself (here, without a hardware GPU, the
// fastest by measurement): open the demo (with the checks demo.spec.ts makes), prune a conv layer
// to 80%, fine-tune one epoch, go back to the original, prune again, export a uint8 .zip and load
// it in Node with plain tfjs, with the same number of zeros. During the fine-tune a
// PerformanceObserver records the main thread's long tasks (the figure; bench/browserBackends.ts
// holds the goal). Then one smoke journey on each other backend, forced: open, prune, a short
// fine-tune, back to the original.
import { readFileSync } from 'node:fs';
import { test, expect, type Page } from '@playwright/test';
import * as tf from '@tensorflow/tfjs';
import { SUITE_BACKEND, collectPageErrors, expectDemoOpened, keepScreenshot, numberAttr, waitForDemoReady, watchLongTasks, type Backend } from './helpers';
import { loadExportedZip } from '../src/core/model/exportModel';

const point = (page: Page, step: number) => page.locator(`[data-testid="history-point"][data-step="${step}"]`);
const idle = (page: Page, timeout = 170_000) => expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle', { timeout });

async function zerosOf(model: tf.LayersModel): Promise<number> {
  let zeros = 0;
  for (const w of model.getWeights()) {
    const values = await w.data();
    for (let i = 0; i < values.length; i++) if (values[i] === 0) zeros++;
  }
  return zeros;
}

const LABEL: Record<Backend, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' };

test('journey on the backend chosen by measurement: prune, fine-tune, restore, prune again, export uint8 and reload in Node', async ({ browser }, testInfo) => {
  test.setTimeout(900_000);
  const page = await browser.newPage();
  const errors = collectPageErrors(page);
  await page.goto('./');
  await waitForDemoReady(page, 240_000);
  // The WebGPU adapter here is SwiftShader's and WebGL runs on it too: no hardware GPU, so the
  // studio times each backend and keeps the fastest, and says so.
  const badge = page.getByTestId('backend');
  await expect(badge).toHaveAttribute('data-chosen-by', 'measurement');
  const backend = (await badge.getAttribute('data-value')) as Backend;
  await badge.click();
  await expect(page.getByTestId('backend-why')).toContainText(new RegExp(`^Measured, no hardware GPU here: ${LABEL[backend]}: [0-9.]+ ms per probe step; `));
  await page.keyboard.press('Escape');
  testInfo.annotations.push({ type: 'backend', description: `${backend}: ${await badge.getAttribute('title')}` });
  await expectDemoOpened(page, backend);
  const original = {
    accuracy: await numberAttr(page, 'accuracy'),
    nonzero: await numberAttr(page, 'model-nonzero'),
    params: await numberAttr(page, 'model-params'),
  };

  // A conv layer's slider to 80%.
  const conv = page.locator('[data-testid="layer-row"][data-layer*="conv"]').first();
  await conv.getByTestId('layer-sparsity').fill('80');
  await expect(point(page, 1)).toHaveAttribute('aria-current', 'step', { timeout: 150_000 });
  await idle(page);
  const oneShot = Number(await point(page, 1).getAttribute('data-accuracy'));
  expect(oneShot).toBeLessThan(original.accuracy);
  expect(await numberAttr(page, 'model-nonzero')).toBeLessThan(original.nonzero);

  // One epoch of fine-tuning, with the main thread watched for long tasks.
  const readLongTasks = await watchLongTasks(page);
  await page.getByTestId('finetune-epochs').fill('1');
  await page.getByTestId('finetune').click();
  await expect(page.getByTestId('progress')).toBeVisible();
  await expect(point(page, 2)).toHaveAttribute('data-kind', 'finetune', { timeout: 800_000 });
  await idle(page);
  const longTasks = await readLongTasks();
  const longest = Math.max(0, ...longTasks);
  testInfo.annotations.push({ type: 'long tasks', description: `${backend}: ${longTasks.length} long tasks during the fine-tune, longest ${longest.toFixed(0)} ms` });
  console.log(`[journey ${backend}] long tasks during fine-tune: ${longTasks.length}, longest ${longest.toFixed(0)} ms`);
  const tuned = Number(await point(page, 2).getAttribute('data-accuracy'));
  expect(tuned).toBeGreaterThan(oneShot);
  await expect(page.locator('[data-testid="chart-point"][data-step="2"]')).toHaveClass(/dot-finetune/);
  await keepScreenshot(page, testInfo, `journey-${backend}-finetuned`);

  // Back to the original: its numbers return.
  await point(page, 0).click();
  await expect(point(page, 0)).toHaveAttribute('aria-current', 'step', { timeout: 60_000 });
  await idle(page);
  expect(await numberAttr(page, 'accuracy')).toBe(original.accuracy);
  expect(await numberAttr(page, 'model-nonzero')).toBe(original.nonzero);

  // Prune again and export as a uint8 .zip.
  await page.getByTestId('global-sparsity').fill('70');
  await expect(point(page, 3)).toHaveAttribute('aria-current', 'step', { timeout: 150_000 });
  await idle(page);
  const nonzero = await numberAttr(page, 'model-nonzero');
  const params = await numberAttr(page, 'model-params');
  await page.getByTestId('export-precision').selectOption('uint8');
  await page.getByTestId('export-format').selectOption('zip');
  await expect(page.getByTestId('export-size')).toBeVisible({ timeout: 60_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
  expect(download.suggestedFilename()).toMatch(/-70pct.*uint8\.zip$/);
  const path = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(path);
  await keepScreenshot(page, testInfo, `journey-${backend}-exported`);

  const model = await loadExportedZip(new Uint8Array(readFileSync(path)));
  try {
    expect(model.countParams()).toBe(params);
    expect(await zerosOf(model)).toBe(params - nonzero);
  } finally {
    model.dispose();
  }
  expect(errors).toEqual([]);
  await page.close();
});

// One smoke journey per other backend: the numbers agree with the others, and training works there.
for (const backend of (['webgpu', 'webgl', 'wasm', 'cpu'] as const).filter((b) => b !== SUITE_BACKEND)) {
  test(`smoke journey on ${backend}: open, prune, a short fine-tune, back to the original`, async ({ browser }, testInfo) => {
    test.setTimeout(900_000);
    const page = await browser.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`./?backend=${backend}`);
    await waitForDemoReady(page, 400_000);
    await expectDemoOpened(page, backend);
    const original = { accuracy: await numberAttr(page, 'accuracy'), nonzero: await numberAttr(page, 'model-nonzero') };

    await page.locator('[data-testid="layer-row"][data-layer*="conv"]').first().getByTestId('layer-sparsity').fill('80');
    await expect(point(page, 1)).toHaveAttribute('aria-current', 'step', { timeout: 150_000 });
    await idle(page);
    const pruned = await numberAttr(page, 'model-nonzero');
    expect(pruned).toBeLessThan(original.nonzero);

    // 0.05 epoch: a handful of training steps, enough to prove the gradients run on this backend.
    await page.getByTestId('finetune-epochs').fill('0.05');
    await page.getByTestId('finetune').click();
    await expect(point(page, 2)).toHaveAttribute('data-kind', 'finetune', { timeout: 400_000 });
    await idle(page);
    expect(await numberAttr(page, 'model-nonzero')).toBe(pruned);
    expect(Number(await point(page, 2).getAttribute('data-accuracy'))).toBeGreaterThan(0.5);
    await keepScreenshot(page, testInfo, `smoke-${backend}`);

    await point(page, 0).click();
    await expect(point(page, 0)).toHaveAttribute('aria-current', 'step', { timeout: 60_000 });
    await idle(page);
    expect(await numberAttr(page, 'accuracy')).toBe(original.accuracy);
    expect(await numberAttr(page, 'model-nonzero')).toBe(original.nonzero);
    expect(errors).toEqual([]);
    await page.close();
  });
}
