// The layer-rule registry against real TF.js layers: every entry has a case here (a tiny model
// around one layer of its class, named "x", and that layer's MACs counted by hand), and each rule's
// claims are checked on the built layer: prunable weight names, the channel axes a source slices,
// the N:M and group-lasso axes, what a constant becomes through the layer, and the MAC count.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_RULE, LAYER_RULES, layerRule, prunableNamesOf, weightBaseName } from './index';
import type { LayerRule, WeightLookup } from './types';
import { channelEntries } from '../channelLayout';
import { buildDependencyGraph } from '../dependencyGraph';
import { disposeModel } from '../disposeModel';
import { buildLayerGraph } from '../layerGraph';
import { weightSuffix } from '../layerPaths';
import { countModel } from '../macs';
import { listPrunableTensors } from '../prunable';
import { randomizeWeights } from '../../prune/testModels';

type ST = tf.SymbolicTensor;

interface Case {
  build(): tf.LayersModel;
  /** MACs of layer "x" for one example, counted by hand (none for an InputLayer, which counts skip). */
  macs?: number;
}

function seq(inputShape: number[], layer: tf.layers.Layer): tf.LayersModel {
  const input = tf.input({ shape: inputShape, name: 'in' });
  return tf.model({ inputs: input, outputs: layer.apply(input) as ST });
}

function twoInputs(layer: tf.layers.Layer): tf.LayersModel {
  const a = tf.input({ shape: [4, 3], name: 'a' });
  const b = tf.input({ shape: [4, 3], name: 'b' });
  return tf.model({ inputs: [a, b], outputs: layer.apply([a, b]) as ST });
}

const L = tf.layers;
const name = 'x';
const IMAGE = [4, 4, 3];

