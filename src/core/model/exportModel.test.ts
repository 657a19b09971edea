// Round trips through tfjs's own loader: what the studio exports is what plain tf.loadLayersModel reads,
// at every precision, for a Conv2D+BatchNorm+Dense model, a Teachable-Machine-like nested model and a
// model split over two shards. The models are pruned to ~70% with exact zeros first, as the studio does.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { strFromU8, unzipSync } from 'fflate';
import { exportFileName, exportModelFiles, exportReadme, exportZip, loadExportedZip, weightFiles, type ExportFiles, type Precision } from './exportModel';
import type { WeightSpec } from './quantize';

const seeded = (seed: number) => tf.initializers.glorotUniform({ seed });
const uniform = (shape: number[], lo: number, hi: number, seed: number) => tf.randomUniform(shape, lo, hi, 'float32', seed);

/** BatchNorm with the statistics of a trained layer, so none of its four tensors is constant. */
function trainedBatchNorm(layer: tf.layers.Layer, channels: number, seed: number) {
  layer.setWeights([uniform([channels], 0.8, 1.2, seed), uniform([channels], -0.1, 0.1, seed + 1), uniform([channels], -0.5, 0.5, seed + 2), uniform([channels], 0.05, 0.4, seed + 3)]);
}

function convNet(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 6, kernelSize: 3, kernelInitializer: seeded(1), biasInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: 9 }), name: 'conv' }));
  m.add(tf.layers.batchNormalization({ name: 'bn' }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 12, activation: 'relu', kernelInitializer: seeded(2), name: 'fc1' }));
  m.add(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: seeded(3), name: 'fc2' }));
  trainedBatchNorm(m.getLayer('bn'), 6, 20);
  return m;
}

/** Teachable Machine's shape: a Sequential of two Sequentials (features, then the classifier head). */
function nested(): tf.LayersModel {
  const features = tf.sequential({ name: 'features' });
  features.add(tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 4, kernelSize: 3, kernelInitializer: seeded(4), name: 'conv_pw_1' }));
  features.add(tf.layers.batchNormalization({ name: 'conv_pw_1_bn' }));
  features.add(tf.layers.globalAveragePooling2d({ name: 'pool' }));
  const head = tf.sequential({ name: 'head' });
  head.add(tf.layers.dense({ inputShape: [4], units: 8, activation: 'relu', kernelInitializer: seeded(5), name: 'dense_Dense1' }));
  head.add(tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: seeded(6), name: 'dense_Dense2' }));
  const outer = tf.sequential();
  outer.add(features);
  outer.add(head);
  trainedBatchNorm(features.getLayer('conv_pw_1_bn'), 4, 30);
  return outer;
}

/** Wide enough that its weights need two shards of the size used below. */
function wide(): tf.LayersModel {
  return tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [16], units: 32, activation: 'relu', kernelInitializer: seeded(7), name: 'a' }),
    tf.layers.dense({ units: 4, kernelInitializer: seeded(8), name: 'b' }),
  ] });
}

function leafLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.flatMap((l) => (l instanceof tf.LayersModel ? leafLayers(l) : [l]));
}

/** Zeroes the smallest 70% of every kernel, exact +0, as the studio's masks do. */
function prune(model: tf.LayersModel): tf.LayersModel {
  for (const layer of leafLayers(model)) {
    const weights = layer.getWeights();
    if (weights.length === 0 || weights[0].rank < 2) continue;
    const k = weights[0].dataSync() as Float32Array;
    const t = Float32Array.from(k, Math.abs).sort()[Math.floor(k.length * 0.7)];
    layer.setWeights([tf.tensor(k.map((v) => (Math.abs(v) < t ? 0 : v)), weights[0].shape), ...weights.slice(1)]);
  }
  return model;
}

