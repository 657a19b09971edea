// Slider release → measured history point, as a user feels it: the global slider set to a new
// sparsity in the page, until that step's point is in the history (debounce, prune, evaluation and
// the trip back included; the export-size measurement the step starts afterwards is not). For the
// demo CNN on the backend the studio chooses by itself and, in the same run, forced to the cpu (the
// baseline: the studio's backend before wasm); and for a 224×224 MobileNet-class model made by
// scripts/make-mobilenet-class.ts, imported through the file picker as a user would.
// Needs a build:  npm run build && npx tsx bench/sliderRelease.ts [--moves 5] [--no-mobilenet] [--no-cpu]
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium, type Browser, type Page } from '@playwright/test';
import { BASE_FLAGS, WEBGPU_FLAGS, findChromium } from '../e2e/browser';
import { median, numberArg, startPreview } from './harness';

const MOVES = numberArg('--moves', 5);
const MOBILENET = !process.argv.includes('--no-mobilenet');
const CPU = !process.argv.includes('--no-cpu');
const MOBILENET_DIR = resolve('bench/.models/mobilenet-224');
/** Sparsities the slider visits, in this order (each a new step from the original). */
const LADDER = [30, 50, 70, 40, 60, 80, 20, 90];

interface Row {
  model: string;
  backend: string;
  times: number[];
  examples: string;
  goalMs: number;
}

async function ready(page: Page) {
  await page.waitForSelector('[data-testid="baseline-accuracy"][data-value]', { timeout: 900_000 });
  await page.waitForSelector('[data-testid="status"][data-state="idle"]', { timeout: 900_000 });
}

/** ms from setting the slider to its point on the chart with the studio idle, for MOVES moves. */
async function sliderMoves(page: Page): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < MOVES; i++) {
    const steps = await page.locator('[data-testid="history-point"]').count();
    const t0 = Date.now();
    await page.getByTestId('global-sparsity').fill(String(LADDER[i % LADDER.length]));
    await page.locator(`[data-testid="history-point"][data-step="${steps}"]`).waitFor({ timeout: 900_000 });
    times.push(Date.now() - t0);
    // Background work the step starts (export sizes) is not part of the figure, but must not
    // overlap the next move.
    await page.waitForSelector('[data-testid="status"][data-state="idle"]', { timeout: 900_000 });
  }
  return times;
}

async function measure(browser: Browser, url: string, model: string, goalMs: number, open?: (page: Page) => Promise<void>): Promise<Row> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  await page.goto(url);
  await ready(page);
  if (open) {
    await open(page);
    await ready(page);
  }
  const backend = (await page.getByTestId('backend').getAttribute('data-value')) ?? '?';
  const examples = (await page.getByTestId('accuracy').locator('.card-note').textContent()) ?? '';
  const times = await sliderMoves(page);
  await page.close();
  console.error(`${model} on ${backend}: ${times.map((t) => `${t} ms`).join(', ')}`);
  return { model, backend, times, examples, goalMs };
}

if (MOBILENET && !existsSync(join(MOBILENET_DIR, 'model.json'))) {
  execFileSync('npx', ['tsx', 'scripts/make-mobilenet-class.ts', '--out', MOBILENET_DIR], { stdio: 'inherit' });
}

const server = await startPreview(4186);
const browser = await chromium.launch({ executablePath: findChromium()?.path, args: [...BASE_FLAGS, ...WEBGPU_FLAGS] });
const rows: Row[] = [];
try {
  rows.push(await measure(browser, server.url, 'demo CNN (106,058 params)', 1000));
  if (CPU) rows.push(await measure(browser, `${server.url}?backend=cpu`, 'demo CNN (106,058 params)', 1000));
  if (MOBILENET) {
    const files = readdirSync(MOBILENET_DIR).map((f) => join(MOBILENET_DIR, f));
    rows.push(await measure(browser, server.url, 'MobileNet-class 224×224 (538,611 params)', 5000, async (page) => {
      await page.getByTestId('model-input').setInputFiles(files);
      await page.waitForSelector('[data-testid="model-source"][data-kind="file"]', { timeout: 900_000 });
    }));
  }
} finally {
  await browser.close();
  server.stop();
}

console.log(`Slider release → measured history point (the global slider set, until the step's point is in the history); median of ${MOVES} moves, each a new step.`);
console.log('| model | backend | measured on | median | all moves | goal |');
console.log('| --- | --- | --- | ---: | --- | ---: |');
for (const r of rows) {
  console.log(`| ${r.model} | ${r.backend} | ${r.examples.replace(/\s*\(.*\)$/, '')} | ${median(r.times).toFixed(0)} ms | ${r.times.join(', ')} | <= ${r.goalMs} ms |`);
}
const [chosen, cpu] = rows;
if (cpu && cpu.backend === 'cpu') console.log(`\nSame run: demo CNN on the chosen backend (${chosen.backend}) / forced cpu: ${(median(chosen.times) / median(cpu.times)).toFixed(2)}x`);
