// 1-D k-means weight clustering (src/core/compress/kmeans1d.ts) against one plain pass over the same
// weights (the sum of |w|: the floor no method that reads every weight beats), measured in the same
// run. Medians of several runs after a warm-up run. Goal: <= 5x the plain pass at 25M weights, k = 256.
//   npx tsx bench/clustering.ts [--runs 5] [--sizes 1,25] [--ks 16,256] [--init kmeans++] [--sparsity 0]
// Weights: seeded N(0, 0.05); with --sparsity s a fraction s of them is set to exactly 0 first (a pruned
// layer; the zero cluster is fixed, as the studio clusters).
import { mulberry32 } from '../src/core/data/seededRandom';
import { clusterValues, type ClusterInit } from '../src/core/compress/kmeans1d';
import { median, numberArg, stringArg } from './harness';

const runs = numberArg('--runs', 5);
const sizes = stringArg('--sizes', '1,25').split(',').map((m) => Math.round(Number(m) * 1_000_000));
const ks = stringArg('--ks', '16,256').split(',').map(Number);
const init = stringArg('--init', 'kmeans++') as ClusterInit;
const sparsity = numberArg('--sparsity', 0);

function weights(n: number): Float32Array {
  const rnd = mulberry32(12345);
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = Math.sqrt(-2 * Math.log(1 - rnd())) * 0.05;
    w[i] = rnd() < sparsity ? 0 : r * Math.cos(2 * Math.PI * rnd());
  }
  return w;
}

function floorPass(w: Float32Array): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += Math.abs(w[i]);
  return s;
}

function time<T>(f: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = f();
  return { ms: performance.now() - t0, value };
}

const rows: string[][] = [];
for (const n of sizes) {
  const w = weights(n);
  for (const k of ks) {
    const ours: number[] = [];
    const floor: number[] = [];
    let iterations = 0;
    let size = 0;
    let exact = false;
    for (let r = 0; r < runs + 1; r++) {
      const f = time(() => floorPass(w));
      const c = time(() => clusterValues(w, { k, init }));
      if (r === 0) continue; // warm-up (JIT)
      floor.push(f.ms);
      ours.push(c.ms);
      iterations = c.value.iterations;
      size = c.value.codebook.length;
      exact = c.value.exact;
    }
    rows.push([`${n / 1e6}M`, String(k), init, median(floor).toFixed(1), median(ours).toFixed(1), `${(median(ours) / median(floor)).toFixed(2)}x`, String(iterations), String(size), exact ? 'exact' : 'binned']);
  }
}

const header = ['N', 'k', 'init', 'plain pass ms', 'clustering ms', 'clustering / pass', 'Lloyd iterations', 'codebook', 'histogram'];
console.log(`1-D k-means clustering, N(0, 0.05) weights${sparsity ? `, ${sparsity * 100}% exact zeros` : ''}, medians of ${runs} runs, Node ${process.version}`);
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log('clustering = histogram pass + k-means on the histogram + assignment pass (indices, exact member means); plain pass = one loop summing |w|. Goal: <= 5x at 25M, k = 256.');
