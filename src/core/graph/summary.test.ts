import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { layerParamCount, modelStats } from './summary';

function cnnWithBatchNorm() {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, padding: 'same', name: 'conv1' }));
  m.add(tf.layers.batchNormalization({ name: 'bn1' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }));
  m.add(tf.layers.separableConv2d({ filters: 6, kernelSize: 3, name: 'sep' }));
  m.add(tf.layers.depthwiseConv2d({ kernelSize: 1, depthMultiplier: 2, name: 'dw' }));
  m.add(tf.layers.flatten({ name: 'flat' }));
  m.add(tf.layers.dense({ units: 3, name: 'out' }));
  return m;
}

function residualFunctional() {
  const input = tf.input({ shape: [6] });
  const a = tf.layers.dense({ units: 6, name: 'a' }).apply(input) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: 'add' }).apply([input, a]) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, useBias: false, name: 'head' }).apply(sum) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

function recurrentAndEmbedding() {
  const m = tf.sequential();
  m.add(tf.layers.embedding({ inputDim: 20, outputDim: 5, inputLength: 7, name: 'emb' }));
  m.add(tf.layers.lstm({ units: 4, returnSequences: true, name: 'lstm' }));
  m.add(tf.layers.gru({ units: 3, name: 'gru' }));
  m.add(tf.layers.dense({ units: 2, name: 'out' }));
  return m;
}

function nestedTeachableMachineStyle() {
  const inner = tf.sequential({ name: 'features' });
  inner.add(tf.layers.dense({ inputShape: [5], units: 4, name: 'inner_dense' }));
  const outer = tf.sequential();
  outer.add(inner);
  outer.add(tf.layers.dense({ units: 3, name: 'classifier' }));
  return outer;
}

const MODELS = { cnnWithBatchNorm, residualFunctional, recurrentAndEmbedding, nestedTeachableMachineStyle };

describe('parameter counts', () => {
  for (const [name, build] of Object.entries(MODELS)) {
    it(`per-layer counts equal tfjs countParams: ${name}`, async () => {
      const model = build();
      for (const layer of model.layers) expect(layerParamCount(layer), layer.name).toBe(layer.countParams());
      const stats = await modelStats(model);
      expect(stats.totals.params).toBe(model.countParams());
      model.dispose();
    });
  }

  it('matches hand-computed values for the CNN', async () => {
    const model = cnnWithBatchNorm();
    const byName = Object.fromEntries((await modelStats(model)).layers.map((l) => [l.name, l]));
    expect(byName.conv1.params).toBe(3 * 3 * 1 * 4 + 4); // kernel + bias
    expect(byName.bn1.params).toBe(4 * 4); // gamma, beta, moving mean, moving variance
    expect(byName.sep.params).toBe(3 * 3 * 4 + 4 * 6 + 6); // depthwise + pointwise + bias
    expect(byName.dw.params).toBe(1 * 1 * 6 * 2 + 12);
    expect(byName.out.params).toBe(2 * 2 * 12 * 3 + 3);
    expect(byName.out.outputShape).toEqual([null, 3]);
    expect(byName.conv1.bytes).toBe(40 * 4);
    expect(byName.pool1.params).toBe(0);
    expect(byName.conv1.prunable).toBe(true);
    expect(byName.bn1.prunable).toBe(false);
    model.dispose();
  });
});

describe('nonzero counts and sparsity', () => {
  it('counts exact zeros per layer and in total', async () => {
    const model = residualFunctional();
    const a = model.getLayer('a');
    const [kernel, bias] = a.getWeights();
    const zeroed = tf.tidy(() => kernel.mul(tf.tensor1d([0, 1, 1, 1, 1, 1]).reshape([6, 1])));
    a.setWeights([zeroed, bias]); // bias is initialised to zeros: 6 more zeros
    zeroed.dispose();
    const stats = await modelStats(model);
    const row = stats.layers.find((l) => l.name === 'a')!;
    expect(row.params).toBe(42);
    expect(row.nonzero).toBe(42 - 6 - 6);
    expect(row.sparsity).toBeCloseTo(12 / 42, 10);
    expect(stats.totals.nonzero).toBe(stats.totals.params - 12);
    model.dispose();
  });

  it('does not leak or dispose live weights', async () => {
    const model = cnnWithBatchNorm();
    const before = tf.memory().numTensors;
    await modelStats(model);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => model.predict(tf.zeros([1, 8, 8, 1]))).not.toThrow();
    model.dispose();
  });
});
