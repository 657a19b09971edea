// Writes the import fixture corpus under e2e/fixtures/ (see its README.md):
//
//   npx tsx scripts/build-bad-fixtures.ts
//
// - bad/<case>/: the files a user would drop, each case one way an import goes wrong, and
//   bad/cases.json: [{ case, files, message, warning? }] with the exact message the studio shows
//   (for `warning` cases: the exact warning; the model still loads).
// - good/: models that must load, and good/cases.json: [{ case, path, drop, name, params, labels,
//   fixes }].
//
// Everything is built from tiny models with fixed weights (src/core/model/tinyModelFiles.ts) and
// zips with a fixed date, so running the script twice writes identical bytes. The messages here are
// the specification: they are written by hand, never computed by the import code, and
// src/core/model/importFixtures.test.ts checks both that every case gives exactly its message and
// that the committed files are what this script writes.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildGraphFixtures } from './build-graph-fixtures';
import { crc32, deflateSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { zipSync } from 'fflate';
import type { JsonObject } from '../src/core/model/kerasJson';
import {
  SHARD,
  jsonBytes,
  manifestWeights,
  modelFiles,
  quantize,
  regroup,
  teachableMachineLike,
  tinyFunctional,
  tinyMlp,
  toKeras3,
  type ModelFiles,
} from '../src/core/model/tinyModelFiles';

export const FIXTURES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../e2e/fixtures');

export interface BadCase {
  case: string;
  files: string[];
  /** What the Layers reader (readModelFiles: the CLI, Layers-only callers) says. */
  message: string;
  /**
   * What the studio shows when it differs from `message`: the studio reads graph models too
   * (readAnyModelFiles), so a graph model fails on what is wrong with it, not for being one.
   */
  studio?: string;
  warning?: true;
}

export interface GoodCase {
  case: string;
  /** A folder or a file under good/. */
  path: string;
  /** 'files': the files under `path` picked as loose files (their base names reach the studio);
   *  'folder': `path` dropped or picked as a folder (paths start with its name). */
  drop: 'files' | 'folder';
  name: string;
  params: number;
  labels: string[] | null;
  fixes: string[];
}

/** A zip with a fixed date; fflate writes local DOS time, so build the date from local parts. */
function zip(files: Record<string, Uint8Array>): Uint8Array {
  return zipSync(files, { mtime: new Date(2024, 0, 1, 12, 0, 0) });
}

const text = (s: string) => new TextEncoder().encode(s);

function bytes(...parts: (number[] | string | Uint8Array)[]): Uint8Array {
  const arrays = parts.map((p) => (typeof p === 'string' ? text(p) : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let k = 0;
  for (const a of arrays) {
    out.set(a, k);
    k += a.length;
  }
  return out;
}

/** A real 1x1 grey PNG (signature, IHDR, IDAT, IEND). */
function tinyPng(): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const body = bytes(type, data);
    const len = new DataView(new ArrayBuffer(4));
    len.setUint32(0, data.length);
    const crc = new DataView(new ArrayBuffer(4));
    crc.setUint32(0, crc32(body));
    return bytes(new Uint8Array(len.buffer), body, new Uint8Array(crc.buffer));
  };
  const ihdr = bytes([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]); // 1x1, 8-bit greyscale
  return bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], chunk('IHDR', ihdr), chunk('IDAT', deflateSync(bytes([0, 0x80]))), chunk('IEND', new Uint8Array(0)));
}

/** File signatures only: what the studio sniffs. Real files of these kinds would be far larger. */
const STUBS = {
  jpeg: bytes([0xff, 0xd8, 0xff, 0xe0, 0, 0x10], 'JFIF', [0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xd9]),
  webp: bytes('RIFF', [0x1a, 0, 0, 0], 'WEBPVP8L', [0x0d, 0, 0, 0, 0x2f, 0, 0, 0, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0]),
  hdf5: bytes([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a], new Uint8Array(56)),
  tflite: bytes([0x1c, 0, 0, 0], 'TFL3', new Uint8Array(24)),
  // ModelProto: ir_version 8, producer_name "pytorch".
  onnx: bytes([0x08, 0x08, 0x12, 0x07], 'pytorch', [0x1a, 0x05], '2.1.0'),
  // torch.save's legacy format: pickle protocol 2, then torch's magic number.
  pickle: bytes([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]),
  savedModel: bytes([0x08, 0x01, 0x12, 0x0a, 0x0a, 0x08], 'meta_graph'),
};

