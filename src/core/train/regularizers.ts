// Sparsity-inducing penalties ("activation balancing" in the studio): push weights toward zero while
// fine-tuning so that cutting them later costs less. Each is a (model) => tf.Scalar for trainSteps'
// `regularizer`; the penalty is strength × the sum below (a sum, as Keras' L1, not a mean).
//   l1Kernels:     Σ |w| over prunable kernels (graph/prunable.ts).
//   groupLasso:    Σ over output channels of ||w_channel||₂ (the prunable weights whose layer rule
//                  names output-channel axes: Dense, Conv1D/2D/3D, DepthwiseConv2D, SeparableConv2D
//                  pointwise, Conv2DTranspose kernels): drives whole filters to zero ahead of
//                  channel pruning.
//   bnGammaL1:     Σ |γ| of the per-channel scales layer rules name (BatchNormalization's gamma;
//                  network slimming, Liu et al. 2017): small γ marks a channel as removable.
// Exact zeros (pruned weights) contribute nothing and get a zero gradient.
import * as tf from '@tensorflow/tfjs';
import { walkLayers, weightSuffix } from '../graph/layerPaths';
import { listPrunableTensors } from '../graph/prunable';
import { layerRule, prunableWeightRule } from '../graph/rules';
import { findVariable } from '../prune/masks';
import type { Regularizer } from './maskedTrainer';

export interface RegularizerOptions {
  /** Layer paths to include (default: all that apply). */
  layers?: readonly string[];
}

function checkStrength(name: string, strength: number): void {
  if (!(strength >= 0) || !Number.isFinite(strength)) throw new Error(`${name}: strength ${strength} is not a number >= 0`);
}

function cached<T>(build: (model: tf.LayersModel) => T): (model: tf.LayersModel) => T {
  const cache = new WeakMap<tf.LayersModel, T>();
  return (model) => {
    let v = cache.get(model);
    if (v === undefined) {
      v = build(model);
      cache.set(model, v);
    }
    return v;
  };
}

function sumOf(parts: tf.Scalar[], strength: number): tf.Scalar {
  if (parts.length === 0) return tf.scalar(0);
  return tf.mul(parts.length === 1 ? parts[0] : tf.addN(parts), strength) as tf.Scalar;
}

/** strength · Σ|w| over the prunable kernels. */
export function l1Kernels(strength: number, options: RegularizerOptions = {}): Regularizer {
  checkStrength('l1Kernels', strength);
  const vars = cached((model) =>
    listPrunableTensors(model)
      .filter((t) => !options.layers || options.layers.includes(t.layerPath))
      .map((t) => findVariable(model, t.layerPath, t.weight)!),
  );
  return (model) => sumOf(vars(model).map((v) => tf.sum(tf.abs(v.read())) as tf.Scalar), strength);
}

const GROUP_EPS = 1e-12;

/** strength · Σ over output channels of the channel's L2 norm (sqrt(Σw² + 1e-12), so exact zeros have a finite gradient). */
export function groupLasso(strength: number, options: RegularizerOptions = {}): Regularizer {
  checkStrength('groupLasso', strength);
  const groups = cached((model) =>
    listPrunableTensors(model)
      .filter((t) => !options.layers || options.layers.includes(t.layerPath))
      .map((t) => ({ axes: prunableWeightRule(t.layerClass, t.weight)?.outAxes?.(t.shape.length), variable: findVariable(model, t.layerPath, t.weight)!, shape: t.shape }))
      .filter((g): g is { axes: number[]; variable: tf.LayerVariable; shape: number[] } => g.axes !== undefined),
  );
  return (model) =>
    sumOf(
      groups(model).map(({ axes, variable, shape }) => {
        // Output-channel axes last, then one row per output channel.
        let w: tf.Tensor = variable.read();
        const perm = [...shape.keys()].filter((i) => !axes.includes(i)).concat(axes);
        if (perm.some((p, i) => p !== i)) w = tf.transpose(w, perm);
        const channels = axes.reduce((n, a) => n * shape[a], 1);
        const rows = tf.reshape(w, [-1, channels]);
        return tf.sum(tf.sqrt(tf.add(tf.sum(tf.square(rows), 0), GROUP_EPS))) as tf.Scalar;
      }),
      strength,
    );
}

/** strength · Σ|γ| over the per-channel scales layer rules name (BatchNormalization's gamma). */
export function bnGammaL1(strength: number, options: RegularizerOptions = {}): Regularizer {
  checkStrength('bnGammaL1', strength);
  const gammas = cached((model) =>
    walkLayers(model)
      .filter(({ path }) => !options.layers || options.layers.includes(path))
      .flatMap(({ layer }) => {
        const scales = layerRule(layer.getClassName()).scales ?? [];
        return layer.weights.filter((v) => scales.includes(weightSuffix(layer, v)));
      }),
  );
  return (model) => sumOf(gammas(model).map((v) => tf.sum(tf.abs(v.read())) as tf.Scalar), strength);
}

/** The sum of several penalties. */
export function combineRegularizers(...parts: Regularizer[]): Regularizer {
  return (model) => (parts.length === 0 ? tf.scalar(0) : (tf.addN(parts.map((p) => p(model))) as tf.Scalar));
}
