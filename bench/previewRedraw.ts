// Slider input → cut preview on screen: from one `input` event on the global slider to the first
// animation frame whose DOM shows the new predicted sparsity (the frame that paints it), read off the
// weights overview's histograms with no worker round trip. The baseline, in the same run and page, is
// the same wait after an `input` event that changes nothing (the slider set to its own value): one
// plain frame. Each preview sample is then let go (its debounced prune runs) and the studio left to
// settle before the next one. Demo CNN on the wasm backend (it settles fastest here).
// Needs a build:  npm run build && npx tsx bench/previewRedraw.ts [--samples 7] [--backend wasm]
import { chromium } from '@playwright/test';
import { BASE_FLAGS, findChromium } from '../e2e/browser';
import { median, numberArg, startPreview, stringArg } from './harness';

const SAMPLES = numberArg('--samples', 7);
const BACKEND = stringArg('--backend', 'wasm');
/** Global targets the slider visits (each differs from the one before). */
const LADDER = [30, 70, 45, 85, 20, 60, 90, 35, 75];

const server = await startPreview(4187);
const browser = await chromium.launch({ executablePath: findChromium()?.path, args: BASE_FLAGS });
const preview: number[] = [];
const plain: number[] = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  // tsx names the functions in the timed script with an __name helper the page does not have.
  await page.addInitScript('window.__name = (f) => f;');
  await page.goto(`${server.url}?backend=${BACKEND}`);
  const idle = () => page.waitForSelector('[data-testid="status"][data-state="idle"]', { timeout: 300_000 });
  await page.waitForSelector('[data-testid="baseline-accuracy"][data-value]', { timeout: 300_000 });
  await idle();
  for (let i = 0; i < SAMPLES; i++) {
    // The current step's histograms on screen (each step reads its own after it lands).
    await page.waitForSelector('[data-testid="layer-histogram"]', { timeout: 120_000 });
    // Both waits in one evaluate: the plain frame first (nothing changes), then the preview.
    const [base, shown] = await page.getByTestId('global-sparsity').evaluate(async (el, pct) => {
      const input = el as HTMLInputElement;
      const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
      const firstHistogram = () => document.querySelector('[data-testid="layer-histogram"]');
      const frame = () => new Promise<number>((r) => requestAnimationFrame(() => r(performance.now())));
      /** ms from the input event to the first frame where `done()` holds. */
      const time = async (value: string, done: () => boolean) => {
        await frame();
        const t0 = performance.now();
        setValue.call(input, value);
        input.dispatchEvent(new Event('input', { bubbles: true }));
        for (;;) {
          const t = await frame();
          if (done()) return t - t0;
        }
      };
      const before = firstHistogram()?.getAttribute('data-predicted-sparsity') ?? null;
      const base = await time(input.value, () => true);
      const shown = await time(String(pct), () => {
        const p = firstHistogram()?.getAttribute('data-predicted-sparsity') ?? null;
        return p !== null && p !== before;
      });
      return [base, shown];
    }, LADDER[i % LADDER.length]);
    plain.push(base);
    preview.push(shown);
    // Let the released slider's prune and the work after it finish before the next sample.
    await page.waitForTimeout(300);
    await idle();
    await page.waitForSelector('[data-testid="weights-overview"][data-preview="off"]', { timeout: 120_000 });
  }
} finally {
  await browser.close();
  server.stop();
}

const p = median(preview);
const b = median(plain);
console.log(`Slider input → cut preview painted (demo CNN, ${BACKEND} backend, median of ${SAMPLES}); baseline: an input event that changes nothing, to the next frame.`);
console.log('| measure | median | all samples |');
console.log('| --- | ---: | --- |');
console.log(`| preview redrawn | ${p.toFixed(1)} ms | ${preview.map((t) => t.toFixed(1)).join(', ')} |`);
console.log(`| plain frame (baseline) | ${b.toFixed(1)} ms | ${plain.map((t) => t.toFixed(1)).join(', ')} |`);
console.log(`\npreview / plain frame: ${(p / b).toFixed(2)}x`);
