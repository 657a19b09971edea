// Round trips through tfjs's own loader: what the studio exports is what plain tf.loadLayersModel reads.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { strFromU8, unzipSync } from 'fflate';
import { exportFileName, exportModelFiles, exportReadme, exportZip, loadExportedZip, quantizeUint8, toFloat16Bits, type Precision } from './exportModel';
import { gzipBytes, modelSizes } from '../metrics/sizes';

const seeded = (seed: number) => tf.initializers.glorotUniform({ seed });

function convNet(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 6, kernelSize: 3, kernelInitializer: seeded(1), name: 'conv' }));
  m.add(tf.layers.batchNormalization({ name: 'bn' }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 12, activation: 'relu', kernelInitializer: seeded(2), name: 'fc1' }));
  m.add(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: seeded(3), name: 'fc2' }));
  return m;
}

/** A Teachable-Machine-like model: a Sequential inside a Sequential. */
function nested(): tf.LayersModel {
  const inner = tf.sequential({ name: 'features' });
  inner.add(tf.layers.dense({ inputShape: [5], units: 7, activation: 'relu', kernelInitializer: seeded(4), name: 'inner_dense' }));
  const outer = tf.sequential();
  outer.add(inner);
  outer.add(tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: seeded(5), name: 'head' }));
  return outer;
}

/** Zeroes ~70% of every kernel (smallest magnitudes), as pruning does: exact +0. */
function prune(model: tf.LayersModel) {
  for (const layer of model.layers.flatMap((l) => ((l as tf.LayersModel).layers ? (l as tf.LayersModel).layers : [l]))) {
    const weights = layer.getWeights();
    if (weights.length === 0 || weights[0].rank < 2) continue;
    const k = weights[0].dataSync() as Float32Array;
    const sorted = Float32Array.from(k, Math.abs).sort();
    const t = sorted[Math.floor(sorted.length * 0.7)];
    const pruned = k.map((v) => (Math.abs(v) < t ? 0 : v));
    layer.setWeights([tf.tensor(pruned, weights[0].shape), ...weights.slice(1)]);
  }
}

async function zeros(model: tf.LayersModel): Promise<number> {
  let n = 0;
  for (const w of model.getWeights()) for (const v of await w.data()) if (v === 0) n++;
  return n;
}

async function maxDiff(a: tf.LayersModel, b: tf.LayersModel, x: tf.Tensor): Promise<number> {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a.predict(x) as tf.Tensor, b.predict(x) as tf.Tensor))));
  const v = (await d.data())[0];
  d.dispose();
  return v;
}

const report = { test: true };
const readme = '# test';

describe('export round trip', () => {
  // Measured on these models (max |Δ| of softmax outputs): float32 0, float16 4e-5 / 7e-5, uint8 2.7e-4 /
  // 5.8e-4. The bounds are about 8x the measurement: tight enough to catch a wrong scale or min.
  const bounds: Record<Precision, number> = { float32: 1e-6, float16: 5e-4, uint8: 5e-3 };
  for (const make of [convNet, nested]) {
    for (const precision of ['float32', 'float16', 'uint8'] as Precision[]) {
      it(`${make.name}, ${precision}: a zip tfjs loads predicts what the model predicts${precision !== 'float16' ? ' and keeps every zero' : ''}`, async () => {
        const model = make();
        prune(model);
        const x = tf.randomUniform([4, ...(model.inputs[0].shape.slice(1) as number[])], 0, 1, 'float32', 7);
        const zip = exportZip(await exportModelFiles(model, { precision }), { readme, report });
        const loaded = await loadExportedZip(zip);
        const diff = await maxDiff(model, loaded, x);
        expect(diff).toBeLessThanOrEqual(bounds[precision]);
        if (precision !== 'float16') expect(await zeros(loaded)).toBe(await zeros(model));
        // No studio code needed to read it: the zip holds a plain model.json and shards.
        const entries = unzipSync(zip);
        expect(Object.keys(entries).sort()).toEqual(['README.md', 'group1-shard1of1.bin', 'model.json', 'report.json']);
        const json = JSON.parse(strFromU8(entries['model.json']));
        expect(json.format).toBe('layers-model');
        const plain = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: entries['group1-shard1of1.bin'].slice().buffer }));
        expect(await maxDiff(plain, loaded, x)).toBe(0);
        tf.dispose([x]);
        model.dispose();
        loaded.dispose();
        plain.dispose();
      });
    }
  }

  it('splits weights into shards as tfjs names them, and loads them back in order', async () => {
    const model = convNet();
    const { files } = await exportModelFiles(model, { precision: 'float32', shardBytes: 300 });
    const shards = files.filter((f) => f.name !== 'model.json');
    expect(shards.length).toBeGreaterThan(1);
    expect(shards[0].name).toBe(`group1-shard1of${shards.length}.bin`);
    const loaded = await loadExportedZip(exportZip({ files }, { readme, report }));
    const x = tf.ones([1, 8, 8, 1]);
    expect(await maxDiff(model, loaded, x)).toBeLessThanOrEqual(1e-6);
    tf.dispose(x);
  });
});

