// The user's own data (e2e/fixtures/data, written by scripts/build-data-fixtures.ts): a zip of PNG
// class folders with the demo CNN gives the demo's accuracy on the same images; a CSV with its
// table model gives Node's figures; pruning then fine-tuning on the data wins accuracy back; the
// per-class table and the flipped examples appear. On the suite's backend (helpers.ts).
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { keepScreenshot, numberAttr, openStudioPage } from './helpers';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = join(ROOT, 'e2e/fixtures/data');
const expected = JSON.parse(readFileSync(join(DATA, 'expected.json'), 'utf8'));

test.describe.configure({ mode: 'serial' });

let page: Page;
let errors: string[];

const idle = () => expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle', { timeout: 170_000 });
const source = () => page.getByTestId('data-source');

test.beforeAll(async ({ browser }) => {
  ({ page, errors } = await openStudioPage(browser));
});

test.afterAll(async () => {
  expect(errors).toEqual([]);
  await page.close();
});

test('the demo data is named as the data source, with its counts, and the demo has per-class damage too', async () => {
  await expect(source()).toHaveAttribute('data-kind', 'demo');
  await expect(source()).toHaveAttribute('data-classes', '10');
  await expect(source()).toHaveAttribute('data-test', '2000');
  await expect(page.getByTestId('accuracy')).toHaveAttribute('data-metric', 'accuracy');
  await page.getByTestId('global-sparsity').fill('90');
  await expect(page.locator('[data-testid="history-point"]')).toHaveCount(2, { timeout: 120_000 });
  await idle();
  await expect(page.getByTestId('class-row')).toHaveCount(10, { timeout: 60_000 });
  const rows = await page.getByTestId('class-row').evaluateAll((r) => r.map((e) => Number(e.getAttribute('data-current')) - Number(e.getAttribute('data-original'))));
  expect(rows).toEqual([...rows].sort((a, b) => a - b)); // most hurt first
});

test('a zip of PNG class folders with the demo CNN: the demo\'s accuracy on the same images, a fresh history on them', async ({}, testInfo) => {
  const f = expected.fashion;
  await page.getByTestId('data-input').setInputFiles(join(DATA, f.zip));
  await expect(source()).toHaveAttribute('data-kind', 'images', { timeout: 120_000 });
  await idle();
  await expect(source()).toHaveAttribute('data-count', String(f.count));
  await expect(source()).toHaveAttribute('data-classes', '10');
  await expect(source()).toHaveAttribute('data-train', String(f.train));
  await expect(source()).toHaveAttribute('data-test', String(f.test));
  await expect(page.getByTestId('data-preprocess')).toHaveAttribute('data-value', f.scaling);
  await expect(page.getByTestId('accuracy')).toHaveAttribute('data-metric', 'accuracy');
  expect(Math.abs(await numberAttr(page, 'baseline-accuracy', 'data-full') - f.heldOut.accuracy)).toBeLessThanOrEqual(0.001);
  await expect(page.locator('[data-testid="history-point"]')).toHaveCount(1);
  await expect(page.getByTestId('data-preview-item')).toHaveCount(12);
  // The mapping the original model's predictions give, with its agreement per folder.
  const mapping = await page.getByTestId('mapping-row').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-group'), Number(r.getAttribute('data-class'))]));
  expect(mapping.map(([, c]) => c)).toEqual(f.mapping);
  await keepScreenshot(page, testInfo, 'data-panel');

  // Every image held out (measure only): the demo CNN's own figure on these 1,000 images.
  await page.getByTestId('data-test-share').selectOption('1');
  await expect(source()).toHaveAttribute('data-test', String(f.count), { timeout: 120_000 });
  await idle();
  expect(Math.abs(await numberAttr(page, 'baseline-accuracy', 'data-full') - f.demoAccuracy.accuracy)).toBeLessThanOrEqual(0.001);
  await page.getByTestId('data-test-share').selectOption('0.2');
  await expect(source()).toHaveAttribute('data-test', String(f.test), { timeout: 120_000 });
  await idle();
});

