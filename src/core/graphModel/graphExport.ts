// Export of a graph model: the model.json and weight shards plain tf.loadGraphModel reads, at float32,
// float16 or uint8, and a report of what was done. The encodings are quantize.ts's (the ones the
// Layers export writes): uint8 keeps every zero exactly zero and every nonzero weight nonzero, so the
// zero count survives the export; float16 too. int32 and bool constants (shapes, axes) are written as
// they are.
//
//   const out = exportGraphModel(data, { precision: 'uint8', steps: ['Pruned 50% (magnitude, global)'] });
//   out.files    // model.json, group1-shard1ofN.bin, ...
//   out.report   // { format, precision, params, nonzero, steps, files }
//   exportZip(out, { readme: graphExportReadme(...), report: out.report })   // model/exportModel.ts
//   await loadExportedGraphFiles(out.files)   // tf.loadGraphModel(tf.io.fromMemory(...)), as a user would
//
// model.json keeps the original graph (with any channel removal's new Const shapes), its signature,
// userDefinedMetadata and model initializer (hash tables), and its generatedBy; convertedBy names the studio.
import * as tf from '@tensorflow/tfjs';
import { strFromU8, strToU8 } from 'fflate';
import { CONVERTED_BY, DEFAULT_SHARD_BYTES, metricSentence, type ExportFile, type ExportFiles, type ReadmeInfo } from '../model/exportModel';
import { encodeWeights, type Precision } from '../model/quantize';
import { gzipBytes } from '../metrics/sizes';
import type { GraphModelData } from './graphModelData';
import { float32Weights, nonzerosOf } from './graphWeights';

export interface GraphExportOptions {
  precision: Precision;
  /** Bytes per weight file; default 4 MiB, as the converter writes them. */
  shardBytes?: number;
  /** What was done to the model before the export, in order (the studio's recipe), for the report. */
  steps?: readonly string[];
}

export interface GraphExportReport {
  format: 'graph-model';
  precision: Precision;
  /** Every constant's values. */
  params: number;
  nonzero: number;
  /** The recipe, then what the export did. */
  steps: string[];
  files: { name: string; bytes: number; gzipBytes: number }[];
}

export interface GraphExport extends ExportFiles {
  report: GraphExportReport;
}

function split(data: Uint8Array, shardBytes: number): ExportFile[] {
  const count = Math.max(1, Math.ceil(data.length / shardBytes));
  return Array.from({ length: count }, (_, i) => ({ name: `group1-shard${i + 1}of${count}.bin`, bytes: data.slice(i * shardBytes, Math.min(data.length, (i + 1) * shardBytes)) }));
}

const PRECISION_STEP: Record<Precision, string> = {
  float32: 'float32 weights, exactly as they are in the studio',
  float16: 'float16 weights (half the bytes; zeros stay exactly zero)',
  uint8: 'uint8 weights, one affine scale per tensor (a quarter of the bytes; zeros stay exactly zero, nonzero weights stay nonzero)',
};

export function exportGraphModel(data: GraphModelData, options: GraphExportOptions): GraphExport {
  const shardBytes = options.shardBytes ?? DEFAULT_SHARD_BYTES;
  if (!Number.isInteger(shardBytes) || shardBytes < 1) throw new Error(`export: shardBytes must be a positive integer, got ${shardBytes}`);
  const plain = float32Weights(data.weights);
  const encoded = encodeWeights(plain.specs, plain.data, options.precision);
  const boolBytes = plain.bools.reduce((n, w) => n + w.values.length, 0);
  const bytes = new Uint8Array(encoded.data.length + boolBytes);
  bytes.set(encoded.data, 0);
  let at = encoded.data.length;
  for (const w of plain.bools) {
    bytes.set(w.values as Uint8Array, at);
    at += w.values.length;
  }
  const shards = split(bytes, shardBytes);
  const specs = [...encoded.specs, ...plain.bools.map((w) => ({ name: w.name, shape: [...w.shape], dtype: 'bool' }))];
  const modelJson = {
    format: 'graph-model',
    generatedBy: data.generatedBy ?? `TensorFlow.js tfjs-converter v${tf.version_converter}`,
    convertedBy: CONVERTED_BY,
    ...(data.signature ? { signature: data.signature } : {}),
    ...(data.userDefinedMetadata ? { userDefinedMetadata: data.userDefinedMetadata } : {}),
    modelTopology: data.topology,
    ...(data.modelInitializer ? { modelInitializer: data.modelInitializer } : {}),
    ...(data.initializerSignature ? { initializerSignature: data.initializerSignature } : {}),
    weightsManifest: [{ paths: shards.map((s) => s.name), weights: specs }],
  };
  const files = [{ name: 'model.json', bytes: strToU8(JSON.stringify(modelJson)) }, ...shards];
  const floats = plain.specs.filter((s) => s.dtype === 'float32').length;
  const others = data.weights.length - floats;
  const steps = [
    ...(options.steps ?? []),
    `Wrote ${floats} float constant${floats === 1 ? '' : 's'} as ${PRECISION_STEP[options.precision]}${others ? `; ${others} int32 / bool constant${others === 1 ? '' : 's'} (shapes, axes) as they are` : ''}.`,
    `Wrote model.json (format graph-model, for tf.loadGraphModel) and ${shards.length} weight file${shards.length === 1 ? '' : 's'} of at most ${shardBytes.toLocaleString('en-US')} bytes.`,
  ];
  return {
    files,
    report: {
      format: 'graph-model',
      precision: options.precision,
      params: data.weights.reduce((n, w) => n + w.values.length, 0),
      nonzero: data.weights.reduce((n, w) => n + nonzerosOf(w), 0),
      steps,
      files: files.map((f) => ({ name: f.name, bytes: f.bytes.length, gzipBytes: gzipBytes(f.bytes) })),
    },
  };
}

