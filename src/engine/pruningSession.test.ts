// The session's rules: every step prunes the starting point, any point can be rebuilt exactly, and a
// cancelled or failed step leaves the live model as the current point describes it.
import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { PruningSession } from './pruningSession';
import { describeSettings } from './stepLabels';
import { CancelledError, UNCONTROLLED, type JobControl } from '../core/job';
import { fashionCnn, randomizeWeights } from '../core/prune/testModels';
import { captureWeights } from '../core/prune';
import type { EvalResult, PruneSettings } from './api';

const metric = (value: number): EvalResult => ({ metric: 'accuracy', subset: true, value, count: 10, ms: 1 });
const input = tf.randomUniform([4, 8, 8, 1], 0, 1, 'float32', 3);

async function session() {
  const model = fashionCnn();
  randomizeWeights(model);
  // The fake metric is the mean first-class probability on a fixed input: it moves whenever the weights do
  // (the mean over all classes would always be 1/3).
  return PruningSession.start(model, {
    evaluate: async (m) => metric(tf.tidy(() => (m.predict(input) as tf.Tensor).slice([0, 0], [-1, 1]).mean().arraySync() as number)),
  }, metric(1));
}

const global = (granularity: PruneSettings['granularity'], sparsity: number): PruneSettings => ({ granularity, criterion: 'magnitude', target: { kind: 'global', sparsity } });

