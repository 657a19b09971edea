// Sessions in the browser, on the demo CNN: what autosave costs per step (serialising and writing the
// session to IndexedDB in the worker) against the step itself (prune + evaluation, measured in the
// same run), the bytes the session takes on disk after 10 steps (9 prunes and a short fine-tune),
// and how long recovery from a crashed engine takes (restart, backend, reopen the saved session)
// against the studio's own first start in the same page.
// Needs a build:  npm run build && npx tsx bench/sessions.ts [--backend wasm] [--port 4393]
import { chromium, type Page } from '@playwright/test';
import { BASE_FLAGS, WEBGPU_FLAGS, findChromium } from '../e2e/browser';
import { median, numberArg, startPreview, stringArg } from './harness';

const BACKEND = stringArg('--backend', 'wasm');
const server = await startPreview(numberArg('--port', 4393));
const browser = await chromium.launch({ executablePath: findChromium()?.path, args: [...BASE_FLAGS, ...WEBGPU_FLAGS] });

const attr = async (page: Page, testId: string, name: string) => Number(await page.getByTestId(testId).getAttribute(name));
const idle = (page: Page) => page.waitForSelector('[data-testid="status"][data-state="idle"]', { timeout: 300_000 });
const saved = (page: Page, steps: number) =>
  page.waitForSelector(`[data-testid="autosave"][data-state="saved"][data-steps="${steps}"]`, { timeout: 60_000 });

try {
  const page = await browser.newPage();
  const t0 = Date.now();
  await page.goto(`${server.url}?backend=${BACKEND}&testhooks=1`);
  await page.waitForSelector('[data-testid="baseline-accuracy"][data-value]', { timeout: 300_000 });
  await idle(page);
  const startMs = Date.now() - t0;

  const saveMs: number[] = [];
  const stepMs: number[] = [];
  const sparsities = [10, 20, 30, 40, 50, 60, 70, 80, 90];
  for (const [i, s] of sparsities.entries()) {
    await page.getByTestId('global-sparsity').fill(String(s));
    await page.waitForSelector(`[data-testid="history-point"][data-step="${i + 1}"]`, { timeout: 120_000 });
    await idle(page);
    await saved(page, i + 2);
    saveMs.push(await attr(page, 'autosave', 'data-ms'));
    stepMs.push(await page.evaluate(() => {
      const items = document.querySelectorAll('[data-testid="history-point"] .history-nums .muted');
      const text = items[items.length - 1]?.textContent ?? '';
      const m = /([0-9.]+) (ms|s)$/.exec(text.trim());
      return m ? Number(m[1]) * (m[2] === 's' ? 1000 : 1) : NaN;
    }));
  }
  await page.getByTestId('finetune-epochs').fill('0.1');
  await page.getByTestId('finetune').click();
  await page.waitForSelector('[data-testid="history-point"][data-step="10"]', { timeout: 300_000 });
  await idle(page);
  await saved(page, 11);
  const finetuneSaveMs = await attr(page, 'autosave', 'data-ms');
  await page.waitForSelector('[data-testid="session-item"][data-steps="11"]', { timeout: 30_000 });
  const bytes = await attr(page, 'session-item', 'data-bytes');
  const budget = await attr(page, 'history-budget', 'data-used');

  const c0 = Date.now();
  await page.evaluate(() => (window as unknown as { __secateurTest: { fault(k: string): Promise<void> } }).__secateurTest.fault('throw'));
  await page.waitForSelector('[data-testid="recovery"]', { timeout: 300_000 });
  await idle(page);
  const recoveryWall = Date.now() - c0;
  const recoveryMs = await attr(page, 'recovery', 'data-ms');

  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log(`Sessions on the demo CNN (${BACKEND}, Chromium ${browser.version()}); 10 steps = 9 prunes (10%..90% global) + fine-tune 0.1 epoch`);
  console.log('| what | value | baseline (same run) | ratio |');
  console.log('|---|---:|---:|---:|');
  console.log(`| autosave per prune step (median of 9, in the worker) | ${median(saveMs).toFixed(0)} ms | the prune step itself: ${median(stepMs).toFixed(0)} ms | ${(median(saveMs) / median(stepMs)).toFixed(2)} |`);
  console.log(`| autosave after the fine-tune (writes its weights once) | ${finetuneSaveMs.toFixed(0)} ms | | |`);
  console.log(`| session on disk after 10 steps | ${kb(bytes)} | history in memory: ${kb(budget)} | ${(bytes / budget).toFixed(2)} |`);
  console.log(`| recovery after a crash (restart, backend, reopen) | ${recoveryMs.toFixed(0)} ms (${recoveryWall} ms to idle) | first start to the demo's baseline: ${startMs} ms | ${(recoveryMs / startMs).toFixed(2)} |`);
} finally {
  await browser.close();
  server.stop();
}
