import { defineConfig } from '@playwright/test';
import { BASE_FLAGS, WEBGPU_FLAGS, findChromium } from './e2e/browser';

// Debian's Chromium (or CHROMIUM_PATH, or Playwright's own) with a WebGPU adapter enabled, so the
// studio's first choice, WebGPU, is available; specs force the other backends with ?backend=.
const chromiumPath = findChromium()?.path;
// E2E_PORT lets two checkouts on one machine run their suites at once without sharing a server.
const PORT = Number(process.env.E2E_PORT ?? 4173);

export default defineConfig({
  testDir: './e2e',
  timeout: 180_000,
  expect: { timeout: 20_000 },
  workers: 1, // 2-core machines; SwiftShader is CPU-heavy
  retries: 0,
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : 'list',
  outputDir: 'test-results',
  use: {
    browserName: 'chromium',
    baseURL: `http://127.0.0.1:${PORT}/`,
    viewport: { width: 1280, height: 800 },
    launchOptions: { executablePath: chromiumPath, args: [...BASE_FLAGS, ...WEBGPU_FLAGS] },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  webServer: {
    command: `npm run build && npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 240_000,
    stdout: 'ignore',
  },
});
