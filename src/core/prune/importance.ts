// Importance criteria, one score per weight: magnitude |w|, seeded random, and first-order Taylor
// |w · dL/dw| over calibration batches. Scores are plain Float32Arrays keyed like masks; a low score
// means "prune first". Channel-group scores (L1 / L2 / Taylor summed over a dependency group) are
// built from these in channelImportance.ts.
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../data/seededRandom';
import { UNCONTROLLED, type JobControl } from '../job';
import type { PrunableTensor } from '../graph/prunable';
import { findVariable } from './masks';

/** 'merge' (channels only): merge units whose incoming weights are most alike (unitMerging.ts), no score per weight. */
export type Criterion = 'magnitude' | 'random' | 'taylor' | 'merge';

export const MERGE_NEEDS_CHANNELS = 'The merge criterion merges whole units: choose the channels granularity';

/** The fields of a PrunableTensor that scoring needs; also fits biases and BatchNorm gamma. */
export type WeightRef = Pick<PrunableTensor, 'key' | 'layerPath' | 'weight' | 'shape'>;

export interface Scores {
  criterion: Criterion;
  /** Weight key -> one score per weight, row-major like the tensor. */
  byKey: Record<string, Float32Array>;
  /**
   * True when the ranking is by |score| (magnitude keeps the signed weights themselves, so no |w|
   * copy is made). Random and Taylor scores are non-negative, so either reading ranks them the same.
   */
  absolute: boolean;
}

export interface CalibrationBatch {
  xs: tf.Tensor | tf.Tensor[];
  ys: tf.Tensor | tf.Tensor[];
}

export type LossName = 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy' | 'binaryCrossentropy' | 'meanSquaredError' | 'meanAbsoluteError';

export interface TaylorOptions {
  /** Calibration batches; gradients are summed over them. The caller owns (and disposes) the tensors. */
  batches: readonly CalibrationBatch[];
  /**
   * Loss between ys and the model's prediction (run with training = false). Defaults to the model's
   * compiled loss when it is one of LossName, else categoricalCrossentropy.
   */
  loss?: LossName | ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar);
  /** Full control instead: returns the scalar loss for batch i (ys unused). Runs inside the gradient tape. */
  lossOf?: (model: tf.LayersModel, batchIndex: number) => tf.Scalar;
  control?: JobControl;
}

export interface ImportanceOptions {
  criterion: Criterion;
  /** Seed of the random criterion (default 1). The same seed gives the same scores. */
  seed?: number;
  /** Required for 'taylor'. */
  taylor?: TaylorOptions;
}

/** Current values of the given weights (copies, safe to keep). */
export async function readWeights(model: tf.LayersModel, refs: readonly WeightRef[]): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (const r of refs) {
    const v = findVariable(model, r.layerPath, r.weight);
    if (!v) throw new Error(`${r.key}: the model has no such weight`);
    out[r.key] = Float32Array.from((await v.read().data()) as Float32Array);
  }
  return out;
}

/** 32-bit FNV-1a of a string: mixes the weight key into the random seed. */
function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Uniform [0, 1) scores from mulberry32 seeded with (seed, key): reproducible, and a tensor's scores
 * do not depend on which other tensors are scored.
 */
export function randomScores(refs: readonly WeightRef[], seed = 1): Scores {
  const byKey: Record<string, Float32Array> = {};
  for (const r of refs) {
    const next = mulberry32((seed ^ hashKey(r.key)) >>> 0);
    const a = new Float32Array(r.shape.reduce((x, y) => x * y, 1));
    for (let i = 0; i < a.length; i++) a[i] = next();
    byKey[r.key] = a;
  }
  return { criterion: 'random', byKey, absolute: true };
}

export async function magnitudeScores(model: tf.LayersModel, refs: readonly WeightRef[]): Promise<Scores> {
  return { criterion: 'magnitude', byKey: await readWeights(model, refs), absolute: true };
}

