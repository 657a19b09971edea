// With no WebGPU adapter at all, the studio falls back to WebGL and the badge says why.
// A file of its own: launch options force a separate browser, which Playwright allows only at top level.
import { test, expect } from '@playwright/test';
import { BASE_FLAGS, findChromium } from './browser';
import { collectPageErrors, waitForDemoReady } from './helpers';

test.use({ launchOptions: { executablePath: findChromium()?.path, args: BASE_FLAGS } });

test('falls back to WebGL and says why WebGPU was skipped', async ({ page }) => {
  const errors = collectPageErrors(page);
  await page.goto('./');
  await waitForDemoReady(page);
  await expect(page.getByTestId('backend')).toHaveAttribute('data-value', 'webgl');
  await page.getByTestId('backend').click();
  await expect(page.getByTestId('backend-report').locator('[data-backend="webgpu"]')).toContainText(
    /skipped: (navigator\.gpu is missing|navigator\.gpu\.requestAdapter\(\) returned null)/,
  );
  expect(errors).toEqual([]);
});
