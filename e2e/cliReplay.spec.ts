// Export from the studio, replay with the command line, compare bytes: the demo CNN pruned through the
// hooks (60% global magnitude) and clustered (k = 16), no fine-tune, exported as a float32 .zip; then
// `npx secateur replay <report.json> public/models/fashion-cnn` as a child process re-runs the recipe
// from the report alone and writes the same model.json and weight file, byte for byte, the same zeros.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test, expect, type Page } from '@playwright/test';
import { strFromU8, unzipSync } from 'fflate';
import { numberAttr, openStudioPage } from './helpers';

const point = (page: Page, step: number) => page.locator(`[data-testid="history-point"][data-step="${step}"]`);
const idle = (page: Page, timeout = 170_000) => expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle', { timeout });

/** Exact zeros in a float32 weight file. */
function zerosIn(bytes: Uint8Array): number {
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return values.reduce((n, v) => n + (v === 0 ? 1 : 0), 0);
}

test('a studio export replayed by `npx secateur replay` gives the same files, byte for byte', async ({ browser }, testInfo) => {
  test.setTimeout(600_000);
  const { page, errors } = await openStudioPage(browser);

  await page.getByTestId('global-sparsity').fill('60');
  await expect(point(page, 1)).toHaveAttribute('aria-current', 'step', { timeout: 150_000 });
  await idle(page);
  await page.getByTestId('cluster-k').fill('16');
  await page.getByTestId('cluster-init').selectOption('kmeans++');
  await page.getByTestId('cluster').click();
  await expect(point(page, 2)).toHaveAttribute('data-kind', 'cluster', { timeout: 150_000 });
  await idle(page);
  const params = await numberAttr(page, 'model-params');
  const nonzero = await numberAttr(page, 'model-nonzero');

  await page.getByTestId('export-precision').selectOption('float32');
  await page.getByTestId('export-format').selectOption('zip');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
  const zipPath = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(zipPath);
  const studio = unzipSync(new Uint8Array(readFileSync(zipPath)));
  const report = JSON.parse(strFromU8(studio['report.json']));
  expect(report.recipe.map((s: { kind: string }) => s.kind)).toEqual(['original', 'prune', 'cluster']);

  // The report alone, as a user would keep it beside the model.
  const dir = mkdtempSync(join(tmpdir(), 'secateur-e2e-replay-'));
  const reportPath = join(dir, 'report.json');
  writeFileSync(reportPath, studio['report.json']);
  const out = join(dir, 'replayed');
  const { stdout, stderr } = await promisify(execFile)('npx', ['secateur', 'replay', reportPath, 'public/models/fashion-cnn', '--out', out, '--json', '-q'], {
    cwd: process.cwd(), maxBuffer: 64 << 20, timeout: 300_000,
  });
  expect(stderr).toBe('');
  const replay = JSON.parse(stdout);
  expect(replay.matches).toBe(true);
  expect(replay.steps.map((s: { label: string }) => s.label)).toEqual(report.recipe.map((s: { label: string }) => s.label));

  const shards = Object.keys(studio).filter((n) => n.endsWith('.bin'));
  expect(shards.length).toBeGreaterThan(0);
  let zeros = 0;
  for (const name of ['model.json', ...shards]) {
    const replayed = new Uint8Array(readFileSync(join(out, name)));
    expect(Buffer.compare(Buffer.from(replayed), Buffer.from(studio[name])), name).toBe(0);
    if (name.endsWith('.bin')) zeros += zerosIn(replayed);
  }
  // Every weight the studio counted as zero is an exact 0 in the replayed file (biases may be 0 too).
  expect(zeros).toBeGreaterThanOrEqual(params - nonzero);
  expect(zeros).toBe(shards.reduce((n, s) => n + zerosIn(studio[s]), 0));
  expect(errors).toEqual([]);
  await page.close();
});
