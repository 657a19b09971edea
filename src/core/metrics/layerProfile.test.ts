import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { profileLayers } from './layerProfile';

describe('profileLayers', () => {
  it('times each layer call of a functional model with a branch, a merge and a nested model, leaking nothing', async () => {
    const inner = tf.sequential({ name: 'features', layers: [tf.layers.dense({ inputShape: [8], units: 8, name: 'inner_dense' })] });
    const x = tf.input({ shape: [16] });
    const a = tf.layers.dense({ units: 8, name: 'left' }).apply(x) as tf.SymbolicTensor;
    const b = tf.layers.dense({ units: 8, name: 'right' }).apply(x) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: 'merge' }).apply([a, b]) as tf.SymbolicTensor;
    const f = inner.apply(sum) as tf.SymbolicTensor;
    const y = tf.layers.dense({ units: 3, activation: 'softmax', name: 'head' }).apply(f) as tf.SymbolicTensor;
    const model = tf.model({ inputs: x, outputs: y });
    const input = tf.randomNormal([1, 16]);
    const before = tf.memory().numTensors;
    const profile = await profileLayers(model, input, { warmup: 1, runs: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(profile.layers.map((l) => l.path)).toEqual(['left', 'right', 'merge', 'features', 'head']);
    expect(profile.layers.map((l) => l.className)).toEqual(['Dense', 'Dense', 'Add', 'Sequential', 'Dense']);
    expect(profile.runs).toBe(3);
    for (const l of profile.layers) expect(l.ms).toBeGreaterThanOrEqual(0);
    expect(profile.layers.reduce((s, l) => s + l.share, 0)).toBeCloseTo(profile.totalMs > 0 ? 1 : 0, 6);
    input.dispose();
    model.dispose();
  });

  it('a Sequential model: one row per layer; the heavy layer takes most of the time', async () => {
    const model = tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [4], units: 4, name: 'tiny' }),
      tf.layers.dense({ units: 400, name: 'wide' }),
      tf.layers.dense({ units: 400, name: 'heavy' }),
    ] });
    const input = tf.ones([16, 4]);
    const profile = await profileLayers(model, input, { warmup: 1, runs: 5 });
    expect(profile.layers.map((l) => l.path)).toEqual(['tiny', 'wide', 'heavy']);
    // 16 × 400 × 400 MACs against 16 × 4 × 4: orders of magnitude apart, whatever else the machine does.
    const [tiny, , heavy] = profile.layers;
    expect(heavy.ms).toBeGreaterThan(tiny.ms);
    input.dispose();
    model.dispose();
  });

  it('refuses a wrong number of inputs with a message', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2 })] });
    await expect(profileLayers(model, [tf.ones([1, 4]), tf.ones([1, 4])], { warmup: 0, runs: 1 })).rejects.toThrow('profileLayers: the model takes 1 inputs, got 2');
    model.dispose();
  });
});
