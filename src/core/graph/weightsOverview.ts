// Every prunable layer's weights at a glance: one histogram of |w| per layer (all its prunable kernels
// together) over log-spaced bins that every layer shares, so the layers can be compared and a global
// magnitude threshold can be read off them. Exact zeros are counted apart (pruning's spike at 0 has no
// place on a log axis). Plain data: it crosses postMessage as is. The single-layer views (stats, a
// linear histogram of signed values, the heatmap) are in weightStats.ts.
import type * as tf from '@tensorflow/tfjs';
import { findLayer } from './layerPaths';
import { listPrunableTensors } from './prunable';
import { UNCONTROLLED, type JobControl } from '../job';

export const OVERVIEW_BINS = 48;
/** The range spans at most this factor: smaller |w| (the few near-zero ones) are counted in the first bin, so the bins go where the weights are. */
export const MAX_DECADES = 4;

export interface LayerMagnitudes {
  /** The layer's path, as in the summary ("conv1", "features/conv_1"). */
  path: string;
  className: string;
  /** Prunable weights of the layer (all its prunable kernels). */
  params: number;
  /** Values exactly 0, in no bin. */
  zeros: number;
  /** NaN or ±Infinity values, in no bin. */
  nonFinite: number;
  /** Finite nonzero values per bin of the shared edges. */
  counts: Uint32Array;
}

export interface WeightsOverview {
  /** bins + 1 ascending, log-spaced |w| edges shared by every layer; bin i is [edges[i], edges[i+1]), the last one closed. */
  edges: Float64Array;
  layers: LayerMagnitudes[];
}

/** Log-spaced edges from lo to hi (both > 0); with no range (lo ≥ hi) a small one around lo. */
export function logEdges(lo: number, hi: number, bins = OVERVIEW_BINS): Float64Array {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`A histogram needs a whole number of bins, at least 1 (got ${bins})`);
  if (!(lo > 0) || !(hi > 0)) [lo, hi] = [1e-3, 1];
  if (lo >= hi) [lo, hi] = [lo / 1.01, lo * 1.01];
  const a = Math.log(lo);
  const b = Math.log(hi);
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i <= bins; i++) edges[i] = i === 0 ? lo : i === bins ? hi : Math.exp(a + ((b - a) * i) / bins);
  return edges;
}

/** The bin of |v| (> 0, finite) under log-spaced edges: clamped to the first and last bin. */
export function logBinOf(abs: number, edges: Float64Array): number {
  const bins = edges.length - 1;
  const a = Math.log(edges[0]);
  const i = Math.floor(((Math.log(abs) - a) / (Math.log(edges[bins]) - a)) * bins);
  return Math.max(0, Math.min(bins - 1, i));
}

/**
 * Histograms of |w| for each layer's values (its kernels' value arrays), over one log-spaced range:
 * `range` when given (values outside it counted in the first or last bin: a pruned step drawn on its
 * starting point's axis), else from the smallest nonzero |w| of all layers (at most MAX_DECADES below
 * the largest) to the largest.
 */
export function magnitudeOverview(
  layers: readonly { path: string; className: string; values: readonly ArrayLike<number>[] }[], bins = OVERVIEW_BINS,
  range: readonly [number, number] | null = null,
): WeightsOverview {
  let lo = range ? range[0] : Infinity;
  let hi = range ? range[1] : 0;
  if (!range) for (const l of layers) {
    for (const values of l.values) {
      for (let i = 0; i < values.length; i++) {
        const a = Math.abs(values[i]);
        if (a === 0 || !Number.isFinite(a)) continue;
        if (a < lo) lo = a;
        if (a > hi) hi = a;
      }
    }
  }
  if (!range) lo = Math.max(lo, hi * 10 ** -MAX_DECADES);
  const edges = logEdges(lo, hi, bins);
  return {
    edges,
    layers: layers.map((l) => {
      const counts = new Uint32Array(bins);
      let params = 0;
      let zeros = 0;
      let nonFinite = 0;
      for (const values of l.values) {
        params += values.length;
        for (let i = 0; i < values.length; i++) {
          const a = Math.abs(values[i]);
          if (a === 0) zeros++;
          else if (!Number.isFinite(a)) nonFinite++;
          else counts[logBinOf(a, edges)]++;
        }
      }
      return { path: l.path, className: l.className, params, zeros, nonFinite, counts };
    }),
  };
}

/** The overview of every prunable layer of the model as it is now, read from its live variables (never changed). */
export async function weightsOverview(
  model: tf.LayersModel, options: { bins?: number; range?: readonly [number, number] | null; control?: JobControl } = {},
): Promise<WeightsOverview> {
  const control = options.control ?? UNCONTROLLED;
  const tensors = listPrunableTensors(model);
  const byLayer = new Map<string, { path: string; className: string; values: Float32Array[] }>();
  for (const [i, t] of tensors.entries()) {
    await control.checkpoint(i / Math.max(1, tensors.length), `Reading ${t.key}`);
    const layer = findLayer(model, t.layerPath)!;
    const entry = byLayer.get(t.layerPath) ?? { path: t.layerPath, className: layer.getClassName(), values: [] };
    // An async read of the live variable: a copy on GPU backends; never written to or disposed here.
    entry.values.push((await layer.weights[t.weightIndex].read().data()) as Float32Array);
    byLayer.set(t.layerPath, entry);
  }
  return magnitudeOverview([...byLayer.values()], options.bins ?? OVERVIEW_BINS, options.range ?? null);
}
