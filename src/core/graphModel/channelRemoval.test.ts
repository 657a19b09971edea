// Channel removal on graphs: which groups are open and why the others are locked, every slice that
// goes with a channel, and the proof: the smaller model gives the masked model's outputs (1e-5), and
// plain tf.loadGraphModel reads its export.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { graphChannelGroups, type GraphChannelGroup } from './channelGroups';
import { graphChannelScores, maskGraphChannels, removeGraphChannels, selectGraphChannels } from './channelRemoval';
import type { GraphDef, NodeDef } from './graphDef';
import { exportGraphModel, loadExportedGraphFiles } from './graphExport';
import { loadGraphModelData, runGraph, type GraphModelData } from './graphModelData';
import { TAYLOR_NEEDS_GRADIENTS } from './graphPruning';
import type { GraphWeight } from './graphWeights';
import { groupLayers } from './layerGrouping';
import { fixture, maxDiff, randomInputs } from './testGraphs';

const groupsOf = (g: ReturnType<typeof fixture>) => graphChannelGroups(g.analysis, g.data.weights, g.data.info.outputs);
const summary = (groups: GraphChannelGroup[]) => groups.map((x) => (x.producers.length > 1 ? [x.id, x.channels, x.locked, x.producers] : [x.id, x.channels, x.locked]));
const members = (x: GraphChannelGroup) => x.members.map((m) => `${m.role} ${m.weight} axis ${m.axis}${m.width > 1 ? ` x${m.width}` : ''}${m.zero ? '' : ' (not zeroed)'}`);

async function outputs(data: GraphModelData, xs: tf.Tensor[]): Promise<tf.Tensor[]> {
  const model = await loadGraphModelData(data);
  const ys = await runGraph(model, data.info, xs);
  model.dispose();
  return ys;
}

describe('graph channel groups', () => {
  it('conv: three open groups, through pooling, a depthwise + batch norm and a spatial mean; the classifier locked', () => {
    const groups = groupsOf(fixture('conv'));
    expect(summary(groups)).toEqual([
      ['conv1/Conv2D', 8, null],
      ['conv2/Relu', 16, null],
      ['conv3/Conv2D', 16, null],
      ['fc/MatMul', 10, 'Softmax "fc/Softmax" normalises over the channels'],
    ]);
    expect(members(groups[0])).toEqual(['out conv1/kernel axis 3', 'through conv1/bias axis 0', 'in conv2/kernel axis 2']);
    expect(members(groups[1])).toEqual([
      'out conv2/kernel axis 3',
      'through conv2/bias axis 0',
      'through dw/depthwise_kernel axis 2',
      'through bn/gamma axis 0',
      'through bn/beta axis 0',
      'through bn/moving_mean axis 0 (not zeroed)',
      'through bn/moving_variance axis 0 (not zeroed)',
      'in conv3/kernel axis 2',
    ]);
    expect(members(groups[2])).toEqual(['out conv3/kernel axis 3', 'through conv3/bias axis 0', 'in fc/kernel axis 0']);
    expect(groups[2].consumers).toEqual(['fc/MatMul']);
  });

  it('mlp, residual, loop: a residual sum couples its layers; Reshape, outputs and control flow lock', () => {
    expect(summary(groupsOf(fixture('mlp')))).toEqual([
      ['dense1/MatMul', 12, null],
      ['dense2/Relu', 12, null],
      ['logits/MatMul', 10, 'Softmax "probabilities" normalises over the channels'],
    ]);
    expect(summary(groupsOf(fixture('residual')))).toEqual([
      ['block/a/Relu', 8, null, ['block/a/Relu', 'block/b/Conv2D']],
      ['c/Conv2D', 6, null],
      ['d/Conv2D', 6, 'Reshape "flatten/Reshape" depends on the channel count'],
      ['head/MatMul', 4, 'its channels reach the model output "output"'],
    ]);
    expect(members(groupsOf(fixture('residual'))[0])).toEqual([
      'out block/a/kernel axis 3',
      'through block/a/bias axis 0',
      'in block/b/kernel axis 2',
      'out block/b/kernel axis 3',
      'through block/b/bias axis 0',
      'in c/kernel axis 2',
    ]);
    expect(summary(groupsOf(fixture('loop')))).toEqual([
      ['in/MatMul', 4, 'its channels are carried into StatelessWhile "loop/while" (control flow), which the studio does not follow'],
      ['out/MatMul', 2, 'its channels reach the model output "y"'],
    ]);
  });
});

