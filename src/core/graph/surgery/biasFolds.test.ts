import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildDependencyGraph } from '../dependencyGraph';
import { disposeModel } from '../disposeModel';
import { randomizeWeights } from '../../prune/testModels';
import { foldConstants } from './biasFolds';
import { propagateConstants } from './constants';
import { resolvePlan } from './keepPlan';
import { readWeightValues } from './weightValues';

/** Zeroes output channel `c` of a layer's kernel (last axis, or the given one). */
function zeroOutput(layer: tf.layers.Layer, c: number, axis = -1) {
  const [k, ...rest] = layer.getWeights();
  const ax = axis < 0 ? k.shape.length - 1 : axis;
  const mask = tf.oneHot(c, k.shape[ax]).mul(-1).add(1).reshape(k.shape.map((d, i) => (i === ax ? d : 1)));
  const zeroed = tf.mul(k, mask);
  layer.setWeights([zeroed, ...rest]);
  tf.dispose([mask, zeroed]);
}

async function folds(model: tf.LayersModel, plan: Record<string, number[]>) {
  const dep = buildDependencyGraph(model);
  const keep = resolvePlan(dep, Object.fromEntries(Object.entries(plan).map(([id, gone]) => [id, Uint8Array.from({ length: dep.groups.find((g) => g.id === id)!.channels }, (_, c) => (gone.includes(c) ? 0 : 1))])));
  const weights = await readWeightValues(model);
  return foldConstants(dep, keep, propagateConstants(dep, weights), weights);
}

describe('foldConstants', () => {
  it('adds constant x kernel row to a Dense consumer, exactly, and counts the varying channel it cannot fold', async () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [3], units: 4, activation: 'relu', name: 'd1' }));
    m.add(tf.layers.dense({ units: 3, name: 'd2' }));
    randomizeWeights(m, 8);
    const d1 = m.getLayer('d1');
    zeroOutput(d1, 2);
    d1.setWeights([d1.getWeights()[0], tf.tensor1d([0.1, 0.2, 0.5, 0.3])]);
    const r = await folds(m, { d1: [0, 2] });
    const row = m.getLayer('d2').getWeights()[0].arraySync() as number[][];
    expect(Array.from(r.folds.get('d2')!)).toEqual(row[2].map((w) => expect.closeTo(0.5 * w, 6)));
    expect(r.folded).toEqual([{ path: 'd2', channels: 1 }]);
    expect(r.approximate).toEqual([]);
    expect(r.varyingChannels).toBe(1);
    disposeModel(m);
  });

  it("says which folds are exact only away from the borders: 'same' padding, transposed convolution", async () => {
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [5, 5, 2], filters: 3, kernelSize: 1, name: 'c1' }));
    m.add(tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', name: 'same' }));
    m.add(tf.layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, name: 'up' }));
    m.add(tf.layers.flatten({ name: 'flat' }));
    m.add(tf.layers.dense({ units: 2, name: 'out' }));
    randomizeWeights(m, 2);
    zeroOutput(m.getLayer('c1'), 1);
    zeroOutput(m.getLayer('same'), 0);
    const r = await folds(m, { c1: [1], same: [0] });
    expect(r.approximate).toEqual([
      "same: 'same' padding: exact away from the borders only",
      'up: transposed convolution: the constant contributes unevenly; the mean is folded',
    ]);
    // The transposed conv folds the mean: constant x tap sum / stride area.
    const bias = m.getLayer('same').getWeights()[1].dataSync()[0];
    const k = m.getLayer('up').getWeights()[0]; // [3, 3, out 2, in 3]
    const taps = tf.tidy(() => k.slice([0, 0, 0, 0], [3, 3, 2, 1]).sum([0, 1, 3]).dataSync());
    expect(Array.from(r.folds.get('up')!)).toEqual(Array.from(taps, (t) => expect.closeTo((bias * t) / 4, 5)));
    disposeModel(m);
  });
});
