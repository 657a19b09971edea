// The third phase of the channel surgery: where a kept source layer reads a removed channel that
// carries a constant, the constant's contribution moves into that layer's bias (bias[o] += constant x
// the removed input slice's response, which the source rule's `fold` computes), so that removing
// the channel changes nothing. Removed channels that vary are counted instead.
import type { DependencyGraph } from '../dependencyGraph';
import { layerRule, type ConstantFold } from '../rules';
import type { Constants } from './constants';
import type { KeepPlan } from './keepPlan';
import { weightsOf, type WeightValues } from './weightValues';

export interface BiasFolds {
  /** Layer path -> what to add to its bias, per output channel (before any output is removed). */
  folds: Map<string, Float64Array>;
  /** Kept layers whose bias absorbed constants, with how many input entries they absorbed. */
  folded: { path: string; channels: number }[];
  /** "path: reason" for folds that are exact only away from the borders, or on average. */
  approximate: string[];
  /** Removed channels that carried a varying signal into a kept layer. */
  varyingChannels: number;
}

const CROSSED = 'the constant crossed zero padding or a same-padded depthwise conv';

export function foldConstants(dep: DependencyGraph, keep: KeepPlan, constants: Constants, weights: WeightValues): BiasFolds {
  const g = dep.layers;
  const folds = new Map<string, Float64Array>();
  const foldedChannels = new Map<string, number>();
  const approximate: string[] = [];
  const varying = new Set<string>();
  for (const node of g.nodes) {
    const spec = layerRule(node.className).channels.source;
    if (!spec) continue;
    if ((g.applications.get(node.path) ?? 1) > 1 || node.inputs.length !== 1) continue;
    const t = node.inputs[0];
    const d = constants.entries[t];
    const c = constants.values[t];
    const a = constants.approx[t];
    if (!d || !c || !a) continue;
    const weight = weightsOf(weights, node);
    const kernel = weight(spec.kernel);
    if (!kernel) continue;
    const outCount = kernel.shape[spec.outAxis(kernel.shape.length)];
    let fold: Float64Array | null = null;
    let response: ConstantFold | null = null;
    let count = 0;
    let crossed = false;
    for (let e = 0; e < d.full; e++) {
      const ce = d.chanOf[e];
      const src = d.srcs[ce];
      const ch = d.chs[ce];
      if (!keep.isRemoved(src, ch)) continue;
      const k = c[ce];
      if (!Number.isFinite(k)) {
        varying.add(`${src}:${ch}`);
        continue;
      }
      if (k === 0) continue;
      fold ??= new Float64Array(outCount);
      response ??= spec.fold(node, weight, kernel);
      count++;
      if (a[ce]) crossed = true;
      response.add(fold, e, k);
    }
    if (fold && response) {
      const prev = folds.get(node.path);
      if (prev) for (let o = 0; o < outCount; o++) prev[o] += fold[o];
      else folds.set(node.path, fold);
      foldedChannels.set(node.path, (foldedChannels.get(node.path) ?? 0) + count);
      const inexact = response.inexact || (crossed ? CROSSED : '');
      if (inexact) approximate.push(`${node.path}: ${inexact}`);
    }
  }
  return {
    folds,
    folded: [...foldedChannels].map(([path, channels]) => ({ path, channels })),
    approximate,
    varyingChannels: varying.size,
  };
}
