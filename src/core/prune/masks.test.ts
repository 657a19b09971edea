import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { disposeModel } from '../graph/disposeModel';
import { listPrunableTensors } from '../graph/prunable';
import { applyMasks, combineMasks, fullMasks, maskStats, masksFromZeros } from './masks';
import { importanceScores, readWeights } from './importance';
import { unstructuredMasks } from './unstructured';
import { captureWeights, restoreWeights } from './weightSnapshot';
import { fashionMlp, randomizeWeights, teachableMachineNet } from './testModels';

describe('masks', () => {
  it('apply writes exact +0 where the mask is 0 and leaves the rest untouched', async () => {
    const model = fashionMlp();
    randomizeWeights(model, 1);
    const tensors = listPrunableTensors(model);
    const original = await readWeights(model, tensors);
    const masks = unstructuredMasks(tensors, await importanceScores(model, tensors, { criterion: 'random', seed: 2 }), { kind: 'global', sparsity: 0.5 });
    const before = tf.memory().numTensors;
    applyMasks(model, masks);
    expect(tf.memory().numTensors).toBe(before);
    const after = await readWeights(model, tensors);
    for (const t of tensors) {
      after[t.key].forEach((v, i) => {
        if (masks[t.key].keep[i]) expect(v).toBe(original[t.key][i]);
        else expect(Object.is(v, 0)).toBe(true); // +0, never -0
      });
    }
    disposeModel(model);
  });

  it('are plain data: a structured clone (postMessage, IndexedDB) applies the same', async () => {
    const model = teachableMachineNet();
    randomizeWeights(model, 3);
    const tensors = listPrunableTensors(model);
    const masks = unstructuredMasks(tensors, await importanceScores(model, tensors, { criterion: 'magnitude' }), { kind: 'global', sparsity: 0.4 });
    const copy = structuredClone(masks);
    expect(copy).toEqual(masks);
    expect(Object.keys(copy)).toEqual(['features/conv_1/kernel', 'features/conv_2/kernel', 'head/dense_1/kernel', 'head/dense_2/kernel']);
    applyMasks(model, copy);
    const fromZeros = await masksFromZeros(model, tensors);
    for (const key of Object.keys(masks)) expect(Array.from(fromZeros[key].keep)).toEqual(Array.from(masks[key].keep));
    expect(maskStats(copy).pruned).toBe(Math.round(0.4 * tensors.reduce((n, t) => n + t.size, 0)));
    disposeModel(model);
  });

  it('refuse a mask that matches no weight or has the wrong shape, writing nothing', async () => {
    const model = fashionMlp();
    randomizeWeights(model, 4);
    const tensors = listPrunableTensors(model);
    const original = await readWeights(model, tensors);
    const masks = fullMasks(tensors);
    masks['fc1/kernel'].keep.fill(0);
    expect(() => applyMasks(model, { ...masks, 'nope/kernel': { ...masks['fc2/kernel'], key: 'nope/kernel', layerPath: 'nope' } })).toThrow(/nope\/kernel/);
    expect(() => applyMasks(model, { ...masks, 'fc2/kernel': { ...masks['fc2/kernel'], shape: [1, 2] } })).toThrow(/shape/);
    const after = await readWeights(model, tensors);
    expect(Array.from(after['fc1/kernel'])).toEqual(Array.from(original['fc1/kernel']));
    disposeModel(model);
  });

  it('combine with AND: pruned in either set is pruned', () => {
    const base = { key: 'd/kernel', layerPath: 'd', weight: 'kernel', shape: [4] };
    const a = { 'd/kernel': { ...base, keep: Uint8Array.from([1, 0, 1, 1]) } };
    const b = { 'd/kernel': { ...base, keep: Uint8Array.from([1, 1, 0, 1]) }, 'd/bias': { ...base, key: 'd/bias', weight: 'bias', keep: Uint8Array.from([0, 1, 1, 1]) } };
    const c = combineMasks(a, b);
    expect(Array.from(c['d/kernel'].keep)).toEqual([1, 0, 0, 1]);
    expect(Array.from(c['d/bias'].keep)).toEqual([0, 1, 1, 1]);
    expect(Array.from(a['d/kernel'].keep)).toEqual([1, 0, 1, 1]); // inputs untouched
  });

  it('a weight snapshot restores the original weights after masking', async () => {
    const model = teachableMachineNet();
    randomizeWeights(model, 6);
    const snap = await captureWeights(model);
    const tensors = listPrunableTensors(model);
    const masks = fullMasks(tensors);
    for (const m of Object.values(masks)) m.keep.fill(0);
    applyMasks(model, masks);
    const before = tf.memory().numTensors;
    restoreWeights(model, structuredClone(snap));
    expect(tf.memory().numTensors).toBe(before);
    const w = await readWeights(model, tensors);
    for (const t of tensors) expect(Array.from(w[t.key])).toEqual(Array.from(snap[t.key].values));
    disposeModel(model);
  });
});
