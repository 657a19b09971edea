// Export: a LayersModel -> the files plain `tf.loadLayersModel` reads (model.json + weight shards),
// at float32, float16 or uint8, and a .zip of them with a README and a JSON report. Pure tfjs + fflate,
// no DOM: it runs in the worker (and in Node); the page only downloads the bytes.
//
// ## API
//   exportModelFiles(model, { precision: 'float32' | 'float16' | 'uint8', shardBytes? = 4 MiB })
//     -> Promise<{ files: [{ name: 'model.json', bytes }, { name: 'group1-shard1of2.bin', bytes }, ...] }>
//   savedModel(model) + encodeExport(saved, options): the same in two steps, so that one read of the
//     weights can be encoded at several precisions (metrics/sizes.ts does).
//   exportZip({ files }, { readme, report, html }) -> Uint8Array  model.json, shards, README.md, report.json (+ report.html)
//   exportReadme(info) -> string                               what it is, precision, sparsity, how to load
//   exportFileName('fashion-cnn', 0.9, 'uint8', 'zip') -> 'fashion-cnn-90pct-sparse-uint8.zip'
//   loadExportedZip(zip) -> Promise<tf.LayersModel>            unzip + tf.loadLayersModel(tf.io.fromMemory)
//   weightFiles({ files }) -> the shards (everything but model.json)
// The files inside are always named model.json and group1-shardXofY.bin, as tfjs's own converter names
// them, so the README's `tf.loadLayersModel('model.json')` works unedited; the user's model name goes
// into the .zip's name (exportFileName) and the README. The report's shape belongs to the engine
// (engine/exportReport.ts): exportZip writes whatever plain data it is given as report.json.
//
// ## What tfjs reads
// model.json is what tfjs's own save writes: `format: 'layers-model'`, `generatedBy`, `convertedBy`,
// `modelTopology` (model.toJSON(null, false), via tf.io.withSaveHandler) and one weightsManifest group.
// Weight names come from that same save, so nested models (a Sequential inside a Sequential, as
// Teachable Machine writes) are named exactly as the loader looks them up. Shards split the weight
// bytes every `shardBytes`, across weight boundaries, as the tfjs converter does; the loader joins
// them in manifest order. float16 and uint8 entries carry tfjs's `quantization` field; quantize.ts has
// the encodings and their error bounds. Pruned zeros load back as exactly 0 at every precision, and
// nonzero weights stay nonzero, so the zero count survives the export.
import * as tf from '@tensorflow/tfjs';
import { strToU8, strFromU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { encodeWeights, type Precision, type WeightSpec } from './quantize';

export { PRECISIONS } from './quantize';
export type { Precision, WeightSpec } from './quantize';

export interface ExportOptions {
  precision: Precision;
  /** Bytes per weight file; default 4 MiB, tfjs's own default shard size. */
  shardBytes?: number;
}

export interface ExportFile {
  name: string;
  bytes: Uint8Array;
}

export interface ExportFiles {
  /** model.json first, then the shards in manifest order. */
  files: ExportFile[];
}

/** A model as tfjs saves it: topology, weight specs and one buffer of float32/int32 weight data. */
export interface SavedModel {
  modelTopology: object;
  weightSpecs: WeightSpec[];
  weightData: Uint8Array;
}

export const DEFAULT_SHARD_BYTES = 4 * 1024 * 1024;
export const CONVERTED_BY = 'Secateur (in-browser pruning studio)';

/** Runs tfjs's own save into memory (no download, no DOM: safe in a worker). */
export async function savedModel(model: tf.LayersModel): Promise<SavedModel> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const a = artifacts as tf.io.ModelArtifacts | null;
  if (!a?.modelTopology || !a.weightSpecs || !a.weightData) throw new Error('export: tfjs saved no topology or weights for this model');
  const data = Array.isArray(a.weightData) ? tf.io.concatenateArrayBuffers(a.weightData) : a.weightData;
  return { modelTopology: a.modelTopology as object, weightSpecs: a.weightSpecs as WeightSpec[], weightData: new Uint8Array(data) };
}

/** model.json and its shards for a saved model at `options.precision`. */
export function encodeExport(saved: SavedModel, options: ExportOptions): ExportFiles {
  const shardBytes = options.shardBytes ?? DEFAULT_SHARD_BYTES;
  if (!Number.isInteger(shardBytes) || shardBytes < 1) throw new Error(`export: shardBytes must be a positive integer, got ${shardBytes}`);
  const { specs, data } = encodeWeights(saved.weightSpecs, saved.weightData, options.precision);
  const count = Math.max(1, Math.ceil(data.length / shardBytes));
  const shards: ExportFile[] = [];
  for (let i = 0; i < count; i++) {
    // slice, not subarray: each file owns its buffer, so it can be transferred on its own.
    shards.push({ name: `group1-shard${i + 1}of${count}.bin`, bytes: data.slice(i * shardBytes, Math.min(data.length, (i + 1) * shardBytes)) });
  }
  const modelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: CONVERTED_BY,
    modelTopology: saved.modelTopology,
    weightsManifest: [{ paths: shards.map((s) => s.name), weights: specs }],
  };
  return { files: [{ name: 'model.json', bytes: strToU8(JSON.stringify(modelJson)) }, ...shards] };
}

/** model.json and weight shards at `precision`, named and split as tfjs names them. */
export async function exportModelFiles(model: tf.LayersModel, options: ExportOptions): Promise<ExportFiles> {
  return encodeExport(await savedModel(model), options);
}

