// What a magnitude slider would cut, read off the per-layer |w| histograms already on the page (no
// engine call): the |w| threshold that prunes the target share and each layer's sparsity after it.
// Unstructured magnitude pruning zeros the smallest |w| first (exact zeros before anything), so the
// threshold is where the cumulative count reaches the target; inside a bin the count is taken as
// spread evenly, which is what `binShare` bounds: the layer's share of weights in the threshold's bin.
import type { HistoryPoint, PrunableLayer, WeightsOverview } from '../engine/api';
import { asksForNothing, settingsFrom } from './pruneControls';
import type { PruneControls } from './store';

export interface LayerCut {
  path: string;
  /** |w| below which the layer's weights are cut (0: only exact zeros, or nothing). */
  threshold: number;
  /** zeros / prunable weights after the cut. */
  predictedSparsity: number;
  /** Share of the layer's weights in the bin that holds the threshold: how far the prediction can be off. */
  binShare: number;
}

/** Where the cumulative count reaches `k` over these bin counts (zeros first): the bin, the fraction of it taken, and the threshold. */
function cutAt(edges: Float64Array, zeros: number, counts: ArrayLike<number>, k: number): { bin: number; fraction: number; threshold: number } {
  if (k <= zeros) return { bin: -1, fraction: 0, threshold: 0 };
  let cum = zeros;
  for (let b = 0; b < counts.length; b++) {
    if (cum + counts[b] >= k && counts[b] > 0) {
      const fraction = (k - cum) / counts[b];
      const [lo, hi] = [Math.log(edges[b]), Math.log(edges[b + 1])];
      return { bin: b, fraction, threshold: Math.exp(lo + fraction * (hi - lo)) };
    }
    cum += counts[b];
  }
  return { bin: counts.length, fraction: 0, threshold: edges[edges.length - 1] };
}

/** Each layer's cut for one global target over all prunable weights (exactly round(s · N) pruned, as the engine does). */
export function globalCut(overview: WeightsOverview, sparsity: number): LayerCut[] {
  const { edges, layers } = overview;
  const bins = edges.length - 1;
  const total = new Float64Array(bins);
  let zeros = 0;
  let n = 0;
  for (const l of layers) {
    zeros += l.zeros;
    n += l.params;
    for (let b = 0; b < bins; b++) total[b] += l.counts[b];
  }
  const { bin, fraction, threshold } = cutAt(edges, zeros, total, Math.round(Math.max(0, Math.min(1, sparsity)) * n));
  return layers.map((l) => {
    let cut = l.zeros;
    for (let b = 0; b < Math.min(bin, bins); b++) cut += l.counts[b];
    const inBin = bin >= 0 && bin < bins ? l.counts[bin] : 0;
    cut += fraction * inBin;
    return { path: l.path, threshold, predictedSparsity: l.params ? cut / l.params : 0, binShare: l.params ? inBin / l.params : 0 };
  });
}

/** Each layer's cut for its own target (round(s · n) of its weights, never fewer than its zeros). */
export function perLayerCut(overview: WeightsOverview, sparsity: Readonly<Record<string, number>>): LayerCut[] {
  return overview.layers.map((l) => {
    const k = Math.round(Math.max(0, Math.min(1, sparsity[l.path] ?? 0)) * l.params);
    const { bin, threshold } = cutAt(overview.edges, l.zeros, l.counts, k);
    const binShare = bin >= 0 && bin < l.counts.length && l.params ? l.counts[bin] / l.params : 0;
    return { path: l.path, threshold, predictedSparsity: l.params ? Math.max(k, l.zeros) / l.params : 0, binShare };
  });
}

/** Why no preview is drawn for these controls, or null when one can be. */
export function previewUnavailable(controls: PruneControls): string | null {
  if (controls.granularity !== 'unstructured' || controls.criterion !== 'magnitude') {
    return 'The cut is previewed while a slider moves for unstructured magnitude pruning only; other settings are measured on release.';
  }
  return null;
}

/** The controls ask for something other than what produced the point on screen (a slider moved, its prune not measured yet). */
export function controlsPending(controls: PruneControls, point: HistoryPoint | null, layers: readonly PrunableLayer[]): boolean {
  if (!point) return false;
  if (!point.settings) return !asksForNothing(controls);
  const asked = settingsFrom(controls, layers);
  const made = point.settings;
  return asked.granularity !== made.granularity || asked.criterion !== made.criterion || JSON.stringify(asked.target) !== JSON.stringify(made.target);
}

/**
 * The preview for the controls, from the starting point's histograms (every prune starts there), or
 * null when there is none to draw (other granularity or criterion, or no histograms of the starting point).
 */
export function cutPreview(controls: PruneControls, start: WeightsOverview | null): LayerCut[] | null {
  if (!start || previewUnavailable(controls)) return null;
  return controls.mode === 'global' ? globalCut(start, controls.global) : perLayerCut(start, controls.perLayer);
}