async function zeroCount(model: tf.LayersModel): Promise<number> {
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

const probe = (model: tf.LayersModel) => uniform([64, ...(model.inputs[0].shape.slice(1) as number[])], 0, 1, 7);

/** The unzipped model.json, and a LayersModel read from it by tfjs alone (every shard in manifest order). */
async function plainLoad(entries: Record<string, Uint8Array>) {
  const json = JSON.parse(strFromU8(entries['model.json'])) as { format: string; generatedBy: string; convertedBy: string; modelTopology: object; weightsManifest: { paths: string[]; weights: WeightSpec[] }[] };
  const weightData = tf.io.concatenateArrayBuffers(json.weightsManifest.flatMap((g) => g.paths).map((p) => entries[p].slice().buffer));
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[], weightData }));
  return { json, model };
}

// Max |Δ| of the outputs over 64 random inputs, measured with these models on the cpu backend:
//              float32   float16    uint8
//   convNet    0         1.1e-4     8.2e-4    (softmax outputs)
//   nested     0         3.7e-5     1.1e-3    (softmax outputs)
//   wide       0         2.4e-4     3.1e-3    (linear outputs)
// Derivation: each uint8 weight is off by at most scale/2 (scale = its tensor's range / 255, here
// 1e-3..5e-3) and each float16 weight by 2^-11 relative (the per-weight test below asserts exactly
// that); an output sums a few dozen such errors, partly cancelling. The bounds are ~4-5x the
// measurements: a wrong scale, min, zero point or byte order is off by orders of magnitude more.
const BOUNDS: Record<string, Record<Precision, number>> = {
  convNet: { float32: 1e-6, float16: 5e-4, uint8: 4e-3 },
  nested: { float32: 1e-6, float16: 2e-4, uint8: 5e-3 },
  wide: { float32: 1e-6, float16: 1e-3, uint8: 1.5e-2 },
};
const PRECISIONS: Precision[] = ['float32', 'float16', 'uint8'];
const extras = { readme: '# test', report: { test: true } };

