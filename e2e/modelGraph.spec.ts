// The model graph and nested models as layers, on the suite's backend: one node per layer, a node's
// detail on click or Enter, the shapes following a channel-removal step, pan and zoom by keyboard;
// a Teachable Machine export's inner layers as expandable rows with their own sliders. Screenshots
// of the graph (the demo CNN and, when present, wild models) in light and dark mode.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { BACKEND_QUERY, collectPageErrors, waitForDemoReady } from './helpers';

test.describe.configure({ mode: 'serial' });

const TM = resolve('e2e/fixtures/good/teachable-machine');
const WILD = resolve('../shared/wild-models');
const MOBILENET = resolve('bench/.models/mobilenet-224');

let page: Page;
let errors: string[];
const node = (layer: string): Locator => page.locator(`[data-testid="graph-node"][data-layer="${layer}"]`);

async function settled() {
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle', { timeout: 150_000 });
}

async function openGraph() {
  const toggle = page.getByTestId('graph-toggle');
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  await expect(page.getByTestId('model-graph')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
}

async function openFiles(dir: string) {
  // Every model here has its own parameter count: the new one is open once it shows.
  const before = await page.getByTestId('model-params').getAttribute('data-value');
  await page.getByTestId('model-input').setInputFiles(readdirSync(dir).map((f) => join(dir, f)));
  await expect(page.getByTestId('model-params')).not.toHaveAttribute('data-value', before ?? '', { timeout: 150_000 });
  await expect(page.locator('[data-testid="history-point"]')).toHaveCount(1, { timeout: 150_000 });
  await expect(page.getByTestId('baseline-accuracy')).toHaveAttribute('data-value', /^[0-9.]+$/, { timeout: 150_000 });
  await settled();
}

async function shoot(name: string) {
  const graph = page.locator('.model-graph');
  await graph.scrollIntoViewIfNeeded();
  const path = test.info().outputPath(`${name}.png`);
  await graph.screenshot({ path });
  await test.info().attach(name, { path, contentType: 'image/png' });
}

test.beforeAll(async ({ browser }) => {
  page = await (await browser.newContext()).newPage();
  errors = collectPageErrors(page);
  await page.goto(`./${BACKEND_QUERY}`);
  await waitForDemoReady(page);
});

test.afterAll(async () => {
  expect(errors).toEqual([]);
  await page.context().close();
});

test('the graph shows one node per layer, with groups and locks; a click or Enter opens its detail', async () => {
  await openGraph();
  const rows = await page.locator('[data-testid="layer-row"], [data-testid="summary-row"]').evaluateAll((r) => r.map((e) => e.getAttribute('data-layer')));
  const nodes = await page.locator('[data-testid="graph-node"][data-kind="layer"]').evaluateAll((r) => r.map((e) => e.getAttribute('data-layer')));
  expect(nodes.sort()).toEqual(rows.sort());
  await expect(page.locator('[data-testid="graph-node"][data-kind="input"]')).toHaveCount(1);
  await expect(node('conv1')).toHaveAttribute('data-group', 'conv1');
  await expect(node('conv1')).toHaveAttribute('data-locked', 'false');
  await expect(node('fc2')).toHaveAttribute('data-locked', 'true');
  await expect(node('fc2').locator('title')).toContainText('output layers are never pruned');

  await node('conv2').click();
  const detail = page.getByTestId('graph-detail');
  await expect(detail).toHaveAttribute('data-layer', 'conv2');
  await expect(detail.getByTestId('graph-detail-shape')).toHaveText('[?, 14, 14, 32]');
  await expect(detail.getByTestId('layer-detail')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect(detail.getByTestId('kernel-view')).toHaveCount(1);

  await node('fc2').focus();
  await page.keyboard.press('Enter');
  await expect(detail).toHaveAttribute('data-layer', 'fc2');
  await expect(detail.getByTestId('graph-detail-lock')).toContainText('output');
  await shoot('graph-demo-light');
});

test('keyboard pan and zoom change the transform', async () => {
  const canvas = page.getByTestId('graph-canvas');
  const graph = page.getByTestId('model-graph');
  await graph.focus();
  const t0 = await canvas.getAttribute('transform');
  const k0 = Number(await graph.getAttribute('data-scale'));
  await page.keyboard.press('+');
  await expect(graph).not.toHaveAttribute('data-scale', String(k0.toFixed(4)));
  const k1 = Number(await graph.getAttribute('data-scale'));
  expect(k1).toBeGreaterThan(k0);
  const t1 = await canvas.getAttribute('transform');
  expect(t1).not.toBe(t0);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowRight');
  const t2 = await canvas.getAttribute('transform');
  expect(t2).not.toBe(t1);
  expect(Number(await graph.getAttribute('data-scale'))).toBe(k1);
  await page.keyboard.press('-');
  await page.keyboard.press('-');
  expect(Number(await graph.getAttribute('data-scale'))).toBeLessThan(k1);
  await page.keyboard.press('0');
  await expect(graph).toHaveAttribute('data-scale', k0.toFixed(4));
});

test('after a channel-removal step the nodes show the smaller shapes', async () => {
  await expect(node('conv2')).toHaveAttribute('data-shape', JSON.stringify([null, 14, 14, 32]));
  const steps = await page.locator('[data-testid="history-point"]').count();
  await page.getByTestId('prune-granularity').selectOption('channels');
  await page.getByTestId('global-sparsity').fill('50');
  await expect(page.locator(`[data-testid="history-point"][data-step="${steps}"]`)).toBeVisible({ timeout: 120_000 });
  await settled();
  await expect(node('conv2')).toHaveAttribute('data-shape', JSON.stringify([null, 14, 14, 16]));
  await expect(node('conv1')).toHaveAttribute('data-shape', JSON.stringify([null, 28, 28, 8]));
  await expect(page.getByTestId('graph-detail').getByTestId('graph-detail-shape')).toHaveText('[?, 10]');
  await page.getByTestId('prune-granularity').selectOption('unstructured');
});

test('dark mode graph', async () => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await shoot('graph-demo-dark');
  await page.emulateMedia({ colorScheme: 'light' });
});

test('a Teachable Machine export: nested rows expand, an inner layer\'s slider prunes it, the graph expands it', async () => {
  await openFiles(TM);
  const group = page.locator('[data-testid="layer-group"][data-layer="sequential_1"]');
  await expect(group).toBeVisible();
  const inner = page.locator('[data-testid="layer-row"][data-layer="sequential_1/features_dense"]');
  await expect(inner).toHaveCount(0);
  await group.getByTestId('layer-group-toggle').click();
  await expect(group.getByTestId('layer-group-toggle')).toHaveAttribute('aria-expanded', 'true');
  await expect(inner).toBeVisible();
  expect(Number(await inner.getAttribute('data-params'))).toBeGreaterThan(0);

  const steps = await page.locator('[data-testid="history-point"]').count();
  await inner.getByTestId('layer-sparsity').fill('50');
  await expect(page.locator(`[data-testid="history-point"][data-step="${steps}"]`)).toBeVisible({ timeout: 120_000 });
  await settled();
  const sparsity = Number(await inner.getAttribute('data-prunable-sparsity'));
  expect(sparsity).toBeGreaterThan(0.4);
  expect(sparsity).toBeLessThan(0.6);
  // The head, not asked, is whole.
  await page.locator('[data-testid="layer-group"][data-layer="sequential_2"]').getByTestId('layer-group-toggle').click();
  await expect(page.locator('[data-testid="layer-row"][data-layer="sequential_2/head_dense"]')).toHaveAttribute('data-prunable-sparsity', '0');

  await openGraph();
  await expect(node('sequential_1')).toHaveAttribute('data-kind', 'model');
  await expect(node('sequential_1/features_dense')).toHaveCount(0);
  await node('sequential_1').click();
  await expect(node('sequential_1/features_dense')).toBeVisible();
  await expect(page.locator('[data-testid="graph-cluster"][data-layer="sequential_1"]')).toBeVisible();
});

test('wild models drawn (light and dark), when present', async () => {
  const models = [
    ...(existsSync(WILD) ? ['superres-se-resnet', 'cvae-quickdraw-decoder'].map((d) => join(WILD, d)) : []),
    ...(existsSync(MOBILENET) ? [MOBILENET] : []),
  ];
  test.skip(models.length === 0, `no wild models at ${WILD} and no ${MOBILENET}`);
  for (const dir of models) {
    await openFiles(dir);
    await openGraph();
    const name = dir.split('/').pop()!;
    const expand = page.getByTestId('graph-expand-all');
    if (await expand.count()) await expand.click();
    expect(await page.locator('[data-testid="graph-node"][data-kind="layer"]').count()).toBeGreaterThan(5);
    await shoot(`graph-${name}-light`);
    await page.emulateMedia({ colorScheme: 'dark' });
    await shoot(`graph-${name}-dark`);
    await page.emulateMedia({ colorScheme: 'light' });
  }
});