/** The weight shards of an export (everything but model.json). */
export const weightFiles = (files: ExportFiles) => files.files.filter((f) => f.name !== 'model.json');

/** One .zip: model.json, the shards, README.md and report.json. */
export function exportZip(files: ExportFiles, extras: { readme: string; report: unknown; html?: string }): Uint8Array {
  // Level 6 (zlib's default): the .bin files of a pruned model are mostly zeros and shrink a lot.
  const entries: Zippable = {};
  for (const f of files.files) entries[f.name] = f.bytes;
  entries['README.md'] = strToU8(extras.readme);
  entries['report.json'] = strToU8(JSON.stringify(extras.report, null, 2));
  if (extras.html !== undefined) entries['report.html'] = strToU8(extras.html);
  return zipSync(entries, { level: 6 });
}

/**
 * e.g. fashion-cnn-90pct-sparse-uint8.zip: the model name made file-safe (spaces and other odd
 * characters become '-', a trailing .json is dropped, at most 80 characters), sparsity in whole percent
 * (clamped to 0..100).
 */
export function exportFileName(name: string, sparsity: number, precision: Precision, ext: 'zip'): string {
  const base = name.replace(/\.json$/i, '').replace(/[^\w.-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, 80) || 'model';
  const pct = Number.isFinite(sparsity) ? Math.round(Math.min(1, Math.max(0, sparsity)) * 100) : 0;
  return `${base}-${pct}pct-sparse-${precision}.${ext}`;
}

export interface ReadmeInfo {
  name: string;
  precision: Precision;
  /** Fraction of prunable weights that are zero. */
  sparsity: number;
  params: number;
  nonzero: number;
  metric: { metric: 'accuracy' | 'fidelity' | 'mae'; value: number; count: number };
  recipe: { label: string }[];
}

/** The README's line for a metric: accuracy or fidelity as a percentage, a mean absolute error as a number. */
export function metricSentence(m: ReadmeInfo['metric']): string {
  if (m.metric === 'mae') return `- Mean absolute error: ${m.value.toPrecision(4)} on ${m.count} examples.`;
  return `- ${m.metric === 'accuracy' ? 'Accuracy' : 'Fidelity to the original model'}: ${(m.value * 100).toFixed(1)}% on ${m.count} examples.`;
}

/** README.md of the .zip: what it is, its precision and sparsity, how it was made and how to load it. */
export function exportReadme(info: ReadmeInfo): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const precisionNote = {
    float32: 'float32 weights, exactly as they were in the studio.',
    float16: 'float16 weights (half the bytes); TensorFlow.js turns them back into float32 when it loads them. Pruned weights stay exactly zero.',
    uint8: 'uint8-quantized weights (a quarter of the bytes, one affine scale per tensor); TensorFlow.js dequantizes them to float32 when it loads them. Pruned weights stay exactly zero.',
  }[info.precision];
  return [
    `# ${info.name}, pruned with Secateur`,
    '',
    'A TensorFlow.js Layers model: `model.json` (architecture and weight manifest) and its `group1-shard*.bin` weight files.',
    'Keep them in one folder; `report.json` has the details below as data.',
    '',
    `- ${info.params.toLocaleString('en-US')} parameters, ${info.nonzero.toLocaleString('en-US')} nonzero; ${pct(info.sparsity)} of the prunable weights are zero.`,
    metricSentence(info.metric),
    `- Precision: ${precisionNote}`,
    '- Zeros compress: serve the weight files with gzip or brotli (most hosts do) to download fewer bytes.',
    '',
    '## Load it',
    '',
    '```js',
    "import * as tf from '@tensorflow/tfjs';",
    '',
    '// Served over http(s) next to its .bin files (a relative or a full URL):',
    "const model = await tf.loadLayersModel('model.json');",
    "// const model = await tf.loadLayersModel('https://example.com/models/my-model/model.json');",
    '',
    '// Or from files the user picked in an <input type="file" multiple> (model.json and every .bin):',
    '// const model = await tf.loadLayersModel(tf.io.browserFiles([jsonFile, ...binFiles]));',
    '',
    '// In Node with @tensorflow/tfjs-node:',
    "// const model = await tf.loadLayersModel('file://./model.json');",
    '',
    'const prediction = model.predict(input);',
    '```',
    '',
    '## How it was made',
    '',
    ...(info.recipe.length ? info.recipe.map((r, i) => `${i + 1}. ${r.label}`) : ['The original model, unchanged.']),
    '',
    'report.json has the per-layer sparsity, the metrics and these steps with their settings.',
    '',
  ].join('\n');
}

/**
 * Unzips an export and loads it with tfjs's own loader (no studio code in between): what a user does
 * with the download. Used by the tests and the e2e journey. The caller owns the model.
 */
export async function loadExportedZip(zip: Uint8Array): Promise<tf.LayersModel> {
  const entries = unzipSync(zip);
  const jsonBytes = entries['model.json'];
  if (!jsonBytes) throw new Error('the zip has no model.json');
  const json = JSON.parse(strFromU8(jsonBytes)) as { modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  const buffers = json.weightsManifest.flatMap((g) => g.paths).map((p) => {
    const b = entries[p];
    if (!b) throw new Error(`the zip has no ${p}`);
    return b.slice().buffer;
  });
  return tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: tf.io.concatenateArrayBuffers(buffers),
  }));
}
