// Export: a LayersModel -> the files plain `tf.loadLayersModel` reads (model.json + weight shards),
// at float32, float16 or uint8, and a .zip of them with a README and a JSON report. Runs in the worker
// (and in Node); the page only downloads the bytes.
//
//   const { files } = await exportModelFiles(model, { precision: 'uint8', name: 'fashion-cnn' });
//   const zip = exportZip({ files }, { readme, report });        // Uint8Array, fflate
//   const again = await loadExportedZip(zip);                     // unzip + tf.loadLayersModel(fromMemory)
//
// The topology and the weight names come from tfjs's own save (tf.io.withSaveHandler), so nested
// models (a Sequential inside a Sequential, as Teachable Machine writes) name their weights exactly as
// the loader expects. tfjs never writes quantized weights; here each float32 tensor is re-encoded and
// its manifest entry gets tfjs's `quantization` field, which the loader dequantizes:
//   uint8    value = q * scale + min (io_utils decodeWeight). Per tensor, the range includes 0 and min
//            is nudged to -q0 * scale, so q0 decodes to exactly 0: pruned zeros stay exactly zero.
//            A nonzero weight that would round to q0 is moved to q0 ± 1, so it stays nonzero: the
//            zero count after loading is exactly the zero count before. Error per weight <= scale
//            (<= scale / 2 except for those nudged and for values clamped at the range ends).
//   float16  IEEE half, round to nearest even; |values| above 65504 clamp to ±65504 (weights that
//            large are not in real models); nonzero values below the smallest half subnormal become
//            that subnormal instead of 0, again so that zeros stay exactly the zeros.
// int32 weights (rare: embedding ids) are written as they are.
import * as tf from '@tensorflow/tfjs';
import { strToU8, strFromU8, unzipSync, zipSync, type Zippable } from 'fflate';

export type Precision = 'float32' | 'float16' | 'uint8';
export const PRECISIONS: readonly Precision[] = ['float32', 'float16', 'uint8'];

export interface ExportOptions {
  precision: Precision;
  /** Default 4 MiB, tfjs's own default shard size. */
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

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  quantization?: { dtype: 'uint8' | 'float16'; min?: number; scale?: number; original_dtype?: string };
}

const DEFAULT_SHARD_BYTES = 4 * 1024 * 1024;

/** The model as tfjs saves it: topology, weight specs and one buffer of weight data. */
async function saved(model: tf.LayersModel): Promise<{ modelTopology: object; weightSpecs: WeightSpec[]; weightData: ArrayBuffer }> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const a = artifacts as tf.io.ModelArtifacts | null;
  if (!a?.modelTopology || !a.weightSpecs || !a.weightData) throw new Error('export: tfjs saved no topology or weights for this model');
  const data = Array.isArray(a.weightData) ? tf.io.concatenateArrayBuffers(a.weightData) : a.weightData;
  return { modelTopology: a.modelTopology as object, weightSpecs: a.weightSpecs as WeightSpec[], weightData: data };
}

/** uint8 with 0 exactly representable and nonzero values kept nonzero (see the header). */
export function quantizeUint8(values: Float32Array): { bytes: Uint8Array; min: number; scale: number } {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const bytes = new Uint8Array(values.length);
  if (hi === lo) return { bytes, min: 0, scale: 1 }; // every value is 0
  const scale = (hi - lo) / 255;
  const q0 = Math.min(255, Math.max(0, Math.round(-lo / scale)));
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let q = Math.min(255, Math.max(0, Math.round(v / scale) + q0));
    if (v !== 0 && q === q0) q = v > 0 ? Math.min(255, q0 + 1) : Math.max(0, q0 - 1);
    bytes[i] = q;
  }
  // min = -q0 * scale exactly, so that q0 * scale + min is exactly 0 in the loader's arithmetic.
  return { bytes, min: -q0 * scale, scale };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 half precision bits of one float32, round to nearest even, clamped to ±65504. */
export function toFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return mant ? 0x7e00 : sign | 0x7bff; // NaN stays NaN; ±Inf clamps to ±max
  if (value === 0) return sign;
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7bff; // too large: ±65504
  if (e <= 0) {
    // Subnormal half: shift the implicit 1 in, round to nearest even.
    if (e < -10) return sign | 1; // below the smallest subnormal: keep it nonzero
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rest > mid || (rest === mid && half & 1)) half++;
    return sign | (half || 1);
  }
  let half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
  if ((half & 0x7fff) >= 0x7c00) half = 0x7bff; // rounding overflowed into infinity: clamp
  return sign | half;
}

