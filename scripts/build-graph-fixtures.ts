// Writes small TF.js graph models under e2e/fixtures/graph/, written directly as graph-model JSON and
// weight bytes (no TensorFlow, no converter): the models the graph-model tests and the e2e journey use.
//
//   npx tsx scripts/build-graph-fixtures.ts
//
// | folder      | what |
// |-------------|------|
// | conv/       | 28x28x1 -> 10 conv net: Conv2D+BiasAdd+Relu, MaxPool, _FusedConv2D(BiasAdd,Relu), DepthwiseConv2dNative+FusedBatchNormV3+Relu6, Conv2D 1x1+BiasAdd+Relu, Mean, MatMul+BiasAdd, Softmax; with a signature |
// | mlp/        | 28x28x1 -> 10 MLP: Reshape, MatMul+BiasAdd+Relu, _FusedMatMul(BiasAdd,Relu), MatMul+BiasAdd, Softmax; no signature (Placeholder and leaf node) |
// | mlp-uint8/  | the same MLP with its float weights uint8-quantized in the manifest (min / scale, as the converter's --quantize_uint8 writes) |
// | residual/   | 8x8x3 -> 4: _FusedConv2D, Conv2D+BiasAdd, AddV2 of the two (a residual), Relu, two more convs, Reshape, MatMul |
// | loop/       | [n, 4] -> [n, 2] with a StatelessWhile loop (cond and body library functions) that carries a weight: needs executeAsync |
//
// Weights are seeded (mulberry32), so running the script twice writes identical bytes;
// src/core/graphModel/graphFixtures.test.ts checks that the committed files are what this writes.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { mulberry32 } from '../src/core/data/seededRandom';
import { quantizeUint8 } from '../src/core/model/quantize';

export const GRAPH_FIXTURES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../e2e/fixtures/graph');

type Attr = Record<string, unknown>;
interface Node {
  name: string;
  op: string;
  input?: string[];
  attr?: Attr;
}
interface Weight {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  values: number[];
}

const b64 = (s: string) => btoa(s);
const F = { type: 'DT_FLOAT' };
const ints = (xs: number[]) => ({ list: { i: xs.map(String) } });
const str = (s: string) => ({ s: b64(s) });
const dims = (shape: number[]) => ({ dim: shape.map((d) => ({ size: String(d) })) });

/** A graph under construction: nodes in order, and the weights of its Const nodes. */
class Graph {
  nodes: Node[] = [];
  weights: Weight[] = [];
  functions: unknown[] = [];
  private rnd: () => number;

  constructor(seed: number) {
    this.rnd = mulberry32(seed);
  }

  placeholder(name: string, shape: number[]): string {
    this.nodes.push({ name, op: 'Placeholder', attr: { dtype: F, shape: { shape: dims(shape) } } });
    return name;
  }

  const(name: string, shape: number[], values: number[], dtype: 'float32' | 'int32' = 'float32'): string {
    const dt = dtype === 'float32' ? 'DT_FLOAT' : 'DT_INT32';
    this.nodes.push({ name, op: 'Const', attr: { dtype: { type: dt }, value: { tensor: { dtype: dt, tensorShape: dims(shape) } } } });
    this.weights.push({ name, shape, dtype, values });
    return name;
  }

  /** Uniform in +-sqrt(6 / fanIn) (He-like), rounded to float32. */
  random(name: string, shape: number[], fanIn: number): string {
    const limit = Math.sqrt(6 / fanIn);
    const n = shape.reduce((a, b) => a * b, 1);
    return this.const(name, shape, Array.from({ length: n }, () => Math.fround((this.rnd() * 2 - 1) * limit)));
  }

  small(name: string, shape: number[], around = 0, spread = 0.1): string {
    const n = shape.reduce((a, b) => a * b, 1);
    return this.const(name, shape, Array.from({ length: n }, () => Math.fround(around + (this.rnd() * 2 - 1) * spread)));
  }

  op(name: string, op: string, input: string[], attr: Attr = {}): string {
    this.nodes.push({ name, op, input, attr: { T: F, ...attr } });
    return name;
  }

