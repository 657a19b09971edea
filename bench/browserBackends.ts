// Benchmarks on every browser backend, in the studio's worker (the page is opened in Chromium with
// ?backend=<name>&bench, and once with no ?backend, as a user opens it: the "default" row):
// - a 90%-masked training step of the demo CNN against the same step without masks, the two
//   alternating, medians (bench/maskedStep.ts does the same in Node); then, in the same run, the
//   default backend's masked step / the fastest forced backend's (goal <= 1.2x) and wasm's / WebGL's;
// - a sensitivity scan of the demo CNN (4 layers x 11 sparsities on 250 images, unstructured), its
//   time against one evaluation's time measured in the same scan (bench/scan.ts covers Node);
// - the longest main-thread task (PerformanceObserver 'longtask') while the worker fine-tunes the
//   demo CNN for --epochs epochs from the UI (goal <= 50 ms: the page stays responsive).
// Needs a build:  npm run build && npx tsx bench/browserBackends.ts [--steps 10] [--warmup 3]
//   [--epochs 1] [--backends default,webgpu,webgl,wasm,cpu] [--no-scan] [--no-finetune]
import { chromium, type Page } from '@playwright/test';
import { BASE_FLAGS, WEBGPU_FLAGS, findChromium } from '../e2e/browser';
import { watchLongTasks } from '../e2e/helpers';
import { numberArg, startPreview, stringArg } from './harness';

const STEPS = numberArg('--steps', 10);
const WARMUP = numberArg('--warmup', 3);
const EPOCHS = numberArg('--epochs', 1);
const BACKENDS = stringArg('--backends', 'default,webgpu,webgl,wasm,cpu').split(',');
const SCAN = !process.argv.includes('--no-scan');
const FINETUNE = !process.argv.includes('--no-finetune');

interface Row {
  asked: string;
  active: string;
  plainMs?: number;
  maskedMs?: number;
  ratio?: number;
  scan?: { ms: number; evaluations: number };
  longTasks?: { count: number; longestMs: number; seconds: number };
}

type Bench = {
  maskedStep(o: unknown): Promise<{ plainMedianMs: number; maskedMedianMs: number; ratio: number; steps: number }>;
  scan(g: string): Promise<{ ms: number; evaluations: number }>;
};

/** Fine-tunes the current model for EPOCHS from the UI and returns the main thread's long tasks meanwhile. */
async function longTasksDuringFinetune(page: Page): Promise<Row['longTasks']> {
  const readLongTasks = await watchLongTasks(page);
  const before = await page.locator('[data-testid="history-point"]').count();
  const t0 = Date.now();
  await page.getByTestId('finetune-epochs').fill(String(EPOCHS));
  await page.getByTestId('finetune').click();
  await page.locator(`[data-testid="history-point"][data-step="${before}"][data-kind="finetune"]`).waitFor({ timeout: 3_600_000 });
  await page.waitForSelector('[data-testid="status"][data-state="idle"]', { timeout: 600_000 });
  const tasks = await readLongTasks();
  return { count: tasks.length, longestMs: Math.max(0, ...tasks), seconds: (Date.now() - t0) / 1000 };
}

