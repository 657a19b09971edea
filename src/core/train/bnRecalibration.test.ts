import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../data/seededRandom';
import { disposeModel } from '../graph/disposeModel';
import { CancelledError } from '../job';
import { applyMasks, findVariable } from '../prune/masks';
import { computePruning } from '../prune/pruneRequest';
import { fashionCnn, randomizeWeights, teachableMachineNet } from '../prune/testModels';
import { recalibrateBatchNorm } from './bnRecalibration';
import { trainSteps, type TrainBatch } from './maskedTrainer';

function randomInputs(seed: number, n: number, shape: number[], scale = 1, shift = 0): tf.Tensor {
  const rnd = mulberry32(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n * size);
  for (let i = 0; i < x.length; i++) x[i] = rnd() * scale + shift;
  return tf.tensor(x, [n, ...shape]);
}

/** Bars: class 0 = a horizontal bar, 1 = a vertical bar, 2 = a diagonal, at a random place, on noise. */
function bars(seed: number, n: number, size = 8): TrainBatch {
  const rnd = mulberry32(seed);
  const x = new Float32Array(n * size * size);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(rnd() * 3);
    labels[i] = c;
    const at = 1 + Math.floor(rnd() * (size - 2));
    for (let r = 0; r < size; r++) {
      for (let col = 0; col < size; col++) {
        const on = c === 0 ? r === at : c === 1 ? col === at : r === col;
        x[i * size * size + r * size + col] = rnd() * 0.3 + (on ? 0.7 : 0);
      }
    }
  }
  return tf.tidy(() => ({ xs: tf.tensor4d(x, [n, size, size, 1]), ys: tf.oneHot(tf.tensor1d(labels, 'int32'), 3).toFloat() }));
}

async function moments(outputOf: tf.LayersModel, batches: tf.Tensor[]): Promise<{ mean: Float32Array; variance: Float32Array }> {
  return tf.tidy(() => {
    const all = tf.concat(batches.map((b) => outputOf.predict(b) as tf.Tensor));
    const { mean, variance } = tf.moments(all, [0, 1, 2]);
    return { mean: mean.dataSync() as Float32Array, variance: variance.dataSync() as Float32Array };
  });
}

async function stats(model: tf.LayersModel, path: string): Promise<{ mean: Float32Array; variance: Float32Array }> {
  return {
    mean: (await findVariable(model, path, 'moving_mean')!.read().data()) as Float32Array,
    variance: (await findVariable(model, path, 'moving_variance')!.read().data()) as Float32Array,
  };
}

function expectClose(got: Float32Array, want: Float32Array, digits = 4): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i], digits);
}

async function accuracy(model: tf.LayersModel, batch: TrainBatch): Promise<number> {
  const t = tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(model.predict(batch.xs as tf.Tensor) as tf.Tensor, -1), tf.argMax(batch.ys!, -1)), 'float32')));
  const v = (await t.data())[0];
  t.dispose();
  return v;
}

