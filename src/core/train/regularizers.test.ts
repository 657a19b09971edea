import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../data/seededRandom';
import { disposeModel } from '../graph/disposeModel';
import { listPrunableTensors } from '../graph/prunable';
import { findVariable } from '../prune/masks';
import { convKindsNet, fashionCnn, randomizeWeights } from '../prune/testModels';
import { trainSteps, type TrainBatch } from './maskedTrainer';
import { bnGammaL1, combineRegularizers, groupLasso, l1Kernels } from './regularizers';

const value = (r: (m: tf.LayersModel) => tf.Scalar, m: tf.LayersModel) => tf.tidy(() => r(m).dataSync()[0]);

function weights(model: tf.LayersModel, path: string, weight: string): { v: Float32Array; shape: number[] } {
  const lv = findVariable(model, path, weight)!;
  return { v: lv.read().dataSync() as Float32Array, shape: lv.shape.map((d) => d ?? 0) };
}

/** Σ over channels of sqrt(Σ w²), the channel of flat index i being channelOf(i). */
function groupNorms(v: Float32Array, channels: number, channelOf: (i: number) => number): number {
  const sq = new Float64Array(channels);
  for (let i = 0; i < v.length; i++) sq[channelOf(i)] += v[i] * v[i];
  return sq.reduce((s, x) => s + Math.sqrt(x + 1e-12), 0);
}

function batch(seed: number, n: number): TrainBatch {
  const rnd = mulberry32(seed);
  const x = new Float32Array(n * 64);
  for (let i = 0; i < x.length; i++) x[i] = rnd();
  const labels = Int32Array.from({ length: n }, () => Math.floor(rnd() * 3));
  return tf.tidy(() => ({ xs: tf.tensor4d(x, [n, 8, 8, 1]), ys: tf.oneHot(tf.tensor1d(labels, 'int32'), 3).toFloat() }));
}

describe('sparsity regularizers', () => {
  it('l1Kernels is strength × Σ|w| over the prunable kernels only', () => {
    const model = fashionCnn();
    randomizeWeights(model, 2);
    let sum = 0;
    for (const t of listPrunableTensors(model)) for (const x of weights(model, t.layerPath, t.weight).v) sum += Math.abs(x);
    expect(value(l1Kernels(0.01), model)).toBeCloseTo(0.01 * sum, 3);
    let fc1 = 0;
    for (const x of weights(model, 'fc1', 'kernel').v) fc1 += Math.abs(x);
    expect(value(l1Kernels(1, { layers: ['fc1'] }), model)).toBeCloseTo(fc1, 3);
    disposeModel(model);
  });

  it('groupLasso sums output-channel norms, with the right channel axis for each kernel kind', () => {
    const model = convKindsNet();
    randomizeWeights(model, 3);
    // conv [kh, kw, in, out]: channel = i % out. depthwise [kh, kw, in, mult]: channel = i % (in·mult).
    // separable pointwise [1, 1, in, out]: i % out. transpose [kh, kw, out, in]: floor(i / in) % out.
    const conv = weights(model, 'conv', 'kernel');
    const dw = weights(model, 'depthwise', 'depthwise_kernel');
    const pw = weights(model, 'separable', 'pointwise_kernel');
    const tr = weights(model, 'transpose', 'kernel');
    const out = weights(model, 'out', 'kernel');
    const last = (w: { v: Float32Array; shape: number[] }) => groupNorms(w.v, w.shape[w.shape.length - 1], (i) => i % w.shape[w.shape.length - 1]);
    const dwChannels = dw.shape[2] * dw.shape[3];
    const trIn = tr.shape[3];
    const trOut = tr.shape[2];
    const expected = last(conv) + groupNorms(dw.v, dwChannels, (i) => i % dwChannels) + last(pw) + groupNorms(tr.v, trOut, (i) => Math.floor(i / trIn) % trOut) + last(out);
    expect(value(groupLasso(1), model)).toBeCloseTo(expected, 3);
    // Restricted to one layer: only that layer's part (Conv2DTranspose groups along its second-last axis).
    expect(value(groupLasso(2, { layers: ['transpose'] }), model)).toBeCloseTo(2 * groupNorms(tr.v, trOut, (i) => Math.floor(i / trIn) % trOut), 3);
    disposeModel(model);
  });

  it('bnGammaL1 is strength × Σ|γ| of BatchNorm layers', () => {
    const model = fashionCnn();
    randomizeWeights(model, 2);
    let sum = 0;
    for (const p of ['bn1', 'bn2']) for (const x of weights(model, p, 'gamma').v) sum += Math.abs(x);
    expect(value(bnGammaL1(0.5), model)).toBeCloseTo(0.5 * sum, 4);
    expect(value(combineRegularizers(bnGammaL1(0.5), bnGammaL1(0.25)), model)).toBeCloseTo(0.75 * sum, 4);
    disposeModel(model);
  });

  it('training with a penalty shrinks what it penalises far more than training without', async () => {
    const run = async (penalty?: (m: tf.LayersModel) => tf.Scalar) => {
      const model = fashionCnn();
      randomizeWeights(model, 6);
      await trainSteps(model, { batches: (s) => batch(s, 8), steps: 30, optimizer: { kind: 'adam', learningRate: 0.02 }, regularizer: penalty });
      const r = { gamma: value(bnGammaL1(1), model), groups: value(groupLasso(1, { layers: ['conv1', 'conv2'] }), model) };
      disposeModel(model);
      return r;
    };
    const plain = await run();
    const slim = await run(bnGammaL1(0.5));
    const grouped = await run(groupLasso(0.5, { layers: ['conv1', 'conv2'] }));
    expect(slim.gamma).toBeLessThan(0.6 * plain.gamma);
    expect(grouped.groups).toBeLessThan(0.6 * plain.groups);
  });

  it('refuses a negative strength', () => {
    expect(() => l1Kernels(-1)).toThrow(/strength/);
  });
});