const GRAPH_MESSAGE =
  'model.json: a TF.js graph model; the studio prunes and fine-tunes Layers models only. Convert the Keras model to a Layers model: tensorflowjs_converter --input_format keras model.h5 out/ (from a Keras SavedModel: --input_format keras_saved_model --output_format tfjs_layers_model).';
const GRAPH_SHARD_MISSING = 'model.json: the weight file group1-shard1of1.bin is missing. Drop it together with model.json, or drop the whole folder or a .zip of it.';
const LAYERS_HINT =
  'A TF.js Layers model is a JSON file with modelTopology and weightsManifest plus its weight files: drop them together, or a .zip of their folder.';
const MATCH_HINT = 'Export the model again so that its weights match its layers.';
const ZIP_HINT = 'Zip the model folder again, or drop its files directly.';
const CONVERT = 'tensorflowjs_converter --input_format keras model.h5 out/';

type Files = Record<string, Uint8Array>;

function files(m: ModelFiles, extra: Files = {}): Files {
  return { 'model.json': jsonBytes(m.json), [SHARD]: m.weights, ...extra };
}

/** A modified copy of the tiny MLP's files; `edit` may change the JSON and return new weights. */
function edited(base: ModelFiles, edit: (json: JsonObject, weights: Uint8Array) => Uint8Array | void): ModelFiles {
  const json = structuredClone(base.json);
  const weights = base.weights.slice();
  return { json, weights: edit(json, weights) ?? weights };
}

function topologyLayers(json: JsonObject): JsonObject[] {
  return ((json.modelTopology as JsonObject).config as JsonObject).layers as JsonObject[];
}

function weightEntry(json: JsonObject, name: string): JsonObject {
  const w = manifestWeights(json).find((e) => e.name === name);
  if (!w) throw new Error(`no weight ${name}`);
  return w;
}

