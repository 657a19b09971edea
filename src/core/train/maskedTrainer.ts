// A custom training loop that keeps pruning masks (not model.fit: fit ignores kernel constraints and
// revives pruned weights). Each step:
//   1. loss (+ regularizer penalty) and gradients with tf.variableGrads over model.trainableWeights,
//      running the model with training: true (Dropout drops, BatchNorm uses batch statistics and
//      updates its moving averages, as in fit);
//   2. gradients of masked tensors multiplied by the mask, so an optimizer's slots (Adam's moments,
//      momentum accumulators) stay exactly 0 for pruned entries;
//   3. optimizer.applyGradients; with a gradient transform (TrainOptions.gradientTransform) it gets
//      the transform's gradients instead (weight clustering gives every member of a cluster its
//      cluster's summed gradient), and the transform's afterUpdate runs right after it;
//   4. masks re-applied (exact +0 where keep = 0, the same rule as prune/masks.ts applyMasks, with the
//      mask tensors built once per run instead of once per step);
//   5. optionally (verifyZeros, default true) the pruned entries of every masked tensor are read back
//      and counted: onStep receives a real count, not what the masks promise;
//   6. control.checkpoint (cancel lands between batches, never inside a step).
// Memory: the run frees every tensor it made, the batches it owns (see TrainOptions.disposeBatches)
// and the optimizer (its slot variables are created on first use): a finished or cancelled run leaves
// tf.memory().numTensors where it found it, unless keepOptimizer is set.
import * as tf from '@tensorflow/tfjs';
import { UNCONTROLLED, type JobControl } from '../job';
import { findVariable, type MaskSet } from '../prune/masks';

export interface TrainBatch {
  xs: tf.Tensor | tf.Tensor[];
  /** Targets (one-hot for classifiers). Unused by label-free losses such as distillation. */
  ys?: tf.Tensor;
}

/** A loss over one batch; called inside the gradient tape, so it must run the model itself. */
export type LossFn = (model: tf.LayersModel, batch: TrainBatch) => tf.Scalar;

/** A penalty on the weights added to the loss (see regularizers.ts). */
export type Regularizer = (model: tf.LayersModel) => tf.Scalar;

