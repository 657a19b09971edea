// Time from page open to "demo ready" (baseline accuracy of the demo CNN on screen) per backend,
// median of N fresh browser launches, with each backend's ratio against the CPU backend measured
// in the same run. Needs a build:  npm run build && npx tsx bench/startup.ts [--runs 3]
import { spawn } from 'node:child_process';
import { chromium } from '@playwright/test';
import { BASE_FLAGS, WEBGPU_FLAGS, findChromium } from '../e2e/browser';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3;
const PORT = 4180; // not 4190: browsers and fetch refuse it (ManageSieve is on the "bad ports" list)
const URL_BASE = `http://127.0.0.1:${PORT}/`;
const BACKENDS = ['webgpu', 'webgl', 'cpu'] as const;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function waitForServer(url: string) {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not come up`);
}

async function timeOnce(backend: (typeof BACKENDS)[number]): Promise<number> {
  const browser = await chromium.launch({ executablePath: findChromium()?.path, args: [...BASE_FLAGS, ...WEBGPU_FLAGS] });
  try {
    const page = await browser.newPage();
    const t0 = Date.now();
    await page.goto(`${URL_BASE}?backend=${backend}`);
    await page.waitForSelector('[data-testid="baseline-accuracy"][data-value]', { timeout: 300_000 });
    const ms = Date.now() - t0;
    const active = await page.getByTestId('backend').getAttribute('data-value');
    if (active !== backend) throw new Error(`asked for ${backend}, got ${active}`);
    return ms;
  } finally {
    await browser.close();
  }
}

const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(PORT), '--strictPort'], { stdio: 'ignore', detached: true });
try {
  await waitForServer(URL_BASE);
  const rows: { backend: string; times: number[] }[] = [];
  for (const backend of BACKENDS) {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(await timeOnce(backend));
    rows.push({ backend, times });
    console.log(`${backend}: ${times.map((t) => `${t} ms`).join(', ')}`);
  }
  const cpu = median(rows.find((r) => r.backend === 'cpu')!.times);
  console.log(`\nPage open -> demo ready (demo CNN, 2,000 test images evaluated), median of ${runs}:`);
  console.log('| backend | median | vs cpu |');
  console.log('| --- | ---: | ---: |');
  for (const r of rows) console.log(`| ${r.backend} | ${(median(r.times) / 1000).toFixed(1)} s | ${(median(r.times) / cpu).toFixed(2)}x |`);
} finally {
  process.kill(-server.pid!, 'SIGTERM');
}
