// Pruning a graph model's kernels without training: exact counts, the right weights, N:M along the
// input axis, the criteria (Taylor refused with its message), and zeros that survive an export that
// plain tf.loadGraphModel reads.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { checkNM } from '../prune/nm';
import { exportGraphModel, loadExportedGraphFiles } from './graphExport';
import { loadGraphModelData, runGraph } from './graphModelData';
import { TAYLOR_NEEDS_GRADIENTS, applyGraphMasks, computeGraphPruning, graphPrunableTensors } from './graphPruning';
import type { GraphWeight } from './graphWeights';
import { fixture, loadedZeros, maxDiff, randomInputs } from './testGraphs';

const zeros = (w: GraphWeight) => Array.from(w.values).filter((v) => v === 0).length;
const weight = (ws: readonly GraphWeight[], name: string) => ws.find((w) => w.name === name) as GraphWeight;

describe('graph pruning', () => {
  const g = fixture('conv');
  const kernels = ['conv1/kernel', 'conv2/kernel', 'dw/depthwise_kernel', 'conv3/kernel', 'fc/kernel'];

  it('lists the prunable kernels, keyed by weight name, per layer', () => {
    expect(graphPrunableTensors(g.analysis).map((t) => [t.key, t.layerPath, t.size])).toEqual([
      ['conv1/kernel', 'conv1/Conv2D', 72],
      ['conv2/kernel', 'conv2/Relu', 1152],
      ['dw/depthwise_kernel', 'dw/depthwise', 144],
      ['conv3/kernel', 'conv3/Conv2D', 256],
      ['fc/kernel', 'fc/MatMul', 160],
    ]);
  });

  it('global magnitude: exactly round(s * N) zeros, the smallest |w| first, nothing else touched', () => {
    const r = computeGraphPruning(g.data, g.analysis, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.5 } });
    const pruned = applyGraphMasks(g.data, r.masks);
    expect(r.stats).toMatchObject({ total: 1784, pruned: 892 });
    expect(kernels.reduce((n, k) => n + zeros(weight(pruned.weights, k)), 0)).toBe(892);
    const cut = kernels.flatMap((k) => Array.from(weight(g.data.weights, k).values).filter((_, i) => weight(pruned.weights, k).values[i] === 0).map(Math.abs));
    const kept = kernels.flatMap((k) => Array.from(weight(pruned.weights, k).values).filter((v) => v !== 0).map(Math.abs));
    expect(Math.max(...cut)).toBeLessThanOrEqual(Math.min(...kept));
    for (const w of pruned.weights) if (!kernels.includes(w.name)) expect(w).toBe(weight(g.data.weights, w.name));
    expect(zeros(weight(g.data.weights, 'conv1/kernel'))).toBe(0); // the original is untouched
  });

  it('per layer, and random with a seed', () => {
    const per = computeGraphPruning(g.data, g.analysis, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'perLayer', sparsity: { 'conv1/Conv2D': 0.5, 'fc/MatMul': 0.25 } } });
    expect(Object.fromEntries(Object.entries(per.stats.perKey).map(([k, v]) => [k, v.pruned]))).toEqual({ 'conv1/kernel': 36, 'conv2/kernel': 0, 'dw/depthwise_kernel': 0, 'conv3/kernel': 0, 'fc/kernel': 40 });
    const random = (seed: number) => computeGraphPruning(g.data, g.analysis, { granularity: 'unstructured', criterion: 'random', seed, target: { kind: 'global', sparsity: 0.3 } }).masks;
    const [a, b, c] = [random(1), random(1), random(2)];
    expect(a['conv2/kernel'].keep).toEqual(b['conv2/kernel'].keep);
    expect(a['conv2/kernel'].keep).not.toEqual(c['conv2/kernel'].keep);
    expect(Object.values(a).reduce((n, m) => n + m.keep.filter((k) => k === 0).length, 0)).toBe(Math.round(0.3 * 1784));
  });

  it('2:4 along each kernel input axis; depthwise kernels and too-short inputs skipped with the reason', () => {
    const r = computeGraphPruning(g.data, g.analysis, { granularity: '2:4', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.5 } });
    expect(r.skipped).toEqual([
      { key: 'conv1/kernel', reason: 'its input dimension has 1 entry, fewer than a group of 4' },
      { key: 'dw/depthwise_kernel', reason: 'a depthwise kernel has one input channel per filter: N:M along the input dimension does not apply' },
    ]);
    const pruned = applyGraphMasks(g.data, r.masks);
    for (const [name, axis] of [['conv2/kernel', 2], ['conv3/kernel', 2], ['fc/kernel', 0]] as const) {
      const w = weight(pruned.weights, name);
      expect(checkNM(w.values, 2, 4, w.shape, axis), name).toBe(0);
      expect(zeros(w), name).toBe(w.values.length / 2);
      // Along another axis the pattern does not hold: the groups really run along the input axis.
      expect(checkNM(w.values, 2, 4, w.shape, w.shape.length - 1), name).toBeGreaterThan(0);
    }
  });

  it('Taylor is refused: a graph model has no gradients', () => {
    expect(() => computeGraphPruning(g.data, g.analysis, { granularity: 'unstructured', criterion: 'taylor', target: { kind: 'global', sparsity: 0.5 } })).toThrow(TAYLOR_NEEDS_GRADIENTS);
    expect(TAYLOR_NEEDS_GRADIENTS).toBe(
      'Taylor importance needs the gradients of a loss with respect to the weights, and a graph model has none here: its weights are constants that TF.js cannot differentiate or train. Choose magnitude or random.',
    );
  });

  it('masks that do not fit are refused', () => {
    expect(() => applyGraphMasks(g.data, { 'conv1/kernel': { key: 'conv1/kernel', layerPath: 'conv1/Conv2D', weight: 'kernel', shape: [2], keep: new Uint8Array(2) } })).toThrow('mask conv1/kernel does not fit weight conv1/kernel [3,3,1,8]');
    expect(() => applyGraphMasks(g.data, { ghost: { key: 'ghost', layerPath: 'x', weight: 'kernel', shape: [1], keep: new Uint8Array(1) } })).toThrow('mask ghost names no weight of the model');
  });

  for (const name of ['conv', 'mlp', 'residual', 'loop']) {
    it(`${name}: 50% pruned, exported as float32 and reloaded with plain tf.loadGraphModel: same zeros, same outputs`, async () => {
      const f = fixture(name);
      const r = computeGraphPruning(f.data, f.analysis, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.5 } });
      const pruned = applyGraphMasks(f.data, r.masks);
      const expectedZeros = pruned.weights.filter((w) => w.dtype === 'float32').reduce((n, w) => n + zeros(w), 0);
      expect(expectedZeros).toBeGreaterThanOrEqual(r.stats.pruned);
      const reloaded = await loadExportedGraphFiles(exportGraphModel(pruned, { precision: 'float32' }).files);
      const direct = await loadGraphModelData(pruned);
      expect(loadedZeros(reloaded)).toBe(expectedZeros);
      const xs = randomInputs(direct);
      const [a, b] = [await runGraph(direct, f.data.info, xs), await runGraph(reloaded, f.data.info, xs)];
      expect(maxDiff(a, b)).toBe(0);
      tf.dispose([...xs, ...a, ...b]);
      direct.dispose();
      reloaded.dispose();
    });
  }
});