/** Bytes of the weight shards, raw and gzipped one by one (as a server sends them). */
export function graphWeightBytes(out: ExportFiles): { raw: number; gzip: number } {
  const shards = out.files.filter((f) => f.name !== 'model.json');
  return { raw: shards.reduce((n, f) => n + f.bytes.length, 0), gzip: shards.reduce((n, f) => n + gzipBytes(f.bytes), 0) };
}

/**
 * Loads exported files with tfjs's own loader, as a user does with the download (no studio code in
 * between): the model.json and its shards through tf.io.fromMemory. The caller owns the model.
 */
export async function loadExportedGraphFiles(files: readonly ExportFile[]): Promise<tf.GraphModel> {
  const byName = new Map(files.map((f) => [f.name, f.bytes]));
  const jsonBytes = byName.get('model.json');
  if (!jsonBytes) throw new Error('the export has no model.json');
  const json = JSON.parse(strFromU8(jsonBytes)) as {
    modelTopology: object;
    signature?: object;
    userDefinedMetadata?: Record<string, object>;
    modelInitializer?: object;
    initializerSignature?: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const buffers = json.weightsManifest.flatMap((g) => g.paths).map((p) => {
    const b = byName.get(p);
    if (!b) throw new Error(`the export has no ${p}`);
    return b.slice().buffer;
  });
  return tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: tf.io.concatenateArrayBuffers(buffers),
      ...(json.signature ? { signature: json.signature } : {}),
      ...(json.userDefinedMetadata ? { userDefinedMetadata: json.userDefinedMetadata } : {}),
      ...(json.modelInitializer ? { modelInitializer: json.modelInitializer } : {}),
      ...(json.initializerSignature ? { initializerSignature: json.initializerSignature } : {}),
    }),
  );
}

export interface GraphReadmeInfo {
  name: string;
  precision: Precision;
  params: number;
  nonzero: number;
  steps: readonly string[];
  metric?: ReadmeInfo['metric'];
}

/** README.md of the .zip: what it is and how to load it (tf.loadGraphModel; it cannot be trained). */
export function graphExportReadme(info: GraphReadmeInfo): string {
  return [
    `# ${info.name}, pruned with Secateur`,
    '',
    'A TensorFlow.js graph model: `model.json` (the graph and its weight manifest) and its `group1-shard*.bin` weight files.',
    'Keep them in one folder; `report.json` has the details below as data.',
    '',
    `- ${info.params.toLocaleString('en-US')} constants' values, ${info.nonzero.toLocaleString('en-US')} nonzero.`,
    ...(info.metric ? [metricSentence(info.metric)] : []),
    `- Precision: ${PRECISION_STEP[info.precision]}; TensorFlow.js turns them into float32 when it loads them.`,
    '- Zeros compress: serve the weight files with gzip or brotli (most hosts do) to download fewer bytes.',
    '',
    '## Load it',
    '',
    '```js',
    "import * as tf from '@tensorflow/tfjs';",
    '',
    "const model = await tf.loadGraphModel('model.json');   // served next to its .bin files",
    'const prediction = model.predict(input);               // executeAsync(input) if the model has loops',
    '```',
    '',
    'A graph model has no training API in TensorFlow.js: to fine-tune, prune the Keras model it was converted from as a Layers model.',
    '',
    '## How it was made',
    '',
    ...info.steps.map((s, i) => `${i + 1}. ${s}`),
    '',
  ].join('\n');
}
