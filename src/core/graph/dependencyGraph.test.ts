import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildDependencyGraph, type DependencyGraph } from './dependencyGraph';
import { disposeModel } from './disposeModel';
import { concatNet, depthwiseNet, fashionCnn, fashionMlp, recurrentNet, residualNet } from '../prune/testModels';

type ST = tf.SymbolicTensor;

function group(dep: DependencyGraph, id: string) {
  const g = dep.groups.find((x) => x.id === id);
  if (!g) throw new Error(`no group ${id}`);
  return g;
}

function member(dep: DependencyGraph, id: string, path: string, weight: string) {
  const m = group(dep, id).members.find((x) => x.path === path && x.weight === weight);
  if (!m) throw new Error(`no member ${path}/${weight} in ${id}`);
  return m;
}

describe('dependency groups', () => {
  it('fashion-cnn: conv1, conv2 and fc1 are prunable groups, the output fc2 is locked', () => {
    const model = fashionCnn();
    const dep = buildDependencyGraph(model);
    expect(dep.groups.map((g) => [g.id, g.channels, g.locked === null])).toEqual([
      ['conv1', 4, true],
      ['conv2', 6, true],
      ['fc1', 8, true],
      ['fc2', 3, false],
    ]);
    expect(group(dep, 'fc2').locked).toMatch(/model output/);
    expect(dep.locked).toEqual([{ path: 'fc2', reason: expect.stringMatching(/output layers are never pruned/) }]);
    // conv1 -> bn1 -> conv2: the BN parameters and conv2's input slice go with conv1's filter.
    expect(group(dep, 'conv1').members.map((m) => `${m.path}/${m.weight}:${m.role}`)).toEqual([
      'conv1/kernel:out', 'conv1/bias:out', 'bn1/gamma:through', 'bn1/beta:through', 'bn1/moving_mean:through', 'bn1/moving_variance:through', 'conv2/kernel:in',
    ]);
    // Flatten, NHWC: conv2's channel c sits at (h * W + w) * C + c of fc1's input, 2x2 positions, C = 6.
    expect(member(dep, 'conv2', 'fc1', 'kernel').indices[1]).toEqual([1, 7, 13, 19]);
    disposeModel(model);
  });

  it('fashion-mlp: fc1 and fc2 prunable, fc3 locked', () => {
    const model = fashionMlp();
    const dep = buildDependencyGraph(model);
    expect(dep.groups.filter((g) => !g.locked).map((g) => g.id)).toEqual(['fc1', 'fc2']);
    expect(group(dep, 'fc3').locked).toMatch(/output/);
    disposeModel(model);
  });

  it('residual Add couples its producers into one group', () => {
    const model = residualNet();
    const dep = buildDependencyGraph(model);
    const g = group(dep, 'stem');
    expect(g.producers).toEqual(['stem', 'block_b']);
    // Both producers' filters, and every reader of either: block_a (reads stem) and head_conv (reads the sum).
    expect(g.members.filter((m) => m.role === 'in').map((m) => m.path).sort()).toEqual(['block_a', 'head_conv']);
    disposeModel(model);
  });

  it('Concatenate keeps channel offsets', () => {
    const model = concatNet();
    const dep = buildDependencyGraph(model);
    expect(member(dep, 'branch_a', 'joined_bn', 'gamma').indices).toEqual([[0], [1], [2]]);
    expect(member(dep, 'branch_b', 'joined_bn', 'gamma').indices).toEqual([[3], [4], [5], [6], [7]]);
    expect(member(dep, 'branch_b', 'merge_conv', 'kernel').indices[0]).toEqual([3]);
    disposeModel(model);
  });

  it('DepthwiseConv2D channels follow the producer, widened by the multiplier', () => {
    const model = depthwiseNet();
    const dep = buildDependencyGraph(model);
    expect(member(dep, 'expand', 'dw', 'depthwise_kernel').indices[1]).toEqual([1]);
    expect(member(dep, 'expand', 'dw', 'bias').indices[1]).toEqual([2, 3]);
    expect(member(dep, 'expand', 'dw_bn', 'gamma').indices[1]).toEqual([2, 3]);
    expect(member(dep, 'expand', 'project', 'kernel').indices[1]).toEqual([2, 3]);
    disposeModel(model);
  });
});

