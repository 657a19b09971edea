// Tiny models as the files a user would drop, for the import tests and the e2e fixture corpus
// (scripts/build-bad-fixtures.ts). Weights are fixed functions of their position, not random, so
// the same call always writes the same bytes, and quantization is done here the way
// tensorflowjs_converter does it, because tfjs can read quantized manifests but never writes them.
import * as tf from '@tensorflow/tfjs';
import { isObject, type JsonObject, type JsonValue } from './kerasJson';

/** A model JSON (parsed) and its weight bytes, one buffer in manifest order. */
export interface ModelFiles {
  json: JsonObject;
  weights: Uint8Array;
}

export const SHARD = 'group1-shard1of1.bin';

/** Sets every weight to a fixed, varied value in (-0.9, 0.9), distinct per layer and position. */
export function setFixedWeights(model: tf.LayersModel): void {
  let k = 0;
  for (const v of model.weights) {
    const n = v.shape.reduce((a: number, b) => a * (b ?? 1), 1);
    const values = Float32Array.from({ length: n }, (_, i) => 0.9 * Math.sin(1 + 0.7 * i + 1.3 * k));
    const t = tf.tensor(values, v.shape as number[]);
    v.write(t);
    t.dispose();
    k++;
  }
}

/** 4 -> dense_1 (3, relu) -> dense_2 (2, softmax): 23 parameters. */
export function tinyMlp(): tf.Sequential {
  const m = tf.sequential({ name: 'tiny_mlp' });
  m.add(tf.layers.dense({ inputShape: [4], units: 3, activation: 'relu', name: 'dense_1' }));
  m.add(tf.layers.dense({ units: 2, activation: 'softmax', name: 'dense_2' }));
  setFixedWeights(m);
  return m;
}

/** The same network as a functional model with an explicit input layer: 23 parameters. */
export function tinyFunctional(): tf.LayersModel {
  const input = tf.input({ shape: [4], name: 'input_1' });
  const h = tf.layers.dense({ units: 3, activation: 'relu', name: 'dense_1' }).apply(input) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, activation: 'softmax', name: 'dense_2' }).apply(h) as tf.SymbolicTensor;
  const m = tf.model({ inputs: input, outputs: out, name: 'tiny_functional' });
  setFixedWeights(m);
  return m;
}

/**
 * A Teachable Machine export in miniature: a Sequential holding two Sequential models (the feature
 * extractor and the classifier head), as @teachablemachine/image writes it. 4 -> 5 -> 3: 43 params.
 */
export function teachableMachineLike(): tf.Sequential {
  const features = tf.sequential({ name: 'sequential_1' });
  features.add(tf.layers.dense({ inputShape: [4], units: 5, activation: 'relu', name: 'features_dense' }));
  const head = tf.sequential({ name: 'sequential_2' });
  head.add(tf.layers.dense({ inputShape: [5], units: 3, activation: 'softmax', name: 'head_dense' }));
  const m = tf.sequential({ name: 'sequential_3' });
  m.add(features);
  m.add(head);
  setFixedWeights(m);
  return m;
}

/** What model.save hands its IO handler, as files: model.json (tfjs's own layout) and weights. */
export async function modelFiles(model: tf.LayersModel, paths: string[] = [SHARD]): Promise<ModelFiles> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
  const a = saved as unknown as tf.io.ModelArtifacts;
  const json: JsonObject = {
    format: 'layers-model',
    generatedBy: a.generatedBy ?? null,
    convertedBy: null,
    modelTopology: a.modelTopology as JsonObject,
    weightsManifest: [{ paths, weights: a.weightSpecs as unknown as JsonValue[] }],
  };
  const data = Array.isArray(a.weightData) ? tf.io.concatenateArrayBuffers(a.weightData) : (a.weightData as ArrayBuffer);
  return { json, weights: new Uint8Array(data) };
}

export function jsonBytes(v: unknown, indent?: number): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(v, null, indent));
}

/** A manifest's weight entries (all groups, in order). */
export function manifestWeights(json: JsonObject): JsonObject[] {
  return (json.weightsManifest as JsonObject[]).flatMap((g) => g.weights as JsonObject[]);
}

/**
 * Regroups the weights: `groups[g]` lists the shard names of group g and how many weight entries it
 * takes (in order). A group's bytes are cut into its shards as evenly as possible, not on weight
 * boundaries, as tensorflowjs_converter cuts at its shard size. Returns the files by name.
 */
