// BatchNorm recalibration: after pruning, the activations a BatchNormalization layer sees change, but
// its moving_mean / moving_variance still describe the dense model. Re-estimating them from a few
// unlabelled batches recovers much of the lost accuracy with no training at all.
//
// The statistics are exact over all the given batches (not a momentum average): per channel, the mean
// and the population variance (divide by N, as tfjs BatchNormalization's training mode uses) of the
// layer's input over every position of every sample. Layers are done in model order, so a layer's
// statistics are taken with the layers before it already recalibrated. Nested models are covered.
//
// How the inputs are seen: for each BN layer in turn, its `call` is wrapped for the duration of one
// inference pass over the batches (model.predict, so Dropout is off and other BN layers use their
// moving statistics), and the wrapper reduces the input to per-channel sums on the fly. This works the
// same for nested models, where a sub-model with the BN input as output cannot be built from the
// outer model's input. The cost is one inference pass per BN layer.
import * as tf from '@tensorflow/tfjs';
import { walkLayers, weightSuffix } from '../graph/layerPaths';
import { UNCONTROLLED, type JobControl } from '../job';

export interface BnLayerStats {
  path: string;
  /** Values per channel that went into the statistics (samples × positions). */
  count: number;
  mean: Float32Array;
  variance: Float32Array;
}

export interface BnRecalibrationReport {
  layers: BnLayerStats[];
}

interface Accumulator {
  n: number;
  mean: Float64Array;
  m2: Float64Array;
}

type CallFn = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

/** Re-estimates moving_mean and moving_variance of every BatchNormalization layer from `inputs` (model inputs, one tensor per batch). The caller keeps ownership of the inputs. */
export async function recalibrateBatchNorm(model: tf.LayersModel, inputs: readonly tf.Tensor[], control: JobControl = UNCONTROLLED): Promise<BnRecalibrationReport> {
  const bns = walkLayers(model).filter(({ layer }) => layer.getClassName() === 'BatchNormalization');
  if (bns.length > 0 && inputs.length === 0) throw new Error('recalibrateBatchNorm: no input batches');
  const report: BnRecalibrationReport = { layers: [] };
  const total = bns.length * inputs.length;
  let done = 0;
  for (const { path, layer } of bns) {
    const cfg = layer.getConfig() as { axis?: number | number[] };
    const movingMean = layer.weights.find((v) => weightSuffix(layer, v).endsWith('moving_mean'));
    const movingVar = layer.weights.find((v) => weightSuffix(layer, v).endsWith('moving_variance'));
    if (!movingMean || !movingVar) throw new Error(`recalibrateBatchNorm: ${path} has no moving statistics`);
    const acc: Accumulator = { n: 0, mean: new Float64Array(0), m2: new Float64Array(0) };
    const target = layer as unknown as { call: CallFn };
    const original = target.call;
    target.call = function (this: unknown, x: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) {
      const input = Array.isArray(x) ? x[0] : x;
      accumulate(acc, input, cfg.axis ?? -1, path);
      return original.call(this, x, kwargs);
    };
    try {
      for (const batch of inputs) {
        tf.tidy(() => {
          model.predict(batch);
        });
        done++;
        await control.checkpoint(done / total, `BatchNorm ${path}: batch ${done}`);
      }
    } finally {
      // Remove the wrapper (the prototype's call shows through again).
      delete (target as { call?: CallFn }).call;
      if (target.call !== original) target.call = original;
    }
    if (acc.n === 0) throw new Error(`recalibrateBatchNorm: ${path} saw no input (is it on the path to the model's output?)`);
    const mean = Float32Array.from(acc.mean);
    const variance = Float32Array.from(acc.m2, (m2) => m2 / acc.n);
    const shape = movingMean.shape.map((d) => d ?? 0);
    if (shape.reduce((a, b) => a * b, 1) !== mean.length) throw new Error(`recalibrateBatchNorm: ${path} has ${mean.length} channels, its moving mean [${shape}]`);
    tf.tidy(() => {
      movingMean.write(tf.tensor(mean, shape));
      movingVar.write(tf.tensor(variance, shape));
    });
    report.layers.push({ path, count: acc.n, mean, variance });
  }
  return report;
}

/** Chan et al.'s parallel update: merges one batch's per-channel mean and M2 into the running ones (float64). */
function accumulate(acc: Accumulator, input: tf.Tensor, axisConfig: number | number[], path: string): void {
  const rank = input.rank;
  const axes = (Array.isArray(axisConfig) ? axisConfig : [axisConfig]).map((a) => (a < 0 ? a + rank : a));
  const reduce = Array.from({ length: rank }, (_, i) => i).filter((i) => !axes.includes(i));
  const channels = axes.reduce((p, a) => p * input.shape[a], 1);
  const count = input.size / channels;
  const [bMean, bM2] = tf.tidy(() => {
    const { mean, variance } = tf.moments(input, reduce);
    return [mean.dataSync(), variance.dataSync()];
  });
  if (acc.mean.length === 0) {
    acc.mean = new Float64Array(channels);
    acc.m2 = new Float64Array(channels);
  } else if (acc.mean.length !== channels) throw new Error(`recalibrateBatchNorm: ${path} saw ${channels} channels after ${acc.mean.length}`);
  const n = acc.n + count;
  for (let c = 0; c < channels; c++) {
    const delta = bMean[c] - acc.mean[c];
    acc.mean[c] += (delta * count) / n;
    acc.m2[c] += bM2[c] * count + ((delta * delta * acc.n * count) / n);
  }
  acc.n = n;
}
