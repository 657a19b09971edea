import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { disposeModel } from '../graph/disposeModel';
import { applyMasks, findVariable } from '../prune/masks';
import { computePruning } from '../prune/pruneRequest';
import { fashionCnn, fashionMlp, randomizeWeights } from '../prune/testModels';
import { applyClusters, clusterIndexBits, clusterModel, distinctCounts } from './clusterModel';

async function weightsOf(model: tf.LayersModel): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const w of model.weights) out.set(w.originalName ?? w.name, (await w.read().data()) as Float32Array);
  return out;
}

async function prunedCnn(sparsity: number): Promise<tf.LayersModel> {
  const model = fashionCnn();
  randomizeWeights(model, 11);
  const { masks } = await computePruning(model, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity } });
  applyMasks(model, masks);
  return model;
}

describe('clusterModel', () => {
  it('clusters every kernel to at most k values, keeps its zeros, and leaves biases and BatchNorm bit for bit', async () => {
    const model = await prunedCnn(0.6);
    const before = await weightsOf(model);
    const clusters = await clusterModel(model, { k: 6 });
    expect(Object.keys(clusters)).toEqual(['conv1/kernel', 'conv2/kernel', 'fc1/kernel', 'fc2/kernel']);
    const distinct = await distinctCounts(model);
    for (const [key, n] of Object.entries(distinct)) {
      expect(n, key).toBeLessThanOrEqual(6);
      expect(n, key).toBe(clusters[key].codebook.length);
    }
    const after = await weightsOf(model);
    for (const [name, values] of before) {
      const now = after.get(name)!;
      if (name.endsWith('/kernel')) {
        for (let i = 0; i < values.length; i++) expect(now[i] === 0, `${name}[${i}]`).toBe(values[i] === 0);
      } else {
        expect(Array.from(now), name).toEqual(Array.from(values));
      }
    }
    expect(clusterIndexBits(clusters['fc1/kernel'])).toBe(Math.ceil(Math.log2(clusters['fc1/kernel'].codebook.length)));
    disposeModel(model);
  });

  it('global scope shares one codebook; perKey sets k per kernel', async () => {
    const model = await prunedCnn(0.5);
    const global = await clusterModel(model, { k: 8, scope: 'global', init: 'linear' });
    const codebooks = new Set(Object.values(global).map((c) => Array.from(c.codebook).join()));
    expect(codebooks.size).toBe(1);
    const all = new Set<number>();
    for (const c of Object.values(global)) for (const v of (await findVariable(model, c.layerPath, c.weight)!.read().data()) as Float32Array) all.add(v);
    expect(all.size).toBeLessThanOrEqual(8);
    disposeModel(model);

    const mlp = fashionMlp();
    randomizeWeights(mlp, 4);
    await clusterModel(mlp, { k: 16, perKey: { 'fc1/kernel': { k: 3 } } });
    const d = await distinctCounts(mlp);
    expect(d['fc1/kernel']).toBeLessThanOrEqual(3);
    expect(d['fc2/kernel']).toBeGreaterThan(3);
    expect(d['fc2/kernel']).toBeLessThanOrEqual(16);
    disposeModel(mlp);
  });

  it('applyClusters writes the shared values back (e.g. after an undo)', async () => {
    const model = fashionMlp();
    randomizeWeights(model, 5);
    const clusters = await clusterModel(model, { k: 4 });
    randomizeWeights(model, 6);
    expect((await distinctCounts(model))['fc1/kernel']).toBeGreaterThan(4);
    applyClusters(model, clusters);
    expect((await distinctCounts(model))['fc1/kernel']).toBeLessThanOrEqual(4);
    disposeModel(model);
  });

  it('refuses biases, perKey with global scope, and unknown keys with clear messages', async () => {
    const model = fashionMlp();
    await expect(clusterModel(model, { k: 4, keys: ['fc1/bias'] })).rejects.toThrow('clusterModel: fc1/bias is not a prunable kernel of this model (biases and BatchNorm stay as they are)');
    await expect(clusterModel(model, { k: 4, scope: 'global', perKey: { 'fc1/kernel': { k: 2 } } })).rejects.toThrow('clusterModel: perKey settings need scope perLayer (global clustering shares one codebook)');
    await expect(clusterModel(model, { k: 4, keys: ['fc1/kernel'], perKey: { 'fc2/kernel': { k: 2 } } })).rejects.toThrow('clusterModel: perKey names fc2/kernel, which is not being clustered');
    await expect(clusterModel(model, { k: 300 })).rejects.toThrow('fc1/kernel: k must be a whole number from 2 to 256, got 300');
    disposeModel(model);
  });
});
