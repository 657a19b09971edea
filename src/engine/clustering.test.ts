// The clustering step of a session: a point of its own kind, the layer table's distinct counts, and
// fine-tuning that keeps the sharing (and the zeros); merging units as a channel step that rebuilds.
import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { PruningSession } from './pruningSession';
import { clusterOptions, describeClustering, validateClusterRequest } from './clustering';
import { UNCONTROLLED } from '../core/job';
import { fashionCnn, randomizeWeights } from '../core/prune/testModels';
import { captureWeights } from '../core/prune';
import type { ClusterRequest, EvalResult } from './api';

const metric = (value: number): EvalResult => ({ metric: 'accuracy', subset: true, value, count: 10, ms: 1 });
const input = tf.randomUniform([4, 8, 8, 1], 0, 1, 'float32', 3);

async function session() {
  const model = fashionCnn(8, [6, 8], 16);
  randomizeWeights(model);
  return PruningSession.start(model, {
    evaluate: async (m) => metric(tf.tidy(() => (m.predict(input) as tf.Tensor).slice([0, 0], [-1, 1]).mean().arraySync() as number)),
  }, metric(1));
}

async function cluster(s: PruningSession, r: ClusterRequest) {
  const checked = validateClusterRequest(r, s.model);
  return s.cluster(clusterOptions(checked, s.model), (c) => describeClustering(checked, c), UNCONTROLLED);
}

describe('clustering in a session', () => {
  let s: PruningSession | null = null;
  afterEach(() => s?.dispose());

  it('makes a cluster point; the layer table counts at most k distinct values per clustered kernel', async () => {
    s = await session();
    const before = await s.summary();
    expect(before.prunable.find((l) => l.path === 'fc1')!.distinct).toBeGreaterThan(16);
    await s.prune({ granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.5 } }, UNCONTROLLED);
    const p = await cluster(s, { k: 4, init: 'linear', perLayer: { fc1: 8, conv1: 0 } });
    expect(p).toMatchObject({ kind: 'cluster', baseId: p.id, label: 'clustered: 4 shared values per kernel (fc1 8, 1 layer left as they are), linear init' });
    // Sparsity-preserving: the zeros of the prune stay.
    expect(p.prunableSparsity).toBeGreaterThanOrEqual(0.5 - 1e-9);
    const distinct = Object.fromEntries((await s.summary()).prunable.map((l) => [l.path, l.distinct]));
    expect(distinct.conv2).toBeLessThanOrEqual(4);
    expect(distinct.fc2).toBeLessThanOrEqual(4);
    expect(distinct.fc1).toBeLessThanOrEqual(8);
    expect(distinct.conv1).toBeGreaterThan(8); // left as it was
    expect(s.clusters()).toBeDefined();
  });

  it('fine-tuning a clustered point trains the shared values: distinct counts and zeros hold, weights move', async () => {
    s = await session();
    await s.prune({ granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.4 } }, UNCONTROLLED);
    const clustered = await cluster(s, { k: 6, init: 'kmeans++' });
    const before = await captureWeights(s.model);
    const batch = (i: number) => tf.tidy(() => ({ xs: tf.randomUniform([8, 8, 8, 1], 0, 1, 'float32', i), ys: tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3).toFloat() }));
    const tuned = await s.finetune({ steps: 4, batch, optimizer: { kind: 'adam', learningRate: 0.01 }, label: 'fine-tuned' }, UNCONTROLLED);
    expect(tuned.label).toBe('fine-tuned, shared values kept');
    expect(tuned.prunableSparsity).toBeCloseTo(clustered.prunableSparsity, 10);
    for (const l of (await s.summary()).prunable) expect(l.distinct).toBeLessThanOrEqual(6);
    const after = await captureWeights(s.model);
    expect(after['fc1/kernel'].values).not.toEqual(before['fc1/kernel'].values);
    // The fine-tuned point keeps the clusters: a second fine-tune keeps the sharing too.
    expect(s.clusters()).toBeDefined();
  });

  it('a pruning schedule from a clustered point keeps the sharing: each event\'s pruned weights join the zero cluster', async () => {
    s = await session();
    await s.prune({ granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.3 } }, UNCONTROLLED);
    await cluster(s, { k: 6, init: 'kmeans++' });
    const batch = (i: number) => tf.tidy(() => ({ xs: tf.randomUniform([8, 8, 8, 1], 0, 1, 'float32', i), ys: tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3).toFloat() }));
    const points: string[] = [];
    const tuned = await s.finetuneScheduled({
      steps: 6, batch, optimizer: { kind: 'adam', learningRate: 0.01 }, label: 'AGP fine-tune',
      events: [{ atStep: 2, sparsity: 0.5 }, { atStep: 4, sparsity: 0.7 }], granularity: 'unstructured', criterion: 'magnitude', kindLabel: 'AGP',
      onPoint: (p) => { points.push(p.label); },
    }, UNCONTROLLED);
    expect(points).toHaveLength(2);
    for (const label of points) expect(label).toMatch(/, shared values kept$/);
    expect(tuned.label).toBe('AGP fine-tune, shared values kept');
    expect(tuned.prunableSparsity).toBeGreaterThanOrEqual(0.7 - 0.02);
    // At most k shared values plus the zero per kernel, after both events and the training between them.
    for (const l of (await s.summary()).prunable) expect(l.distinct, l.path).toBeLessThanOrEqual(7);
    // Every zero is in the zero cluster, and every member of a cluster has the same value.
    const clusters = s.clusters()!;
    const weights = await captureWeights(s.model);
    for (const [key, c] of Object.entries(clusters)) {
      const values = weights[key].values;
      for (let i = 0; i < values.length; i++) {
        if (values[i] === 0) expect(c.indices[i], `${key}[${i}]`).toBe(c.zeroIndex);
        expect(values[i], `${key}[${i}]`).toBe(values[c.indices.indexOf(c.indices[i])]);
      }
    }
  });

  it('checks the request with messages a user can act on', async () => {
    s = await session();
    expect(() => validateClusterRequest({ k: 1, init: 'linear' }, s!.model)).toThrow('The number of shared values (k) must be a whole number from 2 to 256, got 1');
    expect(() => validateClusterRequest({ k: 16, init: 'median' as never }, s!.model)).toThrow('Unknown initialisation "median" (use linear, kmeans++, density)');
    expect(() => validateClusterRequest({ k: 16, init: 'linear', perLayer: { bn1: 4 } }, s!.model)).toThrow('bn1 has no kernel to cluster (biases and BatchNorm stay as they are)');
    expect(() => validateClusterRequest({ k: 16, init: 'linear', perLayer: { conv1: 0, conv2: 0, fc1: 0, fc2: 0 } }, s!.model)).toThrow('Every layer is set to 0 (left as it is): there is nothing to cluster');
  });

  it('merging units is a channel step: fewer parameters, and restoring it rebuilds the same model', async () => {
    s = await session();
    const before = s.current;
    const merged = await s.prune({ granularity: 'channels', criterion: 'merge', target: { kind: 'perLayer', sparsity: { conv1: 0.5, conv2: 0.25 } } }, UNCONTROLLED);
    expect(merged.label).toBe('channels conv1 50%, conv2 25%, similar units merged');
    expect(merged.params).toBeLessThan(before.params);
    const weights = await captureWeights(s.model);
    await s.restore(before.id);
    await s.restore(merged.id);
    const again = await captureWeights(s.model);
    for (const [k, w] of Object.entries(weights)) expect(again[k].values).toEqual(w.values);
  });
});
