import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { listPrunableTensors } from '../graph/prunable';
import { disposeModel } from '../graph/disposeModel';
import { importanceScores, readWeights } from './importance';
import { applyMasks } from './masks';
import { checkNM, nmAxis, nmMask, nmMasks, nmSkipReason } from './nm';
import { conv1dNet, convKindsNet, fashionMlp, randomizeWeights, recurrentNet } from './testModels';

describe('N:M masks', () => {
  for (const [n, m] of [[2, 4], [4, 8]] as const) {
    it(`${n}:${m} holds on every applicable kernel after applying, and the check proves it`, async () => {
      for (const build of [() => fashionMlp(8, [16, 8]), conv1dNet, convKindsNet, recurrentNet]) {
        const model = build();
        randomizeWeights(model, 9);
        const tensors = listPrunableTensors(model);
        const scores = await importanceScores(model, tensors, { criterion: 'magnitude' });
        const { masks, skipped } = nmMasks(tensors, scores, { n, m });
        applyMasks(model, masks);
        const weights = await readWeights(model, tensors);
        for (const t of tensors) {
          const ax = nmAxis(t);
          if ('reason' in ax || nmSkipReason(t, m) !== null) {
            expect(skipped.map((s) => s.key)).toContain(t.key);
            expect(masks[t.key]).toBeUndefined();
            continue;
          }
          expect(checkNM(masks[t.key].keep, n, m, t.shape, ax.axis), t.key).toBe(0);
          expect(checkNM(weights[t.key], n, m, t.shape, ax.axis), t.key).toBe(0);
          // Dense weights before pruning break the pattern: the check is not vacuous.
          if (t.shape[ax.axis] > n) expect(checkNM(scores.byKey[t.key], n, m, t.shape, ax.axis), t.key).toBeGreaterThan(0);
          if (t.shape[ax.axis] % m === 0) {
            expect(masks[t.key].keep.filter((k) => k === 0).length, t.key).toBe(t.size * (1 - n / m));
          }
        }
        expect(skipped.map((s) => s.key).sort()).toEqual(tensors.filter((t) => nmSkipReason(t, m) !== null).map((t) => t.key).sort());
        disposeModel(model);
      }
    });
  }

  it('groups run along the input dimension of each kernel layout', () => {
    expect(nmAxis({ layerClass: 'Dense', weight: 'kernel', shape: [8, 3] })).toEqual({ axis: 0 });
    expect(nmAxis({ layerClass: 'Conv2D', weight: 'kernel', shape: [3, 3, 8, 4] })).toEqual({ axis: 2 });
    expect(nmAxis({ layerClass: 'Conv2DTranspose', weight: 'kernel', shape: [3, 3, 4, 8] })).toEqual({ axis: 3 });
    expect(nmAxis({ layerClass: 'SeparableConv2D', weight: 'pointwise_kernel', shape: [1, 1, 8, 4] })).toEqual({ axis: 2 });
    expect('reason' in nmAxis({ layerClass: 'DepthwiseConv2D', weight: 'depthwise_kernel', shape: [3, 3, 8, 1] })).toBe(true);
    expect('reason' in nmAxis({ layerClass: 'Embedding', weight: 'embeddings', shape: [20, 8] })).toBe(true);
  });

  it('keeps the N largest magnitudes of each group; ties keep the earlier entry', () => {
    // Dense kernel [8, 1]: two groups of 4 along the input rows.
    const s = new Float32Array([0.1, -0.9, 0.5, 0.2, 1, 1, 1, 1]);
    expect(Array.from(nmMask(s, [8, 1], { n: 2, m: 4 }, 0, true))).toEqual([0, 1, 1, 0, 1, 1, 0, 0]);
  });

  it('the check finds violations: one group with three nonzeros, and a trailing short group', () => {
    // [in = 6, out = 2], row-major: column 0 holds 1,1,1,0 | 1,1 and column 1 holds 1,0,0,0 | 0,1
    // (rows 4..5 form a short trailing group).
    const w = new Float32Array([1, 1, 1, 0, 1, 0, 0, 0, 1, 0, 1, 1]);
    expect(checkNM(w, 2, 4, [6, 2])).toBe(1);
    expect(checkNM(w, 1, 4, [6, 2])).toBe(2);
    expect(checkNM(new Uint8Array(12), 2, 4, [6, 2])).toBe(0);
    expect(() => checkNM(w, 5, 4, [6, 2])).toThrow(/pattern/);
  });

  it('masked weights written by applyMasks stay exact zeros under the check, no tensor leaks', async () => {
    const model = fashionMlp(8, [16, 8]);
    const tensors = listPrunableTensors(model);
    const before = tf.memory().numTensors;
    const scores = await importanceScores(model, tensors, { criterion: 'random', seed: 3 });
    applyMasks(model, nmMasks(tensors, scores, { n: 2, m: 4 }).masks);
    expect(tf.memory().numTensors).toBe(before);
    disposeModel(model);
  });
});
