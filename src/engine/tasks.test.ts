import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { LabelledImages } from '../core/data/fashionMnist';
import { UNCONTROLLED } from '../core/job';
import { DemoTask, LIVE_SUBSET, WHOLE_SET_BUDGET_MS, liveSetSize } from './tasks';

describe('the live set: the examples every step is measured on', () => {
  it('is the whole held-out set when a pass over it fits the budget, else its first LIVE_SUBSET', () => {
    expect(liveSetSize(WHOLE_SET_BUDGET_MS, 2000, LIVE_SUBSET)).toBe(2000);
    expect(liveSetSize(WHOLE_SET_BUDGET_MS + 1, 2000, LIVE_SUBSET)).toBe(LIVE_SUBSET);
    expect(liveSetSize(WHOLE_SET_BUDGET_MS + 1, 300, LIVE_SUBSET)).toBe(300);
  });

  it('a fast demo model: the original point, the baseline and every step measure the same examples', async () => {
    const count = 700;
    const set: LabelledImages = {
      images: Uint8Array.from({ length: count * 28 * 28 }, (_, i) => (i * 7919) % 256),
      labels: Uint8Array.from({ length: count }, (_, i) => i % 10),
      count, height: 28, width: 28, channels: 1,
    };
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10, kernelInitializer: 'glorotUniform' })] });
    const task = new DemoTask(async () => set, count);
    expect(task.note).toBe('accuracy on the first 500 of 700 Fashion-MNIST test images');
    const { baseline, live } = await task.baseline(model, UNCONTROLLED);
    expect(baseline.ms).toBeLessThanOrEqual(WHOLE_SET_BUDGET_MS); // a 7,850-weight model on 700 images
    expect(live).toEqual(baseline);
    expect(task.note).toBe('accuracy on 700 Fashion-MNIST test images');
    const step = await task.evaluate(model, UNCONTROLLED, true);
    expect({ value: step.value, count: step.count, subset: step.subset }).toEqual({ value: baseline.value, count: count, subset: false });
    model.dispose();
  });

  it('a restored session measures new steps on the examples its saved points were measured on', async () => {
    const count = 700;
    const set: LabelledImages = {
      images: new Uint8Array(count * 28 * 28), labels: Uint8Array.from({ length: count }, (_, i) => i % 10), count, height: 28, width: 28, channels: 1,
    };
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10 })] });
    const task = new DemoTask(async () => set, count);
    task.resumeLiveSet(count);
    expect((await task.evaluate(model, UNCONTROLLED, true)).count).toBe(count);
    task.resumeLiveSet(LIVE_SUBSET);
    expect((await task.evaluate(model, UNCONTROLLED, true)).count).toBe(LIVE_SUBSET);
    model.dispose();
  });
});
