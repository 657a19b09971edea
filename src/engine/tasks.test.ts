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

  const images = (count: number): LabelledImages => ({
    images: Uint8Array.from({ length: count * 28 * 28 }, (_, i) => (i * 7919) % 256),
    labels: Uint8Array.from({ length: count }, (_, i) => i % 10),
    count, height: 28, width: 28, channels: 1,
  });
  const tinyModel = () => tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10, kernelInitializer: 'glorotUniform' })] });

  it('a fast pass: the original point, the baseline and every step measure the whole held-out set', async () => {
    const set = images(700);
    const model = tinyModel();
    const task = new DemoTask(async () => set, set.count, Infinity);
    expect(task.note).toBe('accuracy on the first 500 of 700 Fashion-MNIST test images');
    const { baseline, live } = await task.baseline(model, UNCONTROLLED);
    expect(live).toEqual(baseline);
    expect(task.note).toBe('accuracy on 700 Fashion-MNIST test images');
    const step = await task.evaluate(model, UNCONTROLLED, true);
    expect({ value: step.value, count: step.count, subset: step.subset }).toEqual({ value: baseline.value, count: 700, subset: false });
    model.dispose();
  });

  it('a slow pass: the original point and every step measure the first LIVE_SUBSET, from the same pass', async () => {
    const set = images(700);
    const model = tinyModel();
    const task = new DemoTask(async () => set, set.count, -1);
    const { baseline, live } = await task.baseline(model, UNCONTROLLED);
    expect(baseline.count).toBe(700);
    expect({ count: live.count, subset: live.subset }).toEqual({ count: LIVE_SUBSET, subset: true });
    const step = await task.evaluate(model, UNCONTROLLED, true);
    expect({ value: step.value, count: step.count, subset: step.subset }).toEqual({ value: live.value, count: LIVE_SUBSET, subset: true });
    expect(task.note).toBe('accuracy on the first 500 of 700 Fashion-MNIST test images');
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