const server = await startPreview(4184);
const browser = await chromium.launch({ executablePath: findChromium()?.path, args: [...BASE_FLAGS, ...WEBGPU_FLAGS] });
const rows: Row[] = [];
try {
  for (const asked of BACKENDS) {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error(`${asked}: page error: ${e.message}`));
    page.on('worker', (w) => w.on('close', () => console.error(`${asked}: the engine worker closed`)));
    await page.goto(`${server.url}?${asked === 'default' ? '' : `backend=${asked}&`}bench`);
    await page.waitForSelector('[data-testid="baseline-accuracy"][data-value]', { timeout: 600_000 });
    await page.waitForSelector('[data-testid="status"][data-state="idle"]');
    const active = (await page.getByTestId('backend').getAttribute('data-value')) ?? '?';
    const row: Row = { asked, active };
    rows.push(row);
    if (asked !== 'default' && active !== asked) {
      console.error(`${asked}: not available here (${active} instead)`);
      await page.close();
      continue;
    }
    const r = await page.evaluate((o) => (window as unknown as { __secateurBench: Bench }).__secateurBench.maskedStep(o), { steps: STEPS, warmup: WARMUP, batchSize: 64 });
    Object.assign(row, { plainMs: r.plainMedianMs, maskedMs: r.maskedMedianMs, ratio: r.ratio });
    if (SCAN) row.scan = await page.evaluate((g) => (window as unknown as { __secateurBench: Bench }).__secateurBench.scan(g), 'unstructured');
    if (FINETUNE) row.longTasks = await longTasksDuringFinetune(page);
    console.error(`${asked} (${active}): masked step ${r.maskedMedianMs.toFixed(0)} ms (${r.ratio.toFixed(3)}x unmasked)${row.scan ? `, scan ${(row.scan.ms / 1000).toFixed(1)} s` : ''}${row.longTasks ? `, fine-tune ${row.longTasks.seconds.toFixed(0)} s, longest main-thread task ${row.longTasks.longestMs.toFixed(0)} ms` : ''}`);
    await page.close();
  }
} finally {
  await browser.close();
  server.stop();
}

const ms = (v?: number) => (v === undefined ? '' : v.toFixed(0));
console.log(`Demo CNN in the studio's worker. Training step: batch 64, Adam, BatchNorm frozen, 90% global magnitude masks; median of ${STEPS} steps after ${WARMUP} warm-up, alternating.${SCAN ? ' Scan: unstructured magnitude, 4 layers x 11 sparsities, 250 test images per evaluation.' : ''}${FINETUNE ? ` Long tasks: PerformanceObserver on the page while the worker fine-tunes ${EPOCHS} epoch(s) (goal: none over 50 ms).` : ''}`);
console.log('| backend | step without masks (ms) | masked step (ms) | masked / unmasked | scan | scan time / evaluation | fine-tune | longest main-thread task (goal <= 50 ms) |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  const name = r.asked === 'default' ? `default (chose ${r.active})` : r.asked;
  if (r.maskedMs === undefined) {
    console.log(`| ${name} | not available here (${r.active} instead) | | | | | | |`);
    continue;
  }
  const scan = r.scan ? [`${(r.scan.ms / 1000).toFixed(1)} s`, `${(r.scan.ms / r.scan.evaluations).toFixed(0)} ms`] : ['', ''];
  const tasks = r.longTasks ? [`${r.longTasks.seconds.toFixed(0)} s`, `${r.longTasks.longestMs.toFixed(0)} ms (${r.longTasks.count} over 50 ms)`] : ['', ''];
  console.log(`| ${name} | ${ms(r.plainMs)} | ${ms(r.maskedMs)} | ${r.ratio!.toFixed(3)}x | ${scan.join(' | ')} | ${tasks.join(' | ')} |`);
}
const forced = rows.filter((r) => r.asked !== 'default' && r.maskedMs !== undefined);
const fastest = forced.reduce<Row | null>((a, r) => (a === null || r.maskedMs! < a.maskedMs! ? r : a), null);
const byName = (n: string) => forced.find((r) => r.asked === n);
const def = rows.find((r) => r.asked === 'default' && r.maskedMs !== undefined);
console.log('');
console.log('| ratio, same run | figure | goal |');
console.log('| --- | ---: | ---: |');
if (def && fastest) console.log(`| default backend's masked step (${def.active}) / the fastest forced backend's (${fastest.asked}) | ${(def.maskedMs! / fastest.maskedMs!).toFixed(2)}x | <= 1.2x |`);
const wasm = byName('wasm');
const webgl = byName('webgl');
if (wasm && webgl) console.log(`| wasm masked step / WebGL's | ${(wasm.maskedMs! / webgl.maskedMs!).toFixed(2)}x | report (expect well under 0.5x) |`);
const worst = rows.filter((r) => r.longTasks).reduce<Row | null>((a, r) => (a === null || r.longTasks!.longestMs > a.longTasks!.longestMs ? r : a), null);
if (worst) console.log(`| longest main-thread task during a ${EPOCHS}-epoch fine-tune, every backend (worst: ${worst.asked}) | ${worst.longTasks!.longestMs.toFixed(0)} ms | <= 50 ms |`);