function lossFunction(loss: TaylorOptions['loss'], model: tf.LayersModel): (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar {
  if (typeof loss === 'function') return loss;
  const compiled = typeof model.loss === 'string' ? model.loss : undefined;
  const name = loss ?? (compiled as LossName | undefined) ?? 'categoricalCrossentropy';
  switch (name) {
    case 'categoricalCrossentropy':
      return (t, p) => tf.metrics.categoricalCrossentropy(t, p).mean();
    case 'sparseCategoricalCrossentropy':
      return (t, p) => {
        const classes = p.shape[p.shape.length - 1] ?? 1;
        const oneHot = tf.oneHot(tf.cast(t.flatten(), 'int32'), classes).reshape(p.shape);
        return tf.metrics.categoricalCrossentropy(oneHot, p).mean();
      };
    case 'binaryCrossentropy':
      return (t, p) => tf.metrics.binaryCrossentropy(t, p).mean();
    case 'meanSquaredError':
      return (t, p) => tf.metrics.meanSquaredError(t, p).mean();
    case 'meanAbsoluteError':
      return (t, p) => tf.metrics.meanAbsoluteError(t, p).mean();
    default:
      throw new Error(`Taylor importance: unknown loss "${String(name)}"`);
  }
}

/**
 * Summed gradients of the loss with respect to the given weights over the calibration batches,
 * with the model in inference mode (BatchNorm uses its moving statistics, dropout is off).
 * Frozen (non-trainable) weights get gradients too: their variables are made trainable for the
 * duration of the call and restored afterwards.
 */
export async function gradientSums(model: tf.LayersModel, refs: readonly WeightRef[], options: TaylorOptions): Promise<Record<string, Float32Array>> {
  if (options.batches.length === 0 && !options.lossOf) throw new Error('Taylor importance needs at least one calibration batch');
  const control = options.control ?? UNCONTROLLED;
  const variables = refs.map((r) => {
    const v = findVariable(model, r.layerPath, r.weight);
    if (!v) throw new Error(`${r.key}: the model has no such weight`);
    return v.read() as tf.Variable;
  });
  const wasTrainable = variables.map((v) => v.trainable);
  variables.forEach((v) => (v.trainable = true));
  const sums: Record<string, Float32Array> = {};
  refs.forEach((r) => (sums[r.key] = new Float32Array(r.shape.reduce((a, b) => a * b, 1))));
  const lossFn = lossFunction(options.loss, model);
  const unique = [...new Set(variables)];
  const count = Math.max(1, options.batches.length);
  try {
    for (let b = 0; b < count; b++) {
      const grads = tf.tidy(() => {
        const { value, grads: g } = tf.variableGrads(() => {
          if (options.lossOf) return options.lossOf(model, b);
          const batch = options.batches[b];
          const pred = model.apply(batch.xs, { training: false }) as tf.Tensor | tf.Tensor[];
          const p = Array.isArray(pred) ? pred[0] : pred;
          const y = Array.isArray(batch.ys) ? batch.ys[0] : batch.ys;
          return lossFn(y, p);
        }, unique);
        value.dispose();
        return g;
      });
      for (let i = 0; i < refs.length; i++) {
        const g = grads[variables[i].name];
        if (!g) continue; // not connected to the loss: contributes nothing
        const values = (await g.data()) as Float32Array;
        const sum = sums[refs[i].key];
        for (let j = 0; j < sum.length; j++) sum[j] += values[j];
      }
      Object.values(grads).forEach((g) => g?.dispose());
      await control.checkpoint((b + 1) / count, 'Taylor importance');
    }
  } finally {
    variables.forEach((v, i) => (v.trainable = wasTrainable[i]));
  }
  return sums;
}

/** First-order Taylor |w · dL/dw| per weight, with the gradient summed over the calibration batches. */
export async function taylorScores(model: tf.LayersModel, refs: readonly WeightRef[], options: TaylorOptions): Promise<Scores> {
  const grads = await gradientSums(model, refs, options);
  const weights = await readWeights(model, refs);
  const byKey: Record<string, Float32Array> = {};
  for (const r of refs) {
    const w = weights[r.key];
    const g = grads[r.key];
    for (let i = 0; i < w.length; i++) w[i] = Math.abs(w[i] * g[i]);
    byKey[r.key] = w;
  }
  return { criterion: 'taylor', byKey, absolute: true };
}

/** Scores of the given weights under one criterion. */
export async function importanceScores(model: tf.LayersModel, refs: readonly WeightRef[], options: ImportanceOptions): Promise<Scores> {
  switch (options.criterion) {
    case 'magnitude':
      return magnitudeScores(model, refs);
    case 'random':
      return randomScores(refs, options.seed ?? 1);
    case 'taylor':
      if (!options.taylor) throw new Error('Taylor importance needs calibration data (options.taylor)');
      return taylorScores(model, refs, options.taylor);
    case 'merge':
      throw new Error(MERGE_NEEDS_CHANNELS);
    default:
      throw new Error(`unknown criterion "${String(options.criterion)}"`);
  }
}
