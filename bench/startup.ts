// Time from page open to "demo ready" (baseline accuracy of the demo CNN on screen) per backend,
// median of N fresh browser launches, with each backend's ratio against the CPU backend measured
// in the same run. Needs a build:  npm run build && npx tsx bench/startup.ts [--runs 3]
import { chromium } from '@playwright/test';
import { BASE_FLAGS, WEBGPU_FLAGS, findChromium } from '../e2e/browser';
import { median, numberArg, startPreview } from './harness';

const runs = numberArg('--runs', 3);
const BACKENDS = ['webgpu', 'webgl', 'cpu'] as const;

async function timeOnce(url: string, backend: (typeof BACKENDS)[number]): Promise<number> {
  const browser = await chromium.launch({ executablePath: findChromium()?.path, args: [...BASE_FLAGS, ...WEBGPU_FLAGS] });
  try {
    const page = await browser.newPage();
    const t0 = Date.now();
    await page.goto(`${url}?backend=${backend}`);
    await page.waitForSelector('[data-testid="baseline-accuracy"][data-value]', { timeout: 300_000 });
    const ms = Date.now() - t0;
    const active = await page.getByTestId('backend').getAttribute('data-value');
    if (active !== backend) throw new Error(`asked for ${backend}, got ${active}`);
    return ms;
  } finally {
    await browser.close();
  }
}

const server = await startPreview(4180); // not 4190: browsers and fetch refuse it (a "bad port")
try {
  const rows: { backend: string; times: number[] }[] = [];
  for (const backend of BACKENDS) {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(await timeOnce(server.url, backend));
    rows.push({ backend, times });
    console.log(`${backend}: ${times.map((t) => `${t} ms`).join(', ')}`);
  }
  const cpu = median(rows.find((r) => r.backend === 'cpu')!.times);
  console.log(`\nPage open -> demo ready (demo CNN, 2,000 test images evaluated), median of ${runs}:`);
  console.log('| backend | median | vs cpu |');
  console.log('| --- | ---: | ---: |');
  for (const r of rows) console.log(`| ${r.backend} | ${(median(r.times) / 1000).toFixed(1)} s | ${(median(r.times) / cpu).toFixed(2)}x |`);
} finally {
  server.stop();
}