// Written graphs for the locks the fixtures do not have.
const c = (name: string): NodeDef => ({ name, op: 'Const' });
const n = (name: string, op: string, input: string[], attr: NodeDef['attr'] = {}): NodeDef => ({ name, op, input, attr });
function w(name: string, shape: number[], values?: number[]): GraphWeight {
  const size = shape.reduce((a, b) => a * b, 1);
  return values ? { name, dtype: 'int32', shape, values: Int32Array.from(values) } : { name, dtype: 'float32', shape, values: new Float32Array(size).fill(0.5) };
}
function lockOf(between: NodeDef[], weights: GraphWeight[] = []): string | null {
  const def: GraphDef = { node: [n('x', 'Placeholder', []), c('k1'), c('k2'), n('conv1', 'Conv2D', ['x', 'k1']), ...between, n('conv2', 'Conv2D', [between.length ? between[between.length - 1].name : 'conv1', 'k2']), n('y', 'Identity', ['conv2'])] };
  const all = [w('k1', [1, 1, 3, 4]), w('k2', [1, 1, 4, 2]), ...weights];
  const a = groupLayers(def, all, [{ node: 'y' }]);
  return graphChannelGroups(a, all, [{ node: 'y' }])[0].locked;
}

describe('graph channel groups: what locks', () => {
  it('ops that map 0 to nonzero, padding or reducing the channels, shared constants, unknown ops', () => {
    expect(lockOf([])).toBeNull();
    expect(lockOf([n('s', 'Sigmoid', ['conv1'])])).toBe('Sigmoid "s" maps 0 to a nonzero value, so a removed channel would still contribute');
    expect(lockOf([c('p'), n('pad', 'Pad', ['conv1', 'p'])], [w('p', [4, 2], [0, 0, 1, 1, 1, 1, 0, 1])])).toBe('Pad "pad" pads the channel axis');
    expect(lockOf([c('p'), n('pad', 'Pad', ['conv1', 'p'])], [w('p', [4, 2], [0, 0, 1, 1, 1, 1, 0, 0])])).toBeNull();
    expect(lockOf([c('ax'), n('m', 'Mean', ['conv1', 'ax'], { keep_dims: { b: true } })], [w('ax', [1], [-1])])).toBe('Mean "m" reduces over the channels');
    expect(lockOf([c('b'), n('other', 'Relu', ['b']), n('add', 'BiasAdd', ['conv1', 'b'])], [w('b', [4])])).toBe('the constant b is also read by "other"');
    expect(lockOf([c('b'), n('add', 'Add', ['conv1', 'b'])], [w('b', [2, 4])])).toBe('Add "add" uses the constant b of shape [2,4], which does not follow the channels');
    expect(lockOf([n('t', 'Transpose', ['conv1'])])).toBe('its channels feed Transpose "t", which the studio cannot prove safe to shrink');
    // A residual sum with the model input: nothing else can lose those channels.
    expect(lockOf([n('sum', 'AddV2', ['conv1', 'x'])])).toBe('its channels meet, in AddV2 "sum", a tensor that comes from no layer whose channels can be removed (a model input, or a locked layer)');
    expect(lockOf([n('sum', 'AddV2', ['conv1', 'conv1'])])).toBeNull();
  });
});

