// Importance of each channel of each dependency group: the group's member slices summed.
//   l1 (= 'magnitude' for channels): sum of |w| over every member slice of the channel
//   l2: sqrt of the sum of w^2 over the same slices (the norm of the whole group slice)
//   taylor: sum of |w * dL/dw| over the same slices (gradients summed over calibration batches)
//   random: seeded uniform per channel
// Members that count: the producers' kernels (output slices), the consumers' kernels (input slices),
// depthwise kernels and BatchNorm gamma. Biases, beta and moving statistics do not (as in
// Torch-Pruning's magnitude importance).
import { mulberry32 } from '../data/seededRandom';
import type * as tf from '@tensorflow/tfjs';
import { reduceAlongAxis } from '../graph/axisSlices';
import type { ChannelGroup, DependencyGraph, GroupMember } from '../graph/dependencyGraph';
import { weightKey } from '../graph/layerPaths';
import { findVariable } from './masks';
import { gradientSums, readWeights, type TaylorOptions, type WeightRef } from './importance';

export type ChannelCriterion = 'magnitude' | 'l1' | 'l2' | 'random' | 'taylor';

export interface ChannelImportanceOptions {
  criterion: ChannelCriterion;
  seed?: number;
  taylor?: TaylorOptions;
  /** Include locked groups too (default false: their scores are never used). */
  includeLocked?: boolean;
}

/** Group id -> one score per channel. Higher = more important. */
export type ChannelScores = Record<string, Float64Array>;

function counts(m: GroupMember): boolean {
  if (m.weight === 'bias' || m.weight === 'beta' || m.weight === 'moving_mean' || m.weight === 'moving_variance') return false;
  return true;
}

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function memberRefs(model: tf.LayersModel, groups: readonly ChannelGroup[]): WeightRef[] {
  const refs = new Map<string, WeightRef>();
  for (const grp of groups) {
    for (const m of grp.members) {
      if (!counts(m)) continue;
      const key = weightKey(m.path, m.weight);
      if (refs.has(key)) continue;
      const v = findVariable(model, m.path, m.weight);
      if (!v) continue;
      refs.set(key, { key, layerPath: m.path, weight: m.weight, shape: v.shape.map((d) => d ?? 0) });
    }
  }
  return [...refs.values()];
}

export async function channelImportance(model: tf.LayersModel, dep: DependencyGraph, options: ChannelImportanceOptions): Promise<ChannelScores> {
  const groups = dep.groups.filter((g) => options.includeLocked || !g.locked);
  const out: ChannelScores = {};
  if (options.criterion === 'random') {
    for (const grp of groups) {
      const next = mulberry32(((options.seed ?? 1) ^ hashString(grp.id)) >>> 0);
      out[grp.id] = Float64Array.from({ length: grp.channels }, () => next());
    }
    return out;
  }
  const refs = memberRefs(model, groups);
  const weights = await readWeights(model, refs);
  let values = weights;
  let f: (x: number) => number = Math.abs;
  if (options.criterion === 'l2') f = (x) => x * x;
  if (options.criterion === 'taylor') {
    if (!options.taylor) throw new Error('Taylor importance needs calibration data (options.taylor)');
    const grads = await gradientSums(model, refs, options.taylor);
    values = {};
    for (const r of refs) {
      const w = weights[r.key];
      const g = grads[r.key];
      const p = new Float32Array(w.length);
      for (let i = 0; i < w.length; i++) p[i] = w[i] * g[i];
      values[r.key] = p;
    }
  }
  const shapes = Object.fromEntries(refs.map((r) => [r.key, r.shape]));
  const perIndex = new Map<string, Float64Array>();
  for (const grp of groups) {
    const score = new Float64Array(grp.channels);
    for (const m of grp.members) {
      if (!counts(m)) continue;
      const key = weightKey(m.path, m.weight);
      if (!values[key]) continue;
      const cacheKey = `${key}@${m.axis}`;
      let sums = perIndex.get(cacheKey);
      if (!sums) {
        sums = reduceAlongAxis(values[key], shapes[key], m.axis, f);
        perIndex.set(cacheKey, sums);
      }
      for (let c = 0; c < grp.channels; c++) for (const i of m.indices[c]) score[c] += sums[i];
    }
    if (options.criterion === 'l2') for (let c = 0; c < score.length; c++) score[c] = Math.sqrt(score[c]);
    out[grp.id] = score;
  }
  return out;
}
