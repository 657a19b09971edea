// Time from page open to the first accuracy on screen (the demo CNN's baseline) per backend, median
// of N fresh browser launches: each forced backend, and the page as a user opens it (no ?backend:
// the studio chooses, by measurement on a machine without a hardware GPU). Ratios against the fastest
// forced backend measured in the same run; goal for the default: <= 1.2x.
// Needs a build:  npm run build && npx tsx bench/startup.ts [--runs 3] [--backends default,webgpu,webgl,wasm,cpu]
import { chromium } from '@playwright/test';
import { BASE_FLAGS, WEBGPU_FLAGS, findChromium } from '../e2e/browser';
import { median, numberArg, startPreview, stringArg } from './harness';

const runs = numberArg('--runs', 3);
const BACKENDS = stringArg('--backends', 'default,webgpu,webgl,wasm,cpu').split(',');

async function timeOnce(url: string, asked: string): Promise<{ ms: number; active: string }> {
  const browser = await chromium.launch({ executablePath: findChromium()?.path, args: [...BASE_FLAGS, ...WEBGPU_FLAGS] });
  try {
    const page = await browser.newPage();
    const t0 = Date.now();
    await page.goto(asked === 'default' ? url : `${url}?backend=${asked}`);
    await page.waitForSelector('[data-testid="baseline-accuracy"][data-value]', { timeout: 300_000 });
    const ms = Date.now() - t0;
    const active = (await page.getByTestId('backend').getAttribute('data-value')) ?? '?';
    if (asked !== 'default' && active !== asked) throw new Error(`asked for ${asked}, got ${active}`);
    return { ms, active };
  } finally {
    await browser.close();
  }
}

const server = await startPreview(4180); // not 4190: browsers and fetch refuse it (a "bad port")
try {
  const rows: { asked: string; times: number[]; active: Set<string> }[] = [];
  // Interleaved (one launch of each in turn), so a busy moment on the machine lands on all alike.
  for (const asked of BACKENDS) rows.push({ asked, times: [], active: new Set() });
  for (let i = 0; i < runs; i++) {
    for (const row of rows) {
      const { ms, active } = await timeOnce(server.url, row.asked);
      row.times.push(ms);
      row.active.add(active);
      console.error(`${row.asked}${row.asked === 'default' ? ` (${active})` : ''}: ${ms} ms`);
    }
  }
  const forced = rows.filter((r) => r.asked !== 'default');
  const fastest = forced.reduce((a, r) => (median(r.times) < median(a.times) ? r : a), forced[0]);
  const base = median(fastest.times);
  console.log(`Page open -> first accuracy on screen (demo CNN baseline on 2,000 test images), median of ${runs} fresh launches, interleaved:`);
  console.log(`| backend | median | runs | vs the fastest forced (${fastest.asked}) |`);
  console.log('| --- | ---: | --- | ---: |');
  for (const r of rows) {
    const name = r.asked === 'default' ? `default (chose ${[...r.active].join(', ')})` : r.asked;
    console.log(`| ${name} | ${(median(r.times) / 1000).toFixed(1)} s | ${r.times.map((t) => (t / 1000).toFixed(1)).join(', ')} | ${(median(r.times) / base).toFixed(2)}x |`);
  }
  const def = rows.find((r) => r.asked === 'default');
  if (def) console.log(`\nDefault / fastest forced backend: ${(median(def.times) / base).toFixed(2)}x (goal <= 1.2x)`);
} finally {
  server.stop();
}
