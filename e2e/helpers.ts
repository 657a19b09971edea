// Shared steps for the e2e specs: open the studio, wait for it to settle, collect console errors.
import { readFileSync } from 'node:fs';
import { expect, type Browser, type Page, type TestInfo } from '@playwright/test';

export type Backend = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/**
 * The backend most specs force: the fastest one on machines without a GPU (wasm; the backend choice
 * measures it at several times WebGL and CPU here). E2E_BACKEND=<name> runs them on another one.
 * journey.spec.ts keeps one smoke journey on each of the others.
 */
export const SUITE_BACKEND = (process.env.E2E_BACKEND ?? 'wasm') as Backend;
export const BACKEND_QUERY = `?backend=${SUITE_BACKEND}`;

/** Console errors and uncaught page errors seen while a test runs. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console.error: ${msg.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  return errors;
}

/** Waits until the studio shows a baseline metric and is idle. */
export async function waitForDemoReady(page: Page, timeout = 150_000) {
  await expect(page.getByTestId('baseline-accuracy')).toHaveAttribute('data-value', /^[0-9.]+$/, { timeout });
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle', { timeout });
}

export async function numberAttr(page: Page, testId: string, attr = 'data-value'): Promise<number> {
  const v = await page.getByTestId(testId).getAttribute(attr);
  if (v === null || v === '') throw new Error(`${testId} has no ${attr}`);
  return Number(v);
}

/**
 * Starts recording the page's long main-thread tasks (PerformanceObserver 'longtask', 50 ms and
 * over); the returned function reads their durations so far.
 */
export async function watchLongTasks(page: Page): Promise<() => Promise<number[]>> {
  await page.evaluate(() => {
    const w = window as unknown as { __longTasks: number[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push(e.duration);
    }).observe({ type: 'longtask' });
  });
  return () => page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
}

export async function keepScreenshot(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

const demo = JSON.parse(readFileSync('public/demo/demo.json', 'utf8')) as {
  models: { id: string; name: string; testAccuracy: number }[];
};
const CNN_LAYERS = ['conv1', 'conv2', 'fc1', 'fc2'];

/**
 * The demo CNN as the studio opens it on `backend`: the badge, a baseline within 0.5 points of the
 * training script's own measurement (so every backend agrees with it, and with the others), the
 * summary's rows, and per-layer params that add up to the total. Returns the whole-set baseline accuracy.
 */
export async function expectDemoOpened(page: Page, backend: Backend): Promise<number> {
  const badge = page.getByTestId('backend');
  await expect(badge).toHaveAttribute('data-value', backend);
  if (backend === 'webgpu') await expect(badge).toContainText('software'); // SwiftShader here
  // The whole held-out set's figure (data-full) against the training script's measurement; the
  // card's own figure (data-value) is the one every step is measured on: the chart's first dot's.
  const acc = await numberAttr(page, 'baseline-accuracy', 'data-full');
  expect(acc).toBeGreaterThanOrEqual(0.89);
  const scripted = demo.models.find((m) => m.id === 'fashion-cnn')!.testAccuracy;
  expect(Math.abs(acc - scripted), `${backend} baseline ${acc} vs the training script's ${scripted}`).toBeLessThanOrEqual(0.005);
  const shown = await numberAttr(page, 'baseline-accuracy');
  expect(await numberAttr(page, 'accuracy')).toBe(shown);
  await expect(page.locator('[data-testid="history-point"][data-step="0"]')).toHaveAttribute('data-accuracy', String(shown));
  await expect(page.getByTestId('baseline-accuracy')).toContainText('2,000');
  const params = await numberAttr(page, 'model-params');
  expect(await numberAttr(page, 'model-nonzero')).toBeLessThanOrEqual(params);
  await expect(page.getByTestId('layer-row')).toHaveCount(CNN_LAYERS.length);
  for (const name of CNN_LAYERS) await expect(page.locator(`[data-testid="layer-row"][data-layer="${name}"]`)).toBeVisible();
  const perLayer = await page.locator('[data-testid="layer-row"], [data-testid="summary-row"]').evaluateAll((rows) =>
    rows.reduce((n, r) => n + Number(r.getAttribute('data-params')), 0));
  expect(perLayer).toBe(params);
  return acc;
}

/** A fresh page (in a context of its own, as axe needs) on the suite's backend with the demo ready, and the page errors it collects. */
export async function openStudioPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const page = await (await browser.newContext()).newPage();
  const errors = collectPageErrors(page);
  await page.goto(`./${BACKEND_QUERY}`);
  await waitForDemoReady(page);
  return { page, errors };
}
