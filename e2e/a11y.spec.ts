// Accessibility: no serious or critical axe violations in light and dark mode with the studio in use,
// and the pruning controls are reachable and operable from the keyboard.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { BACKEND_QUERY, collectPageErrors, waitForDemoReady } from './helpers';

for (const colorScheme of ['light', 'dark'] as const) {
  test(`no serious or critical axe violations (${colorScheme})`, async ({ page }) => {
    const errors = collectPageErrors(page);
    await page.emulateMedia({ colorScheme });
    await page.goto(`./${BACKEND_QUERY}`);
    await waitForDemoReady(page);
    await page.getByTestId('global-sparsity').fill('60');
    await expect(page.locator('[data-testid="history-point"][data-step="1"]')).toBeVisible({ timeout: 120_000 });
    await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle');
    await expect(page.locator('[data-testid="chart-point"]')).toHaveCount(2);
    // The panels that appear with use: a layer's weights, the compare table, the export sizes.
    await page.locator('[data-testid="layer-row"]').first().getByTestId('layer-expand').click();
    await expect(page.getByTestId('layer-detail')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    await expect(page.getByTestId('weight-histogram')).toBeVisible();
    await page.getByTestId('compare').click();
    await expect(page.getByTestId('compare-table')).toBeVisible({ timeout: 120_000 });
    await expect(page.getByTestId('export-size')).toBeVisible({ timeout: 60_000 });
    // The model graph, with a layer's detail open from it.
    await page.getByTestId('graph-toggle').click();
    await expect(page.getByTestId('model-graph')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    await page.locator('[data-testid="graph-node"][data-layer="conv2"]').click();
    await expect(page.locator('[data-testid="graph-detail"] [data-testid="layer-detail"]')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    const axe = async (where: string) => {
      const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      return results.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${where}: ${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`);
    };
    // The weights over time, with a row per step, and a chart's download menu open (one pass of axe sees both).
    await expect(page.getByTestId('histogram-timeline')).toHaveAttribute('data-steps', '2', { timeout: 60_000 });
    await page.getByTestId('histogram-timeline').getByTestId('download-chart').click();
    await expect(page.locator('[data-testid="download-format"]').first()).toBeFocused();
    const bad = await axe('studio');
    await page.keyboard.press('Escape');
    // And the Help dialog, opened from the header.
    await page.getByTestId('help-open').click();
    await expect(page.getByTestId('help')).toBeVisible();
    bad.push(...(await axe('help')));
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('help')).toBeHidden();
    expect(bad).toEqual([]);
    expect(errors).toEqual([]);
  });
}

test('the pruning controls work from the keyboard, with a visible focus ring', async ({ page }) => {
  await page.goto(`./${BACKEND_QUERY}`);
  await waitForDemoReady(page);
  const slider = page.getByTestId('global-sparsity');
  // Tab from the page start until the global slider has focus.
  for (let i = 0; i < 15 && !(await slider.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(slider).toBeFocused();
  const outline = await slider.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe('none');
  for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowRight');
  await expect(page.locator('[data-testid="history-point"][data-step="1"]')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle');
  await expect(slider).toHaveValue('10');
  await expect(page.locator('[data-testid="history-point"][data-step="1"]')).toContainText('unstructured 10% global');
});