const CASES: Record<string, Case> = {
  // Sources: output positions (or input positions) x kernel size.
  Dense: { build: () => seq([5], L.dense({ units: 3, activation: 'sigmoid', name })), macs: 5 * 3 },
  Conv1D: { build: () => seq([6, 2], L.conv1d({ filters: 3, kernelSize: 3, activation: 'tanh', name })), macs: 4 * (3 * 2 * 3) },
  Conv2D: { build: () => seq([5, 5, 2], L.conv2d({ filters: 3, kernelSize: 3, activation: 'relu', name })), macs: 3 * 3 * (3 * 3 * 2 * 3) },
  Conv3D: { build: () => seq([4, 4, 4, 2], L.conv3d({ filters: 2, kernelSize: 2, name })), macs: 3 * 3 * 3 * (2 * 2 * 2 * 2 * 2) },
  Conv2DTranspose: { build: () => seq([3, 3, 2], L.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 2, name })), macs: 3 * 3 * (3 * 3 * 4 * 2) },
  SeparableConv2D: {
    build: () => seq([5, 5, 2], L.separableConv2d({ filters: 3, kernelSize: 3, depthMultiplier: 2, activation: 'elu', name })),
    macs: 3 * 3 * (3 * 3 * 2 * 2 + 2 * 2 * 3),
  },
  DepthwiseConv2D: { build: () => seq([5, 5, 2], L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, activation: 'relu', name })), macs: 3 * 3 * (3 * 3 * 2 * 2) },
  BatchNormalization: { build: () => seq(IMAGE, L.batchNormalization({ name })), macs: 4 * 4 * 3 },
  // Pass-through, reshaping, merging: no MACs.
  Activation: { build: () => seq(IMAGE, L.activation({ activation: 'tanh', name })), macs: 0 },
  ReLU: { build: () => seq(IMAGE, L.reLU({ maxValue: 1, name })), macs: 0 },
  LeakyReLU: { build: () => seq(IMAGE, L.leakyReLU({ alpha: 0.2, name })), macs: 0 },
  ELU: { build: () => seq(IMAGE, L.elu({ name })), macs: 0 }, // TF.js supports alpha = 1 only
  ThresholdedReLU: { build: () => seq(IMAGE, L.thresholdedReLU({ theta: 0.5, name })), macs: 0 },
  Dropout: { build: () => seq(IMAGE, L.dropout({ rate: 0.5, name })), macs: 0 },
  SpatialDropout1D: { build: () => seq([5, 3], L.spatialDropout1d({ rate: 0.5, name })), macs: 0 },
  GaussianNoise: { build: () => seq(IMAGE, L.gaussianNoise({ stddev: 1, name })), macs: 0 },
  GaussianDropout: { build: () => seq(IMAGE, L.gaussianDropout({ rate: 0.5, name })), macs: 0 },
  AlphaDropout: { build: () => seq(IMAGE, L.alphaDropout({ rate: 0.5, name })), macs: 0 },
  MaxPooling1D: { build: () => seq([6, 3], L.maxPooling1d({ poolSize: 2, name })), macs: 0 },
  MaxPooling2D: { build: () => seq(IMAGE, L.maxPooling2d({ poolSize: 2, name })), macs: 0 },
  MaxPooling3D: { build: () => seq([4, 4, 4, 3], L.maxPooling3d({ poolSize: 2, name })), macs: 0 },
  AveragePooling1D: { build: () => seq([6, 3], L.averagePooling1d({ poolSize: 2, name })), macs: 0 },
  AveragePooling2D: { build: () => seq(IMAGE, L.averagePooling2d({ poolSize: 2, name })), macs: 0 },
  AveragePooling3D: { build: () => seq([4, 4, 4, 3], L.averagePooling3d({ poolSize: 2, name })), macs: 0 },
  GlobalAveragePooling1D: { build: () => seq([5, 3], L.globalAveragePooling1d({ name })), macs: 0 },
  GlobalAveragePooling2D: { build: () => seq(IMAGE, L.globalAveragePooling2d({ name })), macs: 0 },
  GlobalMaxPooling1D: { build: () => seq([5, 3], L.globalMaxPooling1d({ name })), macs: 0 },
  GlobalMaxPooling2D: { build: () => seq(IMAGE, L.globalMaxPooling2d({ name })), macs: 0 },
  ZeroPadding2D: { build: () => seq(IMAGE, L.zeroPadding2d({ padding: 1, name })), macs: 0 },
  Cropping2D: { build: () => seq(IMAGE, L.cropping2D({ cropping: 1, name })), macs: 0 },
  UpSampling2D: { build: () => seq(IMAGE, L.upSampling2d({ size: [2, 2], name })), macs: 0 },
  RepeatVector: { build: () => seq([3], L.repeatVector({ n: 4, name })), macs: 0 },
  Flatten: { build: () => seq(IMAGE, L.flatten({ name })), macs: 0 },
  Reshape: { build: () => seq(IMAGE, L.reshape({ targetShape: [16, 3], name })), macs: 0 },
  Add: { build: () => twoInputs(L.add({ name })), macs: 0 },
  Multiply: { build: () => twoInputs(L.multiply({ name })), macs: 0 },
  Average: { build: () => twoInputs(L.average({ name })), macs: 0 },
  Maximum: { build: () => twoInputs(L.maximum({ name })), macs: 0 },
  Minimum: { build: () => twoInputs(L.minimum({ name })), macs: 0 },
  Concatenate: { build: () => twoInputs(L.concatenate({ name })), macs: 0 },
  // Channel pruning stops at these.
  InputLayer: {
    build: () => {
      const input = tf.input({ shape: [5], name });
      return tf.model({ inputs: input, outputs: L.dense({ units: 2 }).apply(input) as ST });
    },
  },
  // Per time step (5): kernel [3, gates x 2] + recurrent kernel [2, gates x 2].
  LSTM: { build: () => seq([5, 3], L.lstm({ units: 2, returnSequences: true, name })), macs: 5 * (3 * 8 + 2 * 8) },
  GRU: { build: () => seq([5, 3], L.gru({ units: 2, name })), macs: 5 * (3 * 6 + 2 * 6) },
  SimpleRNN: { build: () => seq([5, 3], L.simpleRNN({ units: 2, name })), macs: 5 * (3 * 2 + 2 * 2) },
  Bidirectional: { build: () => seq([5, 3], L.bidirectional({ layer: L.lstm({ units: 2 }) as tf.RNN, name })), macs: 2 * 5 * (3 * 8 + 2 * 8) },
  Embedding: { build: () => seq([5], L.embedding({ inputDim: 10, outputDim: 4, name })), macs: 0 },
  TimeDistributed: { build: () => seq([5, 3], L.timeDistributed({ layer: L.dense({ units: 4 }), name })), macs: 5 * (3 * 4) },
};

function layerOf(model: tf.LayersModel): tf.layers.Layer {
  return model.getLayer(name);
}