test('prune 80% and fine-tune on the data: accuracy rises; the per-class table and flipped examples appear', async ({}, testInfo) => {
  test.setTimeout(400_000);
  await page.getByTestId('global-sparsity').fill('80');
  await expect(page.locator('[data-testid="history-point"]')).toHaveCount(2, { timeout: 120_000 });
  await idle();
  const pruned = await numberAttr(page, 'accuracy');
  await expect(page.getByTestId('class-row')).toHaveCount(10, { timeout: 60_000 });
  const flips = page.getByTestId('flipped-example');
  await expect(flips.first()).toBeVisible({ timeout: 60_000 });
  const flip = flips.first();
  expect(await flip.getAttribute('data-original')).not.toBe(await flip.getAttribute('data-current'));
  await flip.click();
  await expect(page.getByTestId('flip-detail')).toBeVisible();
  await keepScreenshot(page, testInfo, 'class-damage');
  for (const colorScheme of ['dark', 'light'] as const) {
    await page.emulateMedia({ colorScheme });
    if (colorScheme === 'dark') await keepScreenshot(page, testInfo, 'class-damage-dark');
    // The data panel and the damage panel filled in: no serious or critical axe violations.
    const results = await new AxeBuilder({ page }).include('.data-panel').include('.damage-panel').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${colorScheme}: ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`)).toEqual([]);
  }

  await page.getByTestId('finetune-epochs').fill('3');
  await page.getByTestId('finetune').click();
  await expect(page.locator('[data-testid="history-point"]')).toHaveCount(3, { timeout: 300_000 });
  await idle();
  const tuned = await numberAttr(page, 'accuracy');
  expect(tuned, `pruned ${pruned} → fine-tuned ${tuned}`).toBeGreaterThan(pruned);
  await expect(page.getByTestId('accuracy')).toHaveAttribute('data-metric', 'accuracy');
});

test('a table model and its CSV: accuracy (flowers) and mean absolute error (growth) as Node measures them', async ({}, testInfo) => {
  const importModel = async (paths: string[]) => {
    await page.getByTestId('model-input').setInputFiles(paths.map((p) => join(ROOT, p)));
    await expect(source()).toHaveAttribute('data-kind', 'generated', { timeout: 120_000 });
    await idle();
  };
  await importModel(expected.flowers.model);
  await page.getByTestId('data-input').setInputFiles(join(DATA, expected.flowers.csv));
  await expect(source()).toHaveAttribute('data-kind', 'csv', { timeout: 120_000 });
  await idle();
  await expect(source()).toHaveAttribute('data-count', '600');
  expect(await numberAttr(page, 'baseline-accuracy', 'data-full')).toBeCloseTo(expected.flowers.heldOut.accuracy, 6);
  await expect(page.getByTestId('class-row')).toHaveCount(3, { timeout: 60_000 });
  // The label column is the user's to choose; a wrong one says why and keeps the table as it was.
  await expect(page.getByTestId('data-label-column')).toHaveValue('species');
  await page.getByTestId('data-label-column').selectOption('f1');
  await expect(page.getByTestId('error')).toHaveText('flowers.csv: row 2, column species: "alpha" is not a number. Features must be numbers.', { timeout: 120_000 });
  await idle();
  await expect(page.getByTestId('data-label-column')).toHaveValue('species');
  await expect(source()).toHaveAttribute('data-count', '600');

  // The same table dropped anywhere on the page is read as data for the loaded model, not as a model.
  const rows = [...readFileSync(join(DATA, expected.flowers.csv))];
  const dataTransfer = await page.evaluateHandle(({ rows }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(rows)], 'flowers.csv', { type: 'text/csv' }));
    return dt;
  }, { rows });
  await page.getByTestId('dropzone').dispatchEvent('dragenter', { dataTransfer });
  await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer });
  await expect(page.getByTestId('history-point')).toHaveCount(1, { timeout: 60_000 });
  await idle();
  await expect(page.getByTestId('error')).toHaveCount(0);
  await expect(source()).toHaveAttribute('data-kind', 'csv');
  expect(await numberAttr(page, 'baseline-accuracy', 'data-full')).toBeCloseTo(expected.flowers.heldOut.accuracy, 6);

  await importModel(expected.growth.model);
  await page.getByTestId('data-input').setInputFiles(join(DATA, expected.growth.csv));
  await expect(source()).toHaveAttribute('data-kind', 'csv', { timeout: 120_000 });
  await idle();
  await expect(page.getByTestId('accuracy')).toHaveAttribute('data-metric', 'mae');
  await expect(page.getByTestId('baseline-accuracy')).toHaveAttribute('data-metric', 'mae');
  expect(await numberAttr(page, 'baseline-accuracy', 'data-full')).toBeCloseTo(expected.growth.heldOut.mae, 4);
  expect(await numberAttr(page, 'accuracy')).toBeCloseTo(expected.growth.live.mae, 4);

  // A model and its data in one folder drop: model.json, weights, metadata.json and a data/ tree.
  const folder = testInfo.outputPath('flowers-with-data');
  mkdirSync(join(folder, 'data'), { recursive: true });
  for (const p of expected.flowers.model) copyFileSync(join(ROOT, p), join(folder, basename(p)));
  copyFileSync(join(DATA, expected.flowers.csv), join(folder, 'data/flowers.csv'));
  await page.getByTestId('model-folder-input').setInputFiles(folder);
  await expect(source()).toHaveAttribute('data-kind', 'csv', { timeout: 120_000 });
  await idle();
  await expect(page.getByTestId('accuracy')).toHaveAttribute('data-metric', 'accuracy');
  expect(await numberAttr(page, 'baseline-accuracy', 'data-full')).toBeCloseTo(expected.flowers.heldOut.accuracy, 6);
});

test('the data comes back with a restored session: measured on the same rows after a reload', async () => {
  // The flowers model and its CSV from the folder drop above: one step, saved with its data.
  await page.getByTestId('global-sparsity').fill('50');
  await expect(page.getByTestId('history-point')).toHaveCount(2, { timeout: 120_000 });
  await idle();
  await expect(page.getByTestId('autosave')).toHaveAttribute('data-state', 'saved', { timeout: 60_000 });
  const accuracy = await numberAttr(page, 'accuracy');

  await page.reload();
  await expect(page.getByTestId('restore-offer')).toBeVisible({ timeout: 120_000 });
  await idle();
  await page.getByTestId('session-restore').click();
  await expect(page.getByTestId('history-point')).toHaveCount(2, { timeout: 120_000 });
  await idle();
  await expect(source()).toHaveAttribute('data-kind', 'csv');
  await expect(source()).toHaveAttribute('data-count', '600');
  expect(await numberAttr(page, 'accuracy')).toBe(accuracy);
  // A new step is measured on the same held-out rows: the same cut again gives the same figure.
  await page.getByTestId('global-sparsity').fill('40');
  await expect(page.getByTestId('history-point')).toHaveCount(3, { timeout: 120_000 });
  await idle();
  await page.getByTestId('global-sparsity').fill('50');
  await expect(page.getByTestId('history-point')).toHaveCount(4, { timeout: 120_000 });
  await idle();
  expect(await numberAttr(page, 'accuracy')).toBe(accuracy);
});
