// readModelFiles + loadImportedModel on drops built here from tiny models: every way a good model
// arrives (loose files in any order, folders, zips, shard names, weight groups, nesting,
// quantization, Keras 3) loads and predicts what the source model predicts; bad drops that the
// e2e corpus cannot hold (an empty drop, a device limit, ambiguity) give their exact messages.
// The corpus itself (e2e/fixtures) is checked by importFixtures.test.ts.
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { zipSync } from 'fflate';
import { disposeModel } from '../graph/disposeModel';
import { mulberry32, shuffleInPlace } from '../data/seededRandom';
import { ImportError, loadImportedModel, readModelFiles, type ImportedModel, type InputFile } from './importFiles';
import type { JsonObject } from './kerasJson';
import {
  SHARD,
  jsonBytes,
  manifestWeights,
  modelFiles,
  quantize,
  regroup,
  setFixedWeights,
  teachableMachineLike,
  tinyFunctional,
  tinyMlp,
  toKeras3,
  type ModelFiles,
} from './tinyModelFiles';

const sources: tf.LayersModel[] = [];
afterAll(() => sources.forEach(disposeModel));

function keep<T extends tf.LayersModel>(m: T): T {
  sources.push(m);
  return m;
}

const X = tf.tensor2d([
  [0.5, -1, 2, 0.25],
  [-0.3, 0.8, -1.5, 1],
  [0, 0, 0, 0],
]);

/** Loads an import and returns the largest difference from the source model's outputs. */
async function loadedDiff(imported: ImportedModel, source: tf.LayersModel, x: tf.Tensor = X): Promise<number> {
  const model = await loadImportedModel(imported);
  try {
    return tf.tidy(() => (model.predict(x) as tf.Tensor).sub(source.predict(x) as tf.Tensor).abs().max().dataSync()[0]);
  } finally {
    disposeModel(model);
  }
}

function drop(files: Record<string, Uint8Array>): InputFile[] {
  return Object.entries(files).map(([path, bytes]) => ({ path, bytes }));
}

function looseFiles(m: ModelFiles, extra: Record<string, Uint8Array> = {}): InputFile[] {
  return drop({ 'model.json': jsonBytes(m.json), [SHARD]: m.weights, ...extra });
}

function importError(files: InputFile[], options?: { maxParams?: number }): string {
  try {
    readModelFiles(files, options);
  } catch (e) {
    expect(e).toBeInstanceOf(ImportError);
    return (e as Error).message;
  }
  throw new Error('readModelFiles accepted the files');
}

const zip = (files: Record<string, Uint8Array>) => zipSync(files, { mtime: new Date(2024, 0, 1, 12) });

