// Finds every kernel a gradient of the studio's layers needs (one tiny model per layer class, traced
// on the cpu backend, which has every kernel), then proves on the wasm backend that each of them is
// registered, that each bridged one matches cpu on the traced (random) inputs, and that the whole
// gradient of every model matches cpu.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { bridgedBy, missingKernels, registerMissingKernels, WRONG_KERNELS } from './kernelBridge';
import { PRUNABLE_KERNELS } from '../graph/prunable';
import { mulberry32 } from '../data/seededRandom';

const L = tf.layers;
type Build = () => tf.LayersModel;
interface Case { build: Build; input: number[]; ints?: number; stochastic?: boolean }

const seeded = (seed: number) => tf.initializers.glorotUniform({ seed });
/** input -> layer(s) -> flatten -> dense(2): the gradient runs back through every layer in between. */
function chain(input: number[], ...middle: tf.layers.Layer[]): Build {
  return () => {
    const inp = tf.input({ shape: input });
    let x = inp as tf.SymbolicTensor;
    for (const layer of middle) x = layer.apply(x) as tf.SymbolicTensor;
    if (x.shape.length > 2) x = L.flatten().apply(x) as tf.SymbolicTensor;
    const out = L.dense({ units: 2, kernelInitializer: seeded(9) }).apply(x) as tf.SymbolicTensor;
    return tf.model({ inputs: inp, outputs: out });
  };
}
const conv2d = () => L.conv2d({ filters: 2, kernelSize: 3, padding: 'same', kernelInitializer: seeded(1), biasInitializer: 'ones' });
const dense = () => L.dense({ units: 2, kernelInitializer: seeded(8) });
const conv1d = () => L.conv1d({ filters: 2, kernelSize: 3, padding: 'same', kernelInitializer: seeded(2) });
/** A pass-through layer after a conv2d on 6x6x2. */
const after2d = (layer: tf.layers.Layer, stochastic = false): Case => ({ build: chain([6, 6, 2], conv2d(), layer), input: [6, 6, 2], stochastic });
const after1d = (layer: tf.layers.Layer, stochastic = false): Case => ({ build: chain([6, 2], conv1d(), layer), input: [6, 2], stochastic });
/** Two conv branches joined by a merge layer. */
function merged(make: () => tf.layers.Layer): Case {
  return {
    input: [4, 4, 2],
    build: () => {
      const inp = tf.input({ shape: [4, 4, 2] });
      const a = L.conv2d({ filters: 2, kernelSize: 1, kernelInitializer: seeded(3) }).apply(inp) as tf.SymbolicTensor;
      const b = L.conv2d({ filters: 2, kernelSize: 3, padding: 'same', kernelInitializer: seeded(4) }).apply(inp) as tf.SymbolicTensor;
      const m = make().apply([a, b]) as tf.SymbolicTensor;
      return tf.model({ inputs: inp, outputs: L.dense({ units: 2, kernelInitializer: seeded(9) }).apply(L.flatten().apply(m)) as tf.SymbolicTensor });
    },
  };
}

/**
 * Every layer class whose weights the studio prunes (PRUNABLE_KERNELS), each in a tiny model, after
 * another layer with weights where it can be, so that its input gradient is taken too.
 */
