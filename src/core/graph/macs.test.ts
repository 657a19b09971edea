import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { countModel, type ModelCounts } from './macs';
import { disposeModel } from './disposeModel';
import { listPrunableTensors } from './prunable';
import { applyMasks } from '../prune/masks';
import { importanceScores } from '../prune/importance';
import { unstructuredMasks } from '../prune/unstructured';
import { convKindsNet, fashionCnn, fashionMlp, randomizeWeights, recurrentNet, teachableMachineNet } from '../prune/testModels';

function byPath(c: ModelCounts) {
  return Object.fromEntries(c.layers.map((l) => [l.path, l]));
}

describe('parameter and MAC counts equal hand-computed values', () => {
  it('small CNN (fashion-cnn shape: 8x8x1, conv 4 and 6, fc 8, 3 classes)', async () => {
    const model = fashionCnn(8, [4, 6], 8, 3);
    const c = await countModel(model);
    const l = byPath(c);
    expect([l.conv1.params, l.bn1.params, l.conv2.params, l.bn2.params, l.fc1.params, l.fc2.params]).toEqual([3 * 3 * 1 * 4 + 4, 4 * 4, 3 * 3 * 4 * 6 + 6, 6 * 4, 24 * 8 + 8, 8 * 3 + 3]);
    // conv: output positions x kernel size ('same' keeps 8x8, pooling halves); BN: one MAC per output element.
    expect(l.conv1.macs).toBe(8 * 8 * (3 * 3 * 1 * 4));
    expect(l.bn1.macs).toBe(8 * 8 * 4);
    expect(l.conv2.macs).toBe(4 * 4 * (3 * 3 * 4 * 6));
    expect(l.bn2.macs).toBe(4 * 4 * 6);
    expect(l.fc1.macs).toBe(24 * 8);
    expect(l.fc2.macs).toBe(8 * 3);
    expect(l.pool1.macs).toBe(0);
    expect(c.totals.params).toBe(529);
    expect(c.totals.params).toBe(model.countParams());
    expect(c.totals.macs).toBe(2304 + 256 + 3456 + 96 + 192 + 24);
    expect(c.totals.prunableParams).toBe(36 + 216 + 192 + 24);
    expect(c.totals.unknownMacs).toEqual([]);
    disposeModel(model);
  });

  it('MLP (fashion-mlp shape: 16 -> 12 -> 8 -> 3)', async () => {
    const model = fashionMlp(4, [12, 8], 3);
    const c = await countModel(model);
    const l = byPath(c);
    expect([l.fc1.params, l.fc2.params, l.fc3.params]).toEqual([204, 104, 27]);
    expect([l.fc1.macs, l.fc2.macs, l.fc3.macs]).toEqual([192, 96, 24]);
    expect(c.totals).toMatchObject({ params: 335, macs: 312 });
    disposeModel(model);
  });

  it('depthwise, separable (with stride-free 1x1), transposed conv (stride 2)', async () => {
    const model = convKindsNet();
    const l = byPath(await countModel(model));
    expect(l.conv.macs).toBe(4 * 4 * (3 * 3 * 2 * 4)); // valid: 6x6 -> 4x4
    expect(l.depthwise.macs).toBe(2 * 2 * (3 * 3 * 4 * 2)); // 4x4 -> 2x2, multiplier 2
    expect(l.separable.macs).toBe(2 * 2 * (8 + 8 * 6)); // depthwise 1x1x8x1 + pointwise 8x6
    expect(l.transpose.macs).toBe(2 * 2 * (3 * 3 * 3 * 6)); // every input pixel times the whole kernel
    expect(l.out.macs).toBe(5 * 5 * 3 * 2);
    expect([l.conv.params, l.depthwise.params, l.separable.params, l.transpose.params]).toEqual([76, 80, 62, 165]);
    disposeModel(model);
  });

  it('embedding and recurrent layers (per time step: kernel + recurrent kernel)', async () => {
    const model = recurrentNet();
    const l = byPath(await countModel(model));
    expect(l.emb.macs).toBe(0);
    expect(l.lstm.macs).toBe(5 * (6 * 16 + 4 * 16));
    expect(l.gru.macs).toBe(5 * (4 * 12 + 4 * 12));
    expect(l.bilstm.macs).toBe(2 * 5 * (4 * 12 + 3 * 12));
    expect(l.rnn.macs).toBe(5 * (6 * 3 + 3 * 3));
    expect([l.emb.params, l.lstm.params, l.gru.params, l.bilstm.params, l.rnn.params]).toEqual([120, 176, 108, 192, 30]);
    disposeModel(model);
  });

  it('nested models are counted by inner layer, and nonzero counts follow the masks', async () => {
    const model = teachableMachineNet();
    randomizeWeights(model, 2);
    const before = await countModel(model);
    expect(before.layers.map((l) => l.path)).toEqual([
      'features/conv_1', 'features/conv_1_bn', 'features/conv_1_relu', 'features/conv_2', 'features/gap', 'head/dense_1', 'head/dense_2',
    ]);
    expect(before.totals.params).toBe(model.countParams());
    expect(byPath(before)['features/conv_2'].macs).toBe(2 * 2 * 3 * 3 * 4 * 6);

    const tensors = listPrunableTensors(model);
    applyMasks(model, unstructuredMasks(tensors, await importanceScores(model, tensors, { criterion: 'magnitude' }), { kind: 'perLayer', sparsity: { 'head/dense_1': 0.5 } }));
    const after = byPath(await countModel(model));
    expect(after['head/dense_1'].prunableNonzero).toBe(15);
    expect(after['head/dense_1'].nonzeroMacs).toBe(15);
    expect(after['head/dense_1'].macs).toBe(30);
    disposeModel(model);
  });

  it('reports MACs as unknown when the input size is not fixed', async () => {
    const input = tf.input({ shape: [null, null, 3] as unknown as number[] });
    const out = tf.layers.conv2d({ filters: 2, kernelSize: 3, name: 'c' }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const c = await countModel(model);
    expect(c.totals.unknownMacs).toEqual(['c']);
    expect(byPath(c).c.macs).toBeNull();
    disposeModel(model);
  });
});