describe('graph channel removal', () => {
  for (const name of ['conv', 'mlp', 'residual']) {
    it(`${name}: the smaller model gives the masked model's outputs, and plain tf.loadGraphModel reads its export`, async () => {
      const g = fixture(name);
      const groups = groupsOf(g);
      const plan = selectGraphChannels(groups, graphChannelScores(g.data, groups, 'magnitude'), { kind: 'global', ratio: 0.5 });
      const masked = maskGraphChannels(g.data, groups, plan);
      const { data: smaller, report } = removeGraphChannels(g.data, groups, plan);
      expect(report.paramsAfter).toBeLessThan(report.paramsBefore);
      const xs = randomInputs(await loadGraphModelData(g.data));
      const a = await outputs(masked, xs);
      const b = await outputs(smaller, xs);
      expect(maxDiff(a, b)).toBeLessThan(1e-5);
      const reloaded = await loadExportedGraphFiles(exportGraphModel(smaller, { precision: 'float32' }).files);
      const c2 = await runGraph(reloaded, g.data.info, xs);
      expect(maxDiff(b, c2)).toBe(0);
      tf.dispose([...xs, ...a, ...b, ...c2]);
      reloaded.dispose();
    });
  }

  it('conv: exact slices and counts; the Const nodes record the new shapes', () => {
    const g = fixture('conv');
    const groups = groupsOf(g);
    const keep = Uint8Array.from([1, 0, 1, 0, 1, 0, 1, 0]);
    const { data, report } = removeGraphChannels(g.data, groups, { 'conv1/Conv2D': keep });
    const shape = (d: GraphModelData, name: string) => d.weights.find((x) => x.name === name)!.shape;
    expect(shape(data, 'conv1/kernel')).toEqual([3, 3, 1, 4]);
    expect(shape(data, 'conv1/bias')).toEqual([4]);
    expect(shape(data, 'conv2/kernel')).toEqual([3, 3, 4, 16]);
    expect(report).toEqual({ removed: { 'conv1/Conv2D': { removed: 4, total: 8 } }, paramsBefore: 1900, paramsAfter: 1900 - 36 - 4 - 9 * 4 * 16, reshaped: ['conv1/kernel', 'conv1/bias', 'conv2/kernel'] });
    const kept = data.weights.find((x) => x.name === 'conv1/bias')!.values;
    const before = g.data.weights.find((x) => x.name === 'conv1/bias')!.values;
    expect(Array.from(kept)).toEqual([before[0], before[2], before[4], before[6]]);
    const node = data.topology.node.find((x) => x.name === 'conv2/kernel')!;
    expect(node.attr?.value?.tensor?.tensorShape).toEqual({ dim: [{ size: '3' }, { size: '3' }, { size: '4' }, { size: '16' }] });
    expect(g.data.topology.node.find((x) => x.name === 'conv2/kernel')!.attr?.value?.tensor?.tensorShape?.dim?.[2]).toEqual({ size: '8' });
  });

  it('scores, selection per group, and what is refused', () => {
    const g = fixture('conv');
    const groups = groupsOf(g);
    const scores = graphChannelScores(g.data, groups, 'magnitude');
    const k1 = g.data.weights.find((x) => x.name === 'conv1/kernel')!.values;
    const k2 = g.data.weights.find((x) => x.name === 'conv2/kernel')!.values;
    let l1 = 0;
    for (let i = 0; i < 9; i++) l1 += Math.abs(k1[i * 8]); // conv1 filter 0: [3,3,1,8][.., .., 0, 0]
    for (let i = 0; i < 9; i++) for (let o = 0; o < 16; o++) l1 += Math.abs(k2[i * 8 * 16 + o]); // conv2 input row 0
    expect(scores['conv1/Conv2D'][0]).toBeCloseTo(l1, 5);
    expect(Object.keys(scores)).toEqual(['conv1/Conv2D', 'conv2/Relu', 'conv3/Conv2D']);
    const plan = selectGraphChannels(groups, scores, { kind: 'perGroup', ratio: { 'conv2/Relu': 0.5, 'conv3/Conv2D': 1 } });
    expect([...plan['conv2/Relu']].filter((k) => k === 0)).toHaveLength(8);
    expect([...plan['conv3/Conv2D']].filter((k) => k === 1)).toHaveLength(1);
    expect([...plan['conv1/Conv2D']].every((k) => k === 1)).toBe(true);
    expect(() => removeGraphChannels(g.data, groups, { 'fc/MatMul': new Uint8Array(10).fill(1) })).toThrow('channel group fc/MatMul is locked: Softmax "fc/Softmax" normalises over the channels');
    expect(() => maskGraphChannels(g.data, groups, { 'conv1/Conv2D': new Uint8Array(8) })).toThrow('channel plan for conv1/Conv2D removes every channel; at least one must stay');
    expect(() => graphChannelScores(g.data, groups, 'taylor')).toThrow(TAYLOR_NEEDS_GRADIENTS);
  });
});
