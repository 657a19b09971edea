// The measured plan on a tiny CNN with a fake metric: every measurement sees the starting point pruned
// as planned (in place, or a smaller copy for channels), the uniform comparison is every layer at the
// plan's sparsity, and the model comes back bit for bit, also after a cancel and without leaking.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { CancelledError, type JobControl } from '../job';
import { captureWeights, type WeightSnapshot } from '../prune';
import { countModel } from '../graph/macs';
import { float32GzipBytes } from '../metrics/sizes';
import { fashionCnn, randomizeWeights } from '../prune/testModels';
import { measurePlan, scanSensitivity, withAllocation, type Evaluate } from '.';

const LADDER = [0.25, 0.5, 0.75, 0.9];

function model() {
  const m = fashionCnn();
  randomizeWeights(m);
  return m;
}

/** A fake metric that moves with the weights, and what each evaluated model looked like. */
function recording(): { evaluate: Evaluate; seen: { params: number; sparsity: Record<string, number> }[] } {
  const xs = tf.randomUniform([4, 8, 8, 1], 0, 1, 'float32', 5);
  const seen: { params: number; sparsity: Record<string, number> }[] = [];
  return {
    seen,
    evaluate: async (m) => {
      const sparsity: Record<string, number> = {};
      for (const l of (await countModel(m)).layers) if (l.prunableParams) sparsity[l.path] = 1 - l.prunableNonzero / l.prunableParams;
      seen.push({ params: m.countParams(), sparsity });
      return tf.tidy(() => (m.predict(xs) as tf.Tensor).slice([0, 0], [-1, 1]).mean().arraySync() as number);
    },
  };
}

function expectSameWeights(after: WeightSnapshot, before: WeightSnapshot) {
  for (const [key, w] of Object.entries(before)) expect(after[key].values, key).toEqual(w.values);
}

describe('measurePlan', () => {
  it('measures the plan and uniform pruning at the sparsity it reached, then puts the weights back', async () => {
    const m = model();
    const before = await captureWeights(m);
    const fake = recording();
    const scan = await scanSensitivity(m, { granularity: 'unstructured', criterion: 'magnitude', evaluate: fake.evaluate, ladder: LADDER });
    fake.seen.length = 0;
    const n0 = tf.memory().numTensors;
    const r = await measurePlan(m, scan, { kind: 'sparsity', value: 0.6 }, { evaluate: fake.evaluate });
    expect(tf.memory().numTensors).toBe(n0);
    expect(r.allocation.reached).toBe(true);
    expect(r.allocation.achieved.sparsity).toBeGreaterThanOrEqual(0.6);
    // Two measurements: the plan, then every layer at the plan's global sparsity.
    expect(fake.seen).toHaveLength(2);
    const [planned, uniform] = fake.seen;
    for (const [layer, s] of Object.entries(r.allocation.sparsity)) expect(planned.sparsity[layer], layer).toBeCloseTo(s, 1);
    expect(r.uniform.sparsity).toBe(r.allocation.achieved.sparsity);
    for (const s of Object.values(uniform.sparsity)) expect(s).toBeCloseTo(r.uniform.sparsity, 1);
    expect(r.measured.gzipBytes).toBeLessThan(await float32GzipBytes(m));
    expectSameWeights(await captureWeights(m), before);
  });

  it('a size target measures each candidate gzipped and lands at or under it', async () => {
    const m = model();
    const fake = recording();
    const scan = await scanSensitivity(m, { granularity: 'unstructured', criterion: 'magnitude', evaluate: fake.evaluate, ladder: LADDER });
    const dense = await float32GzipBytes(m);
    const target = Math.round(dense * 0.7);
    const r = await measurePlan(m, scan, { kind: 'gzipBytes', value: target }, { evaluate: fake.evaluate });
    expect(r.allocation.measures).toBeGreaterThan(0);
    expect(r.measured.gzipBytes).toBeLessThanOrEqual(target);
    expect(r.allocation.target).toEqual({ kind: 'bytes', value: target });
  });

  it('channels: each measurement reads a smaller copy; the starting point keeps its shape', async () => {
    const m = model();
    const params = m.countParams();
    const before = await captureWeights(m);
    const fake = recording();
    const scan = await scanSensitivity(m, { granularity: 'channels', criterion: 'magnitude', evaluate: fake.evaluate, ladder: LADDER });
    fake.seen.length = 0;
    const n0 = tf.memory().numTensors;
    const r = await measurePlan(m, scan, { kind: 'sparsity', value: 0.4 }, { evaluate: fake.evaluate });
    expect(tf.memory().numTensors).toBe(n0);
    expect(fake.seen.map((s) => s.params < params)).toEqual([true, true]);
    expect(m.countParams()).toBe(params);
    expectSameWeights(await captureWeights(m), before);
    expect(r.measured.metric).not.toBe(scan.baseline);
  });

  it('a cancel while measuring rejects and leaves the weights as they were', async () => {
    const m = model();
    const before = await captureWeights(m);
    const fake = recording();
    const scan = await scanSensitivity(m, { granularity: 'unstructured', criterion: 'magnitude', evaluate: fake.evaluate, ladder: LADDER });
    const labels: string[] = [];
    const control: JobControl = {
      checkpoint: async (_f, label) => {
        labels.push(label);
        if (label === 'Measuring uniform pruning at the same size') throw new CancelledError();
      },
    };
    await expect(measurePlan(m, scan, { kind: 'sparsity', value: 0.6 }, { evaluate: fake.evaluate, control })).rejects.toThrow('Cancelled');
    expect(labels).toEqual(['Planning', 'Measuring the plan', 'Measuring uniform pruning at the same size']);
    expectSameWeights(await captureWeights(m), before);
  });
});

describe('withAllocation', () => {
  it('writes the weights back when the reader throws', async () => {
    const m = model();
    const snapshot = await captureWeights(m);
    const failing = withAllocation(m, snapshot, { conv2: 0.5, fc1: 0.5 }, { granularity: 'unstructured', criterion: 'magnitude' }, async (pruned) => {
      expect((await countModel(pruned)).totals.prunableSparsity).toBeGreaterThan(0);
      throw new Error('reader failed');
    });
    await expect(failing).rejects.toThrow('reader failed');
    expectSameWeights(await captureWeights(m), snapshot);
  });
});
