// The studio opens on the embedded demo with no upload, on every backend, and agrees with itself.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { collectPageErrors, keepScreenshot, numberAttr, waitForDemoReady } from './helpers';

const demo = JSON.parse(readFileSync('public/demo/demo.json', 'utf8')) as {
  models: { id: string; name: string; testAccuracy: number }[];
};
const CNN_PARAMS_LAYERS = ['conv1', 'conv2', 'fc1', 'fc2'];

test.describe('demo CNN on each backend', () => {
  test.describe.configure({ mode: 'serial' });
  const accuracy: Record<string, number> = {};

  for (const [backend, query] of [['webgpu', './'], ['webgl', './?backend=webgl'], ['cpu', './?backend=cpu']] as const) {
    test(`opens on ${backend} with its baseline accuracy`, async ({ page }, testInfo) => {
      const errors = collectPageErrors(page);
      const t0 = Date.now();
      await page.goto(query);
      await waitForDemoReady(page);
      testInfo.annotations.push({ type: 'demo-ready-ms', description: `${backend}: ${Date.now() - t0} ms` });

      const badge = page.getByTestId('backend');
      await expect(badge).toHaveAttribute('data-value', backend);
      if (backend === 'webgpu') await expect(badge).toContainText('software'); // SwiftShader here

      const acc = await numberAttr(page, 'baseline-accuracy');
      expect(acc).toBeGreaterThanOrEqual(0.89);
      expect(await numberAttr(page, 'accuracy')).toBe(acc);
      await expect(page.getByTestId('baseline-accuracy')).toContainText('2,000 held-out images');
      accuracy[backend] = acc;

      const params = await numberAttr(page, 'model-params');
      expect(params).toBeGreaterThan(0);
      expect(await numberAttr(page, 'model-nonzero')).toBeLessThanOrEqual(params);
      await expect(page.getByTestId('layer-row')).toHaveCount(CNN_PARAMS_LAYERS.length);
      for (const name of CNN_PARAMS_LAYERS) await expect(page.locator(`[data-testid="layer-row"][data-layer="${name}"]`)).toBeVisible();
      // The summary's per-layer params add up to the total shown.
      const perLayer = await page.locator('[data-testid="layer-row"], [data-testid="summary-row"]').evaluateAll((rows) =>
        rows.reduce((n, r) => n + Number(r.getAttribute('data-params')), 0));
      expect(perLayer).toBe(params);

      await keepScreenshot(page, testInfo, `demo-${backend}`);
      expect(errors).toEqual([]);
    });
  }

  test('the three backends agree within 0.5 points, and with the training script', () => {
    expect(Object.keys(accuracy).sort()).toEqual(['cpu', 'webgl', 'webgpu']);
    const values = Object.values(accuracy);
    expect(Math.max(...values) - Math.min(...values)).toBeLessThanOrEqual(0.005);
    const scripted = demo.models.find((m) => m.id === 'fashion-cnn')!.testAccuracy;
    for (const v of values) expect(Math.abs(v - scripted)).toBeLessThanOrEqual(0.005);
  });
});

test('the backend badge explains why the other backends are not in use', async ({ page }) => {
  await page.goto('./?backend=cpu');
  await waitForDemoReady(page);
  await page.getByTestId('backend').click();
  const report = page.getByTestId('backend-report');
  await expect(report).toBeVisible();
  await expect(report.locator('[data-backend="webgpu"]')).toContainText('skipped: not tried: ?backend=cpu forces cpu');
  await expect(report.locator('[data-backend="cpu"]')).toContainText('in use');
  await page.keyboard.press('Escape');
  await expect(report).toBeHidden();
});

test('the picker switches to the demo MLP and back', async ({ page }) => {
  const errors = collectPageErrors(page);
  await page.goto('./?backend=webgl');
  await waitForDemoReady(page);
  const cnnParams = await numberAttr(page, 'model-params');
  const mlp = demo.models.find((m) => m.id === 'fashion-mlp')!;
  await page.getByTestId('model-picker').selectOption('fashion-mlp');
  await expect(page.getByTestId('model-params')).toHaveAttribute('data-value', String(784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10));
  await waitForDemoReady(page);
  const acc = await numberAttr(page, 'baseline-accuracy');
  expect(acc).toBeGreaterThanOrEqual(0.84);
  expect(Math.abs(acc - mlp.testAccuracy)).toBeLessThanOrEqual(0.005);
  await expect(page.getByTestId('layer-row')).toHaveCount(3);
  await page.getByTestId('model-picker').selectOption('fashion-cnn');
  await expect(page.getByTestId('model-params')).toHaveAttribute('data-value', String(cnnParams));
  await waitForDemoReady(page);
  expect(errors).toEqual([]);
});
