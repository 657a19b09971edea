import { describe, expect, it } from 'vitest';
import { buildDependencyGraph } from '../dependencyGraph';
import { disposeModel } from '../disposeModel';
import { fashionCnn, fashionMlp } from '../../prune/testModels';
import { resolvePlan } from './keepPlan';

describe('resolvePlan', () => {
  it('refuses plans that do not fit the graph, with the group named', () => {
    const model = fashionMlp();
    const dep = buildDependencyGraph(model);
    expect(() => resolvePlan(dep, { nope: Uint8Array.from([1]) })).toThrow('channel plan: no group "nope"');
    expect(() => resolvePlan(dep, { fc2: Uint8Array.from([1, 0, 1]) })).toThrow('channel plan: group "fc2" has 8 channels, the plan 3');
    expect(() => resolvePlan(dep, { fc3: Uint8Array.from([1, 0, 1]) })).toThrow(
      'channel plan: group "fc3" is locked (reaches the model output (fc3): output layers are never pruned)',
    );
    expect(() => resolvePlan(dep, { fc2: new Uint8Array(8) })).toThrow('channel plan: group "fc2" would keep no channel');
    // Keeping everything is no removal, even for a locked group.
    expect(resolvePlan(dep, { fc3: Uint8Array.from([1, 1, 1]) }).removed).toEqual({});
    disposeModel(model);
  });

  it('answers which channels go and how wide each axis becomes, through a Flatten', () => {
    const model = fashionCnn();
    const dep = buildDependencyGraph(model);
    const keep = resolvePlan(dep, { conv2: Uint8Array.from([1, 0, 1, 0, 1, 1]) });
    expect(keep.removed).toEqual({ conv2: 2 });
    expect(keep.keepOfGroup.map((k) => k !== null)).toEqual(dep.groups.map((g) => g.id === 'conv2'));
    const conv2 = dep.sources.find((s) => s.node !== null && dep.layers.nodes[s.node].path === 'conv2')!;
    const conv1 = dep.sources.find((s) => s.node !== null && dep.layers.nodes[s.node].path === 'conv1')!;
    expect([0, 1, 2, 3].map((c) => keep.isRemoved(conv2.id, c))).toEqual([false, true, false, true]);
    expect(keep.isRemoved(conv1.id, 1)).toBe(false);
    expect(keep.keptCount(conv2.id, 6)).toBe(4);
    expect(keep.keptCount(conv1.id, 4)).toBe(4);
    // fc1 reads 2 x 2 positions of conv2's 6 channels: 24 inputs, 16 once 2 channels are gone.
    const fc1 = dep.layers.nodes.find((n) => n.path === 'fc1')!;
    expect(keep.newLength(dep.layouts[fc1.inputs[0]]!)).toBe(16);
    disposeModel(model);
  });
});