  // Names as the converter writes them: weights `<scope>/kernel`, `<scope>/bias`; ops `<scope>/<Op>`
  // (a fused op is named after its last fused op).
  conv(scope: string, x: string, k: number, cin: number, cout: number, stride = 1): string {
    const w = this.random(`${scope}/kernel`, [k, k, cin, cout], k * k * cin);
    return this.op(`${scope}/Conv2D`, 'Conv2D', [x, w], convAttrs(stride));
  }

  fusedConv(scope: string, x: string, k: number, cin: number, cout: number, stride: number, ops: string[]): string {
    const w = this.random(`${scope}/kernel`, [k, k, cin, cout], k * k * cin);
    const b = this.small(`${scope}/bias`, [cout]);
    return this.op(`${scope}/${ops[ops.length - 1]}`, '_FusedConv2D', [x, w, b], { ...convAttrs(stride), fused_ops: { list: { s: ops.map(b64) } }, num_args: { i: '1' }, epsilon: { f: 0 } });
  }

  biasAdd(scope: string, x: string, n: number): string {
    const b = this.small(`${scope}/bias`, [n]);
    return this.op(`${scope}/BiasAdd`, 'BiasAdd', [x, b], { data_format: str('NHWC') });
  }

  matmul(scope: string, x: string, cin: number, cout: number): string {
    const w = this.random(`${scope}/kernel`, [cin, cout], cin);
    return this.op(`${scope}/MatMul`, 'MatMul', [x, w], { transpose_a: { b: false }, transpose_b: { b: false } });
  }

  topology(): object {
    return { node: this.nodes, library: this.functions.length ? { function: this.functions } : {}, versions: { producer: 1645 } };
  }
}

function convAttrs(stride: number): Attr {
  return {
    strides: ints([1, stride, stride, 1]),
    padding: str('SAME'),
    data_format: str('NHWC'),
    dilations: ints([1, 1, 1, 1]),
    explicit_paddings: { list: {} },
    use_cudnn_on_gpu: { b: true },
  };
}

/** model.json + one shard: float32 / int32 values, or uint8-quantized float weights. */
function files(g: Graph, extra: Record<string, unknown>, quantize = false): Map<string, Uint8Array> {
  const parts: Uint8Array[] = [];
  const specs = g.weights.map((w) => {
    if (w.dtype === 'int32') {
      parts.push(new Uint8Array(Int32Array.from(w.values).buffer));
      return { name: w.name, shape: w.shape, dtype: w.dtype };
    }
    const values = Float32Array.from(w.values);
    if (!quantize) {
      parts.push(new Uint8Array(values.buffer));
      return { name: w.name, shape: w.shape, dtype: w.dtype };
    }
    const q = quantizeUint8(values, w.name);
    parts.push(q.bytes);
    return { name: w.name, shape: w.shape, dtype: w.dtype, quantization: { dtype: 'uint8', min: q.min, scale: q.scale, original_dtype: 'float32' } };
  });
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  const json = {
    format: 'graph-model',
    generatedBy: '2.15.0',
    convertedBy: 'scripts/build-graph-fixtures.ts',
    ...extra,
    modelTopology: g.topology(),
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: specs }],
  };
  return new Map([
    ['model.json', new TextEncoder().encode(`${JSON.stringify(json)}\n`)],
    ['group1-shard1of1.bin', data],
  ]);
}

function signature(inputs: [string, number[]][], outputs: [string, number[]][]): object {
  const entry = ([name, shape]: [string, number[]]) => [`${name}:0`, { name: `${name}:0`, dtype: 'DT_FLOAT', tensorShape: dims(shape) }];
  return { inputs: Object.fromEntries(inputs.map(entry)), outputs: Object.fromEntries(outputs.map(entry)) };
}

