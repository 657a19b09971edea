// Bring your own model: the corpus of bad inputs (each with its exact message, the studio idle again
// and the previous model, masks and history untouched), then good models as loose files, a folder,
// a .zip, a drop and ?model=<url>.
import { createServer, type Server } from 'node:http';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { test, expect, type Page } from '@playwright/test';
import { BACKEND_QUERY, collectPageErrors, keepScreenshot, numberAttr, waitForDemoReady } from './helpers';

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** `studio`: what the studio says when the Layers reader's `message` differs (graph models are read here). */
interface BadCase { case: string; files: string[]; message: string; studio?: string; warning?: boolean }
const badCases = JSON.parse(readFileSync(join(FIXTURES, 'bad/cases.json'), 'utf8')) as BadCase[];

test.describe.configure({ mode: 'serial' });

let page: Page;
let errors: string[];

/** Every file under a folder, as paths relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p).map((f) => join(name, f)) : [name];
  });
}

async function historySnapshot() {
  return page.locator('[data-testid="history-point"]').evaluateAll((points) =>
    points.map((p) => `${p.getAttribute('data-step')}:${p.getAttribute('data-kind')}:${p.getAttribute('aria-current') ?? ''}`));
}

async function settled() {
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle', { timeout: 120_000 });
}

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  errors = collectPageErrors(page);
  await page.goto(`./${BACKEND_QUERY}`);
  await waitForDemoReady(page);
  // A pruned step, so that "nothing changed" covers the masks and the history too.
  await page.getByTestId('global-sparsity').fill('50');
  await expect(page.locator('[data-testid="history-point"]')).toHaveCount(2, { timeout: 120_000 });
  await settled();
});

test.afterAll(async () => {
  expect(errors.filter((e) => !e.includes('Failed to load resource'))).toEqual([]);
  await page.close();
});

test(`each of the ${badCases.length} bad inputs says what is wrong and leaves the studio as it was`, async ({}, testInfo) => {
  expect(badCases.length).toBeGreaterThanOrEqual(25);
  const before = {
    params: await numberAttr(page, 'model-params'),
    nonzero: await numberAttr(page, 'model-nonzero'),
    accuracy: await numberAttr(page, 'accuracy'),
    history: await historySnapshot(),
    name: await page.locator('#summary-title').textContent(),
  };
  for (const c of badCases.filter((x) => !x.warning)) {
    await test.step(c.case, async () => {
      await page.getByTestId('model-input').setInputFiles(c.files.map((f) => join(FIXTURES, 'bad', c.case, f)));
      await expect(page.getByTestId('error'), c.case).toHaveText(c.studio ?? c.message, { timeout: 60_000 });
      await settled();
      expect(await numberAttr(page, 'model-params'), c.case).toBe(before.params);
      expect(await numberAttr(page, 'model-nonzero'), c.case).toBe(before.nonzero);
      expect(await numberAttr(page, 'accuracy'), c.case).toBe(before.accuracy);
      expect(await historySnapshot(), c.case).toEqual(before.history);
      await expect(page.locator('#summary-title')).toHaveText(before.name!);
    });
  }
  await keepScreenshot(page, testInfo, 'import-error');
  // The studio still works after all of that: the next prune step lands.
  await page.getByTestId('global-sparsity').fill('60');
  await expect(page.locator('[data-testid="history-point"]')).toHaveCount(before.history.length + 1, { timeout: 120_000 });
  await settled();
});

test('inputs that load with a warning show it', async () => {
  for (const c of badCases.filter((x) => x.warning)) {
    await page.getByTestId('model-input').setInputFiles(c.files.map((f) => join(FIXTURES, 'bad', c.case, f)));
    await settled();
    await expect(page.getByTestId('import-warnings'), c.case).toContainText(c.studio ?? c.message, { timeout: 60_000 });
    await expect(page.getByTestId('error')).toHaveCount(0);
  }
});

interface GoodCase { case: string; path: string; name: string; params: number; labels?: string[] }
const goodCases = JSON.parse(readFileSync(join(FIXTURES, 'good/cases.json'), 'utf8')) as GoodCase[];
const good = (id: string) => {
  const c = goodCases.find((g) => g.case === id);
  if (!c) throw new Error(`e2e/fixtures/good/cases.json has no case "${id}"`);
  return c;
};

async function expectLoaded(c: GoodCase) {
  await settled();
  await expect(page.getByTestId('error')).toHaveCount(0);
  await expect(page.getByTestId('model-params')).toHaveAttribute('data-value', String(c.params));
  await expect(page.locator('#summary-title')).toHaveText(c.name);
  await expect(page.locator('[data-testid="history-point"]')).toHaveCount(1);
  await expect(page.getByTestId('baseline-accuracy')).toHaveAttribute('data-value', /^[0-9.]+$/);
  await expect(page.getByTestId('model-source')).toHaveAttribute('data-kind', /file|url/);
}

test('a model as loose files (picked in any order) loads and its summary shows', async ({}, testInfo) => {
  const c = good('files');
  const files = filesUnder(join(FIXTURES, 'good', c.path)).reverse().map((f) => join(FIXTURES, 'good', c.path, f));
  await page.getByTestId('model-input').setInputFiles(files);
  await expectLoaded(c);
  await expect(page.getByTestId('model-source')).toHaveAttribute('data-metric', 'fidelity');
  await expect(page.getByTestId('metric-note')).toContainText('fidelity');
  await keepScreenshot(page, testInfo, 'imported-files');
});

test('a dropped .zip loads', async () => {
  const c = good('zip');
  const bytes = [...readFileSync(join(FIXTURES, 'good', c.path))];
  const name = c.path.split('/').pop()!;
  const dataTransfer = await page.evaluateHandle(({ bytes, name }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(bytes)], name, { type: 'application/zip' }));
    return dt;
  }, { bytes, name });
  await page.getByTestId('dropzone').dispatchEvent('dragenter', { dataTransfer });
  await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer });
  await expectLoaded(c);
});

test('a folder (with the shards in a subfolder) loads through the folder picker', async () => {
  const c = good('folder');
  await page.getByTestId('model-folder-input').setInputFiles(join(FIXTURES, 'good', c.path));
  await expectLoaded(c);
});

test('a Teachable Machine export (nested Sequential, metadata.json) loads with its class names', async () => {
  const c = good('teachable');
  const dir = join(FIXTURES, 'good', c.path);
  await page.getByTestId('model-input').setInputFiles(filesUnder(dir).map((f) => join(dir, f)));
  await expectLoaded(c);
  for (const label of c.labels ?? []) await expect(page.getByTestId('model-source')).toContainText(label);
});

test('?model=<url> on another origin asks first, then loads the model and its shards from there', async ({ browser }) => {
  const c = good('files');
  const root = join(FIXTURES, 'good', c.path);
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    const file = join(root, decodeURIComponent(new URL(req.url!, 'http://x').pathname));
    if (!file.startsWith(root) || relative(root, file).startsWith('..')) return void res.writeHead(403).end();
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'Content-Type': extname(file) === '.json' ? 'application/json' : 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'Access-Control-Allow-Origin': '*' }).end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  const json = filesUnder(root).find((f) => f.endsWith('.json'))!;
  const other = await browser.newPage();
  const otherErrors = collectPageErrors(other);
  try {
    const url = `http://127.0.0.1:${port}/${json}`;
    await other.goto(`./${BACKEND_QUERY}&model=${encodeURIComponent(url)}`);
    // Nothing goes to the other site before the user says yes; the demo is on screen meanwhile.
    await expect(other.getByTestId('model-url-offer')).toContainText(`This link opens a model from http://127.0.0.1:${port}.`, { timeout: 150_000 });
    await expect(other.getByTestId('model-url-offer')).toHaveAttribute('data-url', url);
    await expect(other.getByTestId('model-source')).toHaveAttribute('data-kind', 'demo');
    expect(requests).toBe(0);
    await other.getByTestId('model-url-open').click();
    await expect(other.getByTestId('model-url-offer')).toHaveCount(0);
    await expect(other.getByTestId('model-source')).toHaveAttribute('data-kind', 'url', { timeout: 150_000 });
    expect(requests).toBeGreaterThan(0);
    await expect(other.getByTestId('model-params')).toHaveAttribute('data-value', String(c.params));
    await expect(other.getByTestId('status')).toHaveAttribute('data-state', 'idle');
    expect(otherErrors).toEqual([]);
  } finally {
    await other.close();
    server.close();
  }
});
