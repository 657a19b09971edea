// Layers read back from graphs: which nodes join which layer, the kernel's axes, what is prunable, the
// constants that are not (and why), and the summary's counts and MACs.
import { describe, expect, it } from 'vitest';
import type { GraphDef, NodeDef } from './graphDef';
import { loadGraphModelData } from './graphModelData';
import { inferShapes } from './graphShapes';
import { graphModelStats, shapeNodes } from './graphSummary';
import type { GraphWeight } from './graphWeights';
import { groupLayers } from './layerGrouping';
import { fixture, fixtureFiles, readGraph } from './testGraphs';

async function statsOf(g: ReturnType<typeof fixture>) {
  const model = await loadGraphModelData(g.data);
  const shapes = await inferShapes(model, g.data.info, shapeNodes(g.analysis));
  model.dispose();
  return graphModelStats(g.analysis, g.data.weights, shapes, { input: g.data.info.inputs[0].shape, output: g.data.info.outputs[0].shape });
}

describe('groupLayers on the conv fixture', () => {
  const g = fixture('conv');

  it('joins each weighted op with its bias, batch norm and activation', () => {
    const rows = g.analysis.layers.map((l) => ({ name: l.name, ops: l.ops, roles: l.weights.map((w) => `${w.role} ${w.name}`), activation: l.activation, output: l.output }));
    expect(rows).toEqual([
      { name: 'conv1/Conv2D', ops: ['Conv2D', 'BiasAdd', 'Relu'], roles: ['kernel conv1/kernel', 'bias conv1/bias'], activation: 'Relu', output: 'conv1/Relu' },
      { name: 'conv2/Relu', ops: ['_FusedConv2D'], roles: ['kernel conv2/kernel', 'bias conv2/bias'], activation: 'Relu', output: 'conv2/Relu' },
      {
        name: 'dw/depthwise',
        ops: ['DepthwiseConv2dNative', 'FusedBatchNormV3', 'Relu6'],
        roles: ['kernel dw/depthwise_kernel', 'batchNorm bn/gamma', 'batchNorm bn/beta', 'batchNorm bn/moving_mean', 'batchNorm bn/moving_variance'],
        activation: 'Relu6',
        output: 'bn/Relu6',
      },
      { name: 'conv3/Conv2D', ops: ['Conv2D', 'BiasAdd', 'Relu'], roles: ['kernel conv3/kernel', 'bias conv3/bias'], activation: 'Relu', output: 'conv3/Relu' },
      { name: 'fc/MatMul', ops: ['MatMul', 'BiasAdd', 'Softmax'], roles: ['kernel fc/kernel', 'bias fc/bias'], activation: 'Softmax', output: 'fc/Softmax' },
    ]);
    expect(g.analysis.layers.map((l) => [l.kind, l.inAxis, l.outAxis, l.prunable])).toEqual([
      ['conv', 2, 3, true],
      ['conv', 2, 3, true],
      ['depthwise', 2, 2, true],
      ['conv', 2, 3, true],
      ['matmul', 0, 1, true],
    ]);
    expect(g.analysis.constants).toEqual([{ name: 'gap/axes', dtype: 'int32', shape: [2], role: 'non-weight', reason: 'an int32 constant (shapes, axes, indices), not a weight' }]);
  });

  it('counts params, prunable weights and MACs per layer, for one example', async () => {
    const stats = await statsOf(g);
    expect(stats.layers.map((r) => [r.name, r.params, r.prunableParams, r.macs, r.outputShape])).toEqual([
      ['conv1/Conv2D', 80, 72, 28 * 28 * 72, [1, 28, 28, 8]],
      ['conv2/Relu', 1168, 1152, 7 * 7 * 1152, [1, 7, 7, 16]],
      ['dw/depthwise', 208, 144, 7 * 7 * 144, [1, 7, 7, 16]],
      ['conv3/Conv2D', 272, 256, 7 * 7 * 256, [1, 7, 7, 16]],
      ['fc/MatMul', 170, 160, 160, [1, 10]],
      ['gap/axes', 2, 0, 0, [2]],
    ]);
    expect(stats.totals).toMatchObject({ params: 1900, prunableParams: 1784, macs: 132656, unknownMacs: [] });
    expect(stats.layers[0]).toMatchObject({ className: 'Conv2D', kind: 'layer', ops: 'Conv2D + BiasAdd + Relu', weight: 'conv1/kernel', weightShape: [3, 3, 1, 8], bytes: 320, reason: null });
    expect(stats.layers[5]).toMatchObject({ className: 'Const', kind: 'non-weight', prunable: false });
  });

  it('reports MACs as unknown when the input has open spatial dimensions', async () => {
    const files = fixtureFiles('conv').map((f) => {
      if (f.path !== 'model.json') return f;
      const text = new TextDecoder().decode(f.bytes).replaceAll('{"size":"-1"},{"size":"28"},{"size":"28"},{"size":"1"}', '{"size":"-1"},{"size":"-1"},{"size":"-1"},{"size":"1"}');
      return { path: f.path, bytes: new TextEncoder().encode(text) };
    });
    const stats = await statsOf(readGraph(files));
    expect(stats.layers.filter((r) => r.kind === 'layer').map((r) => r.macs)).toEqual([null, null, null, null, null]);
    expect(stats.totals.unknownMacs).toHaveLength(5);
  });
});

