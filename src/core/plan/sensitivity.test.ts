import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { CancelledError, type JobControl } from '../job';
import { mulberry32 } from '../data/seededRandom';
import { applyMasks, captureWeights, computePruning, restoreWeights, type WeightSnapshot } from '../prune';
import { disposeModel } from '../graph/disposeModel';
import { fashionCnn, randomizeWeights } from '../prune/testModels';
import { robustness, scanSensitivity, type Evaluate } from '.';

type ST = tf.SymbolicTensor;

/** Seeded inputs for a model's (fixed) input shape. */
function inputsFor(model: tf.LayersModel, n = 16, seed = 3): tf.Tensor {
  const shape = [n, ...(model.inputs[0].shape.slice(1) as number[])];
  const rnd = mulberry32(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => rnd() * 2 - 1), shape);
}

/**
 * A continuous stand-in for accuracy: 1 - mean |y - y_original| on fixed inputs. It moves with every
 * weight, so two different pruned models practically never score the same.
 */
function fidelity(model: tf.LayersModel): { evaluate: Evaluate; dispose: () => void } {
  const xs = inputsFor(model);
  const reference = model.predict(xs) as tf.Tensor;
  return {
    evaluate: async (m) => 1 - tf.tidy(() => tf.abs(tf.sub(m.predict(xs) as tf.Tensor, reference)).mean().dataSync()[0]),
    dispose: () => tf.dispose([xs, reference]),
  };
}

function expectSameWeights(after: WeightSnapshot, before: WeightSnapshot) {
  expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
  for (const [key, w] of Object.entries(before)) expect(after[key].values, key).toEqual(w.values);
}

/** Two convs feed an Add: their filters are coupled channel by channel. */
function addNet(): tf.LayersModel {
  const input = tf.input({ shape: [5, 5, 2], name: 'image' });
  const a = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'branch_a' }).apply(input) as ST;
  const b = tf.layers.conv2d({ filters: 4, kernelSize: 1, name: 'branch_b' }).apply(input) as ST;
  const sum = tf.layers.add({ name: 'sum' }).apply([a, b]) as ST;
  const act = tf.layers.activation({ activation: 'relu', name: 'relu' }).apply(sum) as ST;
  const pooled = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(act) as ST;
  const out = tf.layers.dense({ units: 3, name: 'logits' }).apply(pooled) as ST;
  const model = tf.model({ inputs: input, outputs: out, name: 'add_net' });
  randomizeWeights(model, 11);
  return model;
}

function miniCnn(): tf.LayersModel {
  const model = fashionCnn();
  randomizeWeights(model, 5);
  return model;
}

/** Output channels of a conv kernel [h, w, in, out] that are entirely zero. */
async function zeroFilters(model: tf.LayersModel, layer: string): Promise<number[]> {
  const k = model.getLayer(layer).getWeights()[0];
  const [, , , out] = k.shape;
  const v = (await k.data()) as Float32Array;
  const zero: number[] = [];
  for (let c = 0; c < out; c++) {
    let all = true;
    for (let i = c; i < v.length; i += out) if (v[i] !== 0) all = false;
    if (all) zero.push(c);
  }
  return zero;
}