describe('locking instead of crashing', () => {
  it('recurrent and embedding layers are locked with a reason', () => {
    const model = recurrentNet();
    const dep = buildDependencyGraph(model);
    const reasons = Object.fromEntries(dep.locked.map((l) => [l.path, l.reason]));
    expect(Object.keys(reasons).sort()).toEqual(['bilstm', 'emb', 'gru', 'lstm', 'out', 'rnn']);
    expect(reasons.lstm).toMatch(/recurrent/);
    expect(reasons.emb).toMatch(/embedding/);
    disposeModel(model);
  });

  it('broadcast Add, channel softmax, LayerNormalization, Permute and shared layers lock their producers', () => {
    const input = tf.input({ shape: [4, 4, 2] });
    const a = tf.layers.conv2d({ filters: 3, kernelSize: 1, name: 'a' }).apply(input) as ST;
    const one = tf.layers.conv2d({ filters: 1, kernelSize: 1, name: 'one' }).apply(input) as ST;
    const bcast = tf.layers.add({ name: 'bcast' }).apply([a, one]) as ST;
    const b = tf.layers.conv2d({ filters: 3, kernelSize: 1, name: 'b' }).apply(bcast) as ST;
    const soft = tf.layers.activation({ activation: 'softmax', name: 'soft' }).apply(b) as ST;
    const c = tf.layers.conv2d({ filters: 3, kernelSize: 1, name: 'c' }).apply(soft) as ST;
    const ln = tf.layers.layerNormalization({ name: 'ln' }).apply(c) as ST;
    const d = tf.layers.conv2d({ filters: 3, kernelSize: 1, name: 'd' }).apply(ln) as ST;
    const perm = tf.layers.permute({ dims: [2, 1, 3], name: 'perm' }).apply(d) as ST;
    const shared = tf.layers.conv2d({ filters: 3, kernelSize: 1, name: 'shared' });
    const s1 = shared.apply(perm) as ST;
    const s2 = shared.apply(s1) as ST;
    const e = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'e' }).apply(s2) as ST;
    const model = tf.model({ inputs: input, outputs: e });
    const dep = buildDependencyGraph(model);
    const locked = Object.fromEntries(dep.groups.map((g) => [g.id, g.locked]));
    expect(locked.a).toMatch(/line up/);
    expect(locked.one).toMatch(/line up/);
    expect(locked.b).toMatch(/softmax/);
    expect(locked.c).toMatch(/ln \(LayerNormalization\)/);
    expect(locked.d).toMatch(/perm \(Permute\)/);
    expect(dep.groups.some((g) => g.id === 'shared')).toBe(false);
    expect(dep.locked.find((l) => l.path === 'shared')?.reason).toMatch(/shared weights/);
    expect(new Set(dep.groups.map((g) => g.id)).size).toBe(dep.groups.length);
    expect(locked.e).toMatch(/output/);
    expect(dep.groups.every((g) => g.locked)).toBe(true);
    disposeModel(model);
  });

  it('a model with two outputs locks both heads and keeps the shared trunk prunable', () => {
    const input = tf.input({ shape: [5] });
    const trunk = tf.layers.dense({ units: 6, name: 'trunk' }).apply(input) as ST;
    const h1 = tf.layers.dense({ units: 2, name: 'h1' }).apply(trunk) as ST;
    const h2 = tf.layers.dense({ units: 3, name: 'h2' }).apply(trunk) as ST;
    const model = tf.model({ inputs: input, outputs: [h1, h2] });
    const dep = buildDependencyGraph(model);
    expect(dep.groups.filter((g) => !g.locked).map((g) => g.id)).toEqual(['trunk']);
    expect(group(dep, 'trunk').members.filter((m) => m.role === 'in').map((m) => m.path)).toEqual(['h1', 'h2']);
    disposeModel(model);
  });
});
