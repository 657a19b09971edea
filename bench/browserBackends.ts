// Two benchmarks on every browser backend, in the studio's worker (the page is opened in Chromium with
// ?backend=<name>&bench):
// - a 90%-masked training step of the demo CNN against the same step without masks, the two
//   alternating, medians (bench/maskedStep.ts does the same in Node);
// - a sensitivity scan of the demo CNN (4 layers x 11 sparsities on 250 images, unstructured), its
//   time against one evaluation's time measured in the same scan (bench/scan.ts covers Node).
// Needs a build:  npm run build && npx tsx bench/browserBackends.ts [--steps 10] [--warmup 3]
import { chromium } from '@playwright/test';
import { BASE_FLAGS, WEBGPU_FLAGS, findChromium } from '../e2e/browser';
import { numberArg, startPreview } from './harness';

const STEPS = numberArg('--steps', 10);
const WARMUP = numberArg('--warmup', 3);
const server = await startPreview(4184);
const browser = await chromium.launch({ executablePath: findChromium()?.path, args: [...BASE_FLAGS, ...WEBGPU_FLAGS] });
const rows: string[] = [];
try {
  for (const backend of ['webgpu', 'webgl', 'cpu']) {
    const page = await browser.newPage();
    await page.goto(`${server.url}?backend=${backend}&bench`);
    await page.waitForSelector('[data-testid="baseline-accuracy"][data-value]', { timeout: 600_000 });
    await page.waitForSelector('[data-testid="status"][data-state="idle"]');
    const active = await page.getByTestId('backend').getAttribute('data-value');
    if (active !== backend) {
      rows.push(`| ${backend} | not available here (${active} instead) | | | | | |`);
      await page.close();
      continue;
    }
    const r = await page.evaluate(
      (o) => (window as unknown as { __secateurBench: { maskedStep(o: unknown): Promise<{ plainMedianMs: number; maskedMedianMs: number; ratio: number; steps: number }> } }).__secateurBench.maskedStep(o),
      { steps: STEPS, warmup: WARMUP, batchSize: 64 },
    );
    const scan = await page.evaluate(
      () => (window as unknown as { __secateurBench: { scan(g: string): Promise<{ ms: number; evaluations: number; units: unknown[] }> } }).__secateurBench.scan('unstructured'),
    );
    rows.push(`| ${backend} | ${r.plainMedianMs.toFixed(0)} | ${r.maskedMedianMs.toFixed(0)} | ${r.ratio.toFixed(3)}x | ${(scan.ms / 1000).toFixed(1)} s | ${scan.evaluations} | ${(scan.ms / scan.evaluations).toFixed(0)} ms |`);
    console.error(`${backend}: masked step ${r.ratio.toFixed(3)}x, scan ${(scan.ms / 1000).toFixed(1)} s`);
    await page.close();
  }
} finally {
  await browser.close();
  server.stop();
}
console.log(`Demo CNN in the studio's worker. Training step: batch 64, Adam, BatchNorm frozen, 90% global magnitude masks; median of ${STEPS} steps after ${WARMUP} warm-up, alternating. Scan: unstructured magnitude, 4 layers x 11 sparsities, 250 test images per evaluation.`);
console.log('| backend | step without masks (ms) | masked step (ms) | masked / unmasked | scan | evaluations | scan time / evaluation |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) console.log(r);
