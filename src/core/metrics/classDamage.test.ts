import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { confusionChange, confusionMatrix, flippedExamples, perClassAccuracy } from './classDamage';
import { predictOutputs, predictedClasses, scoresOf } from './predictions';
import { meanAbsoluteError, rSquared } from './regression';

/** x (2 features) -> Dense(3, softmax): logits [x0, x1, -x0 - x1] + bias [0, 0.1, 0]. */
function classifier(kernel: number[][]): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [2], units: 3, activation: 'softmax' }));
  m.setWeights([tf.tensor2d(kernel), tf.tensor1d([0, 0.1, 0])]);
  return m;
}

const original = classifier([[1, 0, -1], [0, 1, -1]]);
// The "pruned" model: the third class's weights cut to zero.
const current = classifier([[1, 0, 0], [0, 1, 0]]);
const inputs = [[2, 0], [0, 2], [-1, -1], [1, 0.5], [-2, 0.5], [0.5, -2]];
const labels = [0, 1, 2, 0, 1, 2];
afterAll(() => [original, current].forEach((m) => m.dispose()));

async function predict(model: tf.LayersModel) {
  const x = tf.tensor2d(inputs);
  const outputs = await predictOutputs(model, inputs.length, (s, e) => x.slice(s, e - s), undefined, 4);
  x.dispose();
  return { outputs, classes: predictedClasses(outputs) };
}

describe('per-class damage on a known pair of tiny models', () => {
  it('predicts in batches, keeping every score', async () => {
    const { outputs, classes } = await predict(original);
    expect(Array.from(classes)).toEqual([0, 1, 2, 0, 2, 2]);
    expect([outputs.count, outputs.units]).toEqual([6, 3]);
    const s = scoresOf(outputs, 4);
    expect(s.length).toBe(3);
    expect(s[0] + s[1] + s[2]).toBeCloseTo(1, 5);
  });

  it('gives the confusion-matrix change current − original', async () => {
    const o = (await predict(original)).classes;
    const c = (await predict(current)).classes;
    expect(Array.from(c)).toEqual([0, 1, 2, 0, 1, 0]);
    expect(Array.from(confusionMatrix(labels, o, 3))).toEqual([2, 0, 0, 0, 1, 1, 0, 0, 2]);
    expect(Array.from(confusionMatrix(labels, c, 3))).toEqual([2, 0, 0, 0, 2, 0, 1, 0, 1]);
    expect(Array.from(confusionChange(labels, o, c, 3))).toEqual([0, 0, 0, 0, 1, -1, 1, 0, -1]);
  });

  it('lists classes most hurt first, and the flipped examples both ways', async () => {
    const o = (await predict(original)).classes;
    const c = (await predict(current)).classes;
    const rows = perClassAccuracy(labels, o, c, ['a', 'b', 'c']);
    expect(rows).toEqual([
      { class: 2, name: 'c', count: 2, original: 1, current: 0.5, change: -0.5 },
      { class: 0, name: 'a', count: 2, original: 1, current: 1, change: 0 },
      { class: 1, name: 'b', count: 2, original: 0.5, current: 1, change: 0.5 },
    ]);
    const indices = [10, 11, 12, 13, 14, 15];
    expect(flippedExamples(indices, labels, o, c)).toEqual({
      broken: [{ index: 15, label: 2, original: 2, current: 0 }],
      fixed: [{ index: 14, label: 1, original: 2, current: 1 }],
    });
  });

  it('reads one sigmoid unit as class 1 above 0.5', () => {
    expect(Array.from(predictedClasses({ count: 3, units: 1, values: Float32Array.of(0.2, 0.7, 0.5) }))).toEqual([0, 1, 0]);
  });
});

describe('regression metrics', () => {
  it('gives MAE and R²', () => {
    expect(meanAbsoluteError([1, 2, 3], [1, 3, 1])).toBe(1);
    expect(rSquared([1, 2, 3], [1, 2, 3])).toBe(1);
    expect(rSquared([1, 2, 3], [2, 2, 2])).toBe(0);
    expect(rSquared([1, 2, 3], [3, 2, 1])).toBe(-3);
    expect(rSquared([2, 2], [2, 2])).toBe(1);
    expect(() => meanAbsoluteError([1], [])).toThrow();
  });
});
