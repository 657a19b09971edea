// Every model in ../shared/wild-models through the studio's engine, as a user's folder drop: import,
// metric (accuracy when the demo data fits, else fidelity), a 50% unstructured prune, export sizes.
// Prints the markdown table the README and the closing note quote. Run: npx tsx scripts/wild-models-table.ts
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { StudioEngine } from '../src/engine/studioEngine';
import { registerCpuConv2DBackpropFilter } from '../src/core/train';

const ROOT = resolve(import.meta.dirname, '../../shared/wild-models');
if (!existsSync(ROOT)) {
  console.log(`skipped: ${ROOT} is absent`);
  process.exit(0);
}
tf.env().set('IS_TEST', true);
registerCpuConv2DBackpropFilter();
await tf.setBackend('cpu');
// The engine fetches the demo files from its base URL; here that is public/ on disk.
const realFetch = globalThis.fetch;
globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
  const url = String(input instanceof Request ? input.url : input);
  if (!url.startsWith('file:')) return realFetch(input, init);
  return new Response(readFileSync(fileURLToPath(url)));
}) as typeof fetch;

const engine = new StudioEngine([]);
(engine as unknown as { baseUrl: string }).baseUrl = pathToFileURL(resolve(import.meta.dirname, '../public') + '/').href;
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
console.log('| model | loads | params | metric (original → 50% pruned) | float32 raw | float32 gzip (50% pruned) | uint8 gzip (50% pruned) |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
let job = 1;
for (const dir of readdirSync(ROOT, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
  const files = readdirSync(join(ROOT, dir)).map((f) => ({ path: `${dir}/${f}`, bytes: new Uint8Array(readFileSync(join(ROOT, dir, f))) }));
  try {
    const t0 = performance.now();
    const { summary, point } = await engine.importModel(job++, files);
    const step = await engine.prune(job++, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.5 } });
    const sizes = await engine.exportSizes(job++);
    const m = (v: number) => `${(v * 100).toFixed(1)}%`;
    console.log(`| ${dir} | yes${summary.source.fixes.length ? ` (${summary.source.fixes.length} Keras 3 fixes)` : ''} | ${summary.totals.params.toLocaleString('en-US')} | ${summary.source.metric} ${m(point.metric.value)} → ${m(step.point.metric.value)} | ${kb(sizes.raw)} | ${kb(sizes.gzip)} | ${sizes.uint8Gzip === null ? 'NaN weights' : kb(sizes.uint8Gzip)} |`);
    console.error(`${dir}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } catch (e) {
    console.log(`| ${dir} | no: ${(e as Error).message} | | | | | |`);
  }
}