describe('BatchNorm recalibration', () => {
  it('sets moving stats to the exact statistics over all batches, layer after layer', async () => {
    const model = fashionCnn();
    randomizeWeights(model, 4);
    const batches = [randomInputs(1, 5, [8, 8, 1]), randomInputs(2, 7, [8, 8, 1], 2, -0.5), randomInputs(3, 3, [8, 8, 1])];
    const before = tf.memory().numTensors;
    const report = await recalibrateBatchNorm(model, batches);
    expect(tf.memory().numTensors).toBe(before);
    expect(report.layers.map((l) => l.path)).toEqual(['bn1', 'bn2']);
    expect(report.layers[0].count).toBe(15 * 8 * 8);
    expect(report.layers[1].count).toBe(15 * 4 * 4);

    // bn1 sees conv1's output; bn2 sees conv2's output computed with the new bn1 statistics.
    const toConv1 = tf.model({ inputs: model.inputs, outputs: model.getLayer('conv1').output as tf.SymbolicTensor });
    const toConv2 = tf.model({ inputs: model.inputs, outputs: model.getLayer('conv2').output as tf.SymbolicTensor });
    const want1 = await moments(toConv1, batches);
    const want2 = await moments(toConv2, batches);
    const got1 = await stats(model, 'bn1');
    const got2 = await stats(model, 'bn2');
    expectClose(got1.mean, want1.mean);
    expectClose(got1.variance, want1.variance);
    expectClose(got2.mean, want2.mean);
    expectClose(got2.variance, want2.variance);
    // Not a momentum average of the old values: randomizeWeights put them far from these.
    expect(Math.abs(got1.variance[0] - want1.variance[0])).toBeLessThan(1e-3);
    batches.forEach((b) => b.dispose());
    disposeModel(model);
  });

  it('reaches BatchNorm layers inside nested models', async () => {
    const model = teachableMachineNet();
    randomizeWeights(model, 9);
    const batches = [randomInputs(5, 4, [6, 6, 3]), randomInputs(6, 4, [6, 6, 3])];
    const report = await recalibrateBatchNorm(model, batches);
    expect(report.layers.map((l) => l.path)).toEqual(['features/conv_1_bn']);
    const features = model.getLayer('features') as tf.Sequential;
    const toConv = tf.model({ inputs: features.inputs, outputs: features.getLayer('conv_1').output as tf.SymbolicTensor });
    const want = await moments(toConv, batches);
    const got = await stats(model, 'features/conv_1_bn');
    expectClose(got.mean, want.mean);
    expectClose(got.variance, want.variance);
    batches.forEach((b) => b.dispose());
    disposeModel(model);
  });

  it('cancels between batches and leaves the layer as it was', async () => {
    const model = fashionCnn();
    randomizeWeights(model, 4);
    const old = await stats(model, 'bn1');
    const batches = [randomInputs(1, 4, [8, 8, 1]), randomInputs(2, 4, [8, 8, 1])];
    let calls = 0;
    await expect(recalibrateBatchNorm(model, batches, { checkpoint: async () => { if (++calls === 1) throw new CancelledError(); } })).rejects.toBeInstanceOf(CancelledError);
    expect(calls).toBe(1);
    expectClose((await stats(model, 'bn1')).mean, old.mean, 6);
    // The wrapper is gone: a later call works and predict is unaffected.
    await recalibrateBatchNorm(model, batches);
    expect(Object.prototype.hasOwnProperty.call(model.getLayer('bn1'), 'call')).toBe(false);
    batches.forEach((b) => b.dispose());
    disposeModel(model);
  });

  it('recovers accuracy of a pruned BN model with no training', async () => {
    // Train a small BN CNN on a seeded bar-orientation task, give it exact BN statistics, prune its
    // convolutions (magnitude, conv1 70%, conv2 85%): the activations shrink, the old statistics no
    // longer fit. Seeded: dense 100%, pruned about 67%, recalibrated about 82%.
    const model = fashionCnn(8, [6, 8], 12, 3);
    randomizeWeights(model, 8);
    // tfjs dropout draws unseeded random masks: without it the training run is the same every time.
    (model.getLayer('dropout') as unknown as { rate: number }).rate = 0;
    await trainSteps(model, { batches: (s) => bars(1000 + s, 32), steps: 60, optimizer: { kind: 'adam', learningRate: 0.01 } });
    const calibration = [0, 1, 2, 3].map((i) => bars(50 + i, 64));
    const xs = calibration.map((b) => b.xs as tf.Tensor);
    await recalibrateBatchNorm(model, xs);
    const test = bars(7, 300);
    const dense = await accuracy(model, test);
    const { masks } = await computePruning(model, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'perLayer', sparsity: { conv1: 0.7, conv2: 0.85 } } });
    applyMasks(model, masks);
    const pruned = await accuracy(model, test);
    await recalibrateBatchNorm(model, xs);
    const recalibrated = await accuracy(model, test);
    expect(dense).toBeGreaterThan(0.95);
    expect(pruned).toBeLessThan(dense - 0.2);
    expect(recalibrated).toBeGreaterThan(pruned + 0.1);
    // Recalibration touches only the moving statistics: the pruned weights stay 0.
    for (const m of Object.values(masks)) {
      const v = await findVariable(model, m.layerPath, m.weight)!.read().data();
      for (let i = 0; i < m.keep.length; i++) if (m.keep[i] === 0) expect(v[i]).toBe(0);
    }
    tf.dispose([...calibration.flatMap((b) => [b.xs as tf.Tensor, b.ys!]), test.xs as tf.Tensor, test.ys!]);
    disposeModel(model);
  });
});
