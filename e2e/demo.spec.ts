// The studio opens on the embedded demo with no upload; the backend badge explains itself; a
// ?backend= it does not know is refused with a clear message; the picker switches demo models.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { BACKEND_QUERY, SUITE_BACKEND, collectPageErrors, expectDemoOpened, keepScreenshot, numberAttr, waitForDemoReady } from './helpers';

const demo = JSON.parse(readFileSync('public/demo/demo.json', 'utf8')) as {
  models: { id: string; name: string; testAccuracy: number }[];
};

// The other backends open the demo at the start of their journeys (journey.spec.ts) with the same checks.
test(`the demo CNN opens on the ${SUITE_BACKEND} backend with its baseline accuracy`, async ({ page }, testInfo) => {
  const errors = collectPageErrors(page);
  const t0 = Date.now();
  await page.goto(`./${BACKEND_QUERY}`);
  await waitForDemoReady(page);
  testInfo.annotations.push({ type: 'demo-ready-ms', description: `${SUITE_BACKEND}: ${Date.now() - t0} ms` });
  await expectDemoOpened(page, SUITE_BACKEND);
  await keepScreenshot(page, testInfo, `demo-${SUITE_BACKEND}`);
  expect(errors).toEqual([]);
});

test('the backend badge explains why the other backends are not in use', async ({ page }) => {
  await page.goto(`./${BACKEND_QUERY}`);
  await waitForDemoReady(page);
  await expect(page.getByTestId('backend')).toHaveAttribute('data-chosen-by', 'forced');
  await page.getByTestId('backend').click();
  const report = page.getByTestId('backend-report');
  await expect(report).toBeVisible();
  await expect(page.getByTestId('backend-why')).toHaveText(`Forced by ${BACKEND_QUERY}.`);
  const other = SUITE_BACKEND === 'webgpu' ? 'webgl' : 'webgpu';
  await expect(report.locator(`[data-backend="${other}"]`)).toContainText(`skipped: not tried: ${BACKEND_QUERY} forces ${SUITE_BACKEND}`);
  await expect(report.locator(`[data-backend="${SUITE_BACKEND}"]`)).toContainText('in use');
  await page.keyboard.press('Escape');
  await expect(report).toBeHidden();
});

test('a ?backend= the studio does not know stops it with a clear message', async ({ page }) => {
  const errors = collectPageErrors(page);
  await page.goto('./?backend=webgl2');
  await expect(page.getByTestId('error')).toHaveText(
    '?backend=webgl2 is not a backend the studio knows. Use webgpu, webgl, wasm or cpu to force one, fastest to measure them all, or leave it out to let the studio choose.',
  );
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'error');
  await expect(page.getByTestId('backend')).toHaveText('No backend');
  expect(errors).toEqual([]);
});

test('the picker switches to the demo MLP and back', async ({ page }) => {
  const errors = collectPageErrors(page);
  await page.goto(`./${BACKEND_QUERY}`);
  await waitForDemoReady(page);
  const cnnParams = await numberAttr(page, 'model-params');
  const mlp = demo.models.find((m) => m.id === 'fashion-mlp')!;
  await page.getByTestId('model-picker').selectOption('fashion-mlp');
  await expect(page.getByTestId('model-params')).toHaveAttribute('data-value', String(784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10));
  await waitForDemoReady(page);
  const acc = await numberAttr(page, 'baseline-accuracy', 'data-full');
  expect(acc).toBeGreaterThanOrEqual(0.84);
  expect(Math.abs(acc - mlp.testAccuracy)).toBeLessThanOrEqual(0.005);
  await expect(page.getByTestId('layer-row')).toHaveCount(3);
  await page.getByTestId('model-picker').selectOption('fashion-cnn');
  await expect(page.getByTestId('model-params')).toHaveAttribute('data-value', String(cnnParams));
  await waitForDemoReady(page);
  expect(errors).toEqual([]);
});
