import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildDependencyGraph, type ChannelPlan } from './dependencyGraph';
import { removeChannels } from './channelSurgery';
import { disposeModel } from './disposeModel';
import { channelImportance } from '../prune/channelImportance';
import { selectChannels } from '../prune/channelSelection';
import { channelMasks } from '../prune/channelMasks';
import { applyMasks } from '../prune/masks';
import { concatNet, depthwiseNet, fashionCnn, fashionMlp, randomizeWeights, residualNet, teachableMachineNet } from '../prune/testModels';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => a.sub(b).abs().max().dataSync()[0]);
}

async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved) throw new Error('nothing saved');
  const a = saved as tf.io.ModelArtifacts;
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: a.modelTopology, weightSpecs: a.weightSpecs, weightData: a.weightData }));
}

/**
 * Masks half the channels of every unlocked group, then removes them: the smaller model must give the
 * masked model's outputs, have fewer parameters, survive save + load, and leak no tensors.
 */
async function checkMaskedEqualsRemoved(build: () => tf.LayersModel, inputShape: number[], expectOpen: string[]) {
  const model = build();
  randomizeWeights(model, 11);
  const x = tf.randomUniform(inputShape, -1, 1, 'float32', 3);
  const before = tf.memory().numTensors;

  const dep = buildDependencyGraph(model);
  expect(dep.layers.problems).toEqual([]);
  expect(dep.groups.filter((g) => !g.locked).map((g) => g.id).sort()).toEqual([...expectOpen].sort());
  const scores = await channelImportance(model, dep, { criterion: 'l2' });
  const plan = selectChannels(dep, scores, { kind: 'perGroup', ratio: Object.fromEntries(expectOpen.map((id) => [id, 0.5])) });
  for (const id of expectOpen) expect(plan[id].includes(0), id).toBe(true);
  applyMasks(model, channelMasks(model, dep, plan));

  const yMasked = model.predict(x) as tf.Tensor;
  const { model: smaller, report } = await removeChannels(model, dep, plan);
  const ySmall = smaller.predict(x) as tf.Tensor;
  expect(maxAbsDiff(yMasked, ySmall)).toBeLessThanOrEqual(1e-5);
  expect(smaller.countParams()).toBeLessThan(model.countParams());
  expect(report.paramsAfter).toBe(smaller.countParams());
  expect(report.varyingChannels).toBe(0);
  for (const id of expectOpen) expect(report.removed[id]).toBe(Math.round(dep.groups.find((g) => g.id === id)!.channels * 0.5));

  const reloaded = await roundTrip(smaller);
  const yReloaded = reloaded.predict(x) as tf.Tensor;
  expect(maxAbsDiff(ySmall, yReloaded)).toBe(0);
  expect(reloaded.countParams()).toBe(smaller.countParams());

  tf.dispose([yMasked, ySmall, yReloaded]);
  disposeModel(smaller);
  disposeModel(reloaded);
  expect(tf.memory().numTensors).toBe(before);
  x.dispose();
  disposeModel(model);
  return { dep, report };
}