describe('readModelFiles: good drops', () => {
  it('loose files in any order load and predict as the source model', async () => {
    const source = keep(tinyMlp());
    const files = await modelFiles(source);
    const rnd = mulberry32(3);
    for (let k = 0; k < 3; k++) {
      const dropped = shuffleInPlace(looseFiles(files, { 'notes.txt': new TextEncoder().encode('hi') }), rnd);
      const imported = readModelFiles(dropped);
      expect(imported).toMatchObject({ name: 'model', jsonPath: 'model.json', params: 23, estimatedBytes: 92, labels: null, fixes: [], warnings: [] });
      expect(imported.weightFiles).toEqual([SHARD]);
      expect(imported.ignoredFiles).toEqual(['notes.txt']);
      expect(await loadedDiff(imported, source)).toBeLessThan(1e-6);
    }
  });

  it('a dropped folder: paths with directories, the name from the folder, unrelated files ignored', async () => {
    const source = keep(tinyMlp());
    const files = await modelFiles(source);
    const imported = readModelFiles(
      drop({
        'exports/my-model/README.md': new TextEncoder().encode('# my model'),
        'exports/my-model/group1-shard1of1.bin': files.weights,
        'exports/my-model/model.json': jsonBytes(files.json),
        'exports/my-model/': new Uint8Array(0),
        'exports/my-model/.DS_Store': new Uint8Array([0, 0, 0, 1]),
      }),
    );
    expect(imported.name).toBe('my-model');
    expect(imported.jsonPath).toBe('exports/my-model/model.json');
    expect(imported.ignoredFiles).toEqual(['exports/my-model/README.md']);
    expect(await loadedDiff(imported, source)).toBeLessThan(1e-6);
  });

  it('a .zip (with macOS litter) loads; its name comes from the folder inside or the archive', async () => {
    const source = keep(tinyMlp());
    const files = await modelFiles(source);
    const withFolder = zip({
      'my-model/model.json': jsonBytes(files.json),
      'my-model/group1-shard1of1.bin': files.weights,
      '__MACOSX/my-model/._model.json': new Uint8Array([0, 5, 22, 7]),
      'my-model/.DS_Store': new Uint8Array([1]),
    });
    const a = readModelFiles([{ path: 'export.zip', bytes: withFolder }]);
    expect(a).toMatchObject({ name: 'my-model', jsonPath: 'export.zip/my-model/model.json', ignoredFiles: [] });
    expect(await loadedDiff(a, source)).toBeLessThan(1e-6);
    const flat = zip({ 'model.json': jsonBytes(files.json), [SHARD]: files.weights });
    const b = readModelFiles([{ path: 'fashion-cnn.zip', bytes: flat }]);
    expect(b.name).toBe('fashion-cnn');
    expect(await loadedDiff(b, source)).toBeLessThan(1e-6);
  });

  it('resolves shards without .bin, with a ./ prefix, in a sub-folder, with a query, and dropped twice', async () => {
    const source = keep(tinyMlp());
    const files = await modelFiles(source);
    const withPaths = (paths: string[]) => ({ ...files.json, weightsManifest: [{ ...(files.json.weightsManifest as JsonObject[])[0], paths }] });
    const cases: [string[], Record<string, Uint8Array>][] = [
      [['group1-shard1of1'], { 'group1-shard1of1': files.weights }], // old converters: no extension
      [['group1-shard1of1'], { 'group1-shard1of1.bin': files.weights }], // the browser or the user added one
      [['group1-shard1of1.bin'], { 'group1-shard1of1': files.weights }],
      [['./weights/group1-shard1of1.bin'], { 'weights/group1-shard1of1.bin': files.weights }],
      [['group1-shard1of1.bin?v=2'], { 'group1-shard1of1.bin': files.weights }],
      [['shards/group1-shard1of1.bin'], { 'elsewhere/group1-shard1of1.bin': files.weights }], // by base name
      // An absolute URL or a ".." climb is refused instead (importGuards.test.ts): nothing is read from elsewhere.
    ];
    for (const [paths, shards] of cases) {
      const imported = readModelFiles([{ path: 'model.json', bytes: jsonBytes(withPaths(paths)) }, ...drop(shards), ...drop(shards)]);
      expect(imported.weightFiles, paths[0]).toEqual(Object.keys(shards));
      expect(await loadedDiff(imported, source), paths[0]).toBeLessThan(1e-6);
    }
  });

  it('two weight groups over three shards, dropped in any order, are joined in manifest order', async () => {
    const source = keep(tinyMlp());
    const g = regroup(await modelFiles(source), [
      { paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: 2 },
      { paths: ['group2-shard1of1.bin'], weights: 2 },
    ]);
    const files = [{ path: 'model.json', bytes: jsonBytes(g.json) }, ...[...g.shards].map(([path, bytes]) => ({ path, bytes }))].reverse();
    const imported = readModelFiles(files);
    expect(imported.weightFiles).toEqual(['group1-shard1of2.bin', 'group1-shard2of2.bin', 'group2-shard1of1.bin']);
    expect(imported.params).toBe(23);
    expect(await loadedDiff(imported, source)).toBeLessThan(1e-6);
  });

  it('finds the model JSON by content, whatever its name', async () => {
    const source = keep(tinyMlp());
    const files = await modelFiles(source);
    const a = readModelFiles(drop({ 'model_DCE.i.json': jsonBytes(files.json), [SHARD]: files.weights, 'tokenizer.json': jsonBytes({ word_index: { a: 1 } }) }));
    expect(a).toMatchObject({ name: 'model_DCE.i', jsonPath: 'model_DCE.i.json', ignoredFiles: ['tokenizer.json'] });
    const b = readModelFiles(drop({ 'export-2024': jsonBytes(files.json), [SHARD]: files.weights }));
    expect(b.name).toBe('export-2024');
    expect(await loadedDiff(b, source)).toBeLessThan(1e-6);
  });

  it('a Teachable Machine export: Sequential inside Sequential, labels from metadata.json, name from modelName', async () => {
    const source = keep(teachableMachineLike());
    const files = await modelFiles(source, ['weights.bin']);
    const metadata = { tmVersion: '2.4.10', packageName: '@teachablemachine/image', modelName: 'tm-my-image-model', labels: ['Cat', 'Dog', 'Bird'], imageSize: 224 };
    const imported = readModelFiles(drop({ 'metadata.json': jsonBytes(metadata), 'weights.bin': files.weights, 'model.json': jsonBytes(files.json) }));
    expect(imported).toMatchObject({ name: 'tm-my-image-model', labels: ['Cat', 'Dog', 'Bird'], params: 43, warnings: [] });
    expect(await loadedDiff(imported, source)).toBeLessThan(1e-6);
  });

  it('labels that do not fit the output are dropped with a warning; an ml5 manifest.json fits too', async () => {
    const files = await modelFiles(keep(tinyMlp()));
    const wrong = readModelFiles(looseFiles(files, { 'metadata.json': jsonBytes({ labels: ['a', 'b', 'c'] }) }));
    expect(wrong.labels).toBeNull();
    expect(wrong.warnings).toEqual(['metadata.json: 3 labels, but the model has an output of shape [null,2]; the labels are not used.']);
    const ml5 = readModelFiles(looseFiles(files, { 'manifest.json': jsonBytes({ model: 'model.json', labels: ['yes', 'no'] }) }));
    expect(ml5.labels).toEqual(['yes', 'no']);
    const broken = readModelFiles(looseFiles(files, { 'metadata.json': new TextEncoder().encode('{"labels": ["a", "b",]}') }));
    expect(broken.labels).toBeNull();
    expect(broken.warnings).toEqual(['metadata.json: not valid JSON, so its labels are not used.']);
  });

  it('uint8 and float16 quantized manifests: params from the shapes, file size from the quantized dtype, dequantized on load', async () => {
    const source = keep(tinyMlp());
    const files = await modelFiles(source);
    const u8 = readModelFiles(looseFiles(quantize(files, 'uint8')));
    expect(u8).toMatchObject({ params: 23, estimatedBytes: 92, warnings: [] });
    // One uint8 step of the widest tensor is at most 1.8 / 255; softmax outputs move less than that.
    expect(await loadedDiff(u8, source)).toBeLessThan(0.02);
    const f16Files = quantize(files, 'float16');
    expect(f16Files.weights.length).toBe(46);
    const f16 = readModelFiles(looseFiles(f16Files));
    expect(f16).toMatchObject({ params: 23, estimatedBytes: 92 });
    expect(await loadedDiff(f16, source)).toBeLessThan(2e-3);
    // The wrong size is judged in quantized bytes: 23 uint8 values, not 92.
    expect(importError(looseFiles({ ...quantize(files, 'uint8'), weights: files.weights }))).toBe(
      'group1-shard1of1.bin: 92 bytes, but model.json expects 23 for the weights it lists. The file belongs to another model or was changed: export the model again.',
    );
  });

  it('NaN and Inf weights are counted per tensor, in float16 manifests too, and still load', async () => {
    const files = quantize(await modelFiles(keep(tinyMlp())), 'float16');
    const halves = new Uint16Array(files.weights.slice().buffer);
    halves[0] = 0x7e00; // NaN in dense_1/kernel
    halves[12] = 0xfc00; // -Inf: dense_1/bias[0]
    halves[13] = 0x7c00; // +Inf
    const imported = readModelFiles(looseFiles({ json: files.json, weights: new Uint8Array(halves.buffer) }));
    expect(imported.warnings).toEqual([
      'dense_1/kernel has 1 NaN value; outputs that depend on them will be NaN too.',
      'dense_1/bias has 2 Inf values; outputs that depend on them will be NaN too.',
    ]);
    disposeModel(await loadImportedModel(imported));
  });

  it('optimizer weights saved with the model are skipped in the count and the check', async () => {
    const source = keep(tinyMlp());
    source.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    await source.fit(X, tf.tensor2d([[1, 0], [0, 1], [1, 0]]), { epochs: 1, verbose: 0 });
    let artifacts: tf.io.ModelArtifacts | null = null;
    await source.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } })), { includeOptimizer: true });
    const a = artifacts as unknown as tf.io.ModelArtifacts;
    expect(a.weightSpecs!.some((s) => s.group === 'optimizer')).toBe(true);
    const json = { modelTopology: a.modelTopology, weightsManifest: [{ paths: [SHARD], weights: a.weightSpecs }] };
    const imported = readModelFiles(drop({ 'model.json': jsonBytes(json), [SHARD]: new Uint8Array(a.weightData as ArrayBuffer) }));
    expect(imported.params).toBe(23);
    expect(await loadedDiff(imported, source)).toBeLessThan(1e-6);
  });
});

