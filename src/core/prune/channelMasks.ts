// Structured masks: a ChannelPlan turned into weight masks over every member of each group, so the
// masked model computes exactly what the smaller model (after removeChannels) computes.
//   scope 'group' (default): producer kernel slices and biases, depthwise kernel and bias slices,
//     BatchNorm gamma and beta, and the consumers' input slices. A removed channel then outputs
//     exactly 0 (BN(x) = gamma*(x - mean)/sqrt(var + eps) + beta = 0 with gamma = beta = 0; moving
//     statistics are left alone) and no kept layer reads it.
//   scope 'outputs': the same without the consumers' input slices: the channel outputs 0 after
//     the producer/BatchNorm, but an activation such as sigmoid may still turn it into a constant
//     that the next layer reads; removeChannels folds that constant into the next layer's bias.
import * as tf from '@tensorflow/tfjs';
import { fillAlongAxis } from '../graph/axisSlices';
import type { ChannelPlan, DependencyGraph } from '../graph/dependencyGraph';
import { weightKey } from '../graph/layerPaths';
import { findVariable, type MaskSet } from './masks';

export interface ChannelMaskOptions {
  scope?: 'group' | 'outputs';
}

export function channelMasks(model: tf.LayersModel, dep: DependencyGraph, plan: ChannelPlan, options: ChannelMaskOptions = {}): MaskSet {
  const scope = options.scope ?? 'group';
  const masks: MaskSet = {};
  for (const grp of dep.groups) {
    const keep = plan[grp.id];
    if (!keep || grp.locked) continue;
    const removed: number[] = [];
    keep.forEach((k, c) => {
      if (!k) removed.push(c);
    });
    if (removed.length === 0) continue;
    for (const m of grp.members) {
      if (m.weight === 'moving_mean' || m.weight === 'moving_variance') continue;
      if (scope === 'outputs' && m.role === 'in') continue;
      const key = weightKey(m.path, m.weight);
      let mask = masks[key];
      if (!mask) {
        const v = findVariable(model, m.path, m.weight);
        if (!v) continue;
        const shape = v.shape.map((d) => d ?? 0);
        mask = { key, layerPath: m.path, weight: m.weight, shape, keep: new Uint8Array(shape.reduce((a, b) => a * b, 1)).fill(1) };
        masks[key] = mask;
      }
      fillAlongAxis(mask.keep, mask.shape, m.axis, removed.flatMap((c) => m.indices[c]), 0);
    }
  }
  return masks;
}