describe('PruningSession', () => {
  let s: PruningSession | null = null;
  afterEach(() => s?.dispose());

  it('starts with the original as the only, current point, and counts its MACs', async () => {
    s = await session();
    expect(s.history().map((p) => p.kind)).toEqual(['original']);
    const summary = await s.summary();
    expect(summary.totals.params).toBe(s.model.countParams());
    expect(summary.totals.macs).toBeGreaterThan(0);
    expect(summary.prunable.map((l) => l.path)).toEqual(['conv1', 'conv2', 'fc1', 'fc2']);
    expect(summary.prunable.find((l) => l.path === 'fc2')!.channelLock).toMatch(/output/);
    expect(summary.prunable.find((l) => l.path === 'conv1')!.group).toMatchObject({ id: 'conv1', channels: 4, kept: 4 });
  });

  it('prunes from the starting point: lowering the target brings weights back', async () => {
    s = await session();
    const high = await s.prune(global('unstructured', 0.8), UNCONTROLLED);
    expect(high.prunableSparsity).toBeCloseTo(0.8, 2);
    const low = await s.prune(global('unstructured', 0.2), UNCONTROLLED);
    expect(low.prunableSparsity).toBeCloseTo(0.2, 2);
    expect(low.parentId).toBe(high.id);
    expect(low.label).toBe('unstructured 20% global, magnitude');
  });

  it('removes channels for real, and restoring a point rebuilds it exactly', async () => {
    s = await session();
    const original = await captureWeights(s.model);
    const before = s.current;
    const cut = await s.prune(global('channels', 0.5), UNCONTROLLED);
    const cutLayers = (await s.summary()).prunable;
    const groups = cutLayers.flatMap((l) => (l.group ? [l.group] : []));
    const total = groups.reduce((n, g) => n + g.channels, 0);
    expect(total - groups.reduce((n, g) => n + g.kept, 0)).toBe(Math.round(0.5 * total));
    expect(cut.params).toBeLessThan(before.params);
    expect(cut.macs).toBeLessThan(before.macs);
    expect(s.model.countParams()).toBe(cut.params);

    await s.restore(before.id);
    expect(s.model.countParams()).toBe(before.params);
    const back = await captureWeights(s.model);
    for (const [k, w] of Object.entries(original)) expect(back[k].values).toEqual(w.values);

    const again = await s.restore(cut.id);
    expect(again.id).toBe(cut.id);
    expect(s.model.countParams()).toBe(cut.params);
    expect((await s.summary()).prunable).toEqual(cutLayers);
  });

  it('ranks channels by the L2 norm when asked, and says so', async () => {
    s = await session();
    const l1 = await s.prune({ granularity: 'channels', criterion: 'magnitude', target: { kind: 'perLayer', sparsity: { conv1: 0.5, conv2: 0.5 } } }, UNCONTROLLED);
    expect(l1.label).toBe('channels 50% of every layer, L1 norm');
    const l2 = await s.prune({ ...l1.settings!, channelNorm: 'l2' }, UNCONTROLLED);
    expect(l2.label).toBe('channels 50% of every layer, L2 norm');
    expect(l2.params).toBe(l1.params);
  });

  it('2:4 prunes exactly half of every applicable kernel and says which it skipped', async () => {
    s = await session();
    const p = await s.prune(global('2:4', 0), UNCONTROLLED);
    // conv1 reads one input channel: there is no group of 4 along its input dimension.
    expect(p.skipped.map((x) => x.key)).toEqual(['conv1/kernel']);
    const layers = (await s.summary()).prunable;
    for (const l of layers) expect(l.sparsity).toBe(l.path === 'conv1' ? 0 : 0.5);
    expect(layers.find((l) => l.path === 'conv1')!.nmSkip).toBe('its input dimension has 1 entry, fewer than a group of 4');
    expect(p.skipped[0].reason).toBe('its input dimension has 1 entry, fewer than a group of 4');
    expect(describeSettings(p.settings!)).toBe('2:4 semi-structured, magnitude');
    // A seed given to the random criterion is named; the studio's default is not.
    expect(describeSettings({ granularity: 'unstructured', criterion: 'random', seed: 3, target: { kind: 'global', sparsity: 0.5 } })).toBe('unstructured 50% global, random, seed 3');
    expect(describeSettings({ granularity: '4:8', criterion: 'random', seed: 3, target: { kind: 'global', sparsity: 0.5 } })).toBe('4:8 semi-structured, random, seed 3');
    expect(describeSettings({ granularity: 'unstructured', criterion: 'random', target: { kind: 'global', sparsity: 0.5 } })).toBe('unstructured 50% global, random');
  });

  it('a cancelled step leaves the live model as the current point describes it', async () => {
    s = await session();
    const first = await s.prune(global('unstructured', 0.5), UNCONTROLLED);
    const weights = await captureWeights(s.model);
    const cancelAtEval: JobControl = { checkpoint: async (f) => { if (f >= 0.3) throw new CancelledError(); } };
    await expect(s.prune(global('channels', 0.5), cancelAtEval)).rejects.toThrow('Cancelled');
    expect(s.current.id).toBe(first.id);
    expect(s.history()).toHaveLength(2);
    expect(s.model.countParams()).toBe(first.params);
    const now = await captureWeights(s.model);
    for (const [k, w] of Object.entries(weights)) expect(now[k].values).toEqual(w.values);
  });

  it('Taylor takes its calibration data with the running step\'s control (progress and cancel)', async () => {
    const model = fashionCnn();
    randomizeWeights(model);
    const controls: JobControl[] = [];
    s = await PruningSession.start(model, {
      evaluate: async () => metric(0.5),
      calibration: async (_m, control) => {
        controls.push(control);
        return { batches: [{ xs: input.clone(), ys: tf.oneHot(tf.tensor1d([0, 1, 2, 0], 'int32'), 3).toFloat() }], loss: 'categoricalCrossentropy', control };
      },
    }, metric(1));
    const step: JobControl = { checkpoint: async () => {} };
    const p = await s.prune({ ...global('unstructured', 0.5), criterion: 'taylor' }, step);
    expect(p.prunableSparsity).toBeCloseTo(0.5, 2);
    expect(controls).toEqual([step]);
    expect(controls[0]).toBe(step);
  });

  it('fine-tunes with pruned weights held at 0; the result is the new starting point', async () => {
    s = await session();
    const pruned = await s.prune(global('unstructured', 0.6), UNCONTROLLED);
    const batch = (i: number) => tf.tidy(() => ({ xs: tf.randomUniform([8, 8, 8, 1], 0, 1, 'float32', i), ys: tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3).toFloat() }));
    const n0 = tf.memory().numTensors;
    const tuned = await s.finetune({ steps: 5, batch, optimizer: { kind: 'adam', learningRate: 0.01 }, label: 'fine-tuned' }, UNCONTROLLED);
    expect(tf.memory().numTensors).toBe(n0);
    expect(tuned).toMatchObject({ kind: 'finetune', baseId: tuned.id, parentId: pruned.id });
    expect(tuned.prunableSparsity).toBeCloseTo(pruned.prunableSparsity, 10);
    expect(tuned.metric.value).not.toBe(pruned.metric.value); // the weights moved
    // Pruning the fine-tuned model at the same target keeps its zeros: nothing changes but the point.
    const again = await s.prune(global('unstructured', 0.6), UNCONTROLLED);
    expect(again.baseId).toBe(tuned.id);
    expect(again.metric.value).toBe(tuned.metric.value);
    // Back to the one-shot point: its own weights, not the fine-tuned ones.
    await s.restore(pruned.id);
    expect(s.current.metric.value).toBe(pruned.metric.value);
    expect((await s.restore(tuned.id)).metric.value).toBe(tuned.metric.value);
  });

  it('a cancelled fine-tune leaves the model as it was', async () => {
    s = await session();
    await s.prune(global('unstructured', 0.5), UNCONTROLLED);
    const weights = await captureWeights(s.model);
    const batch = (i: number) => tf.tidy(() => ({ xs: tf.randomUniform([8, 8, 8, 1], 0, 1, 'float32', i), ys: tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3).toFloat() }));
    let steps = 0;
    const cancelAtTwo: JobControl = { checkpoint: async () => { if (++steps === 2) throw new CancelledError(); } };
    await expect(s.finetune({ steps: 10, batch, optimizer: { kind: 'sgd', learningRate: 0.1 }, label: 'x' }, cancelAtTwo)).rejects.toThrow('Cancelled');
    expect(steps).toBe(2);
    expect(s.history()).toHaveLength(2);
    const now = await captureWeights(s.model);
    for (const [k, w] of Object.entries(weights)) expect(now[k].values).toEqual(w.values);
  });

  it('a failing evaluation after training rebuilds the current point (trained weights dropped)', async () => {
    const model = fashionCnn();
    randomizeWeights(model);
    let fail = false;
    s = await PruningSession.start(model, {
      evaluate: async () => {
        if (fail) throw new Error('evaluation failed');
        return metric(0.5);
      },
    }, metric(1));
    await s.prune(global('channels', 0.5), UNCONTROLLED);
    const weights = await captureWeights(s.model);
    fail = true;
    const batch = (i: number) => tf.tidy(() => ({ xs: tf.randomUniform([8, 8, 8, 1], 0, 1, 'float32', i), ys: tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3).toFloat() }));
    await expect(s.finetune({ steps: 3, batch, optimizer: { kind: 'sgd', learningRate: 0.5 }, label: 'x' }, UNCONTROLLED)).rejects.toThrow('evaluation failed');
    expect(s.history()).toHaveLength(2);
    const now = await captureWeights(s.model);
    for (const [k, w] of Object.entries(weights)) expect(now[k].values).toEqual(w.values);
  });

  it('a cancelled schedule keeps the pruning points made so far; the live model is the last of them', async () => {
    s = await session();
    const batch = (i: number) => tf.tidy(() => ({ xs: tf.randomUniform([8, 8, 8, 1], 0, 1, 'float32', i), ys: tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3).toFloat() }));
    const made: number[] = [];
    // Cancelled at the first checkpoint after the second pruning event.
    const cancelLate: JobControl = { checkpoint: async () => { if (made.length === 2) throw new CancelledError(); } };
    await expect(s.finetuneScheduled({
      steps: 8, batch, optimizer: { kind: 'sgd', learningRate: 0.1 }, label: 'x',
      events: [{ atStep: 2, sparsity: 0.3 }, { atStep: 4, sparsity: 0.6 }], granularity: 'unstructured', criterion: 'magnitude', kindLabel: 'Iterative',
      onPoint: (p) => { made.push(p.id); },
    }, cancelLate)).rejects.toThrow('Cancelled');
    expect(made).toHaveLength(2);
    expect(s.current.id).toBe(made[1]);
    expect(s.current.label).toBe('Iterative 2/2: unstructured 60% global, magnitude at step 4');
    const weightsAtLast = await captureWeights(s.model);
    await s.restore(0);
    await s.restore(made[1]);
    const again = await captureWeights(s.model);
    for (const [k, w] of Object.entries(weightsAtLast)) expect(again[k].values).toEqual(w.values);
  });

  it('Taylor without data says so', async () => {
    s = await session();
    await expect(s.prune({ ...global('unstructured', 0.5), criterion: 'taylor' }, UNCONTROLLED)).rejects.toThrow(
      'The Taylor criterion needs labelled data, and this model has none yet',
    );
  });

  it('does not leak tensors over prune, channel removal and restore', async () => {
    s = await session();
    await s.prune(global('unstructured', 0.5), UNCONTROLLED);
    const n0 = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      await s.prune(global('channels', 0.5), UNCONTROLLED);
      await s.prune(global('unstructured', 0.3), UNCONTROLLED);
      await s.restore(0);
    }
    await s.prune(global('unstructured', 0.5), UNCONTROLLED);
    expect(tf.memory().numTensors).toBe(n0);
  });
});