describe('readModelFiles: Keras exports fixed on import', () => {
  it('a Keras 3 Sequential export (batch_shape, DTypePolicy, prefixed weight names) loads, and says so', async () => {
    const source = keep(tinyMlp());
    const keras3 = toKeras3((await modelFiles(source)).json, 'mixed_float16');
    // As it is, TF.js refuses it.
    await expect(tf.loadLayersModel(tf.io.fromMemory({ modelTopology: keras3.modelTopology as JsonObject }))).rejects.toThrow(/batchInputShape/);
    const imported = readModelFiles(drop({ 'model.json': jsonBytes(keras3), [SHARD]: (await modelFiles(source)).weights }));
    expect(imported.fixes).toEqual([
      'Keras 3 export: renamed batch_shape to batch_input_shape in 1 InputLayer',
      'Keras 3 export: replaced the DTypePolicy dtype objects (float32, mixed_float16) by float32, the dtype TF.js computes in',
      'Keras 3 export: removed the model-name prefix "tiny_mlp/" from 4 weight names',
    ]);
    expect(imported.artifacts.weightSpecs!.map((s) => s.name)).toEqual(['dense_1/kernel', 'dense_1/bias', 'dense_2/kernel', 'dense_2/bias']);
    expect(await loadedDiff(imported, source)).toBeLessThan(1e-6);
  });

  it('a Keras 3 functional export (args/kwargs nodes, a nested model, a two-input layer, silu) loads', async () => {
    // features -> dense_1 -> block (a nested Sequential, swish) ; concat([dense_1, block]) -> dense_2
    const input = tf.input({ shape: [4], name: 'features' });
    const h = tf.layers.dense({ units: 3, activation: 'relu', name: 'dense_1' }).apply(input) as tf.SymbolicTensor;
    const block = tf.sequential({ name: 'block' });
    block.add(tf.layers.dense({ inputShape: [3], units: 3, activation: 'swish', name: 'block_dense' }));
    const b = block.apply(h) as tf.SymbolicTensor;
    const c = tf.layers.concatenate({ name: 'concat' }).apply([h, b]) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2, activation: 'softmax', name: 'dense_2' }).apply(c) as tf.SymbolicTensor;
    const source = keep(tf.model({ inputs: input, outputs: out, name: 'tiny_k3' }));
    setFixedWeights(source);
    const files = await modelFiles(source);
    const keras3 = JSON.parse(JSON.stringify(toKeras3(files.json)).replace('"activation":"swish"', '"activation":"silu"')) as JsonObject;
    const imported = readModelFiles(drop({ 'model.json': jsonBytes(keras3), [SHARD]: files.weights }));
    expect(imported.fixes).toEqual([
      'Keras 3 export: renamed batch_shape to batch_input_shape in 2 InputLayers',
      'Keras 3 export: replaced the DTypePolicy dtype objects (float32) by float32, the dtype TF.js computes in',
      'Keras 3 export: rewrote the inbound nodes of 4 layers and the model inputs and outputs in the Keras 2 form TF.js reads',
      'Keras 3 export: renamed the activation silu to swish (the same function) in 1 place',
      'Keras 3 export: removed the model-name prefix "tiny_k3/" from 6 weight names',
    ]);
    expect(await loadedDiff(imported, source)).toBeLessThan(1e-6);

    // Layers built by a functional call carry no model prefix; a nested model's layers carry its name.
    for (const w of manifestWeights(keras3)) w.name = (w.name as string).replace('tiny_k3/', '').replace('block_dense/', 'block/block_dense/');
    const nested = readModelFiles(drop({ 'model.json': jsonBytes(keras3), [SHARD]: files.weights }));
    expect(nested.fixes[4]).toBe('Keras 3 export: removed the model-name prefix "block/" from 2 weight names');
    expect(await loadedDiff(nested, source)).toBeLessThan(1e-6);
  });

  it("Keras 2 mixed-precision Policy dtypes become float32; names that already match keep their prefix", async () => {
    const source = keep(tinyFunctional());
    const files = await modelFiles(source);
    const json = structuredClone(files.json);
    const layers = ((json.modelTopology as JsonObject).config as JsonObject).layers as JsonObject[];
    (layers[1].config as JsonObject).dtype = { class_name: 'Policy', config: { name: 'mixed_float16' } };
    const imported = readModelFiles(drop({ 'model.json': jsonBytes(json), [SHARD]: files.weights }));
    expect(imported.fixes).toEqual(['Keras mixed precision: replaced the Policy dtype objects (mixed_float16) by float32, the dtype TF.js computes in']);
    expect(await loadedDiff(imported, source)).toBeLessThan(1e-6);
  });
});