const prunableCases = (): Record<string, Case> => ({
  Dense: { build: chain([4], L.dense({ units: 3, activation: 'relu', kernelInitializer: seeded(1) })), input: [4] },
  Conv1D: { build: chain([6, 2], conv1d(), L.conv1d({ filters: 2, kernelSize: 3, strides: 2, kernelInitializer: seeded(1) })), input: [6, 2] },
  Conv2D: { build: chain([6, 6, 2], conv2d(), L.conv2d({ filters: 3, kernelSize: 3, strides: 2, kernelInitializer: seeded(5) })), input: [6, 6, 2] },
  Conv3D: { build: chain([4, 4, 4, 1], L.conv3d({ filters: 2, kernelSize: 1, kernelInitializer: seeded(6) }), L.conv3d({ filters: 2, kernelSize: 2, kernelInitializer: seeded(1) })), input: [4, 4, 4, 1] },
  Conv2DTranspose: { build: chain([3, 3, 2], conv2d(), L.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, kernelInitializer: seeded(1) })), input: [3, 3, 2] },
  DepthwiseConv2D: { build: chain([5, 5, 2], conv2d(), L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, depthwiseInitializer: seeded(1) })), input: [5, 5, 2] },
  SeparableConv2D: { build: chain([5, 5, 2], conv2d(), L.separableConv2d({ filters: 3, kernelSize: 3, depthwiseInitializer: seeded(1), pointwiseInitializer: seeded(2) })), input: [5, 5, 2] },
  Embedding: { build: chain([3], L.embedding({ inputDim: 5, outputDim: 2, embeddingsInitializer: seeded(1) })), input: [3], ints: 5 },
  LSTM: { build: chain([3, 2], dense(), L.lstm({ units: 2, kernelInitializer: seeded(1), recurrentInitializer: seeded(2) })), input: [3, 2] },
  GRU: { build: chain([3, 2], dense(), L.gru({ units: 2, kernelInitializer: seeded(1), recurrentInitializer: seeded(2) })), input: [3, 2] },
  SimpleRNN: { build: chain([3, 2], dense(), L.simpleRNN({ units: 2, kernelInitializer: seeded(1), recurrentInitializer: seeded(2) })), input: [3, 2] },
  Bidirectional: { build: chain([3, 2], dense(), L.bidirectional({ layer: L.lstm({ units: 2, kernelInitializer: seeded(1), recurrentInitializer: seeded(2) }) as tf.RNN })), input: [3, 2] },
});

const ACTIVATIONS = ['relu', 'relu6', 'elu', 'selu', 'sigmoid', 'hardSigmoid', 'tanh', 'softmax', 'softplus', 'softsign', 'swish', 'mish', 'gelu', 'linear'] as const;