function convNet(): Map<string, Uint8Array> {
  const g = new Graph(18001);
  const x = g.placeholder('x', [-1, 28, 28, 1]);
  let h = g.conv('conv1', x, 3, 1, 8);
  h = g.biasAdd('conv1', h, 8);
  h = g.op('conv1/Relu', 'Relu', [h]);
  h = g.op('pool1/MaxPool', 'MaxPool', [h], { ksize: ints([1, 2, 2, 1]), strides: ints([1, 2, 2, 1]), padding: str('VALID'), data_format: str('NHWC') });
  h = g.fusedConv('conv2', h, 3, 8, 16, 2, ['BiasAdd', 'Relu']);
  const dw = g.random('dw/depthwise_kernel', [3, 3, 16, 1], 9);
  h = g.op('dw/depthwise', 'DepthwiseConv2dNative', [h, dw], { strides: ints([1, 1, 1, 1]), padding: str('SAME'), data_format: str('NHWC'), dilations: ints([1, 1, 1, 1]), explicit_paddings: { list: {} } });
  const gamma = g.small('bn/gamma', [16], 1, 0.2);
  const beta = g.small('bn/beta', [16]);
  const mean = g.small('bn/moving_mean', [16]);
  const variance = g.small('bn/moving_variance', [16], 1, 0.3);
  h = g.op('bn/FusedBatchNormV3', 'FusedBatchNormV3', [h, gamma, beta, mean, variance], { U: F, epsilon: { f: 0.001 }, data_format: str('NHWC'), is_training: { b: false } });
  h = g.op('bn/Relu6', 'Relu6', [h]);
  h = g.conv('conv3', h, 1, 16, 16);
  h = g.biasAdd('conv3', h, 16);
  h = g.op('conv3/Relu', 'Relu', [h]);
  const axes = g.const('gap/axes', [2], [1, 2], 'int32');
  h = g.op('gap/Mean', 'Mean', [h, axes], { Tidx: { type: 'DT_INT32' }, keep_dims: { b: false } });
  h = g.matmul('fc', h, 16, 10);
  h = g.biasAdd('fc', h, 10);
  h = g.op('fc/Softmax', 'Softmax', [h]);
  g.op('Identity', 'Identity', [h]);
  return files(g, { signature: signature([['x', [-1, 28, 28, 1]]], [['Identity', [-1, 10]]]) });
}

function mlpGraph(): Graph {
  const g = new Graph(18002);
  const x = g.placeholder('images', [-1, 28, 28, 1]);
  const shape = g.const('flatten/shape', [2], [-1, 784], 'int32');
  let h = g.op('flatten/Reshape', 'Reshape', [x, shape], { Tshape: { type: 'DT_INT32' } });
  h = g.matmul('dense1', h, 784, 12);
  h = g.biasAdd('dense1', h, 12);
  h = g.op('dense1/Relu', 'Relu', [h]);
  const w2 = g.random('dense2/kernel', [12, 12], 12);
  const b2 = g.small('dense2/bias', [12]);
  h = g.op('dense2/Relu', '_FusedMatMul', [h, w2, b2], { transpose_a: { b: false }, transpose_b: { b: false }, fused_ops: { list: { s: [b64('BiasAdd'), b64('Relu')] } }, num_args: { i: '1' }, epsilon: { f: 0 } });
  h = g.matmul('logits', h, 12, 10);
  h = g.biasAdd('logits', h, 10);
  g.op('probabilities', 'Softmax', [h]);
  return g;
}

function residualNet(): Map<string, Uint8Array> {
  const g = new Graph(18003);
  const x = g.placeholder('input', [1, 8, 8, 3]);
  const a = g.fusedConv('block/a', x, 3, 3, 8, 1, ['BiasAdd', 'Relu']);
  let b = g.conv('block/b', a, 3, 8, 8);
  b = g.biasAdd('block/b', b, 8);
  let h = g.op('block/add', 'AddV2', [a, b]);
  h = g.op('block/Relu', 'Relu', [h]);
  h = g.conv('c', h, 3, 8, 6);
  h = g.biasAdd('c', h, 6);
  h = g.op('c/Relu', 'Relu', [h]);
  h = g.conv('d', h, 1, 6, 6);
  h = g.biasAdd('d', h, 6);
  h = g.op('d/Relu', 'Relu', [h]);
  const shape = g.const('flatten/shape', [2], [-1, 384], 'int32');
  h = g.op('flatten/Reshape', 'Reshape', [h, shape], { Tshape: { type: 'DT_INT32' } });
  h = g.matmul('head', h, 384, 4);
  h = g.biasAdd('head', h, 4);
  g.op('output', 'Identity', [h]);
  return files(g, { signature: signature([['input', [1, 8, 8, 3]]], [['output', [1, 4]]]) });
}

