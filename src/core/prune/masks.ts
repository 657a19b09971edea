// Masks are plain data: one Uint8Array per weight tensor (1 = keep, 0 = pruned), keyed by the
// weight's stable key (layer path + '/' + weight suffix). They hold no tensors, so the engine can keep
// them in snapshots, send them across a worker boundary, or store them in IndexedDB.
import * as tf from '@tensorflow/tfjs';
import { findLayer, weightSuffix } from '../graph/layerPaths';
import type { PrunableTensor } from '../graph/prunable';

export interface WeightMask {
  /** Layer path + '/' + weight suffix, e.g. "conv1/kernel". Same as the MaskSet key. */
  key: string;
  layerPath: string;
  /** Weight suffix within the layer: "kernel", "bias", "gamma", ... */
  weight: string;
  shape: number[];
  /** Row-major like the tensor; 1 = keep, 0 = pruned (written as an exact +0). */
  keep: Uint8Array;
}

/** Masks by weight key. Usually covers prunable kernels; structured masks also cover biases and BatchNorm gamma/beta. */
export type MaskSet = Record<string, WeightMask>;

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A mask that keeps everything. */
export function fullMask(t: Pick<PrunableTensor, 'key' | 'layerPath' | 'weight' | 'shape'>): WeightMask {
  return { key: t.key, layerPath: t.layerPath, weight: t.weight, shape: [...t.shape], keep: new Uint8Array(sizeOf(t.shape)).fill(1) };
}

/** Keep-everything masks for the given tensors. */
export function fullMasks(tensors: readonly PrunableTensor[]): MaskSet {
  const set: MaskSet = {};
  for (const t of tensors) set[t.key] = fullMask(t);
  return set;
}

export function zerosInMask(mask: WeightMask): number {
  let zeros = 0;
  const k = mask.keep;
  for (let i = 0; i < k.length; i++) zeros += k[i] === 0 ? 1 : 0;
  return zeros;
}

export interface MaskStats {
  /** Weights covered by the masks. */
  total: number;
  /** Of those, how many are pruned. */
  pruned: number;
  /** pruned / total (0 when total is 0). */
  sparsity: number;
  perKey: Record<string, { total: number; pruned: number; sparsity: number }>;
}

export function maskStats(masks: MaskSet): MaskStats {
  const perKey: MaskStats['perKey'] = {};
  let total = 0;
  let pruned = 0;
  for (const [key, m] of Object.entries(masks)) {
    const z = zerosInMask(m);
    perKey[key] = { total: m.keep.length, pruned: z, sparsity: m.keep.length ? z / m.keep.length : 0 };
    total += m.keep.length;
    pruned += z;
  }
  return { total, pruned, sparsity: total ? pruned / total : 0, perKey };
}

/** Entry-wise AND of keeps: a weight pruned in either set is pruned in the result. Keys of both sets. */
export function combineMasks(a: MaskSet, b: MaskSet): MaskSet {
  const out: MaskSet = {};
  for (const [key, m] of Object.entries(a)) out[key] = { ...m, shape: [...m.shape], keep: m.keep.slice() };
  for (const [key, m] of Object.entries(b)) {
    const prev = out[key];
    if (!prev) {
      out[key] = { ...m, shape: [...m.shape], keep: m.keep.slice() };
      continue;
    }
    if (prev.keep.length !== m.keep.length) throw new Error(`mask ${key}: sizes differ (${prev.keep.length} vs ${m.keep.length})`);
    for (let i = 0; i < m.keep.length; i++) prev.keep[i] &= m.keep[i];
  }
  return out;
}

/** Finds the live variable a mask (or weight key) refers to. */
export function findVariable(model: tf.LayersModel, layerPath: string, weight: string): tf.LayerVariable | null {
  const layer = findLayer(model, layerPath);
  if (!layer) return null;
  return layer.weights.find((v) => weightSuffix(layer, v) === weight) ?? null;
}

/**
 * Writes exact zeros (+0) wherever a mask says 0; other values are left as they are. Works on the
 * live variables (never disposes them). Throws an Error naming the mask when it matches no weight or
 * its shape differs; nothing is written in that case.
 */
export function applyMasks(model: tf.LayersModel, masks: MaskSet): void {
  const targets: [tf.LayerVariable, WeightMask][] = [];
  for (const [key, mask] of Object.entries(masks)) {
    const variable = findVariable(model, mask.layerPath, mask.weight);
    if (!variable) throw new Error(`mask ${key}: the model has no such weight`);
    const shape = variable.shape.map((d) => d ?? 0);
    if (shape.length !== mask.shape.length || shape.some((d, i) => d !== mask.shape[i]) || mask.keep.length !== sizeOf(shape)) {
      throw new Error(`mask ${key}: shape [${mask.shape}] does not match the weight's [${shape}]`);
    }
    targets.push([variable, mask]);
  }
  for (const [variable, mask] of targets) {
    tf.tidy(() => {
      const value = variable.read();
      const keep = tf.tensor(mask.keep, mask.shape, 'bool');
      variable.write(tf.where(keep, value, tf.zerosLike(value)));
    });
  }
}

/** Masks that reproduce the zeros currently in the given tensors (0 where the weight is exactly 0). */
export async function masksFromZeros(model: tf.LayersModel, tensors: readonly PrunableTensor[]): Promise<MaskSet> {
  const set: MaskSet = {};
  for (const t of tensors) {
    const variable = findVariable(model, t.layerPath, t.weight);
    if (!variable) throw new Error(`${t.key}: the model has no such weight`);
    const values = (await variable.read().data()) as Float32Array;
    const keep = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) keep[i] = values[i] !== 0 ? 1 : 0;
    set[t.key] = { key: t.key, layerPath: t.layerPath, weight: t.weight, shape: [...t.shape], keep };
  }
  return set;
}
