import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { disposeModel } from '../graph/disposeModel';
import { applyMasks, findVariable, type MaskSet } from '../prune/masks';
import { computePruning } from '../prune/pruneRequest';
import { fashionMlp, randomizeWeights } from '../prune/testModels';
import { distillationLoss } from '../train/distillation';
import { categoricalCrossentropy, trainSteps } from '../train/maskedTrainer';
import { runPruningSchedule } from '../train/scheduledPruning';
import { syntheticBatch } from '../train/testData';
import { clusterModel, distinctCounts, type ClusterSet } from './clusterModel';
import { clusterGradients, clustersWithPruned } from './clusterTraining';

async function clusteredMlp(sparsity: number, k: number): Promise<{ model: tf.LayersModel; masks: MaskSet; clusters: ClusterSet }> {
  const model = fashionMlp();
  randomizeWeights(model, 21);
  const { masks } = await computePruning(model, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity } });
  applyMasks(model, masks);
  const clusters = await clusterModel(model, { k });
  return { model, masks, clusters };
}

async function valuesOf(model: tf.LayersModel, c: ClusterSet[string]): Promise<Float32Array> {
  return (await findVariable(model, c.layerPath, c.weight)!.read().data()) as Float32Array;
}

/** Every cluster's members share one value; pruned weights (the zero cluster) are exactly 0. Returns the shared values. */
async function expectClustersHold(model: tf.LayersModel, clusters: ClusterSet): Promise<Map<string, Float32Array>> {
  const shared = new Map<string, Float32Array>();
  for (const c of Object.values(clusters)) {
    const values = await valuesOf(model, c);
    const value = new Float32Array(c.codebook.length).fill(NaN);
    for (let i = 0; i < values.length; i++) {
      const j = c.indices[i];
      if (Number.isNaN(value[j])) value[j] = values[i];
      expect(values[i], `${c.key}[${i}] left its cluster`).toBe(value[j]);
    }
    if (c.zeroIndex >= 0) expect(value[c.zeroIndex]).toBe(0);
    shared.set(c.key, value);
  }
  const distinct = await distinctCounts(model, Object.keys(clusters));
  for (const c of Object.values(clusters)) expect(distinct[c.key]).toBeLessThanOrEqual(c.codebook.length);
  return shared;
}

