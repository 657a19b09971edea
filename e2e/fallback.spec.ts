// With no WebGPU adapter at all, the badge says why WebGPU was skipped and the studio chooses among
// the rest by measurement (WebGL here runs on SwiftShader, a software GPU).
// A file of its own: launch options force a separate browser, which Playwright allows only at top level.
import { test, expect } from '@playwright/test';
import { BASE_FLAGS, findChromium } from './browser';
import { collectPageErrors, waitForDemoReady } from './helpers';

test.use({ launchOptions: { executablePath: findChromium()?.path, args: BASE_FLAGS } });

test('without WebGPU it says why it was skipped and keeps the fastest of the others', async ({ page }) => {
  const errors = collectPageErrors(page);
  await page.goto('./');
  await waitForDemoReady(page);
  const badge = page.getByTestId('backend');
  await expect(badge).toHaveAttribute('data-chosen-by', 'measurement');
  await badge.click();
  const report = page.getByTestId('backend-report');
  await expect(report.locator('[data-backend="webgpu"]')).toContainText(
    /skipped: (navigator\.gpu is missing|navigator\.gpu\.requestAdapter\(\) returned null)/,
  );
  const active = await badge.getAttribute('data-value');
  const label = { webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' }[active as 'webgl' | 'wasm' | 'cpu'];
  await expect(page.getByTestId('backend-why')).toContainText(new RegExp(`^Measured, no hardware GPU here: ${label}: [0-9.]+ ms per probe step; `));
  expect(errors).toEqual([]);
});
