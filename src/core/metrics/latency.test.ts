import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { measureLatency, quantile } from './latency';
import { CancelledError } from '../job';

describe('measureLatency', () => {
  it('times single predictions after warm-up and leaks no tensors', async () => {
    const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [32], units: 64, activation: 'relu' }), tf.layers.dense({ units: 4 })] });
    const x = tf.ones([1, 32]);
    const before = tf.memory().numTensors;
    const r = await measureLatency(m, x, { warmup: 2, runs: 9 });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.runs).toBe(9);
    expect(r.medianMs).toBeGreaterThan(0);
    expect(r.p90Ms).toBeGreaterThanOrEqual(r.medianMs);
    x.dispose();
  });

  it('stops on cancel between runs', async () => {
    const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] });
    const x = tf.ones([1, 2]);
    let calls = 0;
    const control = { checkpoint: async () => { if (++calls === 3) throw new CancelledError(); } };
    await expect(measureLatency(m, x, { warmup: 1, runs: 10, control })).rejects.toThrow('Cancelled');
    expect(calls).toBe(3);
    x.dispose();
  });

  it('quantile interpolates between sorted samples', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([5], 0.9)).toBe(5);
  });
});