export async function buildFixtures(): Promise<{ files: Map<string, Uint8Array>; bad: BadCase[]; good: GoodCase[] }> {
  const mlp = await modelFiles(tinyMlp());
  const functional = await modelFiles(tinyFunctional());
  // Weights of the tiny MLP, in manifest order: dense_1/kernel [4,3] at bytes 0-47, dense_1/bias [3]
  // at 48-59, dense_2/kernel [3,2] at 60-83, dense_2/bias [2] at 84-91: 23 parameters, 92 bytes.
  const out = new Map<string, Uint8Array>();
  const bad: BadCase[] = [];
  const badCase = (name: string, caseFiles: Files, message: string, warning = false, studio?: string) => {
    for (const [f, b] of Object.entries(caseFiles)) out.set(`bad/${name}/${f}`, b);
    bad.push({ case: name, files: Object.keys(caseFiles).sort(), message, ...(studio ? { studio } : {}), ...(warning ? { warning: true as const } : {}) });
  };

  // --- JSON that is not a usable model JSON ---
  {
    // Pretty-printed, with the comma after "format" missing: the next line's key is unexpected.
    const pretty = JSON.stringify(mlp.json, null, 2).replace('"format": "layers-model",', '"format": "layers-model"');
    badCase(
      'invalid-json',
      { 'model.json': text(pretty), [SHARD]: mlp.weights },
      `model.json: invalid JSON at line 3, column 3 (expected ',' or '}', found '"'). Export the model again, or fix the file at that spot.`,
    );
  }
  badCase(
    'truncated-json',
    { 'model.json': text(JSON.stringify(mlp.json).slice(0, 25)), [SHARD]: mlp.weights },
    'model.json: invalid JSON at line 1, column 26 (the file ends in the middle of the JSON). The file is cut short: download or export it again.',
  );
  {
    const withNaN = JSON.stringify(mlp.json).replace('"units":3', '"units":NaN');
    const column = withNaN.indexOf('NaN') + 1;
    if (column !== 216) throw new Error(`nan-in-json: NaN is now at column ${column}; update the message`);
    badCase(
      'nan-in-json',
      { 'model.json': text(withNaN), [SHARD]: mlp.weights },
      'model.json: invalid JSON at line 1, column 216 (NaN is not allowed in JSON). Export the model again, or fix the file at that spot.',
    );
  }
  badCase('empty-json', { 'model.json': new Uint8Array(0), [SHARD]: mlp.weights }, 'model.json: the file is empty. Export the model again.');
  badCase(
    'json-array',
    { 'model.json': text('[1, 2, 3]\n') },
    'model.json: holds a JSON array, not a TF.js model, which is a JSON object with modelTopology and weightsManifest.',
  );
  badCase(
    'json-number',
    { 'model.json': text('42\n') },
    'model.json: holds a JSON number, not a TF.js model, which is a JSON object with modelTopology and weightsManifest.',
  );
  badCase(
    'not-a-model-json',
    { 'settings.json': jsonBytes({ theme: 'dark', fontSize: 14 }) },
    "settings.json: not a TF.js model (the JSON has no modelTopology or weightsManifest). Drop a model's JSON file with its weight files, its folder, or a .zip of it.",
  );
  badCase(
    'keras-config-json',
    { 'model.json': jsonBytes(mlp.json.modelTopology) },
    `model.json: a Keras model config (model.to_json()) without weights, not a TF.js model. Convert the saved Keras model instead: ${CONVERT}.`,
  );
  badCase(
    'topology-without-weights',
    { 'model.json': jsonBytes({ modelTopology: mlp.json.modelTopology, format: 'layers-model' }) },
    'model.json: a model topology without a weightsManifest, so it has no weights to load. Save the model with its weights (model.save in TF.js, or tensorflowjs_converter).',
  );
  const graphTopology = {
    node: [
      { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '4' }] } } } },
      { name: 'Identity', op: 'Identity', input: ['x'], attr: { T: { type: 'DT_FLOAT' } } },
    ],
    library: {},
    versions: { producer: 1645 },
  };
  badCase(
    'graph-model',
    {
      'model.json': jsonBytes({
        format: 'graph-model',
        generatedBy: '2.15.0',
        convertedBy: 'TensorFlow.js Converter v4.22.0',
        modelTopology: graphTopology,
        weightsManifest: [{ paths: [SHARD], weights: [] }],
      }),
    },
    GRAPH_MESSAGE,
    false,
    GRAPH_SHARD_MISSING,
  );
  badCase(
    'graph-model-no-format',
    { 'model.json': jsonBytes({ modelTopology: graphTopology, weightsManifest: [{ paths: [SHARD], weights: [] }] }) },
    GRAPH_MESSAGE,
    false,
    GRAPH_SHARD_MISSING,
  );
  // Graph models the studio reads, each broken in one graph-specific way (the conv net of
  // scripts/build-graph-fixtures.ts, edited): what the studio says, and the Layers reader's refusal.
  {
    const graphFiles = buildGraphFixtures();
    const convJson = JSON.parse(new TextDecoder().decode(graphFiles.get('conv/model.json'))) as JsonObject;
    const convWeights = graphFiles.get(`conv/${SHARD}`)!;
    type GraphJson = { modelTopology: { node: JsonObject[] }; weightsManifest: { weights: JsonObject[] }[]; signature?: unknown };
    const graphCase = (name: string, change: (j: GraphJson) => void, studio: string) => {
      const j = structuredClone(convJson) as unknown as GraphJson;
      change(j);
      badCase(name, { 'model.json': jsonBytes(j), [SHARD]: convWeights }, GRAPH_MESSAGE, false, studio);
    };
    const node = (j: GraphJson, name: string) => j.modelTopology.node.find((n) => n.name === name)!;
    graphCase(
      'graph-unknown-op',
      (j) => void (node(j, 'conv1/Relu').op = 'Gelu'),
      'model.json: node "conv1/Relu" uses the op Gelu, which TF.js 4.22.0 cannot run. Convert the model again without it (tensorflowjs_converter refuses such ops unless --skip_op_check is given), or replace it in the TensorFlow model.',
    );
    graphCase(
      'graph-no-signature',
      (j) => {
        delete j.signature;
        Object.assign(node(j, 'x'), { op: 'Identity', attr: {} });
      },
      'model.json: the graph has no inputs: no signature lists them and there is no Placeholder node. Export the model again with its serving signature (tensorflowjs_converter --signature_name serving_default).',
    );
    graphCase(
      'graph-signature-wrong-input',
      (j) => void (j.signature = { inputs: { 'x:0': { name: 'image:0' } }, outputs: { 'Identity:0': { name: 'Identity:0' } } }),
      'model.json: the signature names the input "image:0", which is not a node of the graph. Export the model again.',
    );
    graphCase(
      'graph-weight-missing',
      (j) => void (j.weightsManifest[0].weights = j.weightsManifest[0].weights.filter((w) => w.name !== 'conv2/kernel')),
      'model.json: node "conv2/kernel" is a constant whose values the weightsManifest does not list. The weight files belong to another model, or the export is incomplete: export the model again.',
    );
  }
  badCase(
    'several-models',
    { 'model.json': jsonBytes(mlp.json), 'model-v2.json': jsonBytes(mlp.json), [SHARD]: mlp.weights },
    'Found 2 model JSON files: model-v2.json, model.json. Drop one model at a time.',
  );

  // --- the manifest ---
  badCase(
    'manifest-not-a-list',
    files(edited(mlp, (j) => void (j.weightsManifest = { paths: [SHARD] }))),
    'model.json: the weightsManifest is not a list of weight groups. Export the model again.',
  );
  badCase(
    'manifest-group-without-paths',
    files(edited(mlp, (j) => void delete (j.weightsManifest as JsonObject[])[0].paths)),
    'model.json: weight group 1 of the weightsManifest has no "paths" list of file names. Export the model again.',
  );
  badCase(
    'unknown-dtype',
    files(edited(mlp, (j) => void (weightEntry(j, 'dense_1/bias').dtype = 'float64'))),
    'model.json: weight dense_1/bias has dtype "float64", which TF.js cannot load (float32, int32 or bool). Export the model again.',
  );
  badCase(
    'unknown-quantization',
    files(edited(mlp, (j) => void (weightEntry(j, 'dense_1/kernel').quantization = { dtype: 'int4', min: -1, scale: 0.1 }))),
    'model.json: weight dense_1/kernel is quantized as "int4", which TF.js cannot load (uint8, uint16 or float16). Export the model again.',
  );
  badCase(
    'quantized-without-scale',
    files(edited(mlp, (j) => void (weightEntry(j, 'dense_1/kernel').quantization = { dtype: 'uint8', original_dtype: 'float32' }))),
    'model.json: weight dense_1/kernel is quantized as uint8 without a numeric min and scale, so its values cannot be restored. Export the model again.',
  );
  badCase(
    'negative-shape',
    files(edited(mlp, (j) => void (weightEntry(j, 'dense_1/kernel').shape = [4, -3]))),
    'model.json: weight dense_1/kernel has shape [4,-3]; a shape must be a list of non-negative integers. Export the model again.',
  );
  badCase(
    'shape-not-a-list',
    files(edited(mlp, (j) => void (weightEntry(j, 'dense_1/kernel').shape = '4x3'))),
    'model.json: weight dense_1/kernel has shape "4x3"; a shape must be a list of non-negative integers. Export the model again.',
  );
  badCase(
    'duplicate-weight',
    files(
      edited(mlp, (j, w) => {
        const weights = (j.weightsManifest as JsonObject[])[0].weights as JsonObject[];
        weights.splice(2, 0, { ...weights[1] });
        return bytes(w.slice(0, 60), w.slice(48, 60), w.slice(60));
      }),
    ),
    'model.json: weight dense_1/bias appears twice in the weightsManifest. Export the model again.',
  );

  // --- weight files ---
  badCase(
    'missing-shard',
    { 'model.json': jsonBytes(mlp.json) },
    'model.json: the weight file group1-shard1of1.bin is missing. Drop it together with model.json, or drop the whole folder or a .zip of it.',
  );
  {
    const three = regroup(mlp, [
      { paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: 2 },
      { paths: ['group2-shard1of1.bin'], weights: 2 },
    ]);
    badCase(
      'missing-shards',
      { 'model.json': jsonBytes(three.json), 'group1-shard1of2.bin': three.shards.get('group1-shard1of2.bin')! },
      'model.json: 2 weight files are missing: group1-shard2of2.bin, group2-shard1of1.bin. Drop them together with model.json, or drop the whole folder or a .zip of it.',
    );
  }
  badCase(
    'shard-too-short',
    { 'model.json': jsonBytes(mlp.json), [SHARD]: mlp.weights.slice(0, 80) },
    'group1-shard1of1.bin: 80 bytes, but model.json expects 92 for the weights it lists. The file is incomplete (a download cut short?) or belongs to another model: export the model again.',
  );
  badCase(
    'shard-too-long',
    { 'model.json': jsonBytes(mlp.json), [SHARD]: bytes(mlp.weights, new Uint8Array(8)) },
    'group1-shard1of1.bin: 100 bytes, but model.json expects 92 for the weights it lists. The file belongs to another model or was changed: export the model again.',
  );
  badCase(
    'shards-only',
    { [SHARD]: mlp.weights },
    'group1-shard1of1.bin: a weight file without its model JSON. Drop the model JSON (often model.json) together with its weight files.',
  );

  // --- weights against the layers ---
  badCase(
    'weight-missing',
    files(
      edited(mlp, (j, w) => {
        const weights = (j.weightsManifest as JsonObject[])[0].weights as JsonObject[];
        weights.splice(2, 1); // dense_2/kernel
        return bytes(w.slice(0, 60), w.slice(84));
      }),
    ),
    `model.json: the manifest lists 3 weights but the layers need 4 (missing: dense_2/kernel). ${MATCH_HINT}`,
  );
  badCase(
    'weight-unused',
    files(
      edited(mlp, (j, w) => {
        ((j.weightsManifest as JsonObject[])[0].weights as JsonObject[]).push({ name: 'dense_3/kernel', shape: [2, 2], dtype: 'float32' });
        return bytes(w, new Uint8Array(16));
      }),
    ),
    `model.json: the manifest lists 5 weights but the layers need 4 (not used by any layer: dense_3/kernel). ${MATCH_HINT}`,
  );
  badCase(
    'weight-renamed',
    files(edited(mlp, (j) => void (weightEntry(j, 'dense_2/kernel').name = 'dense_9/kernel'))),
    `model.json: the manifest's weights do not match the layers (missing: dense_2/kernel; not used by any layer: dense_9/kernel). ${MATCH_HINT}`,
  );
  badCase(
    'weight-shape',
    files(edited(mlp, (j) => void (weightEntry(j, 'dense_1/kernel').shape = [3, 4]))),
    `model.json: weight dense_1/kernel has shape [3,4] in the manifest, but its layer needs [4,3]. ${MATCH_HINT}`,
  );
  {
    const w = new Float32Array(mlp.weights.slice().buffer);
    w.set([NaN, NaN, NaN, Infinity], 0); // dense_1/kernel
    badCase('nan-weights', files({ json: mlp.json, weights: new Uint8Array(w.buffer) }), 'dense_1/kernel has 3 NaN and 1 Inf values; outputs that depend on them will be NaN too.', true);
  }

  // --- layers ---
  const insertLayer = (layer: JsonObject) => files(edited(mlp, (j) => void topologyLayers(j).splice(1, 0, layer)));
  badCase(
    'lambda-layer',
    insertLayer({
      class_name: 'Lambda',
      config: {
        name: 'scale',
        trainable: true,
        dtype: 'float32',
        function: ['4wEAAAAAAAAAAAAAAAEAAAACAAAAQwAAAHMIAAAAfABkARQAUwApAk7pAgAAAKkAKQHaAXhyAgAAAHICAAAA+gg8c3RkaW4+2gg8bGFtYmRhPgEAAADzAAAAAA==', null, null],
        function_type: 'lambda',
        module: '__main__',
        output_shape: null,
        arguments: {},
      },
    }),
    'model.json: layer "scale" is a Lambda layer, which holds Python code that cannot run in the browser. Replace it with standard Keras layers and export the model again.',
  );
  badCase(
    'custom-layer',
    insertLayer({ class_name: 'AttentionPooling', config: { name: 'attention_pool', trainable: true, dtype: 'float32', units: 3 } }),
    'model.json: layer "attention_pool" has class AttentionPooling, which TF.js does not provide (a custom layer, or a Keras layer TF.js lacks). Rebuild the model with standard layers and export it again.',
  );
  badCase(
    'tf-op-layer',
    insertLayer({ class_name: 'TFOpLambda', config: { name: 'tf.math.multiply', trainable: true, dtype: 'float32', function: 'math.multiply' } }),
    'model.json: layer "tf.math.multiply" is a TFOpLambda (a TensorFlow function called inside the Keras model), which is stored as Python and cannot run in the browser. Replace it with standard Keras layers and export the model again.',
  );
  badCase(
    'unknown-activation',
    files(edited(mlp, (j) => void ((topologyLayers(j)[1].config as JsonObject).activation = 'hard_silu'))),
    'model.json: TF.js cannot build the model: Unknown activation: hardSilu. Export the model again, or rebuild it from standard layers.',
  );
  {
    const broken = edited(functional, (j) => void (topologyLayers(j)[2].inbound_nodes = [[['dense_9', 0, 0, {}]]]));
    badCase(
      'dangling-connection',
      files(broken),
      'model.json: layer "dense_2" takes its input from "dense_9", which is not in the model. The topology is damaged: export the model again.',
    );
    const circular = edited(functional, (j) => void (topologyLayers(j)[1].inbound_nodes = [[['dense_2', 0, 0, {}]]]));
    badCase(
      'circular-connection',
      files(circular),
      'model.json: layer "dense_1" takes its input from call 0 of "dense_2", which the model never makes (a damaged or circular topology). Export the model again.',
    );
  }

  // --- files that are not TF.js models ---
  badCase('png-image', { 'photo.png': tinyPng() }, "photo.png: a PNG image, not a model. Drop the model's JSON file with its weight files, or a .zip of its folder.");
  badCase('jpeg-image', { 'photo.jpg': STUBS.jpeg }, "photo.jpg: a JPEG image, not a model. Drop the model's JSON file with its weight files, or a .zip of its folder.");
  badCase('webp-image', { 'photo.webp': STUBS.webp }, "photo.webp: a WebP image, not a model. Drop the model's JSON file with its weight files, or a .zip of its folder.");
  badCase(
    'keras-h5',
    { 'model.h5': STUBS.hdf5 },
    `model.h5: a Keras HDF5 model, which the browser cannot read. Convert it first: ${CONVERT} and drop the files in out/.`,
  );
  badCase(
    'keras3-archive',
    {
      'model.keras': zip({
        'metadata.json': jsonBytes({ keras_version: '3.8.0', date_saved: '2024-01-01@12:00:00' }),
        'config.json': jsonBytes(toKeras3(mlp.json).modelTopology),
        'model.weights.h5': STUBS.hdf5,
      }),
    },
    `model.keras: a Keras 3 .keras archive, which the browser cannot read. In Python, save the model as .h5 (model.save("model.h5")), convert it with ${CONVERT} and drop the files in out/.`,
  );
  const pytorch = (f: string) =>
    `${f}: a PyTorch checkpoint; the studio works on TensorFlow.js Layers models, and there is no direct converter. Rebuild the network in Keras, load these weights into it, save it as .h5 and run ${CONVERT}.`;
  badCase('pytorch-zip', { 'model.pt': zip({ 'model/data.pkl': STUBS.pickle, 'model/version': text('3\n'), 'model/data/0': mlp.weights }) }, pytorch('model.pt'));
  badCase('pytorch-pickle', { 'weights.pth': STUBS.pickle }, pytorch('weights.pth'));
  badCase(
    'onnx',
    { 'model.onnx': STUBS.onnx },
    `model.onnx: an ONNX model; the studio works on TensorFlow.js Layers models. Convert it to Keras first (for example with onnx2tf), save it as .h5 and run ${CONVERT}.`,
  );
  badCase(
    'tflite',
    { 'model.tflite': STUBS.tflite },
    `model.tflite: a TensorFlow Lite model, which keeps no Keras layers to prune or fine-tune. Convert the Keras model it was made from instead: ${CONVERT}.`,
  );
  badCase(
    'saved-model',
    { 'saved_model.pb': STUBS.savedModel, 'variables.index': bytes([0, 0, 0, 0]), 'variables.data-00000-of-00001': mlp.weights },
    'saved_model.pb: a TensorFlow SavedModel. If it was saved from Keras, convert it to a Layers model: tensorflowjs_converter --input_format keras_saved_model saved_model_dir out/ (converting a plain SavedModel gives a graph model, which cannot be fine-tuned).',
  );
  badCase('unknown-file', { 'notes.txt': text('Remember to export the model.\n') }, `notes.txt: not a TF.js model. ${LAYERS_HINT}`);

  // --- zips ---
  const tinyZip = zip({ 'model.json': jsonBytes(mlp.json), [SHARD]: mlp.weights });
  badCase('corrupt-zip', { 'model.zip': tinyZip.slice(0, Math.floor(tinyZip.length / 2)) }, `model.zip: not a readable zip archive (invalid zip data). ${ZIP_HINT}`);
  badCase('not-a-zip', { 'model.zip': text('This is not a zip archive.\n') }, `model.zip: not a readable zip archive (it does not start with a zip signature). ${ZIP_HINT}`);
  badCase(
    'zip-without-model',
    { 'notes.zip': zip({ 'readme.txt': text('Model coming soon.\n'), 'photo.png': tinyPng() }) },
    `notes.zip: no TF.js model inside (it holds photo.png, readme.txt). ${LAYERS_HINT}`,
  );
  badCase('zip-empty', { 'empty.zip': zip({ 'model/': new Uint8Array(0) }) }, `empty.zip: the archive holds no files. ${ZIP_HINT}`);
  badCase(
    'zip-invalid-json',
    { 'export.zip': zip({ 'model.json': text(JSON.stringify(mlp.json).slice(0, 25)), [SHARD]: mlp.weights }) },
    'export.zip/model.json: invalid JSON at line 1, column 26 (the file ends in the middle of the JSON). The file is cut short: download or export it again.',
  );

  // --- good models ---
  const good: GoodCase[] = [];
  const goodCase = (c: GoodCase, caseFiles: Files) => {
    for (const [f, b] of Object.entries(caseFiles)) out.set(`good/${f}`, b);
    good.push(c);
  };
  goodCase({ case: 'files', path: 'tiny-files', drop: 'files', name: 'model', params: 23, labels: null, fixes: [] }, {
    'tiny-files/model.json': jsonBytes(mlp.json),
    [`tiny-files/${SHARD}`]: mlp.weights,
  });
  goodCase({ case: 'zip', path: 'tiny.zip', drop: 'files', name: 'tiny', params: 23, labels: null, fixes: [] }, { 'tiny.zip': tinyZip });
  {
    // The shard in a sub-folder, named with a './' prefix in the manifest.
    const nested = edited(mlp, (j) => void ((j.weightsManifest as JsonObject[])[0].paths = [`./weights/${SHARD}`]));
    goodCase({ case: 'folder', path: 'tiny-folder', drop: 'folder', name: 'nested', params: 23, labels: null, fixes: [] }, {
      'tiny-folder/nested/model.json': jsonBytes(nested.json),
      [`tiny-folder/nested/weights/${SHARD}`]: mlp.weights,
    });
  }
  {
    const tm = await modelFiles(teachableMachineLike(), ['weights.bin']);
    const labels = ['Cat', 'Dog', 'Bird'];
    goodCase({ case: 'teachable', path: 'teachable-machine', drop: 'files', name: 'tm-my-image-model', params: 43, labels, fixes: [] }, {
      'teachable-machine/model.json': jsonBytes(tm.json),
      'teachable-machine/weights.bin': tm.weights,
      'teachable-machine/metadata.json': jsonBytes({
        tfjsVersion: '1.3.1',
        tmVersion: '2.4.10',
        packageVersion: '0.8.4',
        packageName: '@teachablemachine/image',
        timeStamp: '2024-01-01T12:00:00.000Z',
        userMetadata: {},
        modelName: 'tm-my-image-model',
        labels,
        imageSize: 224,
      }),
    });
  }
  goodCase(
    {
      case: 'keras3',
      path: 'keras3-export',
      drop: 'files',
      name: 'model',
      params: 23,
      labels: null,
      fixes: [
        'Keras 3 export: renamed batch_shape to batch_input_shape in 1 InputLayer',
        'Keras 3 export: replaced the DTypePolicy dtype objects (float32, mixed_float16) by float32, the dtype TF.js computes in',
        'Keras 3 export: removed the model-name prefix "tiny_mlp/" from 4 weight names',
      ],
    },
    { 'keras3-export/model.json': jsonBytes(toKeras3(mlp.json, 'mixed_float16')), [`keras3-export/${SHARD}`]: mlp.weights },
  );
  {
    const q = quantize(mlp, 'uint8');
    goodCase({ case: 'quantized', path: 'quantized-uint8', drop: 'files', name: 'model', params: 23, labels: null, fixes: [] }, {
      'quantized-uint8/model.json': jsonBytes(q.json),
      [`quantized-uint8/${SHARD}`]: q.weights,
    });
  }
  {
    // Two weight groups, three shards, named without .bin as old converters did.
    const g = regroup(mlp, [
      { paths: ['group1-shard1of2', 'group1-shard2of2'], weights: 2 },
      { paths: ['group2-shard1of1'], weights: 2 },
    ]);
    const caseFiles: Files = { 'weight-groups/model.json': jsonBytes(g.json) };
    for (const [p, b] of g.shards) caseFiles[`weight-groups/${p}`] = b;
    goodCase({ case: 'groups', path: 'weight-groups', drop: 'files', name: 'model', params: 23, labels: null, fixes: [] }, caseFiles);
  }

  out.set('bad/cases.json', text(`${JSON.stringify(bad, null, 2)}\n`));
  out.set('good/cases.json', text(`${JSON.stringify(good, null, 2)}\n`));
  return { files: out, bad, good };
}

async function main() {
  tf.env().set('IS_TEST', true); // no "install tfjs-node" banner
  await tf.setBackend('cpu');
  const { files, bad, good } = await buildFixtures();
  rmSync(join(FIXTURES_DIR, 'bad'), { recursive: true, force: true });
  rmSync(join(FIXTURES_DIR, 'good'), { recursive: true, force: true });
  let total = 0;
  for (const [path, b] of files) {
    mkdirSync(dirname(join(FIXTURES_DIR, path)), { recursive: true });
    writeFileSync(join(FIXTURES_DIR, path), b);
    total += b.length;
  }
  console.log(`wrote ${bad.length} bad and ${good.length} good cases, ${files.size} files, ${(total / 1024).toFixed(1)} KiB, under ${FIXTURES_DIR}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
