// The fifth phase of the channel surgery: every weight with the removed channels' slices taken out
// (each group member names its weight, axis and the indices of each channel), biases plus their
// folds, and a new bias for a layer that had none but absorbs a constant. The result is a weights
// manifest and its data, in the model's weight order, for tf.loadLayersModel.
import type * as tf from '@tensorflow/tfjs';
import { takeAlongAxis } from '../axisSlices';
import type { DependencyGraph } from '../dependencyGraph';
import { walkLayers, weightKey, weightSuffix } from '../layerPaths';
import { layerRule, type FlatTensor } from '../rules';
import type { KeepPlan } from './keepPlan';
import type { WeightValues } from './weightValues';

/** Weight key -> axis -> indices to drop. */
export type Drops = Map<string, Map<number, Set<number>>>;

/** The indices each weight loses, from the members of the groups the plan cuts. */
export function weightDrops(dep: DependencyGraph, keep: KeepPlan): Drops {
  const drops: Drops = new Map();
  dep.groups.forEach((grp, gi) => {
    const mask = keep.keepOfGroup[gi];
    if (!mask) return;
    for (const m of grp.members) {
      const key = weightKey(m.path, m.weight);
      const byAxis = drops.get(key) ?? new Map<number, Set<number>>();
      const set = byAxis.get(m.axis) ?? new Set<number>();
      mask.forEach((k, c) => {
        if (!k) for (const i of m.indices[c]) set.add(i);
      });
      byAxis.set(m.axis, set);
      drops.set(key, byAxis);
    }
  });
  return drops;
}

/** The tensor without the dropped indices, axis by axis. */
export function dropIndices(values: Float32Array, shape: number[], byAxis: ReadonlyMap<number, ReadonlySet<number>> | undefined): FlatTensor {
  let cur: FlatTensor = { values, shape };
  for (const [axis, set] of byAxis ?? []) {
    if (set.size === 0) continue;
    const keepIdx: number[] = [];
    for (let i = 0; i < cur.shape[axis]; i++) if (!set.has(i)) keepIdx.push(i);
    cur = takeAlongAxis(cur.values, cur.shape, axis, keepIdx);
  }
  return cur;
}

export interface SlicedWeights {
  specs: tf.io.WeightsManifestEntry[];
  buffers: ArrayBuffer[];
}

export function sliceWeights(model: tf.LayersModel, dep: DependencyGraph, keep: KeepPlan, weights: WeightValues, folds: ReadonlyMap<string, Float64Array>): SlicedWeights {
  const drops = weightDrops(dep, keep);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  const emit = (layer: tf.layers.Layer, suffix: string, wts: FlatTensor) => {
    specs.push({ name: `${layer.name}/${suffix}`, shape: wts.shape, dtype: 'float32' });
    buffers.push(wts.values.slice().buffer);
  };
  for (const { path, layer } of walkLayers(model)) {
    const fold = folds.get(path);
    let hasBias = false;
    for (const v of layer.weights) {
      const suffix = weightSuffix(layer, v);
      const key = weightKey(path, suffix);
      const cur = weights.get(key) as FlatTensor;
      let values = cur.values;
      if (suffix === 'bias' && fold) {
        hasBias = true;
        values = Float32Array.from(values);
        for (let o = 0; o < fold.length; o++) values[o] += fold[o];
      }
      emit(layer, suffix, dropIndices(values, cur.shape, drops.get(key)));
    }
    const spec = layerRule(layer.getClassName()).channels.source;
    if (fold && !hasBias && spec) {
      // A bias switched on to absorb a constant: zeros plus the fold, sliced like the kernel's outputs.
      const kshape = weights.get(weightKey(path, spec.kernel))?.shape ?? [];
      const set = drops.get(weightKey(path, spec.kernel))?.get(spec.outAxis(kshape.length));
      emit(layer, 'bias', dropIndices(Float32Array.from(fold), [fold.length], set ? new Map([[0, set]]) : undefined));
    }
  }
  return { specs, buffers };
}