function encode(spec: WeightSpec, raw: Uint8Array, precision: Precision): { spec: WeightSpec; bytes: Uint8Array } {
  if (spec.dtype !== 'float32' || precision === 'float32') return { spec: { name: spec.name, shape: spec.shape, dtype: spec.dtype }, bytes: raw };
  const values = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  if (precision === 'uint8') {
    const { bytes, min, scale } = quantizeUint8(values);
    return { spec: { name: spec.name, shape: spec.shape, dtype: 'float32', quantization: { dtype: 'uint8', min, scale, original_dtype: 'float32' } }, bytes };
  }
  const halves = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) halves[i] = toFloat16Bits(values[i]);
  return { spec: { name: spec.name, shape: spec.shape, dtype: 'float32', quantization: { dtype: 'float16', original_dtype: 'float32' } }, bytes: new Uint8Array(halves.buffer) };
}

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** model.json and weight shards at `precision`, named and split as tfjs names them. */
export async function exportModelFiles(model: tf.LayersModel, options: ExportOptions): Promise<ExportFiles> {
  const { modelTopology, weightSpecs, weightData } = await saved(model);
  const data = new Uint8Array(weightData);
  const encoded: Uint8Array[] = [];
  const specs: WeightSpec[] = [];
  let offset = 0;
  for (const spec of weightSpecs) {
    if (spec.dtype !== 'float32' && spec.dtype !== 'int32') throw new Error(`export: weight ${spec.name} has dtype ${spec.dtype}, which the studio does not write`);
    const length = sizeOf(spec.shape) * 4;
    // A copy: the float32 view needs 4-byte alignment, and the saved buffer must not change.
    const raw = data.slice(offset, offset + length);
    offset += length;
    const e = encode(spec, raw, options.precision);
    specs.push(e.spec);
    encoded.push(e.bytes);
  }
  const all = new Uint8Array(encoded.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of encoded) {
    all.set(b, at);
    at += b.length;
  }
  const shardBytes = options.shardBytes ?? DEFAULT_SHARD_BYTES;
  const count = Math.max(1, Math.ceil(all.length / shardBytes));
  const shards: ExportFile[] = [];
  for (let i = 0; i < count; i++) {
    shards.push({ name: `group1-shard${i + 1}of${count}.bin`, bytes: all.slice(i * shardBytes, Math.min(all.length, (i + 1) * shardBytes)) });
  }
  const modelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: 'Secateur (in-browser pruning studio)',
    modelTopology,
    weightsManifest: [{ paths: shards.map((s) => s.name), weights: specs }],
  };
  return { files: [{ name: 'model.json', bytes: strToU8(JSON.stringify(modelJson)) }, ...shards] };
}

/** The weight shards of an export (everything but model.json). */
export const weightFiles = (files: ExportFiles) => files.files.filter((f) => f.name !== 'model.json');

/** One .zip: model.json, the shards, README.md and report.json. */
export function exportZip(files: ExportFiles, extras: { readme: string; report: unknown }): Uint8Array {
  const entries: Zippable = {};
  for (const f of files.files) entries[f.name] = f.bytes;
  entries['README.md'] = strToU8(extras.readme);
  entries['report.json'] = strToU8(JSON.stringify(extras.report, null, 2));
  return zipSync(entries, { level: 6 });
}

/** e.g. fashion-cnn-90pct-sparse-uint8.zip */
export function exportFileName(name: string, sparsity: number, precision: Precision, ext: 'zip'): string {
  const base = name.replace(/\.json$/i, '').replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'model';
  return `${base}-${Math.round(sparsity * 100)}pct-sparse-${precision}.${ext}`;
}

export interface ReadmeInfo {
  name: string;
  precision: Precision;
  /** Fraction of prunable weights that are zero. */
  sparsity: number;
  params: number;
  nonzero: number;
  metric: { metric: 'accuracy' | 'fidelity'; value: number; count: number };
  recipe: { label: string }[];
}

export function exportReadme(info: ReadmeInfo): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const precisionNote = {
    float32: 'float32 weights, exactly as they were in the studio.',
    float16: 'float16 weights (half the bytes); TensorFlow.js turns them back into float32 when it loads them. Zeros stay exactly zero.',
    uint8: 'uint8-quantized weights (a quarter of the bytes, per-tensor affine); TensorFlow.js dequantizes them to float32 when it loads them. Pruned weights stay exactly zero.',
  }[info.precision];
  return [
    `# ${info.name}, pruned with Secateur`,
    '',
    `- ${info.params.toLocaleString('en-US')} parameters, ${info.nonzero.toLocaleString('en-US')} nonzero; ${pct(info.sparsity)} of the prunable weights are zero.`,
    `- ${info.metric.metric === 'accuracy' ? 'Accuracy' : 'Fidelity to the original model'}: ${pct(info.metric.value)} on ${info.metric.count} examples.`,
    `- ${precisionNote}`,
    '- Zeros compress: serve the weight files with gzip or brotli (most hosts do) to download fewer bytes.',
    '',
    '## Load it',
    '',
    '```js',
    "import * as tf from '@tensorflow/tfjs';",
    '',
    '// Served next to its weight files:',
    "const model = await tf.loadLayersModel('model.json');",
    '// Or from files the user picked (model.json and the .bin files):',
    '// const model = await tf.loadLayersModel(tf.io.browserFiles([jsonFile, ...weightFiles]));',
    'const prediction = model.predict(input);',
    '```',
    '',
    '## How it was made',
    '',
    ...info.recipe.map((r, i) => `${i + 1}. ${r.label}`),
    '',
    'report.json has the per-layer sparsity, the metrics and these steps with their settings.',
    '',
  ].join('\n');
}

/** Unzips an export and loads it with tfjs's own loader (no studio code in between). */
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
