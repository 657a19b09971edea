// Pruning a graph model without training: masks over the layers' kernels, computed with the same
// selection code as Layers models (prune/unstructured.ts on prune/globalThreshold.ts, prune/nm.ts),
// and applied by writing exact zeros into the constants.
//
// Names, as on the Layers side: a layer is named by its weighted op node (GraphLayer.name, used as
// the "layer path" of per-layer targets); a mask is keyed by the kernel constant's name (its weight
// key). Criteria: magnitude (|w|) and random (seeded, per weight key). Taylor needs gradients of a
// loss with respect to the weights, and a graph model's weights are constants tfjs cannot
// differentiate or train: asking for it throws TAYLOR_NEEDS_GRADIENTS.
//
// N:M runs along each kernel's input axis (GraphLayer.inAxis): HWIO convolutions and [in, out]
// products along `in`, a transposed product along its last axis. A depthwise kernel has one input per
// filter, so N:M does not apply to it (as on the Layers side); nor to a kernel whose input axis is
// shorter than M.
import type { PrunableTensor } from '../graph/prunable';
import { randomScores, type Criterion, type Scores } from '../prune/importance';
import { maskStats, type MaskSet, type MaskStats } from '../prune/masks';
import { nmMask, type NMPattern } from '../prune/nm';
import { unstructuredMasks, type SparsityTarget } from '../prune/unstructured';
import type { GraphModelData } from './graphModelData';
import type { GraphWeight } from './graphWeights';
import type { GraphAnalysis, GraphLayer } from './layerGrouping';

export const TAYLOR_NEEDS_GRADIENTS =
  'Taylor importance needs the gradients of a loss with respect to the weights, and a graph model has none here: its weights are constants that TF.js cannot differentiate or train. Choose magnitude or random.';

/** The prunable kernels of a graph model, as the Layers-side selection code takes them. */
export function graphPrunableTensors(analysis: GraphAnalysis): PrunableTensor[] {
  return analysis.layers
    .filter((l) => l.prunable)
    .map((l) => ({
      key: l.kernel.name,
      layerPath: l.name,
      layerClass: l.op,
      weight: 'kernel',
      weightIndex: 0,
      shape: [...l.kernel.shape],
      size: l.kernel.shape.reduce((a, b) => a * b, 1),
    }));
}

function weightByName(data: GraphModelData): Map<string, GraphWeight> {
  return new Map(data.weights.map((w) => [w.name, w]));
}

/** Scores of each tensor's weights; low = pruned first. Throws TAYLOR_NEEDS_GRADIENTS for 'taylor'. */
export function graphScores(data: GraphModelData, tensors: readonly PrunableTensor[], criterion: Criterion, seed = 1): Scores {
  if (criterion === 'taylor') throw new Error(TAYLOR_NEEDS_GRADIENTS);
  if (criterion === 'random') return randomScores(tensors, seed);
  const weights = weightByName(data);
  const byKey: Record<string, Float32Array> = {};
  for (const t of tensors) {
    const w = weights.get(t.key);
    if (!w || w.dtype !== 'float32') throw new Error(`${t.key}: the model has no float32 weight of that name`);
    byKey[t.key] = w.values as Float32Array;
  }
  return { criterion: 'magnitude', byKey, absolute: true };
}

/** Why N:M with groups of `m` cannot apply to a layer's kernel, or null when it can. */
export function graphNMSkipReason(layer: GraphLayer, m: number): string | null {
  if (layer.kind === 'depthwise') return 'a depthwise kernel has one input channel per filter: N:M along the input dimension does not apply';
  const len = layer.kernel.shape[layer.inAxis];
  return len < m ? `its input dimension has ${len} ${len === 1 ? 'entry' : 'entries'}, fewer than a group of ${m}` : null;
}

export function graphNMMasks(analysis: GraphAnalysis, tensors: readonly PrunableTensor[], scores: Scores, pattern: NMPattern): { masks: MaskSet; skipped: { key: string; reason: string }[] } {
  const layers = new Map(analysis.layers.map((l) => [l.name, l]));
  const masks: MaskSet = {};
  const skipped: { key: string; reason: string }[] = [];
  for (const t of tensors) {
    const layer = layers.get(t.layerPath) as GraphLayer;
    const reason = graphNMSkipReason(layer, pattern.m);
    if (reason) {
      skipped.push({ key: t.key, reason });
      continue;
    }
    const s = scores.byKey[t.key];
    if (!s) throw new Error(`no scores for ${t.key}`);
    masks[t.key] = { key: t.key, layerPath: t.layerPath, weight: t.weight, shape: [...t.shape], keep: nmMask(s, t.shape, pattern, layer.inAxis, scores.absolute) };
  }
  return { masks, skipped };
}

/** A copy of `data` whose masked weights have an exact +0 wherever keep = 0 (other weights shared, not copied). */
export function applyGraphMasks(data: GraphModelData, masks: MaskSet): GraphModelData {
  const touched = new Set(Object.keys(masks));
  const weights = data.weights.map((w) => {
    if (!touched.has(w.name)) return w;
    const m = masks[w.name];
    if (w.dtype !== 'float32' || m.keep.length !== w.values.length) throw new Error(`mask ${m.key} does not fit weight ${w.name} [${w.shape}]`);
    const values = Float32Array.from(w.values as Float32Array);
    for (let i = 0; i < values.length; i++) if (m.keep[i] === 0) values[i] = 0;
    return { ...w, values };
  });
  for (const key of touched) if (!data.weights.some((w) => w.name === key)) throw new Error(`mask ${key} names no weight of the model`);
  return { ...data, weights };
}

export type GraphGranularity = 'unstructured' | '2:4' | '4:8';

export interface GraphPruneRequest {
  granularity: GraphGranularity;
  criterion: Criterion;
  /** Fraction of prunable weights: global, or per layer name. Ignored by 2:4 and 4:8 (always 50%). */
  target: SparsityTarget;
  /** Layer names taking part (default: every prunable layer). */
  layers?: readonly string[];
  seed?: number;
}

export interface GraphPruneResult {
  masks: MaskSet;
  skipped: { key: string; reason: string }[];
  stats: MaskStats;
}

/** Masks for the studio's controls; apply them to the original weights with applyGraphMasks. */
export function computeGraphPruning(data: GraphModelData, analysis: GraphAnalysis, request: GraphPruneRequest): GraphPruneResult {
  const tensors = graphPrunableTensors(analysis).filter((t) => !request.layers || request.layers.includes(t.layerPath));
  const scores = graphScores(data, tensors, request.criterion, request.seed);
  if (request.granularity === 'unstructured') {
    const masks = unstructuredMasks(tensors, scores, request.target);
    return { masks, skipped: [], stats: maskStats(masks) };
  }
  const [n, m] = request.granularity === '2:4' ? [2, 4] : [4, 8];
  const { masks, skipped } = graphNMMasks(analysis, tensors, scores, { n, m });
  return { masks, skipped, stats: maskStats(masks) };
}