describe('groupLayers on the other fixtures', () => {
  it('residual: a bias stops at the residual Add; the shape constant is not a weight', () => {
    const g = fixture('residual');
    expect(g.analysis.layers.map((l) => l.ops.join('+'))).toEqual(['_FusedConv2D', 'Conv2D+BiasAdd', 'Conv2D+BiasAdd+Relu', 'Conv2D+BiasAdd+Relu', 'MatMul+BiasAdd']);
    expect(g.analysis.constants.map((c) => c.name)).toEqual(['flatten/shape']);
  });

  it('loop: constants carried into the loop or inside its functions are shown, never prunable', () => {
    const g = fixture('loop');
    expect(g.analysis.layers.map((l) => [l.name, l.prunable])).toEqual([['in/MatMul', true], ['out/MatMul', true]]);
    expect(g.analysis.constants.map((c) => [c.name, c.role, c.reason])).toEqual([
      ['loop/i0', 'control-flow', 'carried into StatelessWhile "loop/while" (control flow); the studio does not prune weights used inside loops or conditionals'],
      ['loop/n', 'control-flow', 'carried into StatelessWhile "loop/while" (control flow); the studio does not prune weights used inside loops or conditionals'],
      ['loop/kernel', 'control-flow', 'carried into StatelessWhile "loop/while" (control flow); the studio does not prune weights used inside loops or conditionals'],
      ['loop_body/one', 'control-flow', 'a constant inside the function "loop_body" (a loop body or condition); the studio does not prune inside control flow'],
    ]);
  });
});

// Small graphs written here: the cases the fixtures do not have.
function w(name: string, shape: number[], dtype: GraphWeight['dtype'] = 'float32'): GraphWeight {
  const n = shape.reduce((a, b) => a * b, 1);
  return { name, dtype, shape, values: dtype === 'float32' ? new Float32Array(n).fill(0.5) : new Int32Array(n) };
}
const c = (name: string): NodeDef => ({ name, op: 'Const' });
const n = (name: string, op: string, input: string[], attr: NodeDef['attr'] = {}): NodeDef => ({ name, op, input, attr });

describe('groupLayers on written graphs', () => {
  it('a transposed product, a constant left operand, a shared kernel, a folded batch norm (Mul + Add)', () => {
    const def: GraphDef = {
      node: [
        n('x', 'Placeholder', []),
        c('k'), c('kt'), c('s'), c('b'), c('dk'),
        n('mt', 'MatMul', ['x', 'kt'], { transpose_b: { b: true } }),
        n('left', 'MatMul', ['k', 'mt']),
        n('again', 'MatMul', ['mt', 'k']),
        n('img', 'Placeholder', []),
        n('dw', 'DepthwiseConv2dNative', ['img', 'dk']),
        n('scale', 'Mul', ['s', 'dw']),
        n('bias', 'Add', ['scale', 'b']),
        n('relu', 'Relu', ['bias']),
      ],
    };
    const weights = [w('k', [6, 6]), w('kt', [6, 4]), w('s', [3]), w('b', [3]), w('dk', [3, 3, 3, 1])];
    const a = groupLayers(def, weights, [{ node: 'left' }, { node: 'again' }, { node: 'relu' }]);
    expect(a.layers.map((l) => [l.name, l.kernel.name, l.kernelInput, l.inAxis, l.outAxis, l.prunable, l.reason, l.ops.join('+')])).toEqual([
      ['mt', 'kt', 1, 1, 0, true, null, 'MatMul'],
      ['left', 'k', 0, 1, 0, true, null, 'MatMul'],
      ['again', 'k', 1, 0, 1, false, 'it shares its kernel k with left, which prunes it', 'MatMul'],
      ['dw', 'dk', 1, 2, 2, true, null, 'DepthwiseConv2dNative+Mul+Add+Relu'],
    ]);
    expect(a.layers[3].weights.map((x) => x.role)).toEqual(['kernel', 'scale', 'bias']);
    expect(a.constants).toEqual([]);
  });

  it('an int kernel is not prunable; a product of two activations is no layer', () => {
    const def: GraphDef = { node: [n('x', 'Placeholder', []), c('ki'), n('m', 'MatMul', ['x', 'ki']), n('sq', 'MatMul', ['m', 'm'])] };
    const a = groupLayers(def, [w('ki', [2, 2], 'int32')], [{ node: 'sq' }]);
    expect(a.layers.map((l) => [l.name, l.prunable, l.reason])).toEqual([['m', false, 'its kernel is int32, not float32']]);
  });
});

describe('graph summary after pruning', () => {
  it('nonzero counts and nonzero MACs follow the zeros', async () => {
    const g = fixture('conv');
    const kernel = g.data.weights.find((x) => x.name === 'conv1/kernel')!;
    const zeroed = { ...kernel, values: Float32Array.from(kernel.values as Float32Array, (v, i) => (i % 2 ? 0 : v)) };
    const data = { ...g.data, weights: g.data.weights.map((x) => (x === kernel ? zeroed : x)) };
    const stats = await statsOf({ ...g, data });
    expect(stats.layers[0]).toMatchObject({ prunableParams: 72, prunableNonzero: 36, nonzeroMacs: 784 * 36, nonzero: 36 + 8 });
    expect(stats.totals.prunableSparsity).toBeCloseTo(36 / 1784, 10);
  });
});
