// The weights overview: one |w| histogram per prunable layer of the demo CNN, the cut previewed from
// those histograms while the global slider moves (before any prune runs), and the measured step
// agreeing with the preview to within the share of each layer's weights in the threshold's bin.
import { test, expect } from '@playwright/test';
import { BACKEND_QUERY, collectPageErrors, waitForDemoReady } from './helpers';

const CNN_LAYERS = ['conv1', 'conv2', 'fc1', 'fc2'];

/** Moves the global slider to `pct` with one input event (no change event), then reads every layer's preview once React has drawn it. */
async function dragGlobalTo(page: import('@playwright/test').Page, pct: number) {
  return page.getByTestId('global-sparsity').evaluate(async (el, value) => {
    const input = el as HTMLInputElement;
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, String(value));
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((r) => requestAnimationFrame(() => r(null)));
    // Read within the same frame: the debounced prune cannot have started yet.
    return [...document.querySelectorAll('[data-testid="layer-histogram"]')].map((h) => ({
      layer: h.getAttribute('data-layer')!,
      params: Number(h.getAttribute('data-params')),
      threshold: h.getAttribute('data-threshold'),
      predicted: h.getAttribute('data-predicted-sparsity'),
      binShare: Number(h.getAttribute('data-bin-share')),
      row: document.querySelector(`[data-testid="layer-row"][data-layer="${h.getAttribute('data-layer')}"]`)?.getAttribute('data-predicted-sparsity') ?? null,
    }));
  }, pct);
}

test('one histogram per prunable layer; the 70% cut previewed while dragging matches the measured step', async ({ page }, testInfo) => {
  const errors = collectPageErrors(page);
  await page.goto(`./${BACKEND_QUERY}`);
  await waitForDemoReady(page);
  const overview = page.getByTestId('weights-overview');
  const histograms = overview.getByTestId('layer-histogram');
  await expect(histograms).toHaveCount(CNN_LAYERS.length, { timeout: 60_000 });
  expect(await histograms.evaluateAll((hs) => hs.map((h) => h.getAttribute('data-layer')))).toEqual(CNN_LAYERS);
  expect(await histograms.evaluateAll((hs) => hs.map((h) => Number(h.getAttribute('data-zeros'))))).toEqual([0, 0, 0, 0]);
  await expect(overview).toHaveAttribute('data-preview', 'off');
  await page.emulateMedia({ colorScheme: 'light' });
  await overview.screenshot({ path: testInfo.outputPath('weights-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await overview.screenshot({ path: testInfo.outputPath('weights-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });

  // Every input event moves the preview: 40% first, then 70%.
  const at40 = await dragGlobalTo(page, 40);
  const at70 = await dragGlobalTo(page, 70);
  await overview.screenshot({ path: testInfo.outputPath('weights-preview.png') }).catch(() => undefined);
  for (const [i, p] of at70.entries()) {
    expect(p.predicted, `${p.layer} has a predicted sparsity while dragging`).not.toBeNull();
    expect(p.row, `${p.layer}'s table row shows it too`).toBe(p.predicted);
    expect(Number(p.threshold)).toBeGreaterThan(Number(at40[i].threshold));
    expect(Number(p.predicted)).toBeGreaterThan(Number(at40[i].predicted));
  }
  // The prediction over all layers is the target itself.
  const total = at70.reduce((n, p) => n + p.params, 0);
  expect(at70.reduce((n, p) => n + Number(p.predicted) * p.params, 0) / total).toBeCloseTo(Math.round(0.7 * total) / total, 6);

  // Released: the measured step replaces the preview.
  await expect(page.locator('[data-testid="history-point"][data-step="1"]')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle', { timeout: 120_000 });
  await expect(overview).toHaveAttribute('data-preview', 'off');
  const rows = page.locator('[data-testid="layer-row"]');
  for (const p of at70) {
    const measured = Number(await rows.and(page.locator(`[data-layer="${p.layer}"]`)).getAttribute('data-prunable-sparsity'));
    const tolerance = p.binShare + 1 / p.params;
    console.log(`${p.layer}: predicted ${(Number(p.predicted) * 100).toFixed(2)}%, measured ${(measured * 100).toFixed(2)}%, tolerance ±${(tolerance * 100).toFixed(2)} points (threshold |w| ${Number(p.threshold).toPrecision(4)})`);
    expect(Math.abs(measured - Number(p.predicted)), `${p.layer}: measured ${measured} vs predicted ${p.predicted}`).toBeLessThanOrEqual(tolerance);
    // The overview follows the step: its zeros are the measured ones.
    await expect(histograms.and(page.locator(`[data-layer="${p.layer}"]`))).toHaveAttribute('data-zeros', String(Math.round(measured * p.params)), { timeout: 30_000 });
  }
  await expect(rows.first().getByTestId('sparsity-bar')).toBeVisible();
  await page.getByTestId('model-summary').screenshot({ path: testInfo.outputPath('table-70-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await overview.screenshot({ path: testInfo.outputPath('weights-70-dark.png') });
  expect(errors).toEqual([]);
});
