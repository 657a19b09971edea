// Sizes are measured on the bytes the export writes: pruning shrinks the gzip size, never the raw one.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { gzipSync } from 'fflate';
import { exportModelFiles, weightFiles, type Precision } from '../model/exportModel';
import { float32GzipBytes, gzipBytes, modelSizes } from './sizes';

/** Deterministic float32 values: a fraction `zeros` of them exact 0, the rest uniform in ±0.1. */
function weights(n: number, zeros: number, seed: number): Float32Array {
  let s = seed;
  const next = () => (s = (s * 16807) % 2147483647) / 2147483647;
  return Float32Array.from({ length: n }, () => (next() < zeros ? 0 : (next() - 0.5) * 0.2));
}

function mlp(): tf.LayersModel {
  return tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [64], units: 128, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), name: 'fc1' }),
    tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }), name: 'fc2' }),
  ] });
}

/** Zeroes the smallest `fraction` of each kernel (exact +0). */
function prune(model: tf.LayersModel, fraction: number) {
  for (const layer of model.layers) {
    const [k, b] = layer.getWeights();
    const v = k.dataSync() as Float32Array;
    const t = Float32Array.from(v, Math.abs).sort()[Math.floor(v.length * fraction)];
    layer.setWeights([tf.tensor(v.map((x) => (Math.abs(x) < t ? 0 : x)), k.shape), b]);
  }
}

describe('gzipBytes', () => {
  it('is the real gzip size at level 6: a 90%-zero float32 file is a fraction of its raw size, a dense one is not', () => {
    const sparse = new Uint8Array(weights(250_000, 0.9, 3).buffer);
    const dense = new Uint8Array(weights(250_000, 0, 4).buffer);
    expect(gzipBytes(sparse)).toBe(gzipSync(sparse, { level: 6 }).length);
    // Measured: 13.8% of raw (about 5.5 bytes per nonzero: its 4 bytes plus where it is), and 92% for dense.
    expect(gzipBytes(sparse)).toBeLessThan(sparse.length * 0.2);
    expect(gzipBytes(dense)).toBeGreaterThan(dense.length * 0.85);
  });
});

describe('modelSizes', () => {
  it('matches the shards exportModelFiles writes, at every precision', async () => {
    const model = mlp();
    prune(model, 0.7);
    const sizes = await modelSizes(model);
    const params = model.countParams();
    const key: Record<Precision, [keyof typeof sizes, keyof typeof sizes]> = { float32: ['raw', 'gzip'], float16: ['float16', 'float16Gzip'], uint8: ['uint8', 'uint8Gzip'] };
    for (const precision of ['float32', 'float16', 'uint8'] as const) {
      const shards = weightFiles(await exportModelFiles(model, { precision }));
      const [raw, gzip] = key[precision];
      expect(sizes[raw]).toBe(shards.reduce((n, f) => n + f.bytes.length, 0));
      expect(sizes[gzip]).toBe(shards.reduce((n, f) => n + gzipBytes(f.bytes), 0));
    }
    expect([sizes.raw, sizes.float16, sizes.uint8]).toEqual([params * 4, params * 2, params]);
    expect(await float32GzipBytes(model)).toBe(sizes.gzip);
    model.dispose();
  });

  it('pruning to 90% leaves the raw size alone and cuts the gzip size', async () => {
    const model = mlp();
    const dense = await modelSizes(model);
    prune(model, 0.9);
    const pruned = await modelSizes(model);
    expect(pruned.raw).toBe(dense.raw);
    expect(dense.gzip).toBeGreaterThan(dense.raw * 0.85);
    // Measured: dense 91% of raw; pruned float32 12.5% of raw (4815 of 38440 bytes), float16 2840,
    // uint8 1871 = 19.5% of its raw 9610 (a uint8 nonzero costs 1 byte, not 4, so zeros save less).
    expect(pruned.gzip).toBeLessThan(pruned.raw * 0.2);
    expect(pruned.uint8Gzip).toBeLessThan(pruned.uint8! * 0.3);
    expect(pruned.uint8Gzip).toBeLessThan(pruned.float16Gzip);
    expect(pruned.float16Gzip).toBeLessThan(pruned.gzip);
    model.dispose();
  });

  it('has no uint8 sizes for weights holding NaN or Infinity (uint8 cannot encode them), and still the others', async () => {
    const model = mlp();
    const [kernel, ...rest] = model.layers[0].getWeights();
    const values = kernel.dataSync().slice();
    values[3] = Number.NaN;
    values[7] = Number.POSITIVE_INFINITY;
    model.layers[0].setWeights([tf.tensor(values, kernel.shape), ...rest]);
    const sizes = await modelSizes(model);
    expect([sizes.uint8, sizes.uint8Gzip]).toEqual([null, null]);
    expect(sizes.raw).toBe(model.countParams() * 4);
    expect(sizes.float16).toBe(model.countParams() * 2);
    model.dispose();
  });
});