export interface OptimizerSpec {
  kind: 'sgd' | 'adam';
  learningRate: number;
  /** sgd only: momentum (0 or absent = plain SGD). */
  momentum?: number;
  /** adam only (tf defaults 0.9, 0.999, 1e-7). */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export function createOptimizer(spec: OptimizerSpec): tf.Optimizer {
  if (!(spec.learningRate > 0) || !Number.isFinite(spec.learningRate)) throw new Error(`createOptimizer: learning rate ${spec.learningRate} is not a positive number`);
  if (spec.kind === 'adam') return tf.train.adam(spec.learningRate, spec.beta1, spec.beta2, spec.epsilon);
  if (spec.kind === 'sgd') {
    const m = spec.momentum ?? 0;
    if (!(m >= 0 && m < 1)) throw new Error(`createOptimizer: momentum ${m} is not in [0, 1)`);
    return m > 0 ? tf.train.momentum(spec.learningRate, m) : tf.train.sgd(spec.learningRate);
  }
  throw new Error(`createOptimizer: unknown optimizer kind ${(spec as { kind: string }).kind}`);
}

/**
 * Where batches come from:
 * - a function step -> batch (fresh tensors each call; the trainer disposes them by default);
 * - an array of batches, cycled once per epoch (the caller owns and disposes them);
 * - any other iterable or async iterable (e.g. a generator; the trainer disposes what it yields by
 *   default). A run stops early when it is exhausted.
 */
export type BatchSource = ((step: number) => TrainBatch | Promise<TrainBatch>) | readonly TrainBatch[] | Iterable<TrainBatch> | AsyncIterable<TrainBatch>;

export interface LayerZeros {
  /** Pruned entries (keep = 0) of this layer's masked tensors that are exactly 0 after the step. */
  kept: number;
  /** Pruned entries according to the masks. kept === pruned when the masks held. */
  pruned: number;
}

export interface StepInfo {
  /** 1-based: the number of steps done so far. */
  step: number;
  totalSteps: number;
  /** The loss of this step's batch, penalty included, before the update. */
  loss: number;
  /** By layer path. Counted from the weights when `verified`, else copied from the masks. */
  zerosKept: Record<string, LayerZeros>;
  verified: boolean;
  /** Wall time of the step (forward, backward, update, masks, zero count), ms. */
  ms: number;
}

/**
 * Changes what each step applies: `start` runs once per run (after the masks are first applied) and
 * returns the per-run part, which may hold tensors until its dispose.
 */
export interface GradientTransform {
  start(model: tf.LayersModel): GradientTransformRun | Promise<GradientTransformRun>;
}

export interface GradientTransformRun {
  /** Inside the step's tidy, after masking: the gradients (by variable name) to apply instead. */
  gradients(grads: tf.NamedTensorMap): tf.NamedTensorMap;
  /** Inside the step's tidy, after applyGradients and before the masks are re-applied. */
  afterUpdate?(): void;
  /** When the run ends: finished, cancelled or failed. */
  dispose(): void;
}

export interface TrainOptions {
  batches: BatchSource;
  /** Number of steps. Default: epochs * stepsPerEpoch (an array's length is its stepsPerEpoch). */
  steps?: number;
  epochs?: number;
  /** Steps in one epoch for a function or iterable source. */
  stepsPerEpoch?: number;
  /** Default: categoricalCrossentropy (probabilities when the model ends in softmax, else logits). */
  lossFn?: LossFn;
  /** An optimizer or a spec for createOptimizer. Disposed at the end of the run unless keepOptimizer. */
  optimizer: tf.Optimizer | OptimizerSpec;
  /** Keep a passed-in optimizer alive after the run (to inspect its slots or to resume); the caller disposes it. */
  keepOptimizer?: boolean;
  /** Weights to hold at zero. Applied once before the first step too. Default: none. */
  masks?: MaskSet;
  control?: JobControl;
  onStep?: (info: StepInfo) => void;
  regularizer?: Regularizer;
  /** Count the zeros of masked tensors after every step (default true). */
  verifyZeros?: boolean;
  /** Dispose each batch after its step. Default: true for function and iterable sources, false for arrays. */
  disposeBatches?: boolean;
  /** Replaces the gradients before each update (weight clustering: compress/clusterTraining.ts). Default: none. */
  gradientTransform?: GradientTransform;
}

export interface TrainResult {
  steps: number;
  /** Loss of every step, in order. */
  losses: number[];
  /** Per-step wall times, ms. */
  stepMs: number[];
}

const softmaxEnd = new WeakMap<tf.LayersModel, boolean>();

/** Whether the model's (first) output comes from a softmax (Dense/Conv activation, Activation or Softmax layer), nested models included. */
export function endsInSoftmax(model: tf.LayersModel): boolean {
  const cached = softmaxEnd.get(model);
  if (cached !== undefined) return cached;
  let layer: tf.layers.Layer | undefined = model.outputs[0]?.sourceLayer as tf.layers.Layer | undefined;
  while (layer instanceof tf.LayersModel) layer = layer.outputs[0]?.sourceLayer as tf.layers.Layer | undefined;
  let result = false;
  if (layer) {
    const cls = layer.getClassName();
    const activation = (layer.getConfig() as { activation?: unknown }).activation;
    result = cls === 'Softmax' || activation === 'softmax';
  }
  softmaxEnd.set(model, result);
  return result;
}

/** The model's output on xs; `training` switches Dropout and BatchNorm. */
export function runModel(model: tf.LayersModel, xs: tf.Tensor | tf.Tensor[], training: boolean): tf.Tensor {
  const out = model.apply(xs, { training }) as tf.Tensor | tf.Tensor[];
  return Array.isArray(out) ? out[0] : out;
}

/**
 * Categorical cross-entropy against one-hot ys. A model that ends in softmax gives probabilities
 * (clipped cross-entropy, as Keras); any other gives logits (softmax cross-entropy).
 * `training: false` runs the model in inference mode: Dropout off and BatchNorm normalising with its
 * moving statistics (frozen, not updated) while gamma and beta still learn. That is the usual way to
 * fine-tune a pruned model briefly, and on tfjs's CPU and WebGL backends it is several times faster:
 * batch statistics and their gradients over large activations dominate a training-mode step.
 */
export function crossEntropyLoss(options: { training: boolean }): LossFn {
  return (model, batch) => {
    if (!batch.ys) throw new Error('categoricalCrossentropy: the batch has no ys (labels)');
    const out = runModel(model, batch.xs, options.training);
    if (endsInSoftmax(model)) return tf.mean(tf.metrics.categoricalCrossentropy(batch.ys, out)) as tf.Scalar;
    return tf.losses.softmaxCrossEntropy(batch.ys, out) as tf.Scalar;
  };
}

/** Categorical cross-entropy with the model in training mode (Dropout drops, BatchNorm uses batch statistics). */
export const categoricalCrossentropy: LossFn = crossEntropyLoss({ training: true });

interface MaskedTensor {
  key: string;
  layerPath: string;
  variable: tf.Variable;
  keep: Uint8Array;
  pruned: number;
  keepBool: tf.Tensor;
  keepFloat: tf.Tensor;
  zeros: tf.Tensor;
}

function isArraySource(s: BatchSource): s is readonly TrainBatch[] {
  return Array.isArray(s);
}

function disposeBatch(b: TrainBatch): void {
  tf.dispose(Array.isArray(b.xs) ? b.xs : [b.xs]);
  if (b.ys) b.ys.dispose();
}

/**
 * Trains `model` in place for the given steps, holding `masks` at zero. Rejects with CancelledError
 * (from control.checkpoint) when cancelled; the steps done so far stay in the model, masks hold.
 */
export async function trainSteps(model: tf.LayersModel, options: TrainOptions): Promise<TrainResult> {
  const source = options.batches;
  const isFn = typeof source === 'function';
  const arr = isArraySource(source) ? source : null;
  if (arr && arr.length === 0) throw new Error('trainSteps: the batch list is empty');
  const perEpoch = options.stepsPerEpoch ?? arr?.length;
  const totalSteps = options.steps ?? (options.epochs != null && perEpoch != null ? options.epochs * perEpoch : arr ? arr.length : undefined);
  if (totalSteps == null || !Number.isInteger(totalSteps) || totalSteps < 0) {
    throw new Error('trainSteps: give steps, or epochs with stepsPerEpoch (an array of batches counts as one epoch)');
  }
  const disposeBatches = options.disposeBatches ?? !arr;
  const control = options.control ?? UNCONTROLLED;
  const verify = options.verifyZeros ?? true;
  const lossFn = options.lossFn ?? categoricalCrossentropy;
  const optimizer = options.optimizer instanceof tf.Optimizer ? options.optimizer : createOptimizer(options.optimizer);
  const ownsOptimizer = !(options.optimizer instanceof tf.Optimizer) || !options.keepOptimizer;

  const masked: MaskedTensor[] = [];
  let iterator: Iterator<TrainBatch> | AsyncIterator<TrainBatch> | null = null;
  let transform: GradientTransformRun | null = null;
  try {
    // Resolve and check every mask before touching anything.
    for (const [key, mask] of Object.entries(options.masks ?? {})) {
      const lv = findVariable(model, mask.layerPath, mask.weight);
      if (!lv) throw new Error(`mask ${key}: the model has no such weight`);
      const shape = lv.shape.map((d) => d ?? 0);
      if (shape.length !== mask.shape.length || shape.some((d, i) => d !== mask.shape[i]) || mask.keep.length !== shape.reduce((a, b) => a * b, 1)) {
        throw new Error(`mask ${key}: shape [${mask.shape}] does not match the weight's [${shape}]`);
      }
      let pruned = 0;
      for (let i = 0; i < mask.keep.length; i++) if (mask.keep[i] === 0) pruned++;
      if (pruned === 0) continue;
      const keepBool = tf.tensor(mask.keep, mask.shape, 'bool');
      const keepFloat = tf.cast(keepBool, 'float32');
      const zeros = tf.zeros(mask.shape);
      masked.push({ key, layerPath: mask.layerPath, variable: lv.read() as tf.Variable, keep: mask.keep, pruned, keepBool, keepFloat, zeros });
    }
    const byVarName = new Map(masked.map((m) => [m.variable.name, m]));
    const applyMaskTensors = () => {
      for (const m of masked) tf.tidy(() => m.variable.assign(tf.where(m.keepBool, m.variable, m.zeros)));
    };
    applyMaskTensors();
    if (options.gradientTransform) transform = await options.gradientTransform.start(model);
    const run = transform;

    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    if (vars.length === 0) throw new Error('trainSteps: the model has no trainable weights');
    const regularizer = options.regularizer;

    if (!isFn && !arr) {
      const it = source as Iterable<TrainBatch> | AsyncIterable<TrainBatch>;
      iterator = Symbol.asyncIterator in it ? (it as AsyncIterable<TrainBatch>)[Symbol.asyncIterator]() : (it as Iterable<TrainBatch>)[Symbol.iterator]();
    }

    const losses: number[] = [];
    const stepMs: number[] = [];
    for (let step = 0; step < totalSteps; step++) {
      const t0 = performance.now();
      let batch: TrainBatch;
      if (isFn) batch = await (source as (s: number) => TrainBatch | Promise<TrainBatch>)(step);
      else if (arr) batch = arr[step % arr.length];
      else {
        const r = await iterator!.next();
        if (r.done) break;
        batch = r.value;
      }
      let lossTensor: tf.Scalar;
      try {
        lossTensor = tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => {
            const l = lossFn(model, batch);
            return regularizer ? (tf.add(l, regularizer(model)) as tf.Scalar) : l;
          }, vars);
          for (const name of Object.keys(grads)) {
            const m = byVarName.get(name);
            if (m) grads[name] = tf.mul(grads[name], m.keepFloat);
          }
          optimizer.applyGradients(run ? run.gradients(grads) : grads);
          run?.afterUpdate?.();
          applyMaskTensors();
          return value;
        });
      } finally {
        if (disposeBatches) disposeBatch(batch);
      }
      const loss = (await lossTensor.data())[0];
      lossTensor.dispose();

      const zerosKept: Record<string, LayerZeros> = {};
      for (const m of masked) {
        const z = (zerosKept[m.layerPath] ??= { kept: 0, pruned: 0 });
        z.pruned += m.pruned;
        if (!verify) {
          z.kept += m.pruned;
          continue;
        }
        const values = (await m.variable.data()) as Float32Array;
        let kept = 0;
        for (let i = 0; i < values.length; i++) if (m.keep[i] === 0 && values[i] === 0) kept++;
        z.kept += kept;
      }
      const ms = performance.now() - t0;
      losses.push(loss);
      stepMs.push(ms);
      options.onStep?.({ step: step + 1, totalSteps, loss, zerosKept, verified: verify, ms });
      await control.checkpoint((step + 1) / totalSteps, `step ${step + 1}/${totalSteps}`);
    }
    return { steps: losses.length, losses, stepMs };
  } finally {
    for (const m of masked) tf.dispose([m.keepBool, m.keepFloat, m.zeros]);
    transform?.dispose();
    if (iterator?.return) await iterator.return();
    if (ownsOptimizer) optimizer.dispose();
  }
}
