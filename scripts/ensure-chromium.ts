// Run before the e2e tests: makes sure a Chromium exists. On Debian as root with none present it
// installs Debian's `chromium` package; anywhere else it says exactly what to install.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findChromium } from '../e2e/browser';

function log(msg: string) {
  console.log(`[ensure-chromium] ${msg}`);
}

const found = findChromium();
if (found) {
  log(`using ${found.path} (${found.source})`);
  process.exit(0);
}
if (process.env.CHROMIUM_PATH) {
  console.error(`[ensure-chromium] CHROMIUM_PATH=${process.env.CHROMIUM_PATH} does not exist. Point it at a Chromium or Chrome binary.`);
  process.exit(1);
}

const isDebian = existsSync('/etc/debian_version');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (isDebian && isRoot) {
  log('no Chromium found: installing Debian\'s chromium package with apt-get (about 20 s)');
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', { stdio: 'inherit' });
  const now = findChromium();
  if (now) {
    log(`installed ${now.path}`);
    process.exit(0);
  }
  console.error('[ensure-chromium] apt-get finished but no chromium binary was found at /usr/bin/chromium.');
  process.exit(1);
}

console.error(
  [
    '[ensure-chromium] The end-to-end tests need Chromium and none was found.',
    '  Debian/Ubuntu: sudo apt-get install chromium   (or chromium-browser)',
    '  Elsewhere:     npx playwright install chromium',
    '  Or set CHROMIUM_PATH=/path/to/chrome-or-chromium',
  ].join('\n'),
);
process.exit(1);
