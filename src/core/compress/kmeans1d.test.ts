import { describe, expect, it } from 'vitest';
import { toFloat16Bits } from '../model/quantize';
import { float16BitsToFloat } from './float16';
import { clusteredValues, clusterJointly, clusterValues, distinctValues, type Clustering } from './kmeans1d';
import { gaussianWeights } from './testWeights';
import { EXACT_LIMIT, SAMPLE_TARGET } from './valueHistogram';

function inertia(values: Float32Array, c: Clustering): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += (values[i] - c.codebook[c.indices[i]]) ** 2;
  return s;
}

/** Every weight's own shared value is a nearest one (exact assignment), ties allowed. */
function assignedToNearest(values: Float32Array, c: Clustering): boolean {
  for (let i = 0; i < values.length; i++) {
    const own = Math.abs(values[i] - c.codebook[c.indices[i]]);
    for (const v of c.codebook) if (Math.abs(values[i] - v) < own - 1e-12) return false;
  }
  return true;
}

describe('clusterValues', () => {
  it('keeps every zero exactly 0, makes no nonzero 0, keeps signs, and uses at most k values (sparsity-preserving)', () => {
    for (const histogram of ['exact', 'binned'] as const) {
      const w = gaussianWeights(50_000, 2, 0.8);
      for (const k of [2, 3, 16, 256]) {
        const c = clusterValues(w, { k, histogram });
        expect(c.codebook.length).toBeLessThanOrEqual(k);
        expect(c.exact).toBe(histogram === 'exact');
        expect(c.zeroIndex).toBeGreaterThanOrEqual(0);
        expect(c.codebook[c.zeroIndex]).toBe(0);
        const out = clusteredValues(c.codebook, c.indices);
        expect(distinctValues(out)).toBe(c.codebook.length);
        let badZero = 0;
        let badSign = 0;
        for (let i = 0; i < w.length; i++) {
          if ((w[i] === 0) !== (out[i] === 0)) badZero++;
          if (w[i] !== 0 && k > 2 && Math.sign(w[i]) !== Math.sign(out[i])) badSign++;
        }
        expect(badZero, `${histogram} k=${k}`).toBe(0);
        expect(badSign, `${histogram} k=${k}`).toBe(0);
        expect([...c.codebook].every((v, j) => j === 0 || v > c.codebook[j - 1])).toBe(true);
      }
    }
  });

  it('each shared value is the exact mean of its members, and each weight sits with its nearest value (exact path)', () => {
    const w = gaussianWeights(5_000, 3, 0.5);
    const c = clusterValues(w, { k: 16, init: 'linear' });
    expect(c.exact).toBe(true);
    const sums = new Float64Array(c.codebook.length);
    const counts = new Float64Array(c.codebook.length);
    for (let i = 0; i < w.length; i++) {
      sums[c.indices[i]] += w[i];
      counts[c.indices[i]]++;
    }
    for (let j = 0; j < c.codebook.length; j++) {
      expect(counts[j]).toBeGreaterThan(0);
      if (j !== c.zeroIndex) expect(c.codebook[j]).toBe(Math.fround(sums[j] / counts[j]));
    }
    // Converged Lloyd: nearest within a side (zero cluster excluded: 'fixed' never moves a nonzero to it).
    const nonzero = w.filter((v) => v !== 0);
    const nz = clusterValues(nonzero, { k: 15, init: 'linear' });
    const pos = nonzero.filter((v) => v > 0);
    const cp = clusterValues(pos, { k: 8, init: "linear" });
    expect(assignedToNearest(pos, cp)).toBe(true);
    expect(nz.codebook.length).toBe(15);
  });

  it('the binned histogram clusters as well as exact Lloyd (inertia within 1%) at k = 16 and 256', () => {
    const w = gaussianWeights(EXACT_LIMIT + 50_000, 4, 0.3);
    for (const k of [16, 256]) {
      const exact = clusterValues(w, { k, histogram: 'exact', init: 'kmeans++' });
      const binned = clusterValues(w, { k, init: 'kmeans++' });
      expect(binned.exact).toBe(false);
      expect(exact.exact).toBe(true);
      expect(inertia(w, binned) / inertia(w, exact)).toBeLessThan(1.01);
    }
  });

  it('is lossless when a tensor holds at most k distinct values', () => {
    const w = Float32Array.from({ length: 1000 }, (_, i) => [0, -0.5, 0.25, 1.5, 0.125][i % 5]);
    const c = clusterValues(w, { k: 5 });
    expect(Array.from(c.codebook)).toEqual([-0.5, 0, 0.125, 0.25, 1.5]);
    expect(Array.from(clusteredValues(c.codebook, c.indices))).toEqual(Array.from(w));
    expect(c.iterations).toBeGreaterThanOrEqual(0);
  });

  it('initialisations: linear spreads evenly over the range, density follows the quantiles, kmeans++ is seeded', () => {
    // 1,000 weights: 900 in [0, 0.1), 100 in [0.9, 1.0]. No Lloyd iterations: the initial codebook.
    const w = Float32Array.from({ length: 1000 }, (_, i) => (i < 900 ? (i / 900) * 0.1 + 1e-4 : 0.9 + ((i - 900) / 100) * 0.1));
    const linear = clusterValues(w, { k: 5, init: 'linear', maxIterations: 0 });
    const density = clusterValues(w, { k: 5, init: 'density', maxIterations: 0 });
    // Linear puts values near 0.25, 0.5, 0.75 too (empty: dropped); density puts 4 of 5 in [0, 0.1).
    expect(linear.codebook.filter((v) => v < 0.2).length).toBe(1);
    expect(density.codebook.filter((v) => v < 0.2).length).toBe(4);
    const a = clusterValues(w, { k: 5, init: 'kmeans++', seed: 7 });
    const b = clusterValues(w, { k: 5, init: 'kmeans++', seed: 7 });
    expect(Array.from(a.codebook)).toEqual(Array.from(b.codebook));
    const seeds = new Set([1, 2, 3, 4, 5, 6].map((seed) => clusterValues(w, { k: 5, init: 'kmeans++', seed, maxIterations: 0 }).codebook.join()));
    expect(seeds.size).toBeGreaterThan(1);
  });

  it("zeros: 'attract' sends the smallest weights to 0, 'free' may make pruned weights nonzero", () => {
    const w = Float32Array.from([0, 0, 0, 0.001, -0.002, 1, 1.1, -1, -1.2, 2]);
    const attract = clusterValues(w, { k: 4, zeros: 'attract' });
    const out = clusteredValues(attract.codebook, attract.indices);
    expect(out[3]).toBe(0);
    expect(out[4]).toBe(0);
    expect(out[5]).not.toBe(0);
    const fixed = clusteredValues(...codebookAndIndices(clusterValues(w, { k: 4 })));
    expect(fixed[3]).not.toBe(0);
    expect(fixed[4]).not.toBe(0);
    const free = clusterValues(Float32Array.from([0, 0.4, 0.6, 5, 6]), { k: 2, zeros: 'free' });
    expect(free.zeroIndex).toBe(-1);
    expect(clusteredValues(free.codebook, free.indices)[0]).toBeCloseTo(1 / 3, 6);
  });

  it('k = 2 with zeros and both signs: one shared nonzero value, zeros stay 0', () => {
    const w = Float32Array.from([0, 0, -1, 3, 2, 0]);
    const c = clusterValues(w, { k: 2 });
    expect(Array.from(c.codebook)).toEqual([0, Math.fround(4 / 3)]);
    const balanced = clusterValues(Float32Array.from([0, -1, 1]), { k: 2 });
    expect(balanced.codebook.length).toBe(2);
    expect(balanced.codebook[1 - balanced.zeroIndex]).not.toBe(0);
  });

  it('float16 codebooks hold only values a half represents exactly', () => {
    const w = gaussianWeights(20_000, 5, 0.5);
    const c = clusterValues(w, { k: 32, codebook: 'float16' });
    for (const v of c.codebook) expect(float16BitsToFloat(toFloat16Bits(v))).toBe(v);
    expect(c.codebook.length).toBeLessThanOrEqual(32);
    const out = clusteredValues(c.codebook, c.indices);
    for (let i = 0; i < w.length; i++) expect(out[i] === 0).toBe(w[i] === 0);
  });

  it('keeps tiny subnormal weights nonzero on the binned path', () => {
    const w = gaussianWeights(EXACT_LIMIT + 10, 6, 0.5);
    w[5] = 1e-44;
    w[6] = -1e-44;
    w[7] = -0;
    const c = clusterValues(w, { k: 8 });
    expect(c.exact).toBe(false);
    const out = clusteredValues(c.codebook, c.indices);
    expect(out[5]).toBeGreaterThan(0);
    expect(out[6]).toBeLessThan(0);
    expect(out[7]).toBe(0);
  });

  it('sampled histograms (large tensors): zeros the sample missed still stay 0, and the assignment is exact', () => {
    const n = 2 * SAMPLE_TARGET + 1000;
    const w = gaussianWeights(n, 10);
    // Three zeros in 525k weights: the ~262k-value sample almost surely misses them.
    for (const i of [17, 300_001, n - 1]) w[i] = 0;
    const c = clusterValues(w, { k: 16 });
    expect(c.exact).toBe(false);
    expect(c.zeroIndex).toBeGreaterThanOrEqual(0);
    const out = clusteredValues(c.codebook, c.indices);
    let bad = 0;
    for (let i = 0; i < n; i++) if ((w[i] === 0) !== (out[i] === 0) || Math.sign(w[i]) !== Math.sign(out[i])) bad++;
    expect(bad).toBe(0);
    // Nearest shared value of its own sign, for a stretch of weights.
    let farther = 0;
    for (let i = 0; i < 20_000; i++) {
      if (w[i] === 0) continue;
      const own = Math.abs(w[i] - out[i]);
      for (const v of c.codebook) if (Math.sign(v) === Math.sign(w[i]) && Math.abs(w[i] - v) < own) farther++;
    }
    expect(farther).toBe(0);
  });

  it('clusters several tensors with one codebook', () => {
    const a = gaussianWeights(3000, 7, 0.5);
    const b = gaussianWeights(2000, 8, 0.5, 0.2);
    const j = clusterJointly([a, b], { k: 8 });
    expect(j.indices.map((x) => x.length)).toEqual([3000, 2000]);
    const used = new Set([...j.indices[0], ...j.indices[1]]);
    expect(used.size).toBe(j.codebook.length);
    expect(j.codebook.length).toBeLessThanOrEqual(8);
  });

  it('empty and all-zero tensors', () => {
    expect(clusterValues(new Float32Array(0), { k: 4 }).codebook.length).toBe(0);
    const z = clusterValues(new Float32Array(10), { k: 4 });
    expect(Array.from(z.codebook)).toEqual([0]);
    expect(z.zeroIndex).toBe(0);
    expect(Array.from(z.indices)).toEqual(new Array(10).fill(0));
  });

  it('refuses bad k, initialisations and non-finite weights with clear messages', () => {
    const w = Float32Array.from([1, 2, 3]);
    expect(() => clusterValues(w, { k: 1 })).toThrow('clusterValues: k must be a whole number from 2 to 256, got 1');
    expect(() => clusterValues(w, { k: 257, what: 'fc1/kernel' })).toThrow('fc1/kernel: k must be a whole number from 2 to 256, got 257');
    expect(() => clusterValues(w, { k: 4, init: 'random' as never })).toThrow('clusterValues: unknown initialisation random (linear, kmeans++ or density)');
    expect(() => clusterValues(Float32Array.from([1, NaN]), { k: 4, what: 'fc1/kernel' })).toThrow('fc1/kernel holds NaN or Infinity, which cannot be clustered');
    const big = gaussianWeights(EXACT_LIMIT + 1, 9);
    big[3] = Infinity;
    expect(() => clusterValues(big, { k: 4, what: 'w' })).toThrow('w holds NaN or Infinity, which cannot be clustered');
  });
});

function codebookAndIndices(c: Clustering): [Float32Array, Uint8Array] {
  return [c.codebook, c.indices];
}
