// Pictures to look at and take away: one layer's |w| over the history (the histogram timeline, one
// row per step, growing live during a schedule), every chart downloadable as a standalone SVG or a
// PNG, and the export .zip's report.html. On the suite's backend (wasm; helpers.ts).
import { readFileSync } from 'node:fs';
import { test, expect, type Page } from '@playwright/test';
import { unzipSync, strFromU8 } from 'fflate';
import { openStudioPage } from './helpers';

test.describe.configure({ mode: 'serial' });

let page: Page;
let errors: string[];

test.beforeAll(async ({ browser }) => {
  ({ page, errors } = await openStudioPage(browser));
});

test.afterAll(async () => {
  expect(errors).toEqual([]);
  await page.close();
});

const idle = () => expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle', { timeout: 170_000 });
const point = (step: number) => page.locator(`[data-testid="history-point"][data-step="${step}"]`);

/** Chooses a format in a chart's download menu (SVG with the mouse, PNG by keyboard); the saved file's name and bytes. */
async function downloadChart(chart: string, format: 'svg' | 'png') {
  await page.locator(`[data-testid="download-chart"][data-chart="${chart}"]`).click();
  const item = page.locator(`[data-testid="download-format"][data-format="${format}"]`);
  // The menu opens with its first choice focused.
  await expect(page.locator('[data-testid="download-format"][data-format="svg"]')).toBeFocused();
  const choose = async () => {
    if (format === 'svg') return item.click();
    await page.keyboard.press('ArrowDown');
    await expect(item).toBeFocused();
    await page.keyboard.press('Enter');
  };
  const [download] = await Promise.all([page.waitForEvent('download'), choose()]);
  const path = test.info().outputPath(download.suggestedFilename());
  await download.saveAs(path);
  return { name: download.suggestedFilename(), bytes: readFileSync(path) };
}

/** What a browser makes of an SVG file opened on its own: parse errors, size, and whether anything still reads the page's CSS. */
async function openSvg(svg: string) {
  return page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const root = doc.documentElement;
    return {
      error: doc.querySelector('parsererror')?.textContent ?? null, root: root.nodeName, width: Number(root.getAttribute('width')),
      background: root.querySelector('rect')?.getAttribute('fill') ?? null, readsCss: text.includes('var(') || text.includes('class=') || text.includes('style='),
    };
  }, svg);
}

test('the timeline shows one row per step after two prune steps, by keyboard too', async () => {
  const timeline = page.getByTestId('histogram-timeline');
  await expect(timeline).toHaveAttribute('data-steps', '1', { timeout: 60_000 });
  await expect(timeline).toHaveAttribute('data-layer', 'conv1');
  for (const [i, pct] of [40, 80].entries()) {
    await page.getByTestId('global-sparsity').fill(String(pct));
    await expect(point(i + 1)).toBeVisible({ timeout: 120_000 });
    await idle();
  }
  await expect(timeline).toHaveAttribute('data-steps', '3', { timeout: 60_000 });
  const rows = timeline.getByTestId('timeline-row');
  expect(await rows.evaluateAll((rs) => rs.map((r) => [r.getAttribute('data-step'), r.getAttribute('data-current')]))).toEqual([['0', 'false'], ['1', 'false'], ['2', 'true']]);
  const zeros = await rows.evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-zeros'))));
  expect(zeros[0]).toBe(0);
  expect(zeros[2]).toBeGreaterThan(zeros[1]);
  expect(zeros[1]).toBeGreaterThan(0);

  // Another layer: as many rows.
  await page.getByTestId('timeline-layer').selectOption('fc1');
  await expect(timeline).toHaveAttribute('data-layer', 'fc1');
  await expect(rows).toHaveCount(3);
  // One tab stop on the current step; arrows move, Enter restores.
  await page.getByTestId('timeline-layer').focus();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await expect(rows.nth(2)).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(rows.nth(1)).toBeFocused();
  await expect(page.getByTestId('timeline-readout')).toContainText('Step 1');
  await page.keyboard.press('Enter');
  await idle();
  await expect(rows.nth(1)).toHaveAttribute('data-current', 'true');
  await expect(page.getByTestId('model-nonzero')).toHaveAttribute('data-value', (await point(1).getAttribute('data-size'))!);

  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await timeline.screenshot({ path: test.info().outputPath(`timeline-${scheme}.png`) });
    await timeline.getByTestId('download-chart').click();
    await page.screenshot({ path: test.info().outputPath(`download-menu-${scheme}.png`), clip: (await timeline.boundingBox())! });
    await page.keyboard.press('Escape');
    await expect(timeline.getByTestId('download-chart')).toBeFocused();
  }
  await page.emulateMedia({ colorScheme: 'light' });
});

