// Writes docs/screenshot.png, the README's picture of the studio: the demo CNN opened on the CPU
// backend (fastest to settle on machines without a GPU), then pruned with the global slider so the
// screenshot shows the studio in use (a prune, a short fine-tune, a harder prune), the Weights view
// (every layer's |w| histogram) and the start of the weights over time in view. --wide also
// writes a full-page 1920x1080 view (docs/screenshot-1920.png, not committed) to check the layout. Needs a build:  npm run build && npx tsx scripts/readme-screenshot.ts
import { mkdirSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { numberArg, startPreview } from '../bench/harness';
import { BASE_FLAGS, findChromium } from '../e2e/browser';

const server = await startPreview(numberArg('--port', 4181));
const browser = await chromium.launch({ executablePath: findChromium()?.path, args: BASE_FLAGS });
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1400 }, deviceScaleFactor: 1 });
  await page.goto(`${server.url}?backend=cpu`);
  await page.waitForSelector('[data-testid="baseline-accuracy"][data-value]', { timeout: 300_000 });
  await page.waitForSelector('[data-testid="status"][data-state="idle"]');
  // In use: a prune, a short fine-tune (a triangle on the chart), a harder prune from there.
  const idle = () => page.waitForSelector('[data-testid="status"][data-state="idle"]', { timeout: 300_000 });
  const step = (n: number) => page.waitForSelector(`[data-testid="history-point"][data-step="${n}"]`, { timeout: 300_000 });
  await page.getByTestId('global-sparsity').fill('70');
  await step(1);
  await idle();
  await page.getByTestId('finetune-epochs').fill('0.2');
  await page.getByTestId('finetune').click();
  await step(2);
  await idle();
  await page.getByTestId('global-sparsity').fill('85');
  await step(3);
  await idle();
  await page.waitForSelector('[data-testid="export-size"]', { timeout: 60_000 });
  // The Weights view of the last step, and its row in the weights over time.
  await page.waitForSelector('[data-testid="layer-histogram"][data-sparsity]:not([data-sparsity="0"])', { timeout: 120_000 });
  await page.waitForSelector('[data-testid="histogram-timeline"][data-steps="4"]', { timeout: 120_000 });
  await idle();
  mkdirSync('docs', { recursive: true });
  await page.screenshot({ path: 'docs/screenshot.png' });
  console.log('wrote docs/screenshot.png');
  if (process.argv.includes('--wide')) {
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.screenshot({ path: 'docs/screenshot-1920.png', fullPage: true });
    console.log('wrote docs/screenshot-1920.png');
  }
} finally {
  await browser.close();
  server.stop();
}
