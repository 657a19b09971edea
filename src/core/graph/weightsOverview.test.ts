import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { logBinOf, logEdges, magnitudeOverview, weightsOverview } from './weightsOverview';
import { listPrunableTensors } from './prunable';
import { fashionCnn, randomizeWeights } from '../prune/testModels';

describe('magnitudeOverview', () => {
  it('bins |w| of each layer over one shared log range, zeros and non-finite values apart', () => {
    const o = magnitudeOverview([
      { path: 'a', className: 'Dense', values: [new Float32Array([0, 0.001, -0.001, 1]), new Float32Array([0, NaN])] },
      { path: 'b', className: 'Conv2D', values: [new Float32Array([-0.1, 0.01, 0.5, 0])] },
    ], 3);
    expect(Array.from(o.edges)).toEqual([0.001, 0.01, 0.1, 1].map((x) => expect.closeTo(x, 6)));
    expect(o.layers[0]).toMatchObject({ path: 'a', params: 6, zeros: 2, nonFinite: 1 });
    expect(Array.from(o.layers[0].counts)).toEqual([2, 0, 1]);
    // 0.01 and 0.1 sit on edges: each opens its bin (floating point may put them a hair below; the count is what matters).
    expect(o.layers[1]).toMatchObject({ path: 'b', params: 4, zeros: 1, nonFinite: 0 });
    expect(o.layers[1].counts.reduce((s, c) => s + c, 0)).toBe(3);
    expect(o.layers[1].counts[2]).toBeGreaterThanOrEqual(1); // 0.5
  });

  it('clamps the extremes into the first and last bin and gives a small range to a single value', () => {
    const e = logEdges(0.5, 2, 4);
    expect(logBinOf(0.5, e)).toBe(0);
    expect(logBinOf(2, e)).toBe(3);
    const one = logEdges(0.3, 0.3, 2);
    expect(one[0]).toBeLessThan(0.3);
    expect(one[2]).toBeGreaterThan(0.3);
    expect(() => logEdges(1, 2, 0)).toThrow('A histogram needs a whole number of bins, at least 1 (got 0)');
  });

  it('reads every prunable layer of a model, all its kernels together, without changing the weights', async () => {
    const model = fashionCnn();
    randomizeWeights(model, 5);
    const tensors = listPrunableTensors(model);
    const before = await Promise.all(model.getWeights().map((w) => w.data()));
    const o = await weightsOverview(model, { bins: 16 });
    expect(o.layers.map((l) => l.path)).toEqual([...new Set(tensors.map((t) => t.layerPath))]);
    for (const l of o.layers) {
      const size = tensors.filter((t) => t.layerPath === l.path).reduce((s, t) => s + t.size, 0);
      expect(l.params).toBe(size);
      expect(l.zeros + l.nonFinite + l.counts.reduce((s, c) => s + c, 0)).toBe(size);
    }
    const after = await Promise.all(model.getWeights().map((w) => w.data()));
    expect(after).toEqual(before);
    model.dispose();
    expect(tf.memory().numTensors).toBeGreaterThanOrEqual(0);
  });
});

describe('magnitudeOverview on a given range', () => {
  it('keeps the range and counts values outside it in the end bins', () => {
    const o = magnitudeOverview([{ path: 'a', className: 'Dense', values: [new Float32Array([0, 1e-6, 0.05, 5])] }], 2, [0.01, 1]);
    expect(o.edges[0]).toBe(0.01);
    expect(o.edges[2]).toBe(1);
    expect(Array.from(o.layers[0].counts)).toEqual([2, 1]);
    expect(o.layers[0].zeros).toBe(1);
  });
});

describe('magnitudeOverview range', () => {
  it('spans at most four decades below the largest |w|, the tinier values in the first bin', () => {
    const o = magnitudeOverview([{ path: 'a', className: 'Dense', values: [new Float32Array([1e-9, 1e-3, 1])] }], 4);
    expect(o.edges[0]).toBeCloseTo(1e-4, 10);
    expect(Array.from(o.layers[0].counts)).toEqual([1, 1, 0, 1]);
  });
});