describe('quantization', () => {
  it('uint8: zero decodes to exactly 0, nonzero stays nonzero, error within one step', () => {
    const values = Float32Array.from([0, -0.5, 0.25, 1e-6, -1e-6, 0.999, 0, -0.0031]);
    const { bytes, min, scale } = quantizeUint8(values);
    const decoded = Array.from(bytes, (q) => Math.fround(q * scale + min));
    values.forEach((v, i) => {
      if (v === 0) expect(decoded[i]).toBe(0);
      else expect(decoded[i]).not.toBe(0);
      expect(Math.abs(decoded[i] - v)).toBeLessThanOrEqual(scale + 1e-9);
    });
  });

  it('uint8: all-zero, all-positive and constant tensors', () => {
    expect(quantizeUint8(new Float32Array(5)).bytes).toEqual(new Uint8Array(5));
    const c = quantizeUint8(Float32Array.from([0.1, 0.1]));
    expect(Math.fround(c.bytes[0] * c.scale + c.min)).toBeCloseTo(0.1, 6);
  });

  it('float16: exact for representable values, clamps overflow, keeps tiny values nonzero', () => {
    expect(toFloat16Bits(0)).toBe(0);
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(1e6)).toBe(0x7bff);
    expect(toFloat16Bits(1e-9)).toBe(1);
    expect(toFloat16Bits(5.960464477539063e-8)).toBe(1); // the smallest subnormal
    expect(toFloat16Bits(0.333251953125)).toBe(0x3555); // exactly representable
  });
});

describe('sizes and names', () => {
  it('a 90%-zero float32 file gzips far smaller than raw; the sizes match the exported shards', async () => {
    const model = convNet();
    prune(model);
    const sizes = await modelSizes(model);
    const { files } = await exportModelFiles(model, { precision: 'uint8' });
    expect(sizes.uint8).toBe(files.filter((f) => f.name !== 'model.json').reduce((n, f) => n + f.bytes.length, 0));
    expect(sizes.raw).toBe(model.countParams() * 4);
    expect(sizes.float16).toBe(model.countParams() * 2);
    expect(sizes.gzip).toBeLessThan(sizes.raw * 0.6);
    expect(gzipBytes(new Uint8Array(40_000))).toBeLessThan(200);
  });

  it('file names carry the model name, the sparsity and the precision; the README has a loading snippet', () => {
    expect(exportFileName('fashion cnn.json', 0.904, 'uint8', 'zip')).toBe('fashion-cnn-90pct-sparse-uint8.zip');
    const text = exportReadme({ name: 'm', precision: 'uint8', sparsity: 0.5, params: 10, nonzero: 5, metric: { metric: 'accuracy', value: 0.9, count: 500 }, recipe: [{ label: 'unstructured 50% global, magnitude' }] });
    expect(text).toContain("tf.loadLayersModel('model.json')");
    expect(text).toContain('1. unstructured 50% global, magnitude');
  });
});
