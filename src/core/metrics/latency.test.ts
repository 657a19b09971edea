import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { measureLatency } from './latency';
import { CancelledError, type JobControl } from '../job';

describe('measureLatency', () => {
  it('times single predictions after warm-up, reports progress to 1 and leaks no tensors', async () => {
    const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [32], units: 64, activation: 'relu' }), tf.layers.dense({ units: 4 })] });
    const x = tf.ones([1, 32]);
    const before = tf.memory().numTensors;
    const progress: number[] = [];
    const control: JobControl = { checkpoint: async (f) => { progress.push(f); } };
    const r = await measureLatency(m, x, { warmup: 2, runs: 9, control });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.runs).toBe(9);
    expect(r.medianMs).toBeGreaterThan(0);
    expect(r.p90Ms).toBeGreaterThanOrEqual(r.medianMs);
    expect(progress).toHaveLength(11);
    expect(progress.at(-1)).toBe(1);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    x.dispose();
    m.dispose();
  });

  it('takes one tensor per input of a multi-input model and disposes every output of a multi-output one', async () => {
    const a = tf.input({ shape: [3] });
    const b = tf.input({ shape: [5] });
    const joined = tf.layers.concatenate().apply([a, b]) as tf.SymbolicTensor;
    const out1 = tf.layers.dense({ units: 2 }).apply(joined) as tf.SymbolicTensor;
    const out2 = tf.layers.dense({ units: 1 }).apply(joined) as tf.SymbolicTensor;
    const m = tf.model({ inputs: [a, b], outputs: [out1, out2] });
    const xs = [tf.ones([1, 3]), tf.ones([1, 5])];
    const before = tf.memory().numTensors;
    const r = await measureLatency(m, xs, { warmup: 1, runs: 5 });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.runs).toBe(5);
    expect(r.medianMs).toBeGreaterThan(0);
    tf.dispose(xs);
    m.dispose();
  });

  it('stops on cancel between runs without leaking', async () => {
    const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] });
    const x = tf.ones([1, 2]);
    const before = tf.memory().numTensors;
    let calls = 0;
    const control = { checkpoint: async () => { if (++calls === 3) throw new CancelledError(); } };
    await expect(measureLatency(m, x, { warmup: 1, runs: 10, control })).rejects.toThrow('Cancelled');
    expect(calls).toBe(3);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    m.dispose();
  });

  it('refuses run counts that cannot give a median', async () => {
    const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] });
    const x = tf.ones([1, 2]);
    await expect(measureLatency(m, x, { warmup: 0, runs: 0 })).rejects.toThrow('runs must be a whole number of at least 1, got 0');
    await expect(measureLatency(m, x, { warmup: -1, runs: 3 })).rejects.toThrow('warmup must be a whole number of at least 0, got -1');
    x.dispose();
    m.dispose();
  });
});
