// Pruning from the controls: global and per-layer targets, N:M, channel removal, criteria and
// restoring a history point. On the suite's backend (helpers.ts); journey.spec covers the others.
import { test, expect, type Page } from '@playwright/test';
import { BACKEND_QUERY, collectPageErrors, keepScreenshot, numberAttr, waitForDemoReady } from './helpers';

test.describe.configure({ mode: 'serial' });

let page: Page;
let errors: string[];
let original: { params: number; nonzero: number; macs: number; accuracy: number; prunable: number };

/** Waits for history point `step` and for the studio to settle; returns that point's accuracy. */
async function waitForStep(step: number): Promise<number> {
  const point = page.locator(`[data-testid="history-point"][data-step="${step}"]`);
  await expect(point).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle', { timeout: 120_000 });
  await expect(point).toHaveAttribute('aria-current', 'step');
  return Number(await point.getAttribute('data-accuracy'));
}

const layerNonzero = async (name: string) => Number(await page.locator(`[data-testid="layer-row"][data-layer="${name}"]`).getAttribute('data-nonzero'));

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  errors = collectPageErrors(page);
  await page.goto(`./${BACKEND_QUERY}`);
  await waitForDemoReady(page);
  await expect(page.locator('[data-testid="history-point"]')).toHaveCount(1);
  const prunable = await page.locator('[data-testid="layer-row"]').evaluateAll((rows) =>
    rows.reduce((n, r) => n + Number(r.getAttribute('data-params')), 0));
  original = {
    params: await numberAttr(page, 'model-params'),
    nonzero: await numberAttr(page, 'model-nonzero'),
    macs: await numberAttr(page, 'model-macs'),
    accuracy: await numberAttr(page, 'accuracy'),
    prunable,
  };
});

test.afterAll(async () => {
  expect(errors).toEqual([]);
  await page.close();
});

test('the global slider prunes 70% of the prunable weights and a history point appears', async () => {
  const before = await numberAttr(page, 'model-nonzero');
  await page.getByTestId('global-sparsity').fill('70');
  const acc = await waitForStep(1);
  const nonzero = await numberAttr(page, 'model-nonzero');
  // Kernels (the prunable weights) lose 70%; biases and BatchNorm stay dense. Kernels are all but biases here.
  const kernelWeights = 160 - 16 + 4640 - 32 + 100416 - 64 + 650 - 10;
  expect(before - nonzero).toBe(Math.round(0.7 * kernelWeights));
  expect(await numberAttr(page, 'model-params')).toBe(original.params); // same shape: nothing removed
  await expect(page.getByTestId('accuracy')).toContainText('on the first 500 held-out images');
  expect(acc).toBeGreaterThan(0.8); // magnitude pruning at 70% costs little on this model
  expect(acc).toBeLessThan(1);
});

test('a random criterion at the same target does much worse than magnitude', async () => {
  const magnitude = Number(await page.locator('[data-testid="history-point"][data-step="1"]').getAttribute('data-accuracy'));
  await page.getByTestId('prune-criterion').selectOption('random');
  const random = await waitForStep(2);
  expect(random).toBeLessThan(magnitude - 0.05);
  await page.getByTestId('prune-criterion').selectOption('taylor');
  const taylor = await waitForStep(3);
  expect(taylor).toBeGreaterThan(random);
  await page.getByTestId('prune-criterion').selectOption('magnitude');
  await waitForStep(4);
});

test('a layer slider prunes that layer alone', async () => {
  await page.getByTestId('global-sparsity').fill('0');
  await expect(page.getByTestId('model-nonzero')).toHaveAttribute('data-value', String(original.nonzero), { timeout: 120_000 });
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle', { timeout: 120_000 });
  const steps = await page.locator('[data-testid="history-point"]').count();
  const fc1Before = await layerNonzero('fc1');
  await page.locator('[data-testid="layer-row"][data-layer="fc1"] [data-testid="layer-sparsity"]').fill('90');
  await waitForStep(steps);
  expect(fc1Before - (await layerNonzero('fc1'))).toBe(Math.round(0.9 * (100416 - 64)));
  expect(await layerNonzero('conv1')).toBe(160);
  expect(await layerNonzero('conv2')).toBe(4640);
});

