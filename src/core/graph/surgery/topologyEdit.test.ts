import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildDependencyGraph } from '../dependencyGraph';
import { disposeModel } from '../disposeModel';
import { findLayerEntry } from '../../model/kerasJson';
import { depthwiseNet, teachableMachineNet } from '../../prune/testModels';
import { resolvePlan } from './keepPlan';
import { editTopology } from './topologyEdit';
import { readWeightValues } from './weightValues';

const configOf = (topology: Parameters<typeof findLayerEntry>[0], path: string) => findLayerEntry(topology, path)!.config;

describe('editTopology', () => {
  it('writes the kept counts of sources and the nested input shape they feed, on a copy', async () => {
    const model = teachableMachineNet();
    const dep = buildDependencyGraph(model);
    const keep = resolvePlan(dep, { 'features/conv_2': Uint8Array.from([1, 0, 1, 0, 0, 1]), 'head/dense_1': Uint8Array.from([1, 1, 0, 1, 1]) });
    const topology = editTopology(dep, keep, await readWeightValues(model), []);
    expect(configOf(topology, 'features/conv_2').filters).toBe(3);
    expect(configOf(topology, 'features/conv_1').filters).toBe(4);
    expect(configOf(topology, 'head/dense_1').units).toBe(4);
    expect(configOf(topology, 'head/dense_1').batch_input_shape).toEqual([null, 3]);
    expect(configOf(dep.layers.topology, 'features/conv_2').filters).toBe(6);
    expect(configOf(dep.layers.topology, 'head/dense_1').batch_input_shape).toEqual([null, 6]);
    disposeModel(model);
  });

  it('rewrites a Reshape target, switches on a bias that absorbs a constant, restores a dropped depth_multiplier', async () => {
    const input = tf.input({ shape: [4, 4, 2] });
    const c = tf.layers.conv2d({ filters: 4, kernelSize: 1, name: 'c' }).apply(input) as tf.SymbolicTensor;
    const r = tf.layers.reshape({ targetShape: [16, 4], name: 'r' }).apply(c) as tf.SymbolicTensor;
    const f = tf.layers.flatten({ name: 'f' }).apply(r) as tf.SymbolicTensor;
    const d = tf.layers.dense({ units: 3, useBias: false, name: 'd' }).apply(f) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2, name: 'out' }).apply(d) as tf.SymbolicTensor });
    const dep = buildDependencyGraph(model);
    const topology = editTopology(dep, resolvePlan(dep, { c: Uint8Array.from([0, 1, 1, 1]) }), await readWeightValues(model), ['d']);
    expect(configOf(topology, 'r').target_shape).toEqual([16, 3]);
    expect(configOf(topology, 'd').use_bias).toBe(true);
    expect(configOf(dep.layers.topology, 'd').use_bias).toBe(false);
    disposeModel(model);

    const dw = depthwiseNet(2);
    const dwDep = buildDependencyGraph(dw);
    expect(configOf(dwDep.layers.topology, 'sep').depth_multiplier).toBeUndefined(); // TF.js 4.22 leaves it out
    expect(configOf(editTopology(dwDep, resolvePlan(dwDep, {}), await readWeightValues(dw), []), 'sep').depth_multiplier).toBe(2);
    disposeModel(dw);
  });
});
