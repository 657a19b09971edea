import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildDependencyGraph } from '../graph/dependencyGraph';
import { disposeModel } from '../graph/disposeModel';
import { listPrunableTensors } from '../graph/prunable';
import { channelImportance } from './channelImportance';
import { importanceScores, randomScores } from './importance';
import { unstructuredMasks } from './unstructured';
import { fashionCnn, fashionMlp, randomizeWeights } from './testModels';

describe('Taylor importance', () => {
  it('differs from magnitude where a large weight sees no input', async () => {
    // y = w0 * x0 + w1 * x1 with x0 = 0 and x1 = 10: w0 is large but useless, w1 small but used.
    const model = tf.sequential();
    model.add(tf.layers.dense({ inputShape: [2], units: 1, useBias: false, name: 'd' }));
    const k = tf.tensor2d([[1], [0.1]]);
    model.getLayer('d').setWeights([k]);
    const xs = tf.tensor2d([[0, 10], [0, 10]]);
    const ys = tf.zeros([2, 1]);
    const tensors = listPrunableTensors(model);
    const before = tf.memory().numTensors;

    const magnitude = await importanceScores(model, tensors, { criterion: 'magnitude' });
    const taylor = await importanceScores(model, tensors, { criterion: 'taylor', taylor: { batches: [{ xs, ys }], loss: 'meanSquaredError' } });
    expect(Array.from(magnitude.byKey['d/kernel'])).toEqual([1, expect.closeTo(0.1, 6)]);
    // dL/dw1 = 2 * (0.1 * 10 - 0) * 10 = 20, so |w1 g1| = 2; dL/dw0 = 0.
    expect(taylor.byKey['d/kernel'][0]).toBe(0);
    expect(taylor.byKey['d/kernel'][1]).toBeCloseTo(2, 4);

    const half = { kind: 'perLayer' as const, sparsity: { d: 0.5 } };
    expect(Array.from(unstructuredMasks(tensors, magnitude, half)['d/kernel'].keep)).toEqual([1, 0]);
    expect(Array.from(unstructuredMasks(tensors, taylor, half)['d/kernel'].keep)).toEqual([0, 1]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([k, xs, ys]);
    disposeModel(model);
  });

  it('reaches frozen layers and restores their trainable flag', async () => {
    const model = fashionMlp();
    randomizeWeights(model, 5);
    const xs = tf.randomUniform([4, 4, 4, 1], 0, 1, 'float32', 2);
    // A Sequential's first predict/apply builds its inner model and marks every weight trainable
    // (tfjs behaviour): build first, then freeze.
    (model.predict(xs) as tf.Tensor).dispose();
    model.getLayer('fc1').trainable = false;
    const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
    const tensors = listPrunableTensors(model);
    const flags = model.weights.map((w) => (w.read() as tf.Variable).trainable);
    const t = await importanceScores(model, tensors, { criterion: 'taylor', taylor: { batches: [{ xs, ys }, { xs, ys }] } });
    expect(t.byKey['fc1/kernel'].some((v) => v > 0)).toBe(true);
    expect(model.getLayer('fc1').trainable).toBe(false);
    expect(model.weights.map((w) => (w.read() as tf.Variable).trainable)).toEqual(flags);
    tf.dispose([xs, ys]);
    disposeModel(model);
  });
});

describe('random importance', () => {
  it('is reproducible from its seed and independent of the other tensors', () => {
    const refs = [
      { key: 'a/kernel', layerPath: 'a', weight: 'kernel', shape: [4, 3] },
      { key: 'b/kernel', layerPath: 'b', weight: 'kernel', shape: [3, 2] },
    ];
    const one = randomScores(refs, 7);
    const again = randomScores(refs, 7);
    const other = randomScores(refs, 8);
    const alone = randomScores([refs[1]], 7);
    expect(Array.from(one.byKey['a/kernel'])).toEqual(Array.from(again.byKey['a/kernel']));
    expect(Array.from(one.byKey['b/kernel'])).toEqual(Array.from(alone.byKey['b/kernel']));
    expect(Array.from(one.byKey['a/kernel'])).not.toEqual(Array.from(other.byKey['a/kernel']));
    expect(one.byKey['a/kernel'].every((v) => v >= 0 && v < 1)).toBe(true);
  });
});

describe('channel group importance', () => {
  function twoDense() {
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [2], units: 3, name: 'a' }));
    m.add(tf.layers.dense({ units: 2, name: 'b' }));
    const ws = [tf.tensor2d([[1, -2, 0], [3, 0.5, 0]]), tf.tensor1d([9, 9, 9]), tf.tensor2d([[1, 1], [-1, 0], [0, 2]]), tf.tensor1d([0, 0])];
    m.getLayer('a').setWeights(ws.slice(0, 2));
    m.getLayer('b').setWeights(ws.slice(2));
    tf.dispose(ws);
    return m;
  }

  it('L1 and L2 sum the producer columns and the consumer rows (biases excluded)', async () => {
    const model = twoDense();
    const dep = buildDependencyGraph(model);
    const l1 = await channelImportance(model, dep, { criterion: 'l1' });
    const l2 = await channelImportance(model, dep, { criterion: 'l2' });
    // channel 0: a[:,0] = (1, 3), b[0,:] = (1, 1); channel 1: (-2, 0.5), (-1, 0); channel 2: (0, 0), (0, 2).
    expect(Array.from(l1.a)).toEqual([6, 3.5, 2]);
    expect(l2.a[0]).toBeCloseTo(Math.sqrt(12), 10);
    expect(l2.a[1]).toBeCloseTo(Math.sqrt(5.25), 10);
    expect(l2.a[2]).toBeCloseTo(2, 10);
    expect(l1.b).toBeUndefined(); // the output group is locked
    const magnitude = await channelImportance(model, dep, { criterion: 'magnitude' });
    expect(Array.from(magnitude.a)).toEqual(Array.from(l1.a));
    disposeModel(model);
  });

  it('random is seeded; taylor is zero for a channel whose weights are zero', async () => {
    const model = fashionCnn();
    randomizeWeights(model, 8);
    const conv1 = model.getLayer('conv1');
    const [k, b] = conv1.getWeights();
    const zeroed = tf.tidy(() => k.mul(tf.tensor1d([0, 1, 1, 1])));
    conv1.setWeights([zeroed, b]);
    zeroed.dispose();
    const bn = model.getLayer('bn1');
    const [gamma, ...rest] = bn.getWeights();
    const g0 = tf.tidy(() => gamma.mul(tf.tensor1d([0, 1, 1, 1])));
    bn.setWeights([g0, ...rest]);
    g0.dispose();
    const conv2 = model.getLayer('conv2');
    const [k2, b2] = conv2.getWeights();
    const z2 = tf.tidy(() => k2.mul(tf.tensor1d([0, 1, 1, 1]).reshape([1, 1, 4, 1])));
    conv2.setWeights([z2, b2]);
    z2.dispose();

    const dep = buildDependencyGraph(model);
    const r1 = await channelImportance(model, dep, { criterion: 'random', seed: 3 });
    const r2 = await channelImportance(model, dep, { criterion: 'random', seed: 3 });
    expect(Array.from(r1.conv1)).toEqual(Array.from(r2.conv1));
    const xs = tf.randomUniform([4, 8, 8, 1], 0, 1, 'float32', 1);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 0], 'int32'), 3);
    const before = tf.memory().numTensors;
    const taylor = await channelImportance(model, dep, { criterion: 'taylor', taylor: { batches: [{ xs, ys }] } });
    expect(tf.memory().numTensors).toBe(before);
    expect(taylor.conv1[0], Array.from(taylor.conv1).join()).toBe(0);
    // (another channel may be zero too when ReLU silences it on this batch; not all of them)
    expect(taylor.conv1.some((v) => v > 0), Array.from(taylor.conv1).join()).toBe(true);
    tf.dispose([xs, ys]);
    disposeModel(model);
  });
});
