// The studio opens on the embedded demo with no upload; the backend badge explains itself; the
// picker switches demo models.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { collectPageErrors, expectDemoOpened, keepScreenshot, numberAttr, waitForDemoReady } from './helpers';

const demo = JSON.parse(readFileSync('public/demo/demo.json', 'utf8')) as {
  models: { id: string; name: string; testAccuracy: number }[];
};

// WebGPU (chosen automatically, with no ?backend) and WebGL open the demo at the start of the journey
// (journey.spec.ts) with the same checks; opening every backend twice would double the suite's time.
test('the demo CNN opens on the CPU backend with its baseline accuracy', async ({ page }, testInfo) => {
  const errors = collectPageErrors(page);
  const t0 = Date.now();
  await page.goto('./?backend=cpu');
  await waitForDemoReady(page);
  testInfo.annotations.push({ type: 'demo-ready-ms', description: `cpu: ${Date.now() - t0} ms` });
  await expectDemoOpened(page, 'cpu');
  await keepScreenshot(page, testInfo, 'demo-cpu');
  expect(errors).toEqual([]);
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
  await page.goto('./?backend=cpu');
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