export function regroup(files: ModelFiles, groups: { paths: string[]; weights: number }[]): { json: JsonObject; shards: Map<string, Uint8Array> } {
  const entries = manifestWeights(files.json);
  const bytesOf = (w: JsonObject) => (w.shape as number[]).reduce((a, b) => a * b, 1) * (isObject(w.quantization) ? (w.quantization.dtype === 'uint8' ? 1 : 2) : 4);
  const shards = new Map<string, Uint8Array>();
  let entry = 0;
  let offset = 0;
  const manifest = groups.map((g) => {
    const weights = entries.slice(entry, entry + g.weights);
    entry += g.weights;
    const size = weights.reduce((n, w) => n + bytesOf(w), 0);
    const bytes = files.weights.slice(offset, offset + size);
    offset += size;
    g.paths.forEach((p, k) => {
      const from = Math.floor((k * size) / g.paths.length);
      const to = Math.floor(((k + 1) * size) / g.paths.length);
      shards.set(p.replace(/^\.\//, ''), bytes.slice(from, to));
    });
    return { paths: g.paths, weights };
  });
  return { json: { ...files.json, weightsManifest: manifest }, shards };
}

/** IEEE 754 half-precision bits of a float (round to nearest even), as tfjs's float16 reader expects. */
export function float16Bits(x: number): number {
  const f32 = new Float32Array([x]);
  const bits = new Uint32Array(f32.buffer)[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // NaN, Inf
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow: Inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow: zero
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rest > mid || (rest === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
  e = half >> 10;
  return sign | half;
}

/**
 * Quantizes every float32 weight the way tensorflowjs_converter --quantize_uint8 / --quantize_float16
 * does: uint8 stores round((v - min) / scale) with min and scale in the manifest; float16 stores half
 * floats. Returns new files; the manifest keeps dtype float32 and gains a `quantization` entry.
 */
export function quantize(files: ModelFiles, dtype: 'uint8' | 'float16'): ModelFiles {
  const entries = manifestWeights(files.json);
  const out: number[] = [];
  let offset = 0;
  const source = new Float32Array(files.weights.buffer.slice(files.weights.byteOffset, files.weights.byteOffset + files.weights.byteLength));
  const quantized = entries.map((w): JsonObject => {
    const n = (w.shape as number[]).reduce((a, b) => a * b, 1);
    const values = source.subarray(offset, offset + n);
    offset += n;
    if (dtype === 'float16') {
      const halves = new Uint16Array(Array.from(values, float16Bits));
      out.push(...new Uint8Array(halves.buffer));
      return { ...w, quantization: { dtype: 'float16', original_dtype: 'float32' } };
    }
    const min = Math.min(...values);
    const max = Math.max(...values);
    const scale = max > min ? (max - min) / 255 : 1;
    out.push(...Array.from(values, (v) => Math.round((v - min) / scale)));
    return { ...w, quantization: { dtype: 'uint8', min, scale, original_dtype: 'float32' } };
  });
  const groups = files.json.weightsManifest as JsonObject[];
  return { json: { ...files.json, weightsManifest: [{ ...groups[0], weights: quantized }] }, weights: new Uint8Array(out) };
}

/**
 * Rewrites a tfjs-saved model JSON the way Keras 3 + tensorflowjs_converter 4.22 write it: an
 * explicit InputLayer with `batch_shape` (Sequential), DTypePolicy dtype objects, functional
 * connections as `{args: [__keras_tensor__...], kwargs}` with a flat single input/output triple
 * and nested models numbered from call 0, and weight names prefixed by the model's name.
 */
export function toKeras3(json: JsonObject, policy = 'float32'): JsonObject {
  const out = structuredClone(json);
  const topology = out.modelTopology as JsonObject;
  topology.keras_version = '3.8.0';
  const model = topology as { class_name: string; config: JsonObject };
  const dtypePolicy = (name: string): JsonObject => ({ module: 'keras', class_name: 'DTypePolicy', config: { name }, registered_name: null });

  const rewriteLayer = (layer: JsonObject, depth: number): void => {
    const config = layer.config as JsonObject;
    if (layer.class_name !== 'InputLayer') config.dtype = dtypePolicy(depth === 0 ? 'float32' : policy);
    if (layer.class_name === 'Sequential') {
      const layers = config.layers as JsonObject[];
      const first = layers[0].config as JsonObject;
      if (first.batch_input_shape !== undefined) {
        layers.unshift({ class_name: 'InputLayer', config: { batch_shape: first.batch_input_shape, dtype: 'float32', sparse: false, name: `input_layer_${depth}` } });
        delete first.batch_input_shape;
      }
      layers.forEach((l) => rewriteLayer(l, depth + 1));
    } else if (layer.class_name === 'Model' || layer.class_name === 'Functional') {
      layer.class_name = 'Functional';
      const layers = config.layers as JsonObject[];
      const nested = new Set(layers.filter((l) => ['Sequential', 'Model', 'Functional'].includes(l.class_name as string)).map((l) => l.name as string));
      const tensor = (ref: JsonValue[]) => ({
        class_name: '__keras_tensor__',
        config: { shape: null, dtype: 'float32', keras_history: [ref[0], nested.has(ref[0] as string) ? (ref[1] as number) - 1 : ref[1], ref[2]] },
      });
      for (const l of layers) {
        if (l.class_name === 'InputLayer') {
          const c = l.config as JsonObject;
          c.batch_shape = c.batch_input_shape;
          delete c.batch_input_shape;
        }
        l.inbound_nodes = (l.inbound_nodes as JsonValue[][][]).map((node) => ({
          args: node.length === 1 ? [tensor(node[0])] : [node.map(tensor)],
          kwargs: {},
        }));
        rewriteLayer(l, depth + 1);
      }
      for (const key of ['input_layers', 'output_layers']) {
        const refs = (config[key] as JsonValue[][]).map((ref) => (tensor(ref).config as JsonObject).keras_history as JsonValue[]);
        config[key] = refs.length === 1 ? refs[0] : refs;
      }
    }
  };
  rewriteLayer(model, 0);
  const name = (model.config.name as string) ?? 'sequential';
  for (const w of manifestWeights(out)) w.name = `${name}/${w.name as string}`;
  return out;
}