describe('removing masked channels gives the masked model\'s outputs', () => {
  it('Sequential CNN with BatchNorm (fashion-cnn shape)', async () => {
    const { dep } = await checkMaskedEqualsRemoved(() => fashionCnn(), [2, 8, 8, 1], ['conv1', 'conv2', 'fc1']);
    expect(dep.groups.find((g) => g.id === 'fc2')?.locked).toMatch(/output/);
  });

  it('MLP (fashion-mlp shape)', async () => {
    await checkMaskedEqualsRemoved(() => fashionMlp(), [2, 4, 4, 1], ['fc1', 'fc2']);
  });

  it('functional model with a residual Add (coupled producers pruned together)', async () => {
    const { dep } = await checkMaskedEqualsRemoved(residualNet, [2, 6, 6, 2], ['stem', 'block_a', 'head_conv']);
    const coupled = dep.groups.find((g) => g.id === 'stem');
    expect(coupled?.producers.sort()).toEqual(['block_b', 'stem']);
  });

  it('functional model with Concatenate (channel offsets)', async () => {
    await checkMaskedEqualsRemoved(concatNet, [2, 6, 6, 2], ['branch_a', 'branch_b', 'merge_conv']);
  });

  it('DepthwiseConv2D and SeparableConv2D follow their producer', async () => {
    const { dep } = await checkMaskedEqualsRemoved(depthwiseNet, [2, 6, 6, 2], ['expand', 'project', 'sep']);
    const expand = dep.groups.find((g) => g.id === 'expand');
    expect(expand?.members.map((m) => `${m.path}/${m.weight}`)).toEqual(
      expect.arrayContaining(['dw/depthwise_kernel', 'dw/bias', 'dw_bn/gamma', 'project/kernel']),
    );
  });

  it('SeparableConv2D with a depth multiplier of 2 (rebuilt in memory; see testModels for the tfjs save bug)', async () => {
    const model = depthwiseNet(2);
    randomizeWeights(model, 4);
    const x = tf.randomUniform([2, 6, 6, 2], -1, 1, 'float32', 3);
    const dep = buildDependencyGraph(model);
    const plan = selectChannels(dep, await channelImportance(model, dep, { criterion: 'l1' }), { kind: 'global', ratio: 0.5 });
    applyMasks(model, channelMasks(model, dep, plan));
    const y = model.predict(x) as tf.Tensor;
    const { model: smaller } = await removeChannels(model, dep, plan);
    const ys = smaller.predict(x) as tf.Tensor;
    expect(maxAbsDiff(y, ys)).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, y, ys]);
    disposeModel(smaller);
    disposeModel(model);
  });

  it('nested Teachable-Machine-style model (Sequential inside Sequential)', async () => {
    const { dep } = await checkMaskedEqualsRemoved(teachableMachineNet, [2, 6, 6, 3], ['features/conv_1', 'features/conv_2', 'head/dense_1']);
    // conv_2's channels cross the nested-model boundary into the head's first Dense.
    const conv2 = dep.groups.find((g) => g.id === 'features/conv_2');
    expect(conv2?.members.some((m) => m.path === 'head/dense_1' && m.role === 'in')).toBe(true);
  });

  it('global selection keeps at least one channel per group and removes the exact total', async () => {
    const model = fashionCnn();
    randomizeWeights(model, 5);
    const dep = buildDependencyGraph(model);
    const scores = await channelImportance(model, dep, { criterion: 'l1' });
    const plan = selectChannels(dep, scores, { kind: 'global', ratio: 0.5 });
    const total = 4 + 6 + 8;
    const removed = Object.values(plan).reduce((n, k) => n + k.filter((v) => v === 0).length, 0);
    expect(removed).toBe(Math.round(0.5 * total));
    for (const keep of Object.values(plan)) expect(keep.includes(1)).toBe(true);
    model.dispose();
  });
});