test('download-chart saves a standalone SVG that parses and a PNG, for the history chart and the histograms, in dark mode too', async () => {
  const svg = await downloadChart('timeline', 'svg');
  expect(svg.name).toBe('fc1-weights-over-time.svg');
  expect(await openSvg(svg.bytes.toString('utf8'))).toMatchObject({ error: null, root: 'svg', readsCss: false });
  const png = await downloadChart('timeline', 'png');
  expect(png.name).toBe('fc1-weights-over-time.png');
  expect([...png.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

  const chart = await downloadChart('history', 'svg');
  const opened = await openSvg(chart.bytes.toString('utf8'));
  expect(opened).toMatchObject({ error: null, root: 'svg', readsCss: false, background: 'rgb(255, 255, 255)' });
  expect(chart.bytes.toString('utf8')).toContain('Accuracy (%) against nonzero parameters');
  expect(chart.bytes.toString('utf8').match(/<circle|<path/g)?.length).toBeGreaterThan(2);

  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await downloadChart('weights', 'svg');
  const openedDark = await openSvg(dark.bytes.toString('utf8'));
  expect(openedDark).toMatchObject({ error: null, root: 'svg', readsCss: false, background: 'rgb(23, 28, 35)' });
  // Every layer's histogram is in it, under its label.
  for (const layer of ['conv1', 'conv2', 'fc1', 'fc2']) expect(dark.bytes.toString('utf8')).toContain(`>${layer} · `);
  const darkPng = await downloadChart('weights', 'png');
  expect([...darkPng.bytes.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  await page.emulateMedia({ colorScheme: 'light' });

  // A layer's own histogram, in its detail.
  await page.locator('[data-testid="layer-row"][data-layer="conv2"]').getByTestId('layer-expand').click();
  await expect(page.getByTestId('weight-histogram')).toBeVisible({ timeout: 60_000 });
  const layer = await downloadChart('layer', 'svg');
  expect(await openSvg(layer.bytes.toString('utf8'))).toMatchObject({ error: null, root: 'svg', readsCss: false });
  expect(layer.name).toMatch(/histogram\.svg$/);
});

test('the export .zip carries report.html, self-contained, with every step and layer', async ({ browser }) => {
  await page.getByTestId('export-format').selectOption('zip');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
  const path = test.info().outputPath(download.suggestedFilename());
  await download.saveAs(path);
  const files = unzipSync(new Uint8Array(readFileSync(path)));
  expect(Object.keys(files)).toContain('report.html');
  const html = strFromU8(files['report.html']);
  const report = JSON.parse(strFromU8(files['report.json'])) as { recipe: { label: string }[]; layers: { path: string }[] };
  for (const step of report.recipe) expect(html).toContain(step.label);
  for (const l of report.layers) expect(html).toContain(`>${l.path}<`);
  expect(html).not.toMatch(/<script|<link|\ssrc=|\shref=/);
  // Opened offline, as a file: it draws its chart with one dot per history step.
  const offline = await browser.newContext({ offline: true });
  const viewer = await offline.newPage();
  const asked: string[] = [];
  viewer.on('request', (r) => asked.push(r.url()));
  await viewer.setContent(html);
  await expect(viewer.locator('svg.chart circle')).toHaveCount(await page.locator('[data-testid="history-point"]').count());
  await expect(viewer.locator('tbody tr')).toHaveCount(report.layers.length);
  await viewer.screenshot({ path: test.info().outputPath('report-html.png'), fullPage: true });
  expect(asked).toEqual([]);
  await offline.close();
});

test('during a scheduled fine-tune the timeline grows one row per pruning event, while the job runs', async () => {
  test.setTimeout(420_000);
  const timeline = page.getByTestId('histogram-timeline');
  const before = Number(await timeline.getAttribute('data-steps'));
  await page.getByTestId('finetune-epochs').fill('0.25');
  await page.getByTestId('finetune-schedule').selectOption('agp');
  await page.getByTestId('finetune-final').fill('90');
  await page.getByTestId('finetune-rounds').fill('3');
  await page.getByTestId('finetune').click();
  // The first event's row is there while the job still runs: it came with the event.
  await expect(timeline).toHaveAttribute('data-steps', String(before + 1), { timeout: 200_000 });
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'busy');
  await idle();
  // Three events and the fine-tuned end.
  await expect(timeline).toHaveAttribute('data-steps', String(before + 4), { timeout: 60_000 });
  await timeline.screenshot({ path: test.info().outputPath('timeline-agp.png') });
  await page.getByTestId('finetune-schedule').selectOption('none');
});