describe('scanSensitivity', () => {
  it('unstructured: one curve per layer at the real fractions, one evaluation per distinct mask, model restored bit for bit', async () => {
    const model = miniCnn();
    const before = await captureWeights(model);
    const { evaluate, dispose } = fidelity(model);
    let calls = 0;
    const ladder = [0.1, 0.2, 0.5, 0.9];
    const scan = await scanSensitivity(model, { granularity: 'unstructured', criterion: 'magnitude', ladder, evaluate: async (m, c) => (calls++, evaluate(m, c)) });
    expect(scan.units.map((u) => [u.id, u.params])).toEqual([['conv1', 36], ['conv2', 216], ['fc1', 192], ['fc2', 24]]);
    expect(scan.baseline).toBe(1);
    for (const u of scan.units) {
      expect(u.layers).toEqual([u.id]);
      expect(u.curve.map((p) => p.ladder)).toEqual(ladder);
      expect(u.curve.map((p) => p.sparsity)).toEqual(ladder.map((s) => Math.round(s * u.params) / u.params));
      expect(u.macs).toBeGreaterThan(0);
    }
    // conv1 (36 weights) at 10% and 20%: 4 and 7 weights, distinct; fc2 (24): 2 and 5. All distinct here.
    expect(calls).toBe(1 + 4 * ladder.length);
    expect(scan.evaluations).toBe(calls);
    expect(scan.ranking).toHaveLength(4);
    expectSameWeights(await captureWeights(model), before);
    dispose();
    disposeModel(model);
  });

  it('equal counts on a tiny layer share one measurement', async () => {
    const model = miniCnn();
    const { evaluate, dispose } = fidelity(model);
    // fc2 has 24 weights: 1% and 2% both prune 0 (no evaluation), 3% and 4% both prune 1 (one).
    const scan = await scanSensitivity(model, { granularity: 'unstructured', criterion: 'magnitude', ladder: [0.01, 0.02, 0.03, 0.04], units: ['fc2'], evaluate });
    expect(scan.evaluations).toBe(1 + 1);
    expect(scan.units[0].curve.map((p) => p.metric)).toEqual([1, 1, scan.units[0].curve[2].metric, scan.units[0].curve[2].metric]);
    expect(scan.units[0].curve[2].metric).toBeLessThan(1);
    dispose();
    disposeModel(model);
  });

  for (const [granularity, criterion, unit] of [
    ['unstructured', 'magnitude', 'conv2'], ['unstructured', 'random', 'fc1'], ['unstructured', 'taylor', 'conv1'],
    ['channels', 'magnitude', 'conv2'], ['channels', 'taylor', 'fc1'],
  ] as const) {
    it(`${granularity} ${criterion}: each measured model is exactly computePruning's for a perLayer target holding only that unit`, async () => {
      const model = miniCnn();
      const original = await captureWeights(model);
      const xs = inputsFor(model, 8, 9);
      const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3).toFloat();
      const taylor = { batches: [{ xs, ys }] };
      const seen: WeightSnapshot[] = [];
      await scanSensitivity(model, {
        granularity, criterion, taylor, seed: 4, ladder: [0.5], units: [unit], baseline: 1,
        evaluate: async (m) => (seen.push(await captureWeights(m)), 0.5),
      });
      expect(seen).toHaveLength(1);
      const r = await computePruning(model, { granularity, criterion, taylor, seed: 4, target: { kind: 'perLayer', sparsity: { [unit]: 0.5 } } });
      applyMasks(model, r.masks);
      expectSameWeights(seen[0], await captureWeights(model));
      restoreWeights(model, original);
      tf.dispose([xs, ys]);
      disposeModel(model);
    });
  }

  it('reports progress with the unit and sparsity, and cancel lands within one evaluation with the weights unchanged', async () => {
    const model = miniCnn();
    const before = await captureWeights(model);
    const { evaluate, dispose } = fidelity(model);
    let cancelled = false;
    let callsAfterCancel = 0;
    const progress: [number, string][] = [];
    const control: JobControl = {
      checkpoint: async (fraction, label) => {
        progress.push([fraction, label]);
        await new Promise((r) => setTimeout(r, 0));
        if (cancelled) throw new CancelledError();
      },
    };
    // The cancel request arrives while the second evaluation (conv1 at 40%) runs: no timers, so a
    // loaded machine cannot move it.
    let calls = 0;
    const scan = scanSensitivity(model, {
      granularity: 'unstructured', criterion: 'magnitude', ladder: [0.2, 0.4, 0.6, 0.8], control,
      evaluate: async (m, c) => {
        if (cancelled) callsAfterCancel++;
        calls++;
        const value = await evaluate(m, c);
        if (calls === 2) cancelled = true;
        return value;
      },
    });
    await expect(scan).rejects.toBeInstanceOf(CancelledError);
    expect(callsAfterCancel).toBeLessThanOrEqual(1);
    expect(progress.map((p) => p[1])).toContain('conv1 at 40%');
    expect(progress.every(([f], i) => f >= 0 && f <= 1 && (i === 0 || f >= progress[i - 1][0]))).toBe(true);
    expect(progress.length).toBeLessThan(17);
    expectSameWeights(await captureWeights(model), before);
    dispose();
    disposeModel(model);
  });

  it('cancel from inside an evaluation (it checkpoints per batch) stops before the next one', async () => {
    const model = miniCnn();
    const before = await captureWeights(model);
    let cancelled = false;
    let calls = 0;
    let callsAfterCancel = 0;
    const control: JobControl = { checkpoint: async () => { if (cancelled) throw new CancelledError(); } };
    const scan = scanSensitivity(model, {
      granularity: 'unstructured', criterion: 'magnitude', ladder: [0.3, 0.6], control,
      evaluate: async (_m, c) => {
        if (cancelled) callsAfterCancel++;
        calls++;
        if (calls === 3) cancelled = true; // the user clicks Cancel during the third evaluation
        await c.checkpoint(0.5, 'batch 1');
        return 0.5;
      },
    });
    await expect(scan).rejects.toBeInstanceOf(CancelledError);
    expect(calls).toBe(3);
    expect(callsAfterCancel).toBe(0);
    expectSameWeights(await captureWeights(model), before);
    disposeModel(model);
  });

  it('an evaluation that throws leaves the weights unchanged; a non-finite metric is an error naming the step', async () => {
    const model = miniCnn();
    const before = await captureWeights(model);
    let calls = 0;
    const scan = scanSensitivity(model, {
      granularity: 'channels', criterion: 'magnitude', ladder: [0.5],
      evaluate: async () => {
        if (++calls === 2) throw new Error('out of memory');
        return 1;
      },
    });
    await expect(scan).rejects.toThrow('out of memory');
    expectSameWeights(await captureWeights(model), before);
    await expect(scanSensitivity(model, { granularity: 'unstructured', criterion: 'magnitude', evaluate: async () => NaN })).rejects.toThrow(/evaluate returned NaN \(Baseline\)/);
    disposeModel(model);
  });

  it('channels: two convs feeding an Add are one unit, pruned together; the output layer is skipped with its reason', async () => {
    const model = addNet();
    const before = await captureWeights(model);
    const { evaluate, dispose } = fidelity(model);
    const zeroed: [number[], number[]][] = [];
    const scan = await scanSensitivity(model, {
      granularity: 'channels', criterion: 'magnitude', ladder: [0.25, 0.5, 0.75],
      evaluate: async (m, c) => {
        zeroed.push([await zeroFilters(m, 'branch_a'), await zeroFilters(m, 'branch_b')]);
        return evaluate(m, c);
      },
    });
    expect(scan.units).toHaveLength(1);
    const unit = scan.units[0];
    expect(unit.layers.sort()).toEqual(['branch_a', 'branch_b']);
    expect(unit.channels).toBe(4);
    // Both producers' filters (3*3*2 + 1*1*2 weights each) and the Dense rows that read the channel.
    expect(unit.params).toBe(4 * (18 + 2 + 3));
    expect(unit.curve.map((p) => p.sparsity)).toEqual([0.25, 0.5, 0.75]);
    expect(scan.skipped).toEqual([{ id: 'logits', layers: ['logits'], reason: expect.stringMatching(/output/) }]);
    // Baseline, then 1, 2, 3 channels: the same filters of both convs are zero every time.
    expect(zeroed.map(([a]) => a.length)).toEqual([0, 1, 2, 3]);
    for (const [a, b] of zeroed) expect(b).toEqual(a);
    expectSameWeights(await captureWeights(model), before);
    dispose();
    disposeModel(model);
  });

  it('stopBelow ends a unit early: the rest of its ladder is estimated, not measured', async () => {
    const model = miniCnn();
    const { evaluate, dispose } = fidelity(model);
    const full = await scanSensitivity(model, { granularity: 'unstructured', criterion: 'magnitude', ladder: [0.2, 0.5, 0.8, 0.95], units: ['conv1'], evaluate });
    const floor = full.units[0].curve[1].metric + 1e-9; // below it from 50% on
    const early = await scanSensitivity(model, { granularity: 'unstructured', criterion: 'magnitude', ladder: [0.2, 0.5, 0.8, 0.95], units: ['conv1'], evaluate, stopBelow: floor });
    expect(early.evaluations).toBe(full.evaluations - 2);
    expect(early.units[0].curve.map((p) => p.estimated ?? false)).toEqual([false, false, true, true]);
    expect(early.units[0].curve[3].metric).toBe(full.units[0].curve[1].metric);
    dispose();
    disposeModel(model);
  });
});

describe('robustness', () => {
  it('is the largest sparsity within the tolerance (interpolated) and the mean drop; noise never helps', () => {
    const r = robustness(0.9, [
      { sparsity: 0.2, metric: 0.91 }, // better than the baseline: counts as no drop
      { sparsity: 0.4, metric: 0.895 },
      { sparsity: 0.6, metric: 0.87 },
      { sparsity: 0.8, metric: 0.88 }, // a lucky bounce: the drop stays at its worst so far, 0.03
    ], 0.01);
    expect(r.maxSparsity).toBeCloseTo(0.44, 12);
    // Drops 0, 0, 0.005, 0.03, 0.03 at 0, .2, .4, .6, .8: area (0 + 0.0005 + 0.0035 + 0.006) / 0.8.
    expect(r.area).toBeCloseTo(0.01 / 0.8, 12);
    expect(robustness(0.9, [{ sparsity: 0.5, metric: 0.9 }, { sparsity: 0.9, metric: 0.895 }], 0.01).maxSparsity).toBe(0.9);
  });
});
