// The weights of a graph model as plain data: one typed array per constant, decoded exactly as tfjs
// decodes them (tf.io.decodeWeights: uint8 / uint16 / float16 quantization undone to float32), and
// written back as the float32 / int32 buffer tfjs saves (4 bytes a value; bool 1 byte).
//
// In a graph model every weight is the value of one Const node, named like the node. Pruning and
// channel removal replace whole entries (a new array, a new shape); nothing here holds a tensor, so a
// list of GraphWeight can sit in a snapshot, cross a worker boundary or go to IndexedDB.
import * as tf from '@tensorflow/tfjs';
import type { WeightSpec } from '../model/quantize';

export type GraphWeightDtype = 'float32' | 'int32' | 'bool';

export interface GraphWeight {
  /** The Const node's name (and the manifest entry's). */
  name: string;
  dtype: GraphWeightDtype;
  shape: number[];
  /** Row-major. float32: Float32Array; int32: Int32Array; bool: Uint8Array (0 / 1). */
  values: Float32Array | Int32Array | Uint8Array;
  /** How the file that was imported stored it, when quantized: 'uint8', 'uint16' or 'float16'. */
  storedAs?: string;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Decodes tfjs weight data (any quantization tfjs reads) into plain arrays, in manifest order. */
export function decodeGraphWeights(specs: readonly tf.io.WeightsManifestEntry[], data: ArrayBuffer): GraphWeight[] {
  const tensors = tf.io.decodeWeights(data, specs as tf.io.WeightsManifestEntry[]);
  try {
    return specs.map((spec) => {
      const t = tensors[spec.name];
      if (!t) throw new Error(`weight ${spec.name} could not be decoded`);
      const dtype = spec.dtype as GraphWeightDtype;
      const raw = t.dataSync();
      const values = dtype === 'float32' ? Float32Array.from(raw as Float32Array) : dtype === 'int32' ? Int32Array.from(raw as Int32Array) : Uint8Array.from(raw as Uint8Array);
      return { name: spec.name, dtype, shape: [...spec.shape], values, ...(spec.quantization ? { storedAs: spec.quantization.dtype } : {}) };
    });
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
}

/**
 * The float32 / int32 weights as tfjs saves them: specs (no quantization) and one buffer, 4 bytes a
 * value, little-endian. bool weights are returned apart (quantize.ts writes 4-byte values only).
 */
export function float32Weights(weights: readonly GraphWeight[]): { specs: WeightSpec[]; data: Uint8Array; bools: GraphWeight[] } {
  const numeric = weights.filter((w) => w.dtype !== 'bool');
  const data = new Uint8Array(numeric.reduce((n, w) => n + w.values.length * 4, 0));
  let offset = 0;
  for (const w of numeric) {
    data.set(new Uint8Array(w.values.buffer, w.values.byteOffset, w.values.length * 4), offset);
    offset += w.values.length * 4;
  }
  return {
    specs: numeric.map((w) => ({ name: w.name, shape: [...w.shape], dtype: w.dtype as 'float32' | 'int32' })),
    data,
    bools: weights.filter((w) => w.dtype === 'bool'),
  };
}

/** The weights as tf.io.fromMemory takes them: float32 / int32 first, then bool. */
export function weightArtifacts(weights: readonly GraphWeight[]): { weightSpecs: tf.io.WeightsManifestEntry[]; weightData: ArrayBuffer } {
  const { specs, data, bools } = float32Weights(weights);
  const boolBytes = bools.reduce((n, w) => n + w.values.length, 0);
  const out = new Uint8Array(data.length + boolBytes);
  out.set(data, 0);
  let offset = data.length;
  for (const w of bools) {
    out.set(w.values as Uint8Array, offset);
    offset += w.values.length;
  }
  return {
    weightSpecs: [...specs, ...bools.map((w) => ({ name: w.name, shape: [...w.shape], dtype: 'bool' as const }))],
    weightData: out.buffer,
  };
}

export function nonzerosOf(w: GraphWeight): number {
  let nonzero = 0;
  const v = w.values;
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) nonzero++;
  return nonzero;
}
