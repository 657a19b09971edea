// The command line's path at scale: a ~25M-parameter VGG-style model (scripts/make-vgg25m.ts) is
// inspected, pruned to 90% (global magnitude), exported uint8 and reloaded, through the same code
// the `secateur` commands run (the studio's engine in Node). Prints seconds per stage, each as a
// ratio to a plain tf.loadLayersModel of the same files measured in the same run, and memory:
// process.memoryUsage().rss after the stage and the peak so far (sampled, and Linux's VmHWM). CPU
// seconds (process.cpuUsage) are printed beside wall seconds: on a shared machine the wall clock
// also counts waiting for a core.
//
//   npx tsx bench/cliScale.ts [--model <dir>] [--backend wasm|cpu]   (makes the model if missing)
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadImportedModel, readModelFiles } from '../src/core/model/importFiles';
import { modelStats } from '../src/core/graph/summary';
import { readModelPath } from '../src/cli/modelPaths';
import { startNodeStudio } from '../src/cli/nodeStudio';
import { inspectResult } from '../src/cli/inspect';
import { importModelAt } from '../src/cli/pruneCommand';
import { writeExport } from '../src/cli/writeExport';
import { progressBar } from '../src/cli/progressBar';
import { VGG25M_DIR, writeVgg25m } from '../scripts/make-vgg25m';
import { stringArg } from './harness';

const MB = 1024 * 1024;
let sampledPeak = 0;
const sample = () => (sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss));
const timer = setInterval(sample, 20);

/** Linux's peak resident set of this process (VmHWM), in bytes; null elsewhere. */
function vmHwm(): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

interface Row { stage: string; seconds: number; cpu: number; rss: number; peak: number; note: string }
const rows: Row[] = [];
async function stage<T>(name: string, work: () => Promise<T>, note: (r: T) => string = () => ''): Promise<T> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const r = await work();
  sample();
  const c = process.cpuUsage(c0);
  rows.push({ stage: name, seconds: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6, rss: process.memoryUsage().rss, peak: Math.max(sampledPeak, vmHwm() ?? 0), note: note(r) });
  return r;
}

const dir = stringArg('--model', VGG25M_DIR);
const backendName = stringArg('--backend', 'wasm') === 'cpu' ? 'cpu' : 'wasm';
const studio = await startNodeStudio(backendName, progressBar({ quiet: true }));
if (!existsSync(join(dir, 'model.json'))) {
  console.log(`Writing the model to ${dir} (scripts/make-vgg25m.ts) …`);
  await writeVgg25m(dir);
}
const start = { rss: process.memoryUsage().rss };

await stage('plain tf.loadLayersModel (baseline)', async () => {
  const files = await readModelPath(join(dir, 'model.json'));
  const json = JSON.parse(new TextDecoder().decode(files[0].bytes));
  const weights = files.slice(1).map((f) => f.bytes.slice().buffer as ArrayBuffer);
  const m = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: tf.io.concatenateArrayBuffers(weights) }));
  const params = m.countParams();
  m.dispose();
  return params;
}, (p) => `${p.toLocaleString('en-US')} parameters`);

const inspected = await stage('inspect (read, check, load, measure)', async () => inspectResult(await importModelAt(studio, dir), studio.backend),
  (r) => `${r.totals.params.toLocaleString('en-US')} params, ${r.totals.macs.toLocaleString('en-US')} MACs, ${r.metric.examples} probes`);
const pruned = await stage('prune 90% global magnitude', async () => (await studio.engine.prune(1_000, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.9 } })).point,
  (p) => `${(p.prunableSparsity * 100).toFixed(1)}% of prunable weights zero, fidelity ${(p.metric.value * 100).toFixed(1)}%`);
const out = await mkdtemp(join(tmpdir(), 'secateur-scale-'));
const written = await stage('export uint8 (files)', () => writeExport(studio, { dir: out, precision: 'uint8', format: 'files' }),
  (w) => `${(w.weightBytes / MB).toFixed(1)} MB weights, ${(w.weightGzipBytes / MB).toFixed(1)} MB gzipped`);
await stage('reload the export (the studio\'s import)', async () => {
  const m = await loadImportedModel(readModelFiles(await readModelPath(join(out, 'model.json'))));
  const nonzero = (await modelStats(m)).totals.nonzero;
  m.dispose();
  if (nonzero !== pruned.nonzero) throw new Error(`the reloaded export has ${nonzero} nonzero weights, the pruned model ${pruned.nonzero}`);
  return nonzero;
}, (n) => `${n.toLocaleString('en-US')} nonzero, as pruned`);
clearInterval(timer);
await rm(out, { recursive: true, force: true });

const base = rows[0].seconds;
console.log(`\n${inspected.model}: ${inspected.totals.params.toLocaleString('en-US')} parameters, backend ${studio.backend.active}, Node ${process.version}; rss before the model ${(start.rss / MB).toFixed(0)} MB`);
console.log(`float32 weights ${(inspected.totals.bytes / MB).toFixed(1)} MB -> uint8 ${(written.weightBytes / MB).toFixed(1)} MB\n`);
console.log('| stage | wall s | CPU s | x plain load (wall) | rss after (MB) | peak rss so far (MB) | result |');
console.log('|---|---:|---:|---:|---:|---:|---|');
for (const r of rows) console.log(`| ${r.stage} | ${r.seconds.toFixed(1)} | ${r.cpu.toFixed(1)} | ${(r.seconds / base).toFixed(1)} | ${(r.rss / MB).toFixed(0)} | ${(r.peak / MB).toFixed(0)} | ${r.note} |`);
