// Measuring a graph model: fidelity to the original on seeded probes (agreement for a softmax
// classifier, relative error otherwise; async for control flow), and accuracy on images when the
// model fits them.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { LabelledImages } from '../data/fashionMnist';
import { mulberry32 } from '../data/seededRandom';
import { evaluateGraphAccuracy, graphFitsDemoData } from './graphAccuracy';
import { graphFidelity, graphProbeSpec } from './graphFidelity';
import type { GraphDef } from './graphDef';
import { loadGraphModelData, runGraph, type GraphModelData } from './graphModelData';
import { applyGraphMasks, computeGraphPruning } from './graphPruning';
import { fixture } from './testGraphs';

function prunedData(name: string, sparsity: number): GraphModelData {
  const g = fixture(name);
  return applyGraphMasks(g.data, computeGraphPruning(g.data, g.analysis, { granularity: 'unstructured', criterion: 'random', seed: 3, target: { kind: 'global', sparsity } }).masks);
}

describe('graph fidelity', () => {
  it('is 1 against itself: agreement for softmax classifiers, relative error otherwise', async () => {
    const kinds: Record<string, string> = {};
    for (const name of ['conv', 'mlp', 'residual', 'loop']) {
      const { data } = fixture(name);
      const r = await graphFidelity(data, data, 8, 1);
      expect(r.value, name).toBe(1);
      kinds[name] = r.kind;
    }
    expect(kinds).toEqual({ conv: 'agreement', mlp: 'agreement', residual: 'relativeError', loop: 'relativeError' });
  });

  it('falls when the model is damaged, and is reproducible with a seed', async () => {
    const { data } = fixture('residual');
    const damaged = prunedData('residual', 0.9);
    const a = await graphFidelity(data, damaged, 6, 1);
    const b = await graphFidelity(data, damaged, 6, 1);
    expect(a.value).toBeLessThan(0.9);
    expect(a.value).toBeGreaterThanOrEqual(0);
    expect(b.value).toBe(a.value);
    const loop = await graphFidelity(fixture('loop').data, prunedData('loop', 0.9), 6, 1);
    expect(loop.value).toBeLessThan(1);
  });

  it('probes: the fixed batch of the input, ids below the size of the table an int input looks up', async () => {
    const residual = fixture('residual');
    const model = await loadGraphModelData(residual.data);
    expect(graphProbeSpec(model, residual.data)).toEqual({ shapes: [[8, 8, 3]], kinds: [{ kind: 'uniform' }], dtypes: ['float32'], batch: 1 });
    model.dispose();
    const topology: GraphDef = {
      node: [
        { name: 'ids', op: 'Placeholder', attr: { dtype: { type: 'DT_INT32' }, shape: { shape: { dim: [{ size: '-1' }, { size: '5' }] } } } },
        { name: 'table', op: 'Const', attr: { dtype: { type: 'DT_FLOAT' } } },
        { name: 'axis', op: 'Const', attr: { dtype: { type: 'DT_INT32' } } },
        { name: 'embed', op: 'GatherV2', input: ['table', 'ids', 'axis'], attr: { Tparams: { type: 'DT_FLOAT' }, Tindices: { type: 'DT_INT32' }, Taxis: { type: 'DT_INT32' } } },
      ],
      versions: {},
    };
    const data: GraphModelData = {
      topology,
      weights: [
        { name: 'table', dtype: 'float32', shape: [50, 3], values: new Float32Array(150).fill(1) },
        { name: 'axis', dtype: 'int32', shape: [], values: new Int32Array(1) },
      ],
      info: { inputs: [], outputs: [{ name: 'embed', node: 'embed', dtype: null, shape: null }], ops: {}, async: false, signature: null, warnings: [], nodes: 4, functions: 0 },
    };
    const text = await loadGraphModelData(data);
    const spec = graphProbeSpec(text, data);
    expect(spec).toEqual({ shapes: [[5]], kinds: [{ kind: 'ids', vocabulary: 50 }], dtypes: ['int32'], batch: null });
    expect((await graphFidelity(data, data, 4, 2)).value).toBe(1);
    text.dispose();
  });
});

function images(count: number, seed: number): LabelledImages {
  const rnd = mulberry32(seed);
  return {
    images: Uint8Array.from({ length: count * 784 }, () => Math.floor(rnd() * 256)),
    labels: Uint8Array.from({ length: count }, () => Math.floor(rnd() * 10)),
    count,
    height: 28,
    width: 28,
    channels: 1,
  };
}

describe('graph accuracy', () => {
  it('knows which models fit the demo data', async () => {
    const fits: Record<string, boolean> = {};
    for (const name of ['conv', 'mlp', 'residual', 'loop']) {
      const { data } = fixture(name);
      const model = await loadGraphModelData(data);
      fits[name] = await graphFitsDemoData(model, data.info);
      model.dispose();
    }
    expect(fits).toEqual({ conv: true, mlp: true, residual: false, loop: false });
  });

  it('counts top-1 hits batch by batch, as the model predicts them', async () => {
    const { data } = fixture('conv');
    const model = await loadGraphModelData(data);
    const set = images(23, 4);
    const result = await evaluateGraphAccuracy(model, data.info, set, undefined, 10);
    const xs = tf.tensor4d(Float32Array.from(set.images, (v) => v / 255), [23, 28, 28, 1]);
    const [scores] = await runGraph(model, data.info, [xs]);
    const predicted = scores.argMax(-1).dataSync();
    const correct = set.labels.reduce((n, l, i) => n + (predicted[i] === l ? 1 : 0), 0);
    expect(result).toEqual({ correct, count: 23, accuracy: correct / 23, prefixCorrect: {} });
    tf.dispose([xs, scores]);
    model.dispose();
  });
});