describe('export round trip through tf.loadLayersModel', () => {
  for (const make of [convNet, nested]) {
    for (const precision of PRECISIONS) {
      it(`${make.name}, ${precision}: predicts what the source predicts and keeps exactly its zeros`, async () => {
        const model = prune(make());
        const x = probe(model);
        const zip = exportZip(await exportModelFiles(model, { precision }), extras);
        const loaded = await loadExportedZip(zip);
        expect(loaded.countParams()).toBe(model.countParams());
        expect(await maxDiff(model, loaded, x)).toBeLessThanOrEqual(BOUNDS[make.name][precision]);
        const zeros = await zeroCount(model);
        expect(zeros).toBeGreaterThan(model.countParams() * 0.5);
        expect(await zeroCount(loaded)).toBe(zeros);

        // No studio code needed: tfjs alone reads the unzipped files, and gets the same model.
        const entries = unzipSync(zip);
        expect(Object.keys(entries).sort()).toEqual(['README.md', 'group1-shard1of1.bin', 'model.json', 'report.json']);
        const { json, model: plain } = await plainLoad(entries);
        expect(await maxDiff(plain, loaded, x)).toBe(0);
        expect(json.format).toBe('layers-model');
        expect(json.generatedBy).toMatch(/^TensorFlow\.js tfjs-layers v/);
        expect(json.convertedBy).toMatch(/^Secateur/);
        expect(json.modelTopology).toEqual(model.toJSON(null, false));
        const weights = json.weightsManifest[0].weights;
        expect(weights.map((w) => w.name)).toEqual(model.weights.map((w) => w.originalName));
        for (const w of weights) {
          if (precision === 'float32') expect(w.quantization).toBeUndefined();
          else expect(w.quantization?.dtype).toBe(precision);
          if (precision === 'uint8') expect([typeof w.quantization?.min, typeof w.quantization?.scale]).toEqual(['number', 'number']);
        }
        tf.dispose(x);
        for (const m of [model, loaded, plain]) m.dispose();
      });
    }
  }

  for (const precision of PRECISIONS) {
    it(`wide, ${precision}: two shards, named as tfjs names them, load back in order`, async () => {
      const model = prune(wide());
      const whole = weightFiles(await exportModelFiles(model, { precision }))[0].bytes;
      const half = Math.ceil(whole.length / 2);
      const files = await exportModelFiles(model, { precision, shardBytes: half });
      const shards = weightFiles(files);
      expect(shards.map((s) => s.name)).toEqual(['group1-shard1of2.bin', 'group1-shard2of2.bin']);
      expect(shards.map((s) => s.bytes.length)).toEqual([half, whole.length - half]);
      // The split runs through a weight (tfjs's converter splits the same way); joined, they are the one file.
      expect(tf.io.concatenateArrayBuffers(shards.map((s) => s.bytes.slice().buffer))).toEqual(whole.slice().buffer);

      const x = probe(model);
      const zip = exportZip(files, extras);
      const { json, model: plain } = await plainLoad(unzipSync(zip));
      expect(json.weightsManifest[0].paths).toEqual(['group1-shard1of2.bin', 'group1-shard2of2.bin']);
      const loaded = await loadExportedZip(zip);
      expect(await maxDiff(model, loaded, x)).toBeLessThanOrEqual(BOUNDS.wide[precision]);
      expect(await maxDiff(plain, loaded, x)).toBe(0);
      expect(await zeroCount(loaded)).toBe(await zeroCount(model));
      tf.dispose(x);
      for (const m of [model, loaded, plain]) m.dispose();
    });
  }

  it('every loaded weight is within its bound: uint8 scale/2 (scale for values under half a step), float16 2^-11 relative', async () => {
    const model = prune(convNet());
    for (const precision of ['float16', 'uint8'] as const) {
      const files = await exportModelFiles(model, { precision });
      const loaded = await loadExportedZip(exportZip(files, extras));
      const specs = (JSON.parse(strFromU8(files.files[0].bytes)) as { weightsManifest: { weights: WeightSpec[] }[] }).weightsManifest[0].weights;
      const before = model.getWeights().map((w) => w.dataSync());
      const after = loaded.getWeights().map((w) => w.dataSync());
      specs.forEach((spec, k) => {
        const scale = spec.quantization?.scale ?? 0;
        before[k].forEach((v, i) => {
          const err = Math.abs(after[k][i] - v);
          const bound = precision === 'float16' ? Math.max(Math.abs(v) * 2 ** -11, 2 ** -25) : (Math.abs(v) < scale / 2 ? scale : scale / 2) * (1 + 1e-9) + Math.abs(v) * 2 ** -23;
          if (err > bound) throw new Error(`${spec.name}[${i}] ${precision}: ${v} loaded as ${after[k][i]}, error ${err} > ${bound}`);
        });
      });
      loaded.dispose();
    }
    model.dispose();
  });

  it('uint8: an all-zero kernel, a constant bias and a lone tiny negative weight load exactly as they should', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2, name: 'zero' }), tf.layers.dense({ units: 2, name: 'edge' })] });
    model.getLayer('zero').setWeights([tf.zeros([3, 2]), tf.fill([2], 0.25)]);
    model.getLayer('edge').setWeights([tf.tensor2d([[-0.001, 1], [0, 0.5]]), tf.zeros([2])]);
    const loaded = await loadExportedZip(exportZip(await exportModelFiles(model, { precision: 'uint8' }), extras));
    const [k0, b0, k1, b1] = loaded.getWeights().map((w) => Array.from(w.dataSync()));
    expect(k0).toEqual([0, 0, 0, 0, 0, 0]);
    expect(b0).toEqual([0.25, 0.25]);
    expect(b1).toEqual([0, 0]);
    expect(k1[0]).toBeLessThan(0); // the first version loaded it as 0
    expect(k1[2]).toBe(0);
    expect(await zeroCount(loaded)).toBe(await zeroCount(model));
    model.dispose();
    loaded.dispose();
  });

  it('refuses NaN weights at uint8 (naming the weight) and a bad shard size', async () => {
    const model = wide();
    const [k, b] = model.getLayer('b').getWeights();
    const broken = k.dataSync().slice();
    broken[3] = NaN;
    model.getLayer('b').setWeights([tf.tensor(broken, k.shape), b]);
    await expect(exportModelFiles(model, { precision: 'uint8' })).rejects.toThrow('weight b/kernel holds NaN');
    await expect(exportModelFiles(model, { precision: 'float32', shardBytes: 0 })).rejects.toThrow('shardBytes must be a positive integer');
    model.dispose();
  });
});

