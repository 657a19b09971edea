// A TF.js graph model (converted from a SavedModel) end to end on the suite backend: dropped as loose
// files, shown as a graph model with its layers read from the ops, measured on the demo images (it
// takes 28×28×1 and gives 10 classes), pruned 50% with the global slider, exported as uint8, and the
// downloaded zip loaded in Node with plain tf.loadGraphModel: the same zeros as the studio shows.
// Training controls are disabled with the reason; Taylor is not offered.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect } from '@playwright/test';
import { unzipSync } from 'fflate';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_QUERY, collectPageErrors, keepScreenshot, numberAttr, waitForDemoReady } from './helpers';

const CONV = resolve(dirname(fileURLToPath(import.meta.url)), 'fixtures/graph/conv');

test('drop a graph model, prune 50%, export uint8, reload in Node with tf.loadGraphModel: same zeros', async ({ browser }, testInfo) => {
  test.setTimeout(400_000);
  const page = await browser.newPage();
  const errors = collectPageErrors(page);
  await page.goto(`./${BACKEND_QUERY}`);
  await waitForDemoReady(page);

  await page.getByTestId('model-input').setInputFiles(readdirSync(CONV).map((f) => join(CONV, f)));
  await expect(page.getByTestId('model-kind')).toHaveAttribute('data-value', 'graph', { timeout: 150_000 });
  await waitForDemoReady(page);
  await expect(page.getByTestId('error')).toHaveCount(0);
  await expect(page.getByTestId('model-source')).toHaveAttribute('data-metric', 'accuracy');
  await expect(page.locator('[data-testid="history-point"]')).toHaveCount(1);
  const params = await numberAttr(page, 'model-params');
  expect(params).toBe(1900);
  expect(await numberAttr(page, 'model-nonzero')).toBe(params);
  // The layers grouped from the ops: three convolutions (conv2 a fused one, named for its last node), the depthwise one and the dense head.
  await expect(page.locator('[data-testid="layer-row"]')).toHaveCount(5);
  for (const layer of ['conv1/Conv2D', 'conv2/Relu', 'dw/depthwise', 'fc/MatMul']) await expect(page.locator(`[data-testid="layer-row"][data-layer="${layer}"]`)).toHaveCount(1);
  // What needs a Layers model is disabled, and says why.
  await expect(page.getByTestId('graph-no-training').first()).toContainText('Graph models cannot be trained here');
  await expect(page.getByTestId('graph-no-training').first()).toContainText('tensorflowjs_converter --output_format=tfjs_layers_model');
  await expect(page.getByTestId('finetune')).toBeDisabled();
  await expect(page.getByTestId('cluster')).toBeDisabled();
  await expect(page.locator('[data-testid="prune-criterion"] option[value="taylor"]')).toBeDisabled();
  await keepScreenshot(page, testInfo, 'graph-loaded-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await keepScreenshot(page, testInfo, 'graph-loaded-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  await page.getByTestId('global-sparsity').fill('50');
  await expect(page.locator('[data-testid="history-point"]')).toHaveCount(2, { timeout: 120_000 });
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle', { timeout: 120_000 });
  const nonzero = await numberAttr(page, 'model-nonzero');
  expect(nonzero).toBeLessThan(params);
  expect(await numberAttr(page, 'accuracy')).toBeGreaterThanOrEqual(0);
  await keepScreenshot(page, testInfo, 'graph-pruned');

  // Click-to-restore: the original, then the pruned step again.
  await page.locator('[data-testid="history-point"][data-step="0"]').click();
  await expect(page.getByTestId('model-nonzero')).toHaveAttribute('data-value', String(params), { timeout: 60_000 });
  await page.locator('[data-testid="history-point"][data-step="1"]').click();
  await expect(page.getByTestId('model-nonzero')).toHaveAttribute('data-value', String(nonzero), { timeout: 60_000 });
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle', { timeout: 60_000 });

  await page.getByTestId('export-precision').selectOption('uint8');
  await page.getByTestId('export-format').selectOption('zip');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
  expect(download.suggestedFilename()).toMatch(/-50pct-sparse-uint8\.zip$/);
  const zipPath = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(zipPath);
  const files = unzipSync(new Uint8Array(readFileSync(zipPath)));
  expect(Object.keys(files).sort()).toEqual(['README.md', 'group1-shard1of1.bin', 'model.json', 'report.json']);
  const report = JSON.parse(new TextDecoder().decode(files['report.json']));
  expect(report.format).toBe('graph-model');
  expect(report.steps).toContain('unstructured 50% global, magnitude');

  // What a user does with the files: plain tf.loadGraphModel over them.
  await tf.setBackend('cpu');
  const json = JSON.parse(new TextDecoder().decode(files['model.json']));
  const weightData = files[json.weightsManifest[0].paths[0]].slice().buffer;
  const model = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData, signature: json.signature }));
  try {
    let zeros = 0;
    let values = 0;
    for (const tensors of Object.values(model.weights)) {
      for (const t of tensors) {
        const v = await t.data();
        values += v.length;
        if (t.dtype === 'float32') for (const x of v) if (x === 0) zeros++;
      }
    }
    expect(values).toBe(params);
    expect(zeros).toBe(params - nonzero);
    const y = model.predict(tf.zeros([1, 28, 28, 1])) as tf.Tensor;
    expect(y.shape).toEqual([1, 10]);
    y.dispose();
  } finally {
    model.dispose();
  }
  expect(errors).toEqual([]);
  await page.close();
});
