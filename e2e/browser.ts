// Which Chromium the e2e tests drive, and with which flags. Shared by playwright.config.ts,
// scripts/ensure-chromium.ts and bench scripts.
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

export interface ChromiumChoice {
  path: string;
  source: 'CHROMIUM_PATH' | 'system' | 'playwright';
}

const SYSTEM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** CHROMIUM_PATH, then a system Chromium, then Playwright's own download; null when none exists. */
export function findChromium(): ChromiumChoice | null {
  const env = process.env.CHROMIUM_PATH;
  if (env) return existsSync(env) ? { path: env, source: 'CHROMIUM_PATH' } : null;
  const system = SYSTEM_CANDIDATES.find((p) => existsSync(p));
  if (system) return { path: system, source: 'system' };
  try {
    const own = chromium.executablePath();
    if (own && existsSync(own)) return { path: own, source: 'playwright' };
  } catch {
    // Playwright has no browser of its own installed.
  }
  return null;
}

/** Always on: headless as root, and no background network (this machine has none). */
export const BASE_FLAGS = [
  '--no-sandbox', '--headless', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
];

/** A WebGPU adapter (SwiftShader when there is no GPU); the Dawn toggles make it ~2.5x faster there. */
export const WEBGPU_FLAGS = [
  '--enable-unsafe-webgpu', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist',
  '--enable-dawn-features=disable_workgroup_init,disable_robustness',
];