describe('clusterGradients (cluster-preserving fine-tuning)', () => {
  it('after 40 Adam steps every kernel still has at most k values, members stay in their clusters, zeros stay 0, and the shared values trained', async () => {
    const { model, masks, clusters } = await clusteredMlp(0.5, 8);
    const tensorsBefore = tf.memory().numTensors;
    const result = await trainSteps(model, {
      batches: (step) => syntheticBatch(300 + step, 16, 4),
      steps: 40,
      optimizer: { kind: 'adam', learningRate: 0.01 },
      masks,
      gradientTransform: clusterGradients(clusters),
    });
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(result.losses.slice(-5).reduce((a, b) => a + b)).toBeLessThan(result.losses.slice(0, 5).reduce((a, b) => a + b));
    const shared = await expectClustersHold(model, clusters);
    let moved = 0;
    for (const c of Object.values(clusters)) for (let j = 0; j < c.codebook.length; j++) if (shared.get(c.key)![j] !== c.codebook[j]) moved++;
    expect(moved).toBeGreaterThan(10);
    disposeModel(model);
  });

  it('the summed gradients alone make Adam move every member identically (no projection needed)', async () => {
    const { model, clusters } = await clusteredMlp(0.5, 8);
    const run = await clusterGradients(clusters).start(model);
    const optimizer: tf.Optimizer = tf.train.adam(0.02);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    for (let step = 0; step < 10; step++) {
      const batch = syntheticBatch(40 + step, 16, 4);
      tf.tidy(() => optimizer.applyGradients(run.gradients(tf.variableGrads(() => categoricalCrossentropy(model, batch), vars).grads)));
      tf.dispose([batch.xs as tf.Tensor, batch.ys!]);
    }
    await expectClustersHold(model, clusters);
    run.dispose();
    optimizer.dispose();
    disposeModel(model);
  });

  it('without the transform the same training breaks the sharing (the check above can fail)', async () => {
    const { model, masks, clusters } = await clusteredMlp(0.5, 8);
    await trainSteps(model, { batches: (step) => syntheticBatch(300 + step, 16, 4), steps: 5, optimizer: { kind: 'adam', learningRate: 0.01 }, masks });
    const distinct = await distinctCounts(model);
    expect(distinct['fc1/kernel']).toBeGreaterThan(clusters['fc1/kernel'].codebook.length);
    disposeModel(model);
  });

  it("one SGD step moves each shared value by -lr times the sum of its members' gradients", async () => {
    const { model, clusters } = await clusteredMlp(0.4, 5);
    const batch = syntheticBatch(7, 16, 4);
    const c = clusters['fc2/kernel'];
    const variable = findVariable(model, c.layerPath, c.weight)!.read() as tf.Variable;
    const grads = tf.variableGrads(() => categoricalCrossentropy(model, batch), [variable]);
    const g = (await grads.grads[variable.name].data()) as Float32Array;
    tf.dispose([grads.value, grads.grads[variable.name]]);
    const expected = Float64Array.from(c.codebook);
    const sums = new Float64Array(c.codebook.length);
    for (let i = 0; i < g.length; i++) sums[c.indices[i]] += g[i];
    const lr = 0.05;
    for (let j = 0; j < expected.length; j++) if (j !== c.zeroIndex) expected[j] -= lr * sums[j];
    await trainSteps(model, { batches: [batch], steps: 1, optimizer: { kind: 'sgd', learningRate: lr }, gradientTransform: clusterGradients(clusters) });
    const shared = await expectClustersHold(model, clusters);
    for (let j = 0; j < expected.length; j++) expect(shared.get(c.key)![j]).toBeCloseTo(expected[j], 5);
    tf.dispose([batch.xs as tf.Tensor, batch.ys!]);
    disposeModel(model);
  });

  it('distillation keeps the sharing the same way', async () => {
    const teacher = fashionMlp();
    randomizeWeights(teacher, 21);
    const { model, masks, clusters } = await clusteredMlp(0.5, 4);
    const result = await trainSteps(model, {
      batches: (step) => ({ xs: syntheticBatch(500 + step, 16, 4).xs }),
      steps: 15,
      optimizer: { kind: 'adam', learningRate: 0.01 },
      masks,
      lossFn: distillationLoss(teacher),
      gradientTransform: clusterGradients(clusters),
    });
    expect(result.steps).toBe(15);
    await expectClustersHold(model, clusters);
    disposeModel(model);
    disposeModel(teacher);
  });

  it('runPruningSchedule passes the transform to every segment', async () => {
    const { model, clusters } = await clusteredMlp(0.5, 6);
    await runPruningSchedule(model, {
      totalSteps: 12,
      events: [{ atStep: 6, sparsity: 0.5 }],
      batches: (step) => syntheticBatch(900 + step, 16, 4),
      prune: async (m, sparsity) => (await computePruning(m, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity } })).masks,
      optimizer: { kind: 'adam', learningRate: 0.01 },
      gradientTransform: clusterGradients(clusters),
    });
    await expectClustersHold(model, clusters);
    disposeModel(model);
  });

  it('refuses clusters that do not fit the model', async () => {
    const { model, clusters } = await clusteredMlp(0.5, 4);
    const bad = { 'fc1/kernel': { ...clusters['fc1/kernel'], indices: new Uint8Array(3) } };
    await expect(trainSteps(model, { batches: (s) => syntheticBatch(s, 4, 4), steps: 1, optimizer: { kind: 'sgd', learningRate: 0.1 }, gradientTransform: clusterGradients(bad) })).rejects.toThrow(
      'clusters fc1/kernel: 3 indices for a weight of 192 values',
    );
    disposeModel(model);
  });
});

describe('clustersWithPruned', () => {
  const mask = (keep: number[]) => ({ w: { key: 'w', layerPath: 'd', weight: 'kernel', shape: [keep.length], keep: Uint8Array.from(keep) } });
  const c = (codebook: number[], indices: number[], zeroIndex: number) =>
    ({ w: { key: 'w', layerPath: 'd', weight: 'kernel', shape: [indices.length], codebook: Float32Array.from(codebook), indices: Uint8Array.from(indices), zeroIndex } });

  it('moves pruned weights to the zero cluster, leaving the rest and the input as they were', () => {
    const before = c([-0.5, 0, 0.5], [0, 2, 2, 1], 1);
    const after = clustersWithPruned(before, mask([1, 0, 1, 1]));
    expect(Array.from(after.w.indices)).toEqual([0, 1, 2, 1]);
    expect(Array.from(before.w.indices)).toEqual([0, 2, 2, 1]);
    expect(clustersWithPruned(before, mask([1, 1, 1, 1]))).toEqual(before);
  });

  it('a codebook without a zero gains one at its sorted place; a full one turns its value nearest 0 into the zero', () => {
    const after = clustersWithPruned(c([-0.5, 0.25, 0.5], [0, 1, 2, 1], -1), mask([1, 1, 0, 1]));
    expect(Array.from(after.w.codebook)).toEqual([-0.5, 0, 0.25, 0.5]);
    expect(after.w.zeroIndex).toBe(1);
    expect(Array.from(after.w.indices)).toEqual([0, 2, 1, 2]);
    const full = Array.from({ length: 256 }, (_, j) => (j - 100.5) / 10);
    const big = clustersWithPruned(c(full, [0, 100, 255], -1), mask([1, 1, 0]));
    expect(big.w.codebook.length).toBe(256);
    expect(big.w.codebook[big.w.zeroIndex]).toBe(0);
    expect(Math.abs(full[big.w.zeroIndex])).toBe(Math.min(...full.map(Math.abs)));
    expect(big.w.indices[2]).toBe(big.w.zeroIndex);
  });
});