describe('names, README and zip', () => {
  it('file names carry the model name, the sparsity and the precision', () => {
    expect(exportFileName('fashion-cnn', 0.9, 'uint8', 'zip')).toBe('fashion-cnn-90pct-sparse-uint8.zip');
    expect(exportFileName('fashion cnn.json', 0.904, 'float16', 'zip')).toBe('fashion-cnn-90pct-sparse-float16.zip');
    expect(exportFileName('../évil/name', 0, 'float32', 'zip')).toBe('vil-name-0pct-sparse-float32.zip');
    expect(exportFileName('', 1.2, 'uint8', 'zip')).toBe('model-100pct-sparse-uint8.zip');
    expect(exportFileName('m', NaN, 'uint8', 'zip')).toBe('m-0pct-sparse-uint8.zip');
    expect(exportFileName('x'.repeat(200), 0.5, 'float32', 'zip')).toBe(`${'x'.repeat(80)}-50pct-sparse-float32.zip`);
  });

  it('the README says what it is and how to load it', () => {
    const text = exportReadme({ name: 'fashion-cnn', precision: 'uint8', sparsity: 0.9, params: 179926, nonzero: 18000, metric: { metric: 'accuracy', value: 0.873, count: 500 }, recipe: [{ label: 'unstructured 90% global, magnitude' }, { label: 'fine-tune 2 epochs' }] });
    expect(text).toContain('# fashion-cnn, pruned with Secateur');
    expect(text).toContain("tf.loadLayersModel('model.json')");
    expect(text).toContain('tf.io.browserFiles');
    expect(text).toContain('179,926 parameters, 18,000 nonzero; 90.0% of the prunable weights are zero');
    expect(text).toContain('Accuracy: 87.3% on 500 examples');
    expect(text).toContain('uint8-quantized');
    expect(text).toContain('1. unstructured 90% global, magnitude\n2. fine-tune 2 epochs');
  });

  it('the zip holds the files as given, the README and the report as JSON', () => {
    const files: ExportFiles = { files: [{ name: 'model.json', bytes: new Uint8Array([123, 125]) }, { name: 'group1-shard1of1.bin', bytes: new Uint8Array(1000) }] };
    const entries = unzipSync(exportZip(files, { readme: '# r', report: { model: 'm', layers: [{ path: 'fc', sparsity: 0.5 }] } }));
    expect(strFromU8(entries['model.json'])).toBe('{}');
    expect(entries['group1-shard1of1.bin']).toEqual(new Uint8Array(1000));
    expect(strFromU8(entries['README.md'])).toBe('# r');
    expect(JSON.parse(strFromU8(entries['report.json']))).toEqual({ model: 'm', layers: [{ path: 'fc', sparsity: 0.5 }] });
  });

  it('loadExportedZip names what is missing', async () => {
    const { zipSync, strToU8 } = await import('fflate');
    await expect(loadExportedZip(zipSync({ 'README.md': strToU8('x') }))).rejects.toThrow('the zip has no model.json');
    const json = { modelTopology: {}, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [] }] };
    await expect(loadExportedZip(zipSync({ 'model.json': strToU8(JSON.stringify(json)) }))).rejects.toThrow('the zip has no group1-shard1of1.bin');
  });
});