describe('constants of removed channels are folded into the next bias', () => {
  /** Valid padding and Dense consumers: folding is exact. */
  function constantNet(padding: 'valid' | 'same') {
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [7, 7, 2], filters: 4, kernelSize: 3, padding, name: 'c1' }));
    m.add(tf.layers.batchNormalization({ name: 'bn1' }));
    m.add(tf.layers.activation({ activation: 'sigmoid', name: 'sig' }));
    m.add(tf.layers.conv2d({ filters: 5, kernelSize: 3, padding, activation: 'tanh', name: 'c2' }));
    m.add(tf.layers.flatten({ name: 'flat' }));
    m.add(tf.layers.dense({ units: 4, activation: 'sigmoid', useBias: false, name: 'd1' }));
    m.add(tf.layers.dense({ units: 2, name: 'out' }));
    return m;
  }

  /** Zeros only the producers' kernel slices: biases, BN and the consumers' inputs stay. */
  function zeroKernels(model: tf.LayersModel, zeroed: Record<string, number[]>) {
    for (const [name, channels] of Object.entries(zeroed)) {
      const layer = model.getLayer(name);
      const [k, ...rest] = layer.getWeights();
      const out = k.shape[k.shape.length - 1];
      const keep = tf.tensor1d(Array.from({ length: out }, (_, c) => (channels.includes(c) ? 0 : 1)));
      const masked = tf.tidy(() => k.mul(keep));
      layer.setWeights([masked, ...rest]);
      tf.dispose([masked, keep]);
    }
  }

  it('exact for valid convolutions and Dense consumers (sigmoid after BN gives a nonzero constant)', async () => {
    const model = constantNet('valid');
    randomizeWeights(model, 21);
    const zeroed = { c1: [0, 2], c2: [1], d1: [3] };
    zeroKernels(model, zeroed);
    const x = tf.randomUniform([3, 7, 7, 2], -1, 1, 'float32', 9);
    const before = tf.memory().numTensors;
    const dep = buildDependencyGraph(model);
    const plan: ChannelPlan = {};
    for (const [id, channels] of Object.entries(zeroed)) {
      const g = dep.groups.find((gr) => gr.id === id)!;
      plan[id] = Uint8Array.from({ length: g.channels }, (_, c) => (channels.includes(c) ? 0 : 1));
    }
    const y = model.predict(x) as tf.Tensor;
    const { model: smaller, report } = await removeChannels(model, dep, plan);
    const ys = smaller.predict(x) as tf.Tensor;
    expect(maxAbsDiff(y, ys)).toBeLessThanOrEqual(1e-5);
    expect(report.folded.map((f) => f.path).sort()).toEqual(['c2', 'd1', 'out']);
    expect(report.approximate).toEqual([]);
    expect(report.varyingChannels).toBe(0);
    // d1 had no bias: one was switched on to absorb the constant.
    expect((smaller.getLayer('d1').getConfig() as { useBias: boolean }).useBias).toBe(true);
    tf.dispose([y, ys]);
    smaller.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });

  it("'same' padding: exact in the interior, reported as approximate", async () => {
    const model = constantNet('same');
    randomizeWeights(model, 22);
    zeroKernels(model, { c1: [1] });
    const dep = buildDependencyGraph(model);
    const { model: smaller, report } = await removeChannels(model, dep, { c1: Uint8Array.from([1, 0, 1, 1]) });
    expect(report.approximate.join(' ')).toMatch(/c2: 'same' padding/);
    smaller.dispose();
    model.dispose();
  });

  it('removing channels that still carry a signal is counted, not hidden', async () => {
    const model = fashionMlp();
    randomizeWeights(model, 3);
    const dep = buildDependencyGraph(model);
    const { model: smaller, report } = await removeChannels(model, dep, { fc1: Uint8Array.from({ length: 12 }, (_, i) => (i < 3 ? 0 : 1)) });
    expect(report.varyingChannels).toBe(3);
    expect(smaller.countParams()).toBe(model.countParams() - 3 * (16 + 1) - 3 * 8);
    smaller.dispose();
    model.dispose();
  });

  it("structured masks with scope 'outputs' leave consumers alone: removal folds what they read", async () => {
    const model = residualNet();
    randomizeWeights(model, 31);
    const x = tf.randomUniform([2, 6, 6, 2], -1, 1, 'float32', 4);
    const dep = buildDependencyGraph(model);
    const plan = selectChannels(dep, await channelImportance(model, dep, { criterion: 'l1' }), { kind: 'global', ratio: 0.4 });
    const masks = channelMasks(model, dep, plan, { scope: 'outputs' });
    expect(Object.keys(masks)).not.toContain('logits/kernel'); // a consumer only
    applyMasks(model, masks);
    const y = model.predict(x) as tf.Tensor;
    const { model: smaller, report } = await removeChannels(model, dep, plan);
    const ys = smaller.predict(x) as tf.Tensor;
    // The removed channels output exactly 0 after their producer (and BatchNorm), and relu(0) = 0:
    // nothing to fold, identical outputs.
    expect(maxAbsDiff(y, ys)).toBeLessThanOrEqual(1e-5);
    expect(report.varyingChannels).toBe(0);
    tf.dispose([x, y, ys]);
    disposeModel(smaller);
    disposeModel(model);
  });

  it('rejects plans that do not fit: locked group, unknown group, nothing kept', async () => {
    const model = fashionMlp();
    const dep = buildDependencyGraph(model);
    await expect(removeChannels(model, dep, { fc3: Uint8Array.from([1, 0, 1]) })).rejects.toThrow(/locked/);
    await expect(removeChannels(model, dep, { nope: Uint8Array.from([1]) })).rejects.toThrow(/no group/);
    await expect(removeChannels(model, dep, { fc2: new Uint8Array(8) })).rejects.toThrow(/no channel/);
    model.dispose();
  });
});
