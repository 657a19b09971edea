// The sealed tab: the built studio carries a strict Content-Security-Policy (a <meta> tag in
// index.html, and the response header the preview server sends to the page and its worker), the
// demo opens and prunes with no violation, and the policy really refuses what it should: a remote
// connection from the page, an inline script, a remote script or image, and a worker connection to
// a host that `?model=` could not name (while one it may name goes through).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, expect } from '@playwright/test';
import { HEADER_POLICY, PAGE_POLICY } from '../scripts/contentSecurityPolicy';
import { BACKEND_QUERY, collectPageErrors, waitForDemoReady } from './helpers';
import { watchCsp } from './sealedTab';

// The demo's first evaluation takes a minute or more on a busy 2-core machine.
const READY = 400_000;
test.setTimeout(600_000);

test('the policy is in the page and in every response, and the demo works under it with no violation', async ({ page }) => {
  const errors = collectPageErrors(page);
  const csp = watchCsp(page);
  const response = await page.goto(`./${BACKEND_QUERY}`);
  expect(response!.headers()['content-security-policy']).toBe(HEADER_POLICY);
  expect(await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')).toBe(PAGE_POLICY);
  await waitForDemoReady(page, READY);
  await page.getByTestId('global-sparsity').fill('50');
  await expect(page.locator('[data-testid="history-point"]')).toHaveCount(2, { timeout: 120_000 });
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'idle', { timeout: 120_000 });
  // Open a chart and a layer's detail too: recharts and the heatmap draw under style-src 'self'.
  await page.locator('[data-testid="layer-row"]').first().click();
  await page.waitForTimeout(500);
  expect(await csp.violations()).toEqual([]);
  expect(errors).toEqual([]);
});

test('the policy refuses remote connections, inline and remote scripts in the page, and hosts ?model= could not name in the worker', async ({ page }) => {
  // A server on another origin, on both loopback addresses: 127.0.0.1 is a host ?model= may name,
  // [::1] is not. What reaches it proves the network works; what does not was stopped by the policy.
  const server: Server = createServer((_, res) => void res.writeHead(200, { 'Access-Control-Allow-Origin': '*' }).end('ok'));
  await new Promise<void>((ok) => server.listen(0, '::', ok));
  const port = (server.address() as AddressInfo).port;
  try {
    const csp = watchCsp(page);
    await page.goto(`./${BACKEND_QUERY}`);
    await waitForDemoReady(page, READY);
    const outcome = await page.evaluate(async (port) => {
      const fetched = await fetch(`http://127.0.0.1:${port}/page`).then(() => 'fetched', () => 'refused');
      const inline = document.createElement('script');
      inline.textContent = 'window.__inlineRan = true';
      document.head.append(inline);
      const remote = document.createElement('script');
      remote.src = `http://127.0.0.1:${port}/evil.js`;
      const remoteLoaded = await new Promise<string>((ok) => {
        remote.onload = () => ok('loaded');
        remote.onerror = () => ok('refused');
        document.head.append(remote);
      });
      const img = new Image();
      const imgLoaded = await new Promise<string>((ok) => {
        img.onload = () => ok('loaded');
        img.onerror = () => ok('refused');
        img.src = `http://127.0.0.1:${port}/pixel.gif`;
      });
      return { fetched, inlineRan: (window as unknown as { __inlineRan?: boolean }).__inlineRan === true, remoteLoaded, imgLoaded };
    }, port);
    expect(outcome).toEqual({ fetched: 'refused', inlineRan: false, remoteLoaded: 'refused', imgLoaded: 'refused' });

    const worker = page.workers()[0];
    expect(worker, 'the engine worker').toBeDefined();
    const fromWorker = await worker.evaluate(async (port) => ({
      allowed: await fetch(`http://127.0.0.1:${port}/model.json`).then((r) => r.text(), () => 'refused'),
      other: await fetch(`http://[::1]:${port}/model.json`).then((r) => r.text(), () => 'refused'),
    }), port);
    expect(fromWorker).toEqual({ allowed: 'ok', other: 'refused' });

    const violations = await csp.violations();
    for (const directive of ['connect-src', 'script-src-elem', 'img-src']) {
      expect(violations.some((v) => v.startsWith(`page securitypolicyviolation: ${directive}`)), `${directive} in\n${violations.join('\n')}`).toBe(true);
    }
    expect(violations.some((v) => v.startsWith('worker securitypolicyviolation: connect-src') && v.includes('[::1]')), violations.join('\n')).toBe(true);
  } finally {
    server.close();
  }
});
