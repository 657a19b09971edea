import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { listPrunableTensors, type PrunableTensor } from '../graph/prunable';
import { disposeModel } from '../graph/disposeModel';
import { importanceScores, readWeights } from './importance';
import { applyMasks } from './masks';
import { unstructuredMasks } from './unstructured';
import { conv1dNet, convKindsNet, fashionMlp, randomizeWeights, recurrentNet, teachableMachineNet } from './testModels';

const MODELS: Record<string, () => tf.LayersModel> = { mlp: () => fashionMlp(), conv1d: conv1dNet, convKinds: convKindsNet, recurrent: recurrentNet, nested: teachableMachineNet };

const zeros = (a: Float32Array) => a.reduce((n, v) => n + (v === 0 ? 1 : 0), 0);

async function zerosPerLayer(model: tf.LayersModel, tensors: PrunableTensor[]): Promise<Map<string, { zeros: number; n: number }>> {
  const w = await readWeights(model, tensors);
  const out = new Map<string, { zeros: number; n: number }>();
  for (const t of tensors) {
    const prev = out.get(t.layerPath) ?? { zeros: 0, n: 0 };
    out.set(t.layerPath, { zeros: prev.zeros + zeros(w[t.key]), n: prev.n + t.size });
  }
  return out;
}

describe('prunable tensors', () => {
  it('covers every prunable layer type, with stable nested paths', () => {
    const classes = new Set<string>();
    const keys: string[] = [];
    for (const build of Object.values(MODELS)) {
      const m = build();
      for (const t of listPrunableTensors(m)) {
        classes.add(t.layerClass);
        keys.push(t.key);
      }
      disposeModel(m);
    }
    expect([...classes].sort()).toEqual(['Bidirectional', 'Conv1D', 'Conv2D', 'Conv2DTranspose', 'Dense', 'DepthwiseConv2D', 'Embedding', 'GRU', 'LSTM', 'SeparableConv2D', 'SimpleRNN']);
    expect(keys).toEqual(expect.arrayContaining([
      'separable/depthwise_kernel', 'separable/pointwise_kernel', 'lstm/kernel', 'lstm/recurrent_kernel', 'emb/embeddings',
      'bilstm/forward_inner/kernel', 'bilstm/backward_inner/recurrent_kernel', 'features/conv_1/kernel', 'head/dense_1/kernel',
    ]));
    // Biases and BatchNorm stay dense.
    expect(keys.some((k) => /bias|gamma|beta|moving/.test(k))).toBe(false);
  });
});

describe('unstructured pruning hits exact zero counts', () => {
  for (const [name, build] of Object.entries(MODELS)) {
    it(`per layer, every target: ${name}`, async () => {
      const model = build();
      randomizeWeights(model, 1);
      const tensors = listPrunableTensors(model);
      const layers = [...new Set(tensors.map((t) => t.layerPath))];
      const targets = [0, 0.1, 0.25, 0.5, 0.73, 0.9, 1];
      const sparsity = Object.fromEntries(layers.map((l, i) => [l, targets[i % targets.length]]));
      const before = tf.memory().numTensors;
      const scores = await importanceScores(model, tensors, { criterion: 'magnitude' });
      applyMasks(model, unstructuredMasks(tensors, scores, { kind: 'perLayer', sparsity }));
      expect(tf.memory().numTensors).toBe(before);
      for (const [layer, { zeros: z, n }] of await zerosPerLayer(model, tensors)) {
        expect(z, `${layer} at ${sparsity[layer]}`).toBe(Math.round(sparsity[layer] * n));
      }
      disposeModel(model);
    });

    it(`global threshold, exact over the selection: ${name}`, async () => {
      const model = build();
      randomizeWeights(model, 2);
      const tensors = listPrunableTensors(model);
      const original = await readWeights(model, tensors);
      for (const s of [0.3, 0.6, 0.95]) {
        const scores = await importanceScores(model, tensors, { criterion: 'magnitude' });
        const masks = unstructuredMasks(tensors, scores, { kind: 'global', sparsity: s });
        applyMasks(model, masks);
        const w = await readWeights(model, tensors);
        const n = tensors.reduce((a, t) => a + t.size, 0);
        expect(tensors.reduce((a, t) => a + zeros(w[t.key]), 0)).toBe(Math.round(s * n));
        // One threshold: every pruned |w| is <= every kept |w|, across layers.
        let maxPruned = 0;
        let minKept = Infinity;
        for (const t of tensors) {
          original[t.key].forEach((v, i) => {
            if (masks[t.key].keep[i]) minKept = Math.min(minKept, Math.abs(v));
            else maxPruned = Math.max(maxPruned, Math.abs(v));
          });
        }
        expect(maxPruned).toBeLessThanOrEqual(minKept);
      }
      disposeModel(model);
    });
  }

  it('random and taylor criteria give the same exact counts', async () => {
    const model = fashionMlp();
    randomizeWeights(model, 3);
    const tensors = listPrunableTensors(model);
    const xs = tf.randomUniform([8, 4, 4, 1], 0, 1, 'float32', 1);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
    const before = tf.memory().numTensors;
    for (const criterion of ['random', 'taylor'] as const) {
      const scores = await importanceScores(model, tensors, { criterion, seed: 4, taylor: { batches: [{ xs, ys }] } });
      const masks = unstructuredMasks(tensors, scores, { kind: 'perLayer', sparsity: { fc1: 0.5, fc2: 0.3, fc3: 0.8 } });
      expect(masks['fc1/kernel'].keep.filter((k) => k === 0).length).toBe(Math.round(0.5 * 16 * 12));
      expect(masks['fc2/kernel'].keep.filter((k) => k === 0).length).toBe(Math.round(0.3 * 12 * 8));
      expect(masks['fc3/kernel'].keep.filter((k) => k === 0).length).toBe(Math.round(0.8 * 8 * 3));
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([xs, ys]);
    disposeModel(model);
  });

  it('ties are broken by position, so equal scores still give the exact count', () => {
    const t: PrunableTensor = { key: 'd/kernel', layerPath: 'd', layerClass: 'Dense', weight: 'kernel', weightIndex: 0, shape: [5, 2], size: 10 };
    const scores = { criterion: 'magnitude' as const, absolute: true, byKey: { 'd/kernel': new Float32Array([1, -1, 1, 0, -0, 1, 1, 2, 1, 1]) } };
    const keep = unstructuredMasks([t], scores, { kind: 'perLayer', sparsity: { d: 0.5 } })['d/kernel'].keep;
    // Two zeros, then the first three of the |1|s in index order.
    expect(Array.from(keep)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
  });
});
