// Writes docs/screenshot.png, the README's picture of the studio: the demo CNN opened on the CPU
// backend (fastest to settle on machines without a GPU), then pruned with the global slider so the
// screenshot shows the studio in use. Needs a build:  npm run build && npx tsx scripts/readme-screenshot.ts
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { BASE_FLAGS, findChromium } from '../e2e/browser';

const PORT = 4181;
const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(PORT), '--strictPort'], { stdio: 'ignore', detached: true });
const browser = await chromium.launch({ executablePath: findChromium()?.path, args: BASE_FLAGS });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  for (let i = 0; ; i++) {
    try {
      await page.goto(`http://127.0.0.1:${PORT}/?backend=cpu`);
      break;
    } catch (e) {
      if (i > 100) throw e;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  await page.waitForSelector('[data-testid="baseline-accuracy"][data-value]', { timeout: 300_000 });
  await page.waitForSelector('[data-testid="status"][data-state="idle"]');
  const slider = page.getByTestId('global-sparsity');
  if (await slider.count()) {
    await slider.fill('70');
    await page.waitForSelector('[data-testid="history-point"][data-step="1"]', { timeout: 120_000 });
    await page.waitForSelector('[data-testid="status"][data-state="idle"]');
  }
  mkdirSync('docs', { recursive: true });
  await page.screenshot({ path: 'docs/screenshot.png' });
  console.log('wrote docs/screenshot.png');
} finally {
  await browser.close();
  process.kill(-server.pid!, 'SIGTERM');
}