function weightOf(layer: tf.layers.Layer, suffix: string): tf.LayerVariable {
  const v = layer.weights.find((w) => weightSuffix(layer, w) === suffix);
  if (!v) throw new Error(`${layer.getClassName()} has no weight ${suffix}`);
  return v;
}

function setWeight(layer: tf.layers.Layer, suffix: string, values: Float32Array): void {
  const v = weightOf(layer, suffix);
  v.write(tf.tensor(values, v.shape as number[]));
}

/** Indices of a row-major tensor whose coordinate along `axis` is in `at`. */
function indicesAlong(shape: number[], axis: number, at: (i: number) => boolean): number[] {
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const total = shape.reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let i = 0; i < total; i++) if (at(Math.floor(i / inner) % shape[axis])) out.push(i);
  return out;
}

function zeroAlong(layer: tf.layers.Layer, suffix: string, axis: number, at: (i: number) => boolean): void {
  const v = weightOf(layer, suffix);
  const values = v.read().dataSync().slice() as Float32Array;
  for (const i of indicesAlong(v.shape as number[], axis, at)) values[i] = 0;
  setWeight(layer, suffix, values);
}

/** The values of channel c (last axis) of a tensor. */
function channel(t: tf.Tensor, c: number): number[] {
  const last = t.shape[t.shape.length - 1];
  return Array.from(t.dataSync()).filter((_, i) => i % last === c);
}

/** The layer's current weights by suffix, as the surgery reads them. */
function valuesOf(layer: tf.layers.Layer): WeightLookup {
  return (s) => {
    const v = layer.weights.find((w) => weightSuffix(layer, w) === s);
    return v ? { values: v.read().dataSync() as Float32Array, shape: v.shape as number[] } : undefined;
  };
}

function sourceRules(): LayerRule[] {
  return [...LAYER_RULES.values()].filter((r) => r.channels.kind === 'source');
}

/** A deterministic input of the model's shape (batch 2), values in [-1, 1]. */
function inputFor(model: tf.LayersModel, seed = 1): tf.Tensor[] {
  return model.inputs.map((s, k) => tf.randomUniform([2, ...(s.shape.slice(1) as number[])], -1, 1, 'float32', seed + k));
}

function predict(model: tf.LayersModel, xs: tf.Tensor[]): tf.Tensor {
  return model.predict(xs.length === 1 ? xs[0] : xs) as tf.Tensor;
}

