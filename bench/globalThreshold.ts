// Global magnitude threshold without a full sort: our selection (src/core/prune/globalThreshold.ts)
// against Float32Array.prototype.sort on a copy of |w|, measured in the same run, with one plain pass
// over the weights (sum of |w|) as the floor no method beats. Medians of several runs.
//   npx tsx bench/globalThreshold.ts [--sparsity 0.5] [--runs 5] [--sizes 1,5,25]
import { mulberry32 } from '../src/core/data/seededRandom';
import { selectSmallest, selectionMasks } from '../src/core/prune/globalThreshold';
import { median, numberArg, stringArg } from './harness';

const sparsity = numberArg('--sparsity', 0.5);
const runs = numberArg('--runs', 5);
const sizes = stringArg('--sizes', '1,5,25').split(',').map((m) => Math.round(Number(m) * 1_000_000));
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;

/** N(0, 0.05) weights, seeded (Box-Muller). */
function weights(n: number): Float32Array {
  const rnd = mulberry32(12345);
  const w = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rnd())) * 0.05;
    const t = 2 * Math.PI * rnd();
    w[i] = r * Math.cos(t);
    if (i + 1 < n) w[i + 1] = r * Math.sin(t);
  }
  return w;
}

function time<T>(f: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = f();
  return { ms: performance.now() - t0, value };
}

function floorPass(w: Float32Array): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += Math.abs(w[i]);
  return s;
}

function sortThreshold(w: Float32Array, k: number): number {
  const copy = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) copy[i] = Math.abs(w[i]);
  copy.sort();
  return copy[k - 1];
}

const rows: string[][] = [];
for (const n of sizes) {
  const w = weights(n);
  const k = Math.round(sparsity * n);
  const ours: number[] = [];
  const withMasks: number[] = [];
  const floor: number[] = [];
  const sorted: number[] = [];
  let measured = 0;
  let method = '';
  let threshold = NaN;
  const masks = [new Uint8Array(n)];
  for (let r = 0; r < runs + 1; r++) {
    const ab0 = process.memoryUsage().arrayBuffers;
    const sel = time(() => selectSmallest([w], k, { absolute: true }));
    const ab1 = process.memoryUsage().arrayBuffers;
    const m = time(() => selectionMasks([w], sel.value, masks));
    const f = time(() => floorPass(w));
    if (r === 0) continue; // warm-up (JIT)
    ours.push(sel.ms);
    withMasks.push(sel.ms + m.ms);
    floor.push(f.ms);
    measured = Math.max(measured, ab1 - ab0);
    method = sel.value.method;
    threshold = sel.value.threshold;
    const zeros = masks[0].reduce((z, x) => z + (x ^ 1), 0);
    if (zeros !== k) throw new Error(`wrong count: ${zeros} != ${k}`);
  }
  const sortRuns = n >= 20_000_000 ? Math.min(runs, 3) : runs;
  for (let r = 0; r < sortRuns; r++) {
    const s = time(() => sortThreshold(w, k));
    sorted.push(s.ms);
    if (s.value !== threshold) throw new Error(`threshold ${threshold} differs from the sort's ${s.value}`);
  }
  // Analytic extra memory. Bracket path: the sample (16,384 keys), the candidate buffer
  // (max(16,384, N/16) keys) and two 65,536-bin histograms for the select inside the buffer, 4 bytes
  // each. The radix fallback (after a failed bracket) adds six histograms' worth (1.5 MiB).
  const bracket = 4 * 16384 + 4 * Math.max(16384, Math.floor(n / 16)) + 2 * 4 * 65536;
  const analytic = bracket + (method === 'radix' ? 6 * 4 * 65536 : 0);
  rows.push([
    `${n / 1e6}M`,
    median(ours).toFixed(1),
    median(withMasks).toFixed(1),
    median(sorted).toFixed(0),
    median(floor).toFixed(1),
    `${(median(sorted) / median(ours)).toFixed(0)}x`,
    `${(median(ours) / median(floor)).toFixed(2)}x`,
    `${mib(analytic)} (${((100 * analytic) / (4 * n)).toFixed(1)}% of the weights)`,
    mib(measured),
    method,
  ]);
}

const header = ['N', 'ours ms', 'ours+masks ms', 'sort ms', 'floor ms', 'sort/ours', 'ours/floor', 'extra memory (analytic)', 'arrayBuffers delta', 'path'];
console.log(`Global threshold at sparsity ${sparsity}, medians of ${runs} runs (sort: up to 3 at 25M), Node ${process.version}`);
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log('ours = exact k-th |w| (selectSmallest); +masks = plus writing the Uint8Array keep-masks; sort = |w| copy + Float32Array.prototype.sort; floor = one pass summing |w|.');