test('2:4 prunes exactly half of every applicable kernel and locks the sliders', async () => {
  const steps = await page.locator('[data-testid="history-point"]').count();
  await page.getByTestId('prune-granularity').selectOption('2:4');
  await waitForStep(steps);
  // conv1 reads a single input channel: no group of 4 along its input, so it stays dense.
  await expect(page.locator('[data-testid="layer-row"][data-layer="conv1"] [data-testid="layer-lock"]')).toContainText(
    'its input dimension has 1 entry, fewer than a group of 4');
  expect(await layerNonzero('conv1')).toBe(160);
  expect(await layerNonzero('conv2')).toBe(4640 - (4640 - 32) / 2);
  expect(await layerNonzero('fc1')).toBe(100416 - (100416 - 64) / 2);
  await expect(page.getByTestId('global-sparsity')).toBeDisabled();
});

test('channels: 50% of every layer removes filters for real; the output layer is locked', async () => {
  const steps = await page.locator('[data-testid="history-point"]').count();
  await page.getByTestId('prune-granularity').selectOption('channels');
  await page.getByTestId('global-sparsity').fill('50');
  await waitForStep(steps);
  await expect(page.locator('[data-testid="layer-row"][data-layer="fc2"] [data-testid="layer-lock"]')).toContainText('output');
  await expect(page.locator('[data-testid="layer-row"][data-layer="fc2"] [data-testid="layer-sparsity"]')).toBeDisabled();
  const row = (name: string) => page.locator(`[data-testid="layer-row"][data-layer="${name}"]`);
  // conv1 16 -> 8, conv2 32 -> 16, fc1 64 -> 32 units; BatchNorm follows its conv.
  const params = 3 * 3 * 1 * 8 + 8 + 4 * 8 + 3 * 3 * 8 * 16 + 16 + 4 * 16 + 7 * 7 * 16 * 32 + 32 + 32 * 10 + 10;
  await expect(page.getByTestId('model-params')).toHaveAttribute('data-value', String(params));
  await expect(row('conv2')).toContainText('[?, 14, 14, 16]');
  expect(await numberAttr(page, 'model-macs')).toBeLessThan(original.macs / 3);
  await expect(row('conv2').locator('[data-testid="layer-coupled"]')).toHaveCount(0);
  await expect(page.getByTestId('channel-norm')).toHaveValue('l1');
  await expect(page.locator(`[data-testid="history-point"][data-step="${steps}"]`)).toContainText('channels 50% of every layer, L1 norm');
  await keepScreenshot(page, test.info(), 'channels-50');
});