describe('readModelFiles: bad drops', () => {
  const HOW = "Drop a model's JSON file with its weight files, its folder, or a .zip of it.";

  it('an empty drop, a drop of folders only, a drop of system files only', () => {
    const message = `Nothing to import: the drop holds no files. ${HOW}`;
    expect(importError([])).toBe(message);
    expect(importError(drop({ 'my-model/': new Uint8Array(0), 'my-model/weights/': new Uint8Array(0) }))).toBe(message);
    expect(importError(drop({ '.DS_Store': new Uint8Array([1]), '__MACOSX/._model.json': new Uint8Array([1]) }))).toBe(message);
  });

  it('a model too large for the device, with the estimate', async () => {
    const files = await modelFiles(keep(tinyMlp()));
    expect(importError(looseFiles(files), { maxParams: 20 })).toBe(
      'model.json: the model has 23 parameters (about 92 B as float32), more than this device can take (at most 20). Use a smaller model, or open the studio on a computer with more memory.',
    );
    expect(readModelFiles(looseFiles(files), { maxParams: 23 }).params).toBe(23);
    // The limit is checked from the manifest before anything else is: missing shards do not matter.
    const big = structuredClone(files.json);
    manifestWeights(big)[0].shape = [4000, 3000];
    expect(importError(drop({ 'model.json': jsonBytes(big) }), { maxParams: 10_000_000 })).toBe(
      'model.json: the model has 12,000,011 parameters (about 45.78 MB as float32), more than this device can take (at most 10,000,000). Use a smaller model, or open the studio on a computer with more memory.',
    );
  });

  it('a shard name that fits two dropped files outside the JSON folder', async () => {
    const files = await modelFiles(keep(tinyMlp()));
    expect(importError(drop({ 'model.json': jsonBytes(files.json), 'a/group1-shard1of1.bin': files.weights, 'b/group1-shard1of1.bin': files.weights }))).toBe(
      'model.json: the weight file group1-shard1of1.bin matches several dropped files (a/group1-shard1of1.bin, b/group1-shard1of1.bin). Drop one model at a time.',
    );
  });

  it('names files inside a zip by their path in it', async () => {
    const files = await modelFiles(keep(tinyMlp()));
    const h5 = new Uint8Array([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
    expect(importError([{ path: 'export.zip', bytes: zip({ 'keras/model.h5': h5, 'keras/README.md': new Uint8Array([35]) }) }])).toBe(
      'export.zip/keras/model.h5: a Keras HDF5 model, which the browser cannot read. Convert it first: tensorflowjs_converter --input_format keras model.h5 out/ and drop the files in out/.',
    );
    expect(importError([{ path: 'export.zip', bytes: zip({ 'model.json': jsonBytes(files.json) }) }])).toBe(
      'export.zip/model.json: the weight file group1-shard1of1.bin is missing. Drop it together with model.json, or drop the whole folder or a .zip of it.',
    );
  });

  it('several unsupported layers: the first is named, the others counted', async () => {
    const files = await modelFiles(keep(tinyMlp()));
    const json = structuredClone(files.json);
    const layers = ((json.modelTopology as JsonObject).config as JsonObject).layers as JsonObject[];
    layers.splice(1, 0, { class_name: 'Lambda', config: { name: 'double' } }, { class_name: 'MyNorm', config: { name: 'norm' } });
    expect(importError(looseFiles({ json, weights: files.weights }))).toBe(
      'model.json: layer "double" is a Lambda layer, which holds Python code that cannot run in the browser (1 more: "norm" (MyNorm)). Replace it with standard Keras layers and export the model again.',
    );
  });

  it('looks for unsupported layers inside nested models and wrappers', async () => {
    const files = await modelFiles(keep(teachableMachineLike()), ['weights.bin']);
    const json = structuredClone(files.json);
    const outer = ((json.modelTopology as JsonObject).config as JsonObject).layers as JsonObject[];
    const head = (outer[1].config as JsonObject).layers as JsonObject[];
    head.push({ class_name: 'TimeDistributed', config: { name: 'per_step', layer: { class_name: 'Lambda', config: { name: 'inner' } } } });
    expect(importError(drop({ 'model.json': jsonBytes(json), 'weights.bin': files.weights }))).toBe(
      'model.json: layer "inner" is a Lambda layer, which holds Python code that cannot run in the browser. Replace it with standard Keras layers and export the model again.',
    );
  });

  it('a topology that is a single layer, and model outputs that name a missing layer', async () => {
    const files = await modelFiles(keep(tinyFunctional()));
    const layer = { ...files.json, modelTopology: { class_name: 'Dense', config: { units: 2, name: 'd' } } };
    expect(importError(looseFiles({ json: layer, weights: files.weights }))).toBe(
      'model.json: the modelTopology holds a Dense, not a Sequential or functional model. Export the whole model again.',
    );
    const json = structuredClone(files.json);
    ((json.modelTopology as JsonObject).config as JsonObject).output_layers = [['dense_9', 0, 0]];
    expect(importError(looseFiles({ json, weights: files.weights }))).toBe(
      'model.json: the outputs of "tiny_functional" name "dense_9", which is not in the model. The topology is damaged: export the model again.',
    );
  });
});

describe('loadImportedModel', () => {
  it('turns what TF.js still rejects into an ImportError naming the model JSON', async () => {
    const imported = readModelFiles(looseFiles(await modelFiles(keep(tinyMlp()))));
    const broken: ImportedModel = { ...imported, artifacts: { ...imported.artifacts, weightSpecs: [] } };
    const error = await loadImportedModel(broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportError);
    expect((error as Error).message).toBe(
      'model.json: TF.js could not load the model: 4 of 4 weights are not set: dense_1/kernel,dense_1/bias,dense_2/kernel,dense_2/bias. Export the model again.',
    );
  });
});
