// The bad-data corpus (e2e/fixtures/bad-data/cases.json, written by scripts/build-bad-data-fixtures.ts)
// in one page load: each drop refused shows its exact message with the studio idle again and the
// model, its history and its data untouched; each drop that loads with a warning shows that exact
// warning, with its image count. Cases run grouped by the model they need.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect, type Page } from '@playwright/test';
import { keepScreenshot, openStudioPage } from './helpers';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = join(ROOT, 'e2e/fixtures/bad-data');

interface BadDataCase { case: string; model: string; drop: string[]; message: string; warning?: boolean; count?: number; skipped?: number }
const corpus = JSON.parse(readFileSync(join(CORPUS, 'cases.json'), 'utf8')) as { models: Record<string, { files: string[] }>; cases: BadDataCase[] };

let page: Page;
let errors: string[];

const idle = () => expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle', { timeout: 120_000 });

/** What must survive a refused drop: the model's figures, the history, the data source. */
async function snapshot() {
  return page.evaluate(() => {
    const attrs = (el: Element | null, names: string[]) => names.map((n) => el?.getAttribute(n) ?? null).join('|');
    return {
      accuracy: attrs(document.querySelector('[data-testid="accuracy"]'), ['data-value', 'data-metric']),
      nonzero: attrs(document.querySelector('[data-testid="model-nonzero"]'), ['data-value']),
      history: [...document.querySelectorAll('[data-testid="history-point"]')].map((p) => attrs(p, ['data-step', 'data-kind', 'data-accuracy', 'aria-current'])),
      data: attrs(document.querySelector('[data-testid="data-source"]'), ['data-kind', 'data-count', 'data-classes', 'data-train', 'data-test']),
      model: document.querySelector('#summary-title')?.textContent ?? null,
    };
  });
}

async function drop(c: BadDataCase) {
  for (const item of c.drop) {
    const path = join(CORPUS, c.case, item);
    const input = statSync(path).isDirectory() ? 'data-folder-input' : 'data-input';
    await page.getByTestId(input).setInputFiles(path);
  }
}

test.beforeAll(async ({ browser }) => {
  ({ page, errors } = await openStudioPage(browser));
});

test.afterAll(async () => {
  expect(errors.filter((e) => !e.includes('Failed to load resource'))).toEqual([]);
  await page.close();
});

test(`each of the ${corpus.cases.length} bad data sets says exactly what is wrong, and nothing is lost`, async ({}, testInfo) => {
  test.setTimeout(600_000);
  expect(corpus.cases.length).toBeGreaterThanOrEqual(15);
  const models = [...new Set(corpus.cases.map((c) => c.model))];
  expect(models[0]).toBe('demo');
  for (const model of models) {
    if (model !== 'demo') {
      await page.getByTestId('model-input').setInputFiles(corpus.models[model].files.map((f) => join(ROOT, f)));
      await expect(page.getByTestId('data-source')).toHaveAttribute('data-kind', 'generated', { timeout: 120_000 });
      await idle();
    }
    // A pruned step, so that "nothing lost" covers the history too.
    await page.getByTestId('global-sparsity').fill('30');
    await expect(page.locator('[data-testid="history-point"]')).toHaveCount(2, { timeout: 120_000 });
    await idle();
    for (const c of corpus.cases.filter((x) => x.model === model)) {
      await test.step(c.case, async () => {
        const before = await snapshot();
        await drop(c);
        if (c.warning) {
          await expect(page.getByTestId('data-warning'), c.case).toHaveText([c.message], { timeout: 120_000 });
          await idle();
          await expect(page.getByTestId('error')).toHaveCount(0);
          await expect(page.getByTestId('data-source')).toHaveAttribute('data-count', String(c.count));
          await expect(page.getByTestId('data-source')).toHaveAttribute('data-skipped', String(c.skipped));
          return;
        }
        await expect(page.getByTestId('error'), c.case).toHaveText(c.message, { timeout: 120_000 });
        await idle();
        expect(await snapshot(), c.case).toEqual(before);
      });
    }
    await keepScreenshot(page, testInfo, `bad-data-${model}`);
  }
  // Still working after all of that: the next prune lands.
  const steps = await page.locator('[data-testid="history-point"]').count();
  await page.getByTestId('global-sparsity').fill('60');
  await expect(page.locator('[data-testid="history-point"]')).toHaveCount(steps + 1, { timeout: 120_000 });
  await idle();
});
