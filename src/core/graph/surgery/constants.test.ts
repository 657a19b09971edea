import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildDependencyGraph } from '../dependencyGraph';
import { disposeModel } from '../disposeModel';
import { randomizeWeights } from '../../prune/testModels';
import { propagateConstants } from './constants';
import { readWeightValues } from './weightValues';

/** c1 (3 filters) -> BN -> sigmoid -> zero padding -> c2 -> flatten -> out. */
function chain(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [5, 5, 2], filters: 3, kernelSize: 3, name: 'c1' }));
  m.add(tf.layers.batchNormalization({ name: 'bn' }));
  m.add(tf.layers.activation({ activation: 'sigmoid', name: 'sig' }));
  m.add(tf.layers.zeroPadding2d({ padding: 1, name: 'pad' }));
  m.add(tf.layers.conv2d({ filters: 2, kernelSize: 3, name: 'c2' }));
  m.add(tf.layers.flatten({ name: 'flat' }));
  m.add(tf.layers.dense({ units: 2, name: 'out' }));
  return m;
}

describe('propagateConstants', () => {
  it('carries the constant of a channel whose kernel slice is zero through BatchNorm, the activation and the padding', async () => {
    const model = chain();
    randomizeWeights(model, 4);
    const c1 = model.getLayer('c1');
    const [k, b] = c1.getWeights();
    const keepOut = tf.tensor1d([1, 0, 1]);
    const zeroed = tf.mul(k, keepOut);
    c1.setWeights([zeroed, b]);
    const dep = buildDependencyGraph(model);
    const { values, approx, entries } = propagateConstants(dep, await readWeightValues(model));
    const out = (path: string) => dep.layers.nodes.find((n) => n.path === path)!.outputs[0];

    const bias = b.dataSync()[1];
    const [gamma, beta, mean, variance] = model.getLayer('bn').getWeights().map((w) => w.dataSync()[1]);
    const bn = (gamma * (bias - mean)) / Math.sqrt(variance + 1e-3) + beta;
    const sig = 1 / (1 + Math.exp(-bn));
    expect(values[out('c1')]![1]).toBeCloseTo(bias, 6);
    expect(values[out('bn')]![1]).toBeCloseTo(bn, 6);
    expect(values[out('sig')]![1]).toBeCloseTo(sig, 6);
    expect(Number.isNaN(values[out('sig')]![0])).toBe(true);
    // Zero padding keeps the constant inside only: flagged as approximate from there on.
    expect(values[out('pad')]![1]).toBeCloseTo(sig, 6);
    expect(Array.from(approx[out('sig')]!)).toEqual([0, 0, 0]);
    expect(Array.from(approx[out('pad')]!)).toEqual([0, 1, 0]);
    // c2's kernel is not zero: its outputs vary. Flatten's positions share c2's two channel entries.
    expect(Array.from(values[out('c2')]!).every(Number.isNaN)).toBe(true);
    expect(entries[out('flat')]!.full).toBe(3 * 3 * 2);
    expect(entries[out('flat')]!.chanCount).toBe(2);
    tf.dispose([keepOut, zeroed]);
    disposeModel(model);
  });
});
