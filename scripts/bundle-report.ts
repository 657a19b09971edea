// Main-thread bundle report: which built files the page loads (the entry from dist/index.html and
// everything it imports, statically or lazily), their gzip size, and a check that none of them
// contains tfjs (tfjs belongs in the worker only). Run after `npm run build`:
//   npx tsx scripts/bundle-report.ts
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

export interface BundleFile {
  file: string;
  bytes: number;
  gzipBytes: number;
  hasTfjs: boolean;
}

/** Strings only tfjs code contains (kernel registry errors, its package name). */
const TFJS_MARKERS = ['not registered for backend', '@tensorflow/tfjs', 'tfjs-core'];

export function mainThreadBundle(distDir: string): BundleFile[] {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const entries = [...html.matchAll(/<script[^>]+src="([^"]+\.js)"/g)].map((m) => resolve(distDir, m[1]));
  if (!entries.length) throw new Error(`${distDir}/index.html loads no script`);
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    // Static and dynamic imports of sibling chunks; `new Worker(new URL(...))` is not an import.
    for (const m of code.matchAll(/(?:import|from)\s*\(?\s*["'](\.{1,2}\/[^"']+\.js)["']/g)) {
      const dep = resolve(dirname(file), m[1]);
      if (existsSync(dep)) queue.push(dep);
    }
  }
  return [...seen].map((file) => {
    const buf = readFileSync(file);
    const text = buf.toString('utf8');
    return {
      file: relative(distDir, file),
      bytes: buf.length,
      gzipBytes: gzipSync(buf, { level: 9 }).length,
      hasTfjs: TFJS_MARKERS.some((s) => text.includes(s)),
    };
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dist = resolve(process.argv[2] ?? 'dist');
  const files = mainThreadBundle(dist);
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log('main-thread bundle (what the page loads before the worker):');
  for (const f of files) console.log(`  ${f.file.padEnd(32)} ${kb(f.bytes).padStart(10)} raw  ${kb(f.gzipBytes).padStart(9)} gzip  ${f.hasTfjs ? 'CONTAINS TFJS' : 'no tfjs'}`);
  const total = files.reduce((n, f) => n + f.gzipBytes, 0);
  console.log(`  total gzip: ${kb(total)}`);
  if (files.some((f) => f.hasTfjs)) process.exit(1);
}
