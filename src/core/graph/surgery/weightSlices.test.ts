import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildDependencyGraph } from '../dependencyGraph';
import { disposeModel } from '../disposeModel';
import { fashionMlp, randomizeWeights } from '../../prune/testModels';
import { resolvePlan } from './keepPlan';
import { dropIndices, sliceWeights, weightDrops } from './weightSlices';
import { readWeightValues } from './weightValues';

describe('weight slicing', () => {
  it('drops indices axis by axis', () => {
    const t = dropIndices(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3], new Map([[1, new Set([1])]]));
    expect(t.shape).toEqual([2, 2]);
    expect(Array.from(t.values)).toEqual([1, 3, 4, 6]);
    const both = dropIndices(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3], new Map([[0, new Set([0])], [1, new Set([0, 2])]]));
    expect([both.shape, Array.from(both.values)]).toEqual([[1, 1], [5]]);
  });

  it("collects what each weight loses from the cut groups' members", () => {
    const model = fashionMlp();
    const dep = buildDependencyGraph(model);
    const drops = weightDrops(dep, resolvePlan(dep, { fc1: Uint8Array.from({ length: 12 }, (_, i) => (i === 3 || i === 7 ? 0 : 1)) }));
    expect([...drops.keys()].sort()).toEqual(['fc1/bias', 'fc1/kernel', 'fc2/kernel']);
    expect([...drops.get('fc1/kernel')!]).toEqual([[1, new Set([3, 7])]]);
    expect([...drops.get('fc2/kernel')!]).toEqual([[0, new Set([3, 7])]]);
    disposeModel(model);
  });

  it("writes every weight in the model's order, biases plus their folds, and a new bias where a layer had none", async () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [3], units: 4, name: 'd1' }));
    m.add(tf.layers.dense({ units: 3, useBias: false, name: 'd2' }));
    m.add(tf.layers.dense({ units: 2, name: 'd3' }));
    randomizeWeights(m, 6);
    const dep = buildDependencyGraph(m);
    const keep = resolvePlan(dep, { d2: Uint8Array.from([1, 0, 1]) });
    const weights = await readWeightValues(m);
    const folds = new Map([
      ['d2', Float64Array.from([0.5, 0.25, -1])],
      ['d3', Float64Array.from([1, 2])],
    ]);
    const { specs, buffers } = sliceWeights(m, dep, keep, weights, folds);
    expect(specs.map((s) => [s.name, s.shape])).toEqual([
      ['d1/kernel', [3, 4]],
      ['d1/bias', [4]],
      ['d2/kernel', [4, 2]],
      ['d2/bias', [2]],
      ['d3/kernel', [2, 2]],
      ['d3/bias', [2]],
    ]);
    expect(Array.from(new Float32Array(buffers[3]))).toEqual([0.5, -1]);
    const d3Bias = weights.get('d3/bias')!.values;
    expect(Array.from(new Float32Array(buffers[5]))).toEqual([Math.fround(d3Bias[0] + 1), Math.fround(d3Bias[1] + 2)]);
    disposeModel(m);
  });
});