describe('the layer-rule registry', () => {
  it('has a case here for every entry, built with a layer of its class', () => {
    expect(Object.keys(CASES).sort()).toEqual([...LAYER_RULES.keys()].sort());
    for (const [cls, c] of Object.entries(CASES)) {
      const model = c.build();
      expect(layerOf(model).getClassName(), cls).toBe(cls);
      expect(LAYER_RULES.get(cls)?.className).toBe(cls);
      disposeModel(model);
    }
  });

  it('names only classes TF.js can deserialise; other classes get the default rule', () => {
    const registered = tf.serialization.SerializationMap.getMap().classNameMap;
    for (const cls of LAYER_RULES.keys()) expect(registered[cls], cls).toBeDefined();
    expect(layerRule('Softmax')).toBe(DEFAULT_RULE);
    expect(DEFAULT_RULE.channels.kind).toBe('opaque');
    expect(DEFAULT_RULE.prunable).toEqual([]);
  });

  it('lists prunable weights that exist on the built layer (through a TimeDistributed wrapper too)', () => {
    for (const [cls, c] of Object.entries(CASES)) {
      const model = c.build();
      const layer = layerOf(model);
      const names = prunableNamesOf(layer);
      const own = layer.weights.map((v) => weightBaseName(weightSuffix(layer, v)));
      for (const n of names) expect(own, `${cls} ${n}`).toContain(n);
      const tensors = listPrunableTensors(model).filter((t) => t.layerPath === name);
      expect(new Set(tensors.map((t) => weightBaseName(t.weight))), cls).toEqual(new Set(names));
      if (layerRule(cls).prunable.length === 0 && !layerRule(cls).wrapsLayer) expect(tensors, cls).toEqual([]);
      disposeModel(model);
    }
    const td = CASES.TimeDistributed.build();
    expect(prunableNamesOf(layerOf(td))).toEqual(['kernel']);
    disposeModel(td);
  });

  it('counts the MACs of each built layer as by hand', async () => {
    for (const [cls, c] of Object.entries(CASES)) {
      if (c.macs === undefined) continue;
      const model = c.build();
      const counts = await countModel(model);
      expect(counts.layers.find((l) => l.path === name)?.macs, cls).toBe(c.macs);
      disposeModel(model);
    }
  });

  it("each source's out axis holds the real layer's channels, and a zero slice outputs act(bias) as its constant rule says", () => {
    for (const rule of sourceRules()) {
      const spec = rule.channels.source!;
      const model = CASES[rule.className].build();
      randomizeWeights(model, 3);
      const layer = layerOf(model);
      const kernel = weightOf(layer, spec.kernel);
      const rank = kernel.shape.length;
      const axis = spec.outAxis(rank);
      const outShape = model.outputs[0].shape;
      expect(kernel.shape[axis], rule.className).toBe(outShape[outShape.length - 1]);
      expect((layer.getConfig() as Record<string, unknown>)[spec.countField], rule.className).toBe(kernel.shape[axis]);
      // The group-lasso axes of the kernel are the same channels.
      expect(rule.prunable.find((w) => w.name === spec.kernel)?.outAxes?.(rank)).toEqual([axis]);
      zeroAlong(layer, spec.kernel, axis, (i) => i === 1);
      const bias = weightOf(layer, 'bias').read().dataSync().slice() as Float32Array;
      bias[1] = 0.4;
      setWeight(layer, 'bias', bias);
      const y = predict(model, inputFor(model));
      const node = buildLayerGraph(model).nodes.find((n) => n.path === name)!;
      const out = new Float64Array(outShape[outShape.length - 1] as number).fill(NaN);
      rule.channels.constant!(node, { inputs: [null], inputApprox: [null], out, outApprox: new Uint8Array(out.length), weight: valuesOf(layer) });
      expect(Number.isNaN(out[0]), rule.className).toBe(true);
      for (const v of channel(y, 1)) expect(v, rule.className).toBeCloseTo(out[1], 5);
      expect(new Set(channel(y, 0)).size, rule.className).toBeGreaterThan(1);
      tf.dispose(y);
      disposeModel(model);
    }
  });

  it("each source's input slices are the weights that read one input channel (stride included), along the N:M axis", () => {
    for (const rule of sourceRules()) {
      const spec = rule.channels.source!;
      for (const u of spec.inputs) {
        const model = CASES[rule.className].build();
        randomizeWeights(model, 5);
        const layer = layerOf(model);
        const shapes = new Map(layer.weights.map((v) => [weightSuffix(layer, v), v.shape as number[]]));
        const w = weightOf(layer, u.weight);
        const axis = u.axis(w.shape.length);
        const stride = u.stride?.(shapes) ?? 1;
        const nm = rule.prunable.find((p) => p.name === u.weight)?.nm(w.shape.length);
        if (nm && 'axis' in nm) expect(nm.axis, `${rule.className} ${u.weight}`).toBe(axis);
        const [x] = inputFor(model);
        const inChannels = x.shape[x.shape.length - 1];
        expect((w.shape[axis] as number) / stride, `${rule.className} ${u.weight}`).toBe(inChannels);
        // Input channel 1 changed: the output changes, unless the slices that read it are zero.
        const bump = tf.tidy(() => x.add(tf.oneHot(tf.fill(x.shape.slice(0, -1), 1, 'int32'), inChannels).mul(0.9)));
        const changed = (): number => tf.tidy(() => (predict(model, [x]) as tf.Tensor).sub(predict(model, [bump])).abs().max().dataSync()[0]);
        expect(changed(), `${rule.className} ${u.weight}`).toBeGreaterThan(1e-4);
        zeroAlong(layer, u.weight, axis, (i) => Math.floor(i / stride) === 1);
        expect(changed(), `${rule.className} ${u.weight}`).toBeLessThan(1e-6);
        tf.dispose([x, bump]);
        disposeModel(model);
      }
    }
  });

  it('every N:M axis is a real axis of its weight, and group-lasso axes span the output channels', () => {
    for (const [cls, c] of Object.entries(CASES)) {
      const model = c.build();
      const layer = layerOf(model);
      const outShape = model.outputs[0].shape;
      for (const w of layerRule(cls).prunable) {
        for (const v of layer.weights.filter((x) => weightBaseName(weightSuffix(layer, x)) === w.name)) {
          const shape = v.shape as number[];
          const nm = w.nm(shape.length);
          if ('axis' in nm) expect(nm.axis >= 0 && nm.axis < shape.length, `${cls} ${w.name}`).toBe(true);
          else expect(nm.reason.length, `${cls} ${w.name}`).toBeGreaterThan(0);
          if (w.name === 'kernel' && 'axis' in nm) {
            const inShape = model.inputs[0].shape;
            expect(shape[nm.axis], `${cls}: N:M runs along the input features`).toBe(inShape[inShape.length - 1]);
          }
          const axes = w.outAxes?.(shape.length);
          if (axes) expect(axes.reduce((n, a) => n * shape[a], 1), `${cls} ${w.name}`).toBe(outShape[outShape.length - 1]);
        }
      }
      disposeModel(model);
    }
  });

  it("BatchNorm's per-channel weights and DepthwiseConv2D's slices belong to the channel they are sliced with", () => {
    const bnModel = CASES.BatchNormalization.build();
    randomizeWeights(bnModel, 2);
    const bn = layerOf(bnModel);
    for (const s of layerRule('BatchNormalization').scales ?? []) expect(bn.weights.map((v) => weightSuffix(bn, v))).toContain(s);
    zeroAlong(bn, 'gamma', 0, (i) => i === 2);
    zeroAlong(bn, 'beta', 0, (i) => i === 2);
    const yb = predict(bnModel, inputFor(bnModel));
    expect(channel(yb, 2).every((v) => v === 0)).toBe(true);
    expect(channel(yb, 1).some((v) => v !== 0)).toBe(true);

    const dwModel = CASES.DepthwiseConv2D.build();
    randomizeWeights(dwModel, 2);
    const dw = layerOf(dwModel);
    zeroAlong(dw, 'depthwise_kernel', 2, (i) => i === 1);
    zeroAlong(dw, 'bias', 0, (i) => i === 2 || i === 3); // multiplier 2: input channel 1 owns outputs 2 and 3
    const yd = predict(dwModel, inputFor(dwModel));
    for (const c of [2, 3]) expect(channel(yd, c).every((v) => v === 0)).toBe(true);
    for (const c of [0, 1]) expect(channel(yd, c).some((v) => v !== 0)).toBe(true);
    tf.dispose([yb, yd]);
    disposeModel(bnModel);
    disposeModel(dwModel);
  });

  it('the constant rules of following and merging layers give what the real layer outputs for constant inputs', () => {
    const base = [0.7, -1.3, 1.6, 0.2, -0.4, 0.9];
    for (const [cls, rule] of LAYER_RULES) {
      if ((rule.channels.kind !== 'follow' && rule.channels.kind !== 'merge') || !rule.channels.constant) continue;
      const model = CASES[cls].build();
      randomizeWeights(model, 9);
      const layer = layerOf(model);
      const dep = buildDependencyGraph(model);
      const node = dep.layers.nodes.find((n) => n.path === name)!;
      // Input k carries base[c] * (k + 1) on channel c, everywhere.
      const consts = model.inputs.map((s, k) => Float64Array.from({ length: s.shape[s.shape.length - 1] as number }, (_, c) => base[c] * (k + 1)));
      const xs = model.inputs.map((s, k) => tf.tidy(() => tf.ones([1, ...(s.shape.slice(1) as number[])]).mul(tf.tensor1d(Array.from(consts[k]), 'float32'))));
      // One constant per channel entry of the output layout (a Flatten's positions share them).
      const width = channelEntries(dep.layouts[node.outputs[0]]!).chanCount;
      const out = new Float64Array(width).fill(NaN);
      const outApprox = new Uint8Array(width);
      rule.channels.constant(node, { inputs: consts, inputApprox: consts.map((c) => new Uint8Array(c.length)), out, outApprox, weight: valuesOf(layer) });
      const y = predict(model, xs);
      const real = Array.from(y.dataSync());
      for (let c = 0; c < width; c++) {
        expect(Number.isFinite(out[c]), `${cls} channel ${c}`).toBe(true);
        const values = real.filter((_, i) => i % width === c);
        if (outApprox[c]) {
          // Exact away from the borders only: the zero padding holds 0, the interior the constant.
          expect(values.some((v) => Math.abs(v - out[c]) < 1e-5), `${cls} channel ${c}`).toBe(true);
          expect(values, cls).toContain(0);
        } else for (const v of values) expect(v, `${cls} channel ${c}`).toBeCloseTo(out[c], 5);
      }
      tf.dispose([...xs, y]);
      disposeModel(model);
    }
  });
});
