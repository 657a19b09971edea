// Pure helpers for the per-layer weight views: histogram bars (zeros as their own bar, optional log
// heights), the heatmap's colours and geometry, and number formatting. No React, no engine calls.
import type { KernelHeatmap, WeightHistogram } from '../engine/api';

/** Exact zeros (pruned weights): the histogram's zero bar, the heatmap's pruned cells and their legends. */
export const PRUNED_COLOR = '#e0457b';
const PRUNED_RGB = [0xe0, 0x45, 0x7b] as const;
/** Mask view: cells with no zeros. A dark slate that reads as "kept" next to the pruned colour in both themes. */
export const KEPT_COLOR = '#2f3a46';
const KEPT_RGB = [0x2f, 0x3a, 0x46] as const;

/** Viridis (matplotlib; perceptually uniform, readable in colour-blindness), 11 stops from 0 to 1. */
const VIRIDIS = ['#440154', '#482475', '#414487', '#355f8d', '#2a788e', '#21918c', '#22a884', '#44bf70', '#7ad151', '#bddf26', '#fde725'];
const VIRIDIS_RGB = VIRIDIS.map((h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)));

/** The colour scale as a CSS gradient, for the legend. */
export const VIRIDIS_GRADIENT = `linear-gradient(to right, ${VIRIDIS.join(', ')})`;
export const MASK_GRADIENT = `linear-gradient(to right, ${KEPT_COLOR}, ${PRUNED_COLOR})`;

/** Viridis at t in [0, 1] (clamped), linearly between the stops. */
export function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS_RGB.length - 1);
  const i = Math.min(VIRIDIS_RGB.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [VIRIDIS_RGB[i], VIRIDIS_RGB[i + 1]];
  return [0, 1, 2].map((c) => Math.round(a[c] + (b[c] - a[c]) * f)) as [number, number, number];
}

/** The largest mean |w| of any cell: the top of the colour scale. */
export function heatmapMax(h: KernelHeatmap): number {
  let max = 0;
  for (const v of h.absMean) if (v > max) max = v;
  return max;
}

export type HeatmapView = 'magnitude' | 'mask';

/**
 * RGBA pixels, one per cell, row-major. 'magnitude': viridis of mean |w| / the largest, with cells
 * whose weights are all exactly 0 in the pruned colour. 'mask': the fraction of zeros per cell, from
 * the kept colour (none) to the pruned colour (all).
 */
export function heatmapPixels(h: KernelHeatmap, view: HeatmapView): Uint8ClampedArray<ArrayBuffer> {
  const n = h.rows * h.cols;
  const out = new Uint8ClampedArray(new ArrayBuffer(n * 4));
  const max = heatmapMax(h);
  for (let c = 0; c < n; c++) {
    const z = h.zeroFraction[c];
    let rgb: readonly number[];
    if (view === 'mask') rgb = [0, 1, 2].map((k) => KEPT_RGB[k] + (PRUNED_RGB[k] - KEPT_RGB[k]) * z);
    else rgb = z === 1 ? PRUNED_RGB : viridis(max > 0 ? h.absMean[c] / max : 0);
    out.set([rgb[0], rgb[1], rgb[2], 255], c * 4);
  }
  return out;
}

/**
 * The source rows (or columns) a heatmap cell averages, first and last, inclusive. Matches the
 * engine's assignment of source row r to cell floor(r · cells / total).
 */
export function cellSpan(cell: number, cells: number, total: number): [number, number] {
  return [Math.ceil((cell * total) / cells), Math.ceil(((cell + 1) * total) / cells) - 1];
}

/** Whole screen pixels per cell (crisp, square cells) so the map fits about maxWidth × maxHeight CSS pixels. */
export function heatmapZoom(rows: number, cols: number, maxWidth = 512, maxHeight = 320, most = 16): number {
  if (rows <= 0 || cols <= 0) return 1;
  return Math.max(1, Math.min(most, Math.floor(maxWidth / cols), Math.floor(maxHeight / rows)));
}

/** A weight value in a few significant digits: "0.0123", "-1.5", "3.2e-5", "0". */
export function formatWeight(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v === 0 ? '0' : String(v);
  const a = Math.abs(v);
  const text = a < 1e-3 || a >= 1e5 ? a.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e') : String(Number(a.toPrecision(3)));
  return v < 0 ? `−${text}` : text;
}

export interface HistogramBar {
  /** Unique category of the bar: "b<i>" for a bin, "zeros" for the exact-zero bar. */
  key: string;
  kind: 'values' | 'zeros';
  /** Value range of a bin (from = to = 0 for the zero bar). */
  from: number;
  to: number;
  count: number;
  /** What the bar's height shows: the count, or logHeight(count). */
  height: number;
  /** Axis label under this bar, or null to leave it unlabelled (labels would overlap). */
  tick: string | null;
}

/** Log-scale bar height: 0 for no weights, 1 for one, 2 for ten, 3 for a hundred… (so single weights stay visible). */
export const logHeight = (count: number) => (count > 0 ? Math.log10(count) + 1 : 0);

/** The count a log-scale height stands for (inverse of logHeight). */
export const countAtLogHeight = (height: number) => (height <= 0 ? 0 : Math.round(10 ** (height - 1)));

/** Y ticks of the log view: 0 and every power of ten up to above the largest count. */
export function logTicks(maxCount: number): number[] {
  const top = Math.max(1, Math.ceil(logHeight(Math.max(1, maxCount)) - 1e-9));
  return Array.from({ length: top + 1 }, (_, i) => i);
}

/**
 * The histogram as bars in value order, with the exact-zero bar placed where 0 falls among the bins
 * (after every bin centred below 0), so pruning shows as an empty gap around a spike. About `labels`
 * bins get an axis label, none next to the zero bar (which is always labelled "0").
 */
export function histogramBars(h: WeightHistogram, log: boolean, labels = 5): HistogramBar[] {
  const bins = h.counts.length;
  const height = (count: number) => (log ? logHeight(count) : count);
  const values: HistogramBar[] = Array.from({ length: bins }, (_, i) => ({
    key: `b${i}`, kind: 'values', from: h.edges[i], to: h.edges[i + 1], count: h.counts[i], height: height(h.counts[i]), tick: null,
  }));
  const at = values.filter((b) => (b.from + b.to) / 2 < 0).length;
  const step = Math.max(1, Math.round((bins - 1) / Math.max(1, labels - 1)));
  for (let i = 0; i < bins; i++) {
    const position = i < at ? i : i + 1; // the zero bar sits at position `at`
    const nearZero = Math.abs(position - at) < 3;
    if ((i % step === 0 || i === bins - 1) && !nearZero) values[i].tick = formatWeight((values[i].from + values[i].to) / 2);
  }
  const zeros: HistogramBar = { key: 'zeros', kind: 'zeros', from: 0, to: 0, count: h.zeros, height: height(h.zeros), tick: '0' };
  return [...values.slice(0, at), zeros, ...values.slice(at)];
}
