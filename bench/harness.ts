// What the benchmark scripts (and scripts/readme-screenshot.ts) share: command-line flags, medians,
// and a `vite preview` of the built studio for the ones that drive Chromium.
import { spawn } from 'node:child_process';

export { median } from '../src/core/metrics/quantile';

/** `--name value` from the command line, or `fallback` when the flag is absent. */
export function stringArg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

export const numberArg = (name: string, fallback: number): number => Number(stringArg(name, String(fallback)));

/**
 * Serves the last build (`npm run build`) on 127.0.0.1:`port` and resolves once it answers.
 * `stop` ends the server and its children. Avoid ports on the browsers' "bad ports" list (4190).
 */
export async function startPreview(port: number): Promise<{ url: string; stop(): void }> {
  const url = `http://127.0.0.1:${port}/`;
  const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { stdio: 'ignore', detached: true });
  const stop = () => process.kill(-server.pid!, 'SIGTERM');
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).ok) return { url, stop };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  stop();
  throw new Error(`${url} did not come up (is there a build? npm run build)`);
}