function loopNet(): Map<string, Uint8Array> {
  const g = new Graph(18004);
  const x = g.placeholder('x', [-1, 4]);
  const h = g.matmul('in', x, 4, 4);
  const i0 = g.const('loop/i0', [], [0], 'int32');
  const n = g.const('loop/n', [], [3], 'int32');
  const w = g.random('loop/kernel', [4, 4], 4);
  const I = { type: 'DT_INT32' };
  g.nodes.push({
    name: 'loop/while',
    op: 'StatelessWhile',
    input: [i0, n, h, w],
    attr: {
      T: { list: { type: ['DT_INT32', 'DT_INT32', 'DT_FLOAT', 'DT_FLOAT'] } },
      cond: { func: { name: 'loop_cond' } },
      body: { func: { name: 'loop_body' } },
      parallel_iterations: { i: '10' },
      output_shapes: { list: { shape: [{}, {}, dims([-1, 4]), dims([4, 4])] } },
    },
  });
  const args = [{ name: 'i', type: 'DT_INT32' }, { name: 'n', type: 'DT_INT32' }, { name: 'h', type: 'DT_FLOAT' }, { name: 'w', type: 'DT_FLOAT' }];
  g.functions.push({
    signature: { name: 'loop_cond', inputArg: args, outputArg: [{ name: 'more', type: 'DT_BOOL' }] },
    nodeDef: [{ name: 'Less', op: 'Less', input: ['i', 'n'], attr: { T: I } }],
    ret: { more: 'Less:z:0' },
  });
  // A constant inside a function is a weight named "<function>/<node>", as the converter writes it.
  g.weights.push({ name: 'loop_body/one', shape: [], dtype: 'int32', values: [1] });
  g.functions.push({
    signature: { name: 'loop_body', inputArg: args, outputArg: [{ name: 'i_next', type: 'DT_INT32' }, { name: 'n_out', type: 'DT_INT32' }, { name: 'h_next', type: 'DT_FLOAT' }, { name: 'w_out', type: 'DT_FLOAT' }] },
    nodeDef: [
      { name: 'loop_body/one', op: 'Const', attr: { dtype: I, value: { tensor: { dtype: 'DT_INT32', tensorShape: {} } } } },
      { name: 'add', op: 'AddV2', input: ['i', 'loop_body/one:output:0'], attr: { T: I } },
      { name: 'MatMul', op: 'MatMul', input: ['h', 'w'], attr: { T: F, transpose_a: { b: false }, transpose_b: { b: false } } },
      { name: 'Relu', op: 'Relu', input: ['MatMul:product:0'], attr: { T: F } },
    ],
    ret: { i_next: 'add:z:0', n_out: 'n', h_next: 'Relu:activations:0', w_out: 'w' },
  });
  const out = g.matmul('out', 'loop/while:2', 4, 2);
  g.op('y', 'Identity', [out]);
  return files(g, {});
}

/** Every fixture file, by path under e2e/fixtures/graph/. */
export function buildGraphFixtures(): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const add = (dir: string, fs: Map<string, Uint8Array>) => {
    for (const [name, bytes] of fs) out.set(`${dir}/${name}`, bytes);
  };
  add('conv', convNet());
  add('mlp', files(mlpGraph(), {}));
  add('mlp-uint8', files(mlpGraph(), {}, true));
  add('residual', residualNet());
  add('loop', loopNet());
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  rmSync(GRAPH_FIXTURES_DIR, { recursive: true, force: true });
  let total = 0;
  for (const [path, bytes] of buildGraphFixtures()) {
    mkdirSync(dirname(join(GRAPH_FIXTURES_DIR, path)), { recursive: true });
    writeFileSync(join(GRAPH_FIXTURES_DIR, path), bytes);
    total += bytes.length;
  }
  console.log(`wrote ${(total / 1024).toFixed(1)} KiB under ${GRAPH_FIXTURES_DIR}`);
}