test('compare after channel removal: where the time goes, layer by layer, with each layer\'s MACs', async () => {
  await page.getByTestId('compare').click();
  await expect(page.getByTestId('compare-table')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle', { timeout: 120_000 });
  const rows = page.getByTestId('profile-row');
  // Every layer call of one prediction, in execution order (the demo CNN has no InputLayer row).
  const layers = await rows.evaluateAll((r) => r.map((e) => e.getAttribute('data-layer')));
  expect(layers.slice(0, 2)).toEqual(['conv1', 'bn1']);
  expect(layers).toEqual(expect.arrayContaining(['conv1', 'conv2', 'fc1', 'fc2']));
  for (const attr of ['data-original-ms', 'data-current-ms']) {
    const times = await rows.evaluateAll((r, a) => r.map((e) => Number(e.getAttribute(a))), attr);
    expect(times.every((t) => Number.isFinite(t) && t >= 0), `${attr}: ${times}`).toBe(true);
  }
  // The current step's MACs: conv2 lost half its input and half its output channels.
  const conv2 = page.locator('[data-testid="profile-row"][data-layer="conv2"]');
  expect(Number(await conv2.getAttribute('data-macs'))).toBe(14 * 14 * 3 * 3 * 8 * 16);
  await expect(page.getByTestId('layer-times-chart')).toBeVisible();
  await keepScreenshot(page, test.info(), 'compare-layer-times');
});

test('clicking the first history point brings the original back', async () => {
  await page.locator('[data-testid="history-point"][data-step="0"]').click();
  await expect(page.getByTestId('model-params')).toHaveAttribute('data-value', String(original.params), { timeout: 60_000 });
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle');
  expect(await numberAttr(page, 'model-nonzero')).toBe(original.nonzero);
  expect(await numberAttr(page, 'model-macs')).toBe(original.macs);
  expect(await numberAttr(page, 'accuracy')).toBe(original.accuracy);
  await expect(page.getByTestId('global-sparsity')).toHaveValue('0');
});

test('the chart has a dot per step; Ctrl+Z and Ctrl+Shift+Z walk back and forth; a dot click restores', async () => {
  const steps = await page.locator('[data-testid="history-point"]').count();
  await expect(page.locator('[data-testid="chart-point"]')).toHaveCount(steps);
  await expect(page.locator('[data-testid="chart-point"][data-step="0"]')).toHaveClass(/dot-current/);
  // The last change was the click back to the original: undo returns to the channel-pruned step.
  const channelStep = steps - 1;
  const channelParams = Number(await page.locator(`[data-testid="history-point"][data-step="${channelStep}"]`).getAttribute('data-params'));
  await page.keyboard.press('Control+z');
  await expect(page.locator(`[data-testid="history-point"][data-step="${channelStep}"]`)).toHaveAttribute('aria-current', 'step', { timeout: 60_000 });
  await expect(page.getByTestId('model-params')).toHaveAttribute('data-value', String(channelParams));
  await expect(page.getByTestId('prune-granularity')).toHaveValue('channels');
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle');
  await page.keyboard.press('Control+Shift+Z');
  await expect(page.getByTestId('model-params')).toHaveAttribute('data-value', String(original.params), { timeout: 60_000 });
  await expect(page.getByTestId('redo')).toBeDisabled();
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle');
  // Steps 1 and 4 share settings, so their dots coincide; the channel step's dot stands alone.
  await page.locator(`[data-testid="chart-point"][data-step="${channelStep}"]`).click();
  await expect(page.locator(`[data-testid="history-point"][data-step="${channelStep}"]`)).toHaveAttribute('aria-current', 'step', { timeout: 60_000 });
  await expect(page.getByTestId('model-params')).toHaveAttribute('data-value', String(channelParams));
  await keepScreenshot(page, test.info(), 'history-chart');
});

test("a layer's weights: the histogram's zero bar, stats and heatmap follow the step on screen", async () => {
  // Back to a plain unstructured step: 70% global.
  await page.getByTestId('prune-granularity').selectOption('unstructured');
  await page.getByTestId('global-sparsity').fill('70');
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle', { timeout: 120_000 });
  await expect(page.getByTestId('global-sparsity')).toHaveValue('70');
  const row = page.locator('[data-testid="layer-row"][data-layer="fc1"]');
  await expect(row).toHaveAttribute('data-nonzero', /\d+/);
  await row.getByTestId('layer-expand').click();
  await expect(row.getByTestId('layer-expand')).toHaveAttribute('aria-expanded', 'true');
  const detail = page.locator('[data-testid="layer-detail"][data-layer="fc1"]');
  await expect(detail).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  const kernel = detail.getByTestId('kernel-view').first();
  const count = Number(await kernel.getAttribute('data-count'));
  const zerosAt70 = Number(await kernel.getAttribute('data-zeros'));
  // The kernel's zeros are the row's pruned weights (fc1's bias is dense).
  expect(zerosAt70).toBe(Number(await row.getAttribute('data-params')) - Number(await row.getAttribute('data-nonzero')));
  expect(zerosAt70 / count).toBeGreaterThan(0.5);
  await expect(detail.getByTestId('weight-histogram')).toHaveAttribute('data-zeros', String(zerosAt70));
  await expect(detail.getByTestId('kernel-heatmap')).toHaveAttribute('data-rows', /\d+/);
  await detail.getByTestId('histogram-log').check();
  await expect(detail.getByTestId('weight-histogram')).toHaveAttribute('data-log', 'true');
  // Undo: the detail follows the step on screen.
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle', { timeout: 60_000 });
  await expect(kernel).not.toHaveAttribute('data-zeros', String(zerosAt70), { timeout: 60_000 });
  await keepScreenshot(page, test.info(), 'layer-detail');
});