/** The layers the studio passes channels through, normalises or merges, after a layer with weights. */
const otherCases = (): Record<string, Case> => ({
  ...Object.fromEntries(ACTIVATIONS.map((a) => [`Activation(${a})`, after2d(L.activation({ activation: a }))])),
  ReLU: after2d(L.reLU()),
  LeakyReLU: after2d(L.leakyReLU()),
  ELU: after2d(L.elu()),
  ThresholdedReLU: after2d(L.thresholdedReLU({ theta: 0.1 })),
  Softmax: after2d(L.softmax({ axis: -1 })),
  PReLU: after2d(L.prelu()),
  Dropout: after2d(L.dropout({ rate: 0.5 }), true),
  SpatialDropout1D: after1d(L.spatialDropout1d({ rate: 0.5 }), true),
  GaussianNoise: after2d(L.gaussianNoise({ stddev: 0.1 }), true),
  GaussianDropout: after2d(L.gaussianDropout({ rate: 0.3 }), true),
  AlphaDropout: after2d(L.alphaDropout({ rate: 0.3 }), true),
  MaxPooling1D: after1d(L.maxPooling1d({ poolSize: 2 })),
  AveragePooling1D: after1d(L.averagePooling1d({ poolSize: 2 })),
  GlobalAveragePooling1D: after1d(L.globalAveragePooling1d()),
  GlobalMaxPooling1D: after1d(L.globalMaxPooling1d()),
  MaxPooling2D: after2d(L.maxPooling2d({ poolSize: 2 })),
  'MaxPooling2D(3, strides 2, same)': after2d(L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' })),
  'MaxPooling2D(2, strides 1)': after2d(L.maxPooling2d({ poolSize: 2, strides: 1 })),
  AveragePooling2D: after2d(L.averagePooling2d({ poolSize: 2 })),
  GlobalAveragePooling2D: after2d(L.globalAveragePooling2d({})),
  GlobalMaxPooling2D: after2d(L.globalMaxPooling2d({})),
  MaxPooling3D: { build: chain([4, 4, 4, 1], L.conv3d({ filters: 2, kernelSize: 1, kernelInitializer: seeded(1) }), L.maxPooling3d({ poolSize: 2 })), input: [4, 4, 4, 1] },
  AveragePooling3D: { build: chain([4, 4, 4, 1], L.conv3d({ filters: 2, kernelSize: 1, kernelInitializer: seeded(1) }), L.averagePooling3d({ poolSize: 2 })), input: [4, 4, 4, 1] },
  ZeroPadding2D: after2d(L.zeroPadding2d({ padding: 1 })),
  Cropping2D: after2d(L.cropping2D({ cropping: 1 })),
  UpSampling2D: after2d(L.upSampling2d({ size: [2, 2] })),
  RepeatVector: { build: chain([4], L.dense({ units: 3, kernelInitializer: seeded(1) }), L.repeatVector({ n: 2 })), input: [4] },
  BatchNormalization: after2d(L.batchNormalization()),
  LayerNormalization: after2d(L.layerNormalization()),
  Reshape: after2d(L.reshape({ targetShape: [36, 2] })),
  Permute: after2d(L.permute({ dims: [3, 1, 2] })),
  TimeDistributed: { build: chain([3, 2], L.timeDistributed({ layer: L.dense({ units: 2, kernelInitializer: seeded(1) }) })), input: [3, 2] },
  Add: merged(() => L.add()),
  Multiply: merged(() => L.multiply()),
  Average: merged(() => L.average()),
  Maximum: merged(() => L.maximum()),
  Minimum: merged(() => L.minimum()),
  Concatenate: merged(() => L.concatenate()),
});
/** Fresh layers at every call: a model's layers are disposed with it. */
const allCases = (): Record<string, Case> => ({ ...prunableCases(), ...otherCases() });

interface TracedCall { name: string; list: boolean; inputs: { key: string; shape: number[]; dtype: tf.DataType; values: tf.backend_util.BackendValues }[]; attrs: tf.NamedAttrMap }

function randomInput(c: Case, seed: number): tf.Tensor {
  const rand = mulberry32(seed);
  const shape = [2, ...c.input];
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Float32Array.from({ length: n }, () => (c.ints ? Math.floor(rand() * c.ints) : rand() * 2 - 1));
  return tf.tensor(values, shape);
}

/** The loss gradient of every trainable weight, in training mode. */
function weightGradients(model: tf.LayersModel, x: tf.Tensor): Float32Array[] {
  return tf.tidy(() => {
    const vars = model.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
    const { grads } = tf.variableGrads(() => (model.apply(x, { training: true }) as tf.Tensor).square().mean() as tf.Scalar, vars);
    return vars.map((v) => grads[v.name].dataSync() as Float32Array);
  });
}

/** Runs `f` on the active backend with every engine kernel call recorded (name, input copies, attrs). */
function traced(f: () => void): TracedCall[] {
  const engine = tf.engine() as unknown as { runKernel(name: string, inputs: tf.NamedTensorMap, attrs?: tf.NamedAttrMap): unknown };
  const original = engine.runKernel;
  const calls: TracedCall[] = [];
  engine.runKernel = function (name, inputs, attrs) {
    calls.push({
      name,
      list: Array.isArray(inputs),
      attrs: { ...(attrs ?? {}) },
      inputs: Object.entries(inputs).filter(([, t]) => t != null).map(([key, t]) => ({ key, shape: t.shape, dtype: t.dtype, values: t.dataSync().slice() })),
    });
    return original.call(this, name, inputs, attrs);
  };
  try {
    f();
  } finally {
    engine.runKernel = original;
  }
  return calls;
}

/** Runs one traced call on the active backend; returns its outputs' values. */
function replay(call: TracedCall): Float32Array[] {
  return tf.tidy(() => {
    const tensors = call.inputs.map((i) => tf.tensor(i.values as Float32Array, i.shape, i.dtype));
    const inputs = call.list ? tensors : Object.fromEntries(call.inputs.map((i, k) => [i.key, tensors[k]]));
    const out = tf.engine().runKernel(call.name, inputs as tf.NamedTensorMap, call.attrs) as tf.Tensor | tf.Tensor[];
    return (Array.isArray(out) ? out : [out]).map((t) => Float32Array.from(t.dataSync() as Float32Array));
  });
}

/** The first element where `actual` and `expected` (cpu) disagree, in words; null when they agree. */
function mismatch(actual: Float32Array[], expected: Float32Array[]): string | null {
  if (actual.length !== expected.length) return `${actual.length} outputs, cpu ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    if (actual[i].length !== expected[i].length) return `output ${i} has ${actual[i].length} values, cpu ${expected[i].length}`;
    for (let j = 0; j < expected[i].length; j++) {
      const a = actual[i][j];
      const e = expected[i][j];
      if (!(Math.abs(a - e) <= 1e-4 + 1e-3 * Math.abs(e))) return `output ${i}[${j}] = ${a}, cpu ${e}`;
    }
  }
  return null;
}

const kernelOnWasm = (name: string) => tf.getKernel(name, 'wasm') != null;

describe('registerMissingKernels', () => {
  let traces: Record<string, TracedCall[]> = {};
  let cpuGrads: Record<string, Float32Array[]> = {};
  /** Layers whose gradient tfjs itself cannot take, on any backend. */
  const undifferentiable: Record<string, string> = {};
  const isTest = tf.env().getBool('IS_TEST');

  beforeAll(async () => {
    await tf.setBackend('cpu');
    for (const [label, c] of Object.entries(allCases())) {
      const model = c.build();
      const x = randomInput(c, 7);
      try {
        traces[label] = traced(() => { cpuGrads[label] = weightGradients(model, x); });
      } catch (e) {
        undifferentiable[label] = (e as Error).message;
      }
      x.dispose();
      model.dispose();
    }
    // The wasm backend's own fused conv2d trips tfjs's per-kernel leak check (IS_TEST) although
    // nothing leaks; the bridge's own leak test below counts wasm's data ids itself.
    tf.env().set('IS_TEST', false);
  });

  /**
   * Each model's weight gradients on the active backend against cpu's: label -> the first
   * disagreement. Dropout and noise layers draw other random numbers on another backend: only their
   * shapes must agree.
   */
  function gradientMismatches(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [label, c] of Object.entries(allCases())) {
      if (undifferentiable[label]) continue;
      const model = c.build();
      const x = randomInput(c, 7);
      const grads = weightGradients(model, x);
      const expected = cpuGrads[label];
      const m = c.stochastic
        ? (grads.map((g) => g.length).join() === expected.map((g) => g.length).join() ? null : 'other shapes')
        : mismatch(grads, expected);
      if (m) out[label] = m;
      x.dispose();
      model.dispose();
    }
    return out;
  }

  /**
   * Replays every traced call of a kernel `which` picks on the active backend, each after leaving
   * freed memory full of junk (a kernel that forgets to clear its output shows it), against cpu's
   * outputs: kernel name -> the first disagreement, with the layer it came from.
   */
  async function callMismatches(which: (name: string) => boolean): Promise<Record<string, string>> {
    const active = tf.getBackend();
    const calls = Object.entries(traces).flatMap(([label, cs]) => cs.filter((c) => which(c.name)).map((c) => ({ label, c })));
    await tf.setBackend('cpu');
    const expected = calls.map(({ c }) => replay(c));
    await tf.setBackend(active);
    const out: Record<string, string> = {};
    calls.forEach(({ label, c }, i) => {
      const sizes = new Set([...expected[i].map((e) => e.length), ...c.inputs.map((input) => input.values.length)]);
      tf.dispose([...sizes].map((n) => tf.fill([n], 12345.678)));
      const m = mismatch(replay(c), expected[i]);
      if (m && !out[c.name]) out[c.name] = `${label}: ${m}`;
    });
    return Object.fromEntries(Object.entries(out).sort(([x], [y]) => x.localeCompare(y)));
  }

  afterAll(async () => {
    tf.env().set('IS_TEST', isTest);
    await tf.setBackend('cpu');
    traces = {};
    cpuGrads = {};
  });

  it('has a model for every layer class the studio prunes', () => {
    expect(Object.keys(prunableCases()).sort()).toEqual(Object.keys(PRUNABLE_KERNELS).sort());
  });

  it('differentiates every layer but the one tfjs has no gradient for on any backend', () => {
    expect(undifferentiable).toEqual({ ThresholdedReLU: 'Cannot compute gradient: gradient function not found for Greater.' });
  });

  it('finds the kernels those gradients need that wasm 4.22 lacks', () => {
    const used = new Set(Object.values(traces).flat().map((c) => c.name));
    // Found by the trace, not listed by hand.
    expect([...used].filter((n) => !kernelOnWasm(n)).sort()).toEqual([
      'Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'UnsortedSegmentSum',
    ]);
  });

  it('finds the kernels those gradients need that wasm 4.22 has but gets wrong, and lists exactly those as wrong', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const wrong = Object.keys(await callMismatches((name) => kernelOnWasm(name) && bridgedBy(name) === null));
    expect(wrong).toEqual(Object.keys(WRONG_KERNELS.wasm).sort());
  });

  it('registers a kernel for each, once', () => {
    const before = missingKernels();
    expect(before).toEqual(expect.arrayContaining([
      'Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'UnsortedSegmentSum',
      ...Object.keys(WRONG_KERNELS.wasm),
    ]));
    expect(registerMissingKernels()).toEqual(before);
    expect(registerMissingKernels()).toEqual([]);
    expect(missingKernels()).toEqual([]);
    expect(bridgedBy('Conv2DBackpropFilter')).toBe('own');
    expect(bridgedBy('UnsortedSegmentSum')).toBe('own');
    expect(bridgedBy('MaxPoolGrad')).toBe('own');
    expect(bridgedBy('MaxPool3DGrad')).toBe('bridge');
    expect(bridgedBy('Conv2D')).toBeNull();
  });

  it('then runs every kernel call of those gradients on wasm with the outputs cpu gives', async () => {
    registerMissingKernels();
    expect(await tf.setBackend('wasm')).toBe(true);
    const names = new Set(Object.values(traces).flat().map((c) => c.name));
    expect([...names].filter((n) => !kernelOnWasm(n))).toEqual([]);
    expect(await callMismatches(() => true)).toEqual({});
  });

  it('then gives every model the weight gradients cpu gives, on wasm', async () => {
    registerMissingKernels();
    expect(await tf.setBackend('wasm')).toBe(true);
    expect(gradientMismatches()).toEqual({});
  });

  it('leaves no tensor behind on either backend', async () => {
    registerMissingKernels();
    expect(await tf.setBackend('wasm')).toBe(true);
    const x = tf.randomNormal([2, 5, 5, 2], 0, 1, 'float32', 1);
    const w = tf.randomNormal([3, 3, 2, 2], 0, 1, 'float32', 2);
    const ids = tf.backend().numDataIds();
    const dw = tf.grad((k: tf.Tensor) => tf.depthwiseConv2d(x as tf.Tensor4D, k as tf.Tensor4D, 1, 'same').sum())(w);
    const dx = tf.grad((xx: tf.Tensor) => tf.depthwiseConv2d(xx as tf.Tensor4D, w as tf.Tensor4D, 1, 'same').sum())(x);
    expect(tf.backend().numDataIds()).toBe(ids + 2);
    tf.dispose([dw, dx, x, w]);
  });
});
