// Physically removes channels: rebuilds a smaller LayersModel from an edited config (fewer filters or
// units, Reshape targets and nested-model input shapes updated) and sliced weights. Works on
// Sequential, functional and nested models because it edits the model's own JSON and reloads it;
// layer names, and so weight keys, stay the same. The phases live in surgery/: keepPlan (check the
// plan), constants (propagate constants), biasFolds (fold them into biases), topologyEdit (edit the
// config), weightSlices (slice the weights); removeChannels composes them.
//
// Constants. A removed channel whose producer kernel slice is all zero still outputs a constant:
// act(bias) after its producer, then BN(x) = gamma*(x - mean)/sqrt(var + eps) + beta, activations,
// merges... This module propagates that constant through the graph and, where a kept layer reads it,
// folds it into that layer's bias (bias[o] += constant x the sum of the removed input slice of the
// kernel), so removing the channel changes nothing. With the studio's structured masks (scope
// 'group') the consumers' input slices are already zero and nothing needs folding.
// Exactness of the fold:
//   - Dense consumers (also after Flatten) and 'valid' convolutions: exact.
//   - 'same' / 'causal' convolutions with kernels larger than 1: exact away from the borders only,
//     because the zero padding does not carry the constant; listed in report.approximate.
//   - Conv2DTranspose consumers: the constant's contribution depends on the output position; the fold
//     uses the mean contribution (tap sum / stride area) and is listed as approximate.
//   - A constant that crossed a ZeroPadding layer or a 'same' depthwise conv: approximate as well.
// A removed channel whose kernel slice is not zero carries a varying signal: removing it changes the
// outputs, as any pruning does; report.varyingChannels counts them.
import * as tf from '@tensorflow/tfjs';
import type { ChannelPlan, DependencyGraph } from './dependencyGraph';
import { foldConstants } from './surgery/biasFolds';
import { propagateConstants } from './surgery/constants';
import { resolvePlan } from './surgery/keepPlan';
import { editTopology } from './surgery/topologyEdit';
import { readWeightValues } from './surgery/weightValues';
import { sliceWeights } from './surgery/weightSlices';

export interface SurgeryReport {
  /** Group id -> channels removed. */
  removed: Record<string, number>;
  /** Kept layers whose bias absorbed the constant output of removed channels. */
  folded: { path: string; channels: number }[];
  /** Folds that are exact only away from borders, with the reason. */
  approximate: string[];
  /** Removed channels that carried a varying (non-constant) signal into a kept layer. */
  varyingChannels: number;
  paramsBefore: number;
  paramsAfter: number;
}

export interface SurgeryResult {
  model: tf.LayersModel;
  report: SurgeryReport;
}

/**
 * Removes the channels a plan marks 0 and returns a new, smaller model (the given model is left as it
 * is; the caller owns both). Throws an Error with a clear message when the plan does not fit the
 * graph (unknown or locked group, wrong length, no channel kept).
 */
export async function removeChannels(model: tf.LayersModel, dep: DependencyGraph, plan: ChannelPlan): Promise<SurgeryResult> {
  const keep = resolvePlan(dep, plan);
  const weights = await readWeightValues(model);
  const constants = propagateConstants(dep, weights);
  const { folds, folded, approximate, varyingChannels } = foldConstants(dep, keep, constants, weights);
  const topology = editTopology(dep, keep, weights, folds.keys());
  const { specs, buffers } = sliceWeights(model, dep, keep, weights, folds);
  // Loading with weights skips the initializers (tfjs "fast weight init"): no slow orthogonal inits,
  // and the rebuilt model goes through the same path as a saved and reloaded one.
  let smaller: tf.LayersModel;
  try {
    smaller = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: topology, weightSpecs: specs, weightData: tf.io.concatenateArrayBuffers(buffers) }));
  } catch (e) {
    throw new Error(`channel surgery: the smaller model could not be built: ${(e as Error).message}`);
  }
  return {
    model: smaller,
    report: { removed: keep.removed, folded, approximate, varyingChannels, paramsBefore: model.countParams(), paramsAfter: smaller.countParams() },
  };
}
