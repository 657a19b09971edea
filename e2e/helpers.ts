// Shared steps for the e2e specs: open the studio, wait for it to settle, collect console errors.
import { expect, type Page, type TestInfo } from '@playwright/test';

/** Console errors and uncaught page errors seen while a test runs. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console.error: ${msg.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  return errors;
}

/** Waits until the studio shows a baseline metric and is idle. */
export async function waitForDemoReady(page: Page, timeout = 150_000) {
  await expect(page.getByTestId('baseline-accuracy')).toHaveAttribute('data-value', /^[0-9.]+$/, { timeout });
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle', { timeout });
}

export async function numberAttr(page: Page, testId: string, attr = 'data-value'): Promise<number> {
  const v = await page.getByTestId(testId).getAttribute(attr);
  if (v === null || v === '') throw new Error(`${testId} has no ${attr}`);
  return Number(v);
}

export async function keepScreenshot(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}
