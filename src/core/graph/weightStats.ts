// Per-layer weight views: summary statistics, a histogram of the nonzero values (exact zeros counted
// apart, so the spike pruning leaves at 0 is visible on its own), and a downsampled heatmap of the
// kernel seen as a matrix (one row per output channel or unit). Everything returned is plain data
// (numbers, strings, typed arrays): it crosses postMessage as is and is drawn by the page.
import type * as tf from '@tensorflow/tfjs';
import { findLayer } from './layerPaths';
import { listPrunableTensors, type PrunableTensor } from './prunable';
import { distinctUpTo } from '../compress/clusterModel';
import { MAX_CLUSTERS } from '../compress/kmeans1d';
import { UNCONTROLLED, type JobControl } from '../job';

export interface WeightStats {
  /** Every value of the tensor. */
  count: number;
  /** Values exactly 0 (what pruning leaves). */
  zeros: number;
  /** NaN or ±Infinity values: left out of every other figure. */
  nonFinite: number;
  /** Over the finite values (0 when there are none). */
  min: number;
  max: number;
  mean: number;
  /** Population standard deviation. */
  std: number;
  /** The same over the finite nonzero values only: what is left after pruning. */
  nonzeroMean: number;
  nonzeroStd: number;
}

export interface WeightHistogram {
  /** bins + 1 ascending edges over the nonzero values' range; bin i is [edges[i], edges[i+1]), the last one closed. */
  edges: Float32Array;
  /** Nonzero finite values per bin. */
  counts: Uint32Array;
  /** Values exactly 0, not in any bin. */
  zeros: number;
}

export interface KernelHeatmap {
  /** Cells down and across (at most the requested maximum each). */
  rows: number;
  cols: number;
  /** rows × cols, row-major: mean |w| of the weights in each cell (finite ones). */
  absMean: Float32Array;
  /** rows × cols, row-major: fraction of the cell's weights that are exactly 0. */
  zeroFraction: Float32Array;
  /** The matrix before downsampling: rows = output channels / units, cols = everything else. */
  sourceRows: number;
  sourceCols: number;
  /** What a row and a column of the matrix are, in words: "output channel", "input channel × kernel position (3×3)". */
  rowLabel: string;
  colLabel: string;
}

export interface KernelDetail {
  /** The weight's stable key, e.g. "conv1/kernel" or "features/conv_1/kernel". */
  key: string;
  /** The weight's own name within the layer: "kernel", "depthwise_kernel", "forward_lstm/kernel". */
  weight: string;
  shape: number[];
  stats: WeightStats;
  histogram: WeightHistogram;
  heatmap: KernelHeatmap;
}

export interface LayerWeightDetail {
  path: string;
  className: string;
  kernels: KernelDetail[];
}

/** How a kernel is laid out as a 2-D matrix: which axes make a row index and which a column index (major first). */
export interface MatrixLayout {
  rowAxes: number[];
  colAxes: number[];
  rowLabel: string;
  colLabel: string;
}

export interface WeightViewOptions {
  /** Histogram bins over the nonzero values (default 40). */
  bins?: number;
  /** Largest heatmap (default 128 rows × 256 columns); bigger matrices are averaged down. */
  maxRows?: number;
  maxCols?: number;
}

export const DEFAULT_BINS = 40;
/**
 * Bins for a kernel of at most MAX_CLUSTERS distinct values (a clustered one): narrow enough that
 * each shared value stands as its own spike, with gaps between them.
 */
export const SHARED_BINS = 160;
export const MAX_HEATMAP_ROWS = 128;
export const MAX_HEATMAP_COLS = 256;

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);

/**
 * The matrix view of a kernel. Rows are what the layer produces (output channels, units), columns
 * everything a row's weights are spread over. Convolutions list the input channel before the kernel
 * position, so each input channel is a run of adjacent columns (its k×k patch).
 * Shapes follow tfjs: Dense [in, out]; ConvND [...k, in, out]; Conv2DTranspose [...k, out, in];
 * depthwise [...k, in, multiplier] (output channel = in · multiplier + m); Embedding [vocab, dim];
 * recurrent [in or units, gates · units].
 */
export function kernelLayout(layerClass: string, weight: string, shape: readonly number[]): MatrixLayout {
  const rank = shape.length;
  const name = weight.slice(weight.lastIndexOf('/') + 1);
  const size = (axes: number[]) => axes.map((a) => shape[a]).join('×');
  if (rank === 0) return { rowAxes: [], colAxes: [], rowLabel: 'weight', colLabel: 'weight' };
  if (rank === 1) return { rowAxes: [0], colAxes: [], rowLabel: 'weight', colLabel: 'weight' };
  if (rank >= 3) {
    const spatial = range(0, rank - 2);
    const position = `kernel position (${size(spatial)})`;
    if (name === 'depthwise_kernel') {
      return { rowAxes: [rank - 2, rank - 1], colAxes: spatial, rowLabel: 'output channel (input channel × multiplier)', colLabel: position };
    }
    if (layerClass.endsWith('Transpose')) {
      return { rowAxes: [rank - 2], colAxes: [rank - 1, ...spatial], rowLabel: 'output channel (filter)', colLabel: `input channel × ${position}` };
    }
    return { rowAxes: [rank - 1], colAxes: [rank - 2, ...spatial], rowLabel: 'output channel (filter)', colLabel: `input channel × ${position}` };
  }
  // Rank 2: the last axis is what the layer produces.
  if (name === 'embeddings') return { rowAxes: [1], colAxes: [0], rowLabel: 'embedding dimension', colLabel: 'token id' };
  if (name === 'kernel' || name === 'recurrent_kernel') {
    const gates = recurrentGates(layerClass, weight);
    if (gates !== null) {
      return { rowAxes: [1], colAxes: [0], rowLabel: gates, colLabel: name === 'recurrent_kernel' ? 'previous state unit' : 'input feature' };
    }
  }
  return { rowAxes: [1], colAxes: [0], rowLabel: 'output unit', colLabel: 'input feature' };
}

/** Row label of a recurrent kernel (gates stacked along the last axis), or null for other layers. */
function recurrentGates(layerClass: string, weight: string): string | null {
  const kind = layerClass === 'Bidirectional' ? (/gru/i.test(weight) ? 'GRU' : /lstm/i.test(weight) ? 'LSTM' : 'SimpleRNN') : layerClass;
  if (kind === 'LSTM') return 'gate (i, f, c, o) × unit';
  if (kind === 'GRU') return 'gate (z, r, h) × unit';
  if (kind === 'SimpleRNN') return 'unit';
  return null;
}

/** Count, zeros, range, mean and spread of all values and of the nonzero ones. Non-finite values are counted apart. */
export function weightStats(values: ArrayLike<number>): WeightStats {
  const n = values.length;
  let zeros = 0;
  let finite = 0;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    finite++;
    if (v === 0) zeros++;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const nonzero = finite - zeros;
  const mean = finite ? sum / finite : 0;
  const nonzeroMean = nonzero ? sum / nonzero : 0; // zeros add nothing to the sum
  // Second pass about the means: sums of squared deviations do not lose precision the way
  // E[x²] - E[x]² does when the spread is small next to the mean.
  let dev = 0;
  let nzDev = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    dev += (v - mean) ** 2;
    if (v !== 0) nzDev += (v - nonzeroMean) ** 2;
  }
  return {
    count: n,
    zeros,
    nonFinite: n - finite,
    min: finite ? min : 0,
    max: finite ? max : 0,
    mean,
    std: finite ? Math.sqrt(dev / finite) : 0,
    nonzeroMean,
    nonzeroStd: nonzero ? Math.sqrt(nzDev / nonzero) : 0,
  };
}

/**
 * Histogram of the finite nonzero values in `bins` equal bins from their smallest to their largest
 * value; exact zeros are only counted (`zeros`). With no nonzero value the edges span [-1, 1]; with a
 * single distinct value they span a small interval around it.
 */
export function weightHistogram(values: ArrayLike<number>, bins = DEFAULT_BINS): WeightHistogram {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`A histogram needs a whole number of bins, at least 1 (got ${bins})`);
  let lo = Infinity;
  let hi = -Infinity;
  let zeros = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === 0) zeros++;
    else if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo > hi) [lo, hi] = [-1, 1];
  else if (lo === hi) {
    const pad = Math.max(Math.abs(lo) * 1e-3, 1e-6);
    [lo, hi] = [lo - pad, hi + pad];
  }
  const width = hi - lo;
  const counts = new Uint32Array(bins);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === 0 || !Number.isFinite(v)) continue;
    counts[Math.min(bins - 1, Math.floor(((v - lo) / width) * bins))]++;
  }
  const edges = new Float32Array(bins + 1);
  for (let i = 0; i <= bins; i++) edges[i] = i === bins ? hi : lo + (width * i) / bins;
  return { edges, counts, zeros };
}

/**
 * The cell a source row (or column) falls in when `total` rows are averaged down to `cells`:
 * floor(index · cells / total). Cells hold ⌊total/cells⌋ or ⌈total/cells⌉ consecutive rows.
 */
export function cellOf(index: number, cells: number, total: number): number {
  return Math.floor((index * cells) / total);
}

/**
 * The kernel as a matrix (see kernelLayout), averaged down to at most maxRows × maxCols cells: per
 * cell the mean |w| and the fraction of exact zeros. Walks the values once, in memory order.
 */
export function kernelHeatmap(values: ArrayLike<number>, shape: readonly number[], layout: MatrixLayout, options: WeightViewOptions = {}): KernelHeatmap {
  const maxRows = options.maxRows ?? MAX_HEATMAP_ROWS;
  const maxCols = options.maxCols ?? MAX_HEATMAP_COLS;
  const size = shape.reduce((a, b) => a * b, 1);
  if (values.length !== size) throw new Error(`The kernel has ${values.length} values but its shape [${shape.join(', ')}] holds ${size}`);
  const product = (axes: number[]) => axes.reduce((a, ax) => a * shape[ax], 1);
  const sourceRows = product(layout.rowAxes);
  const sourceCols = product(layout.colAxes);
  const rows = size ? Math.min(sourceRows, maxRows) : 0;
  const cols = size ? Math.min(sourceCols, maxCols) : 0;
  // How far a step along each axis moves the row and the column index (major axes first).
  const rowStep = new Array<number>(shape.length).fill(0);
  const colStep = new Array<number>(shape.length).fill(0);
  const strides = (axes: number[], step: number[]) => {
    let s = 1;
    for (let k = axes.length - 1; k >= 0; k--) {
      step[axes[k]] = s;
      s *= shape[axes[k]];
    }
  };
  strides(layout.rowAxes, rowStep);
  strides(layout.colAxes, colStep);
  const rowCell = Int32Array.from({ length: sourceRows }, (_, r) => cellOf(r, rows, sourceRows));
  const colCell = Int32Array.from({ length: sourceCols }, (_, c) => cellOf(c, cols, sourceCols));
  const absSum = new Float64Array(rows * cols);
  const finite = new Uint32Array(rows * cols);
  const zeros = new Uint32Array(rows * cols);
  const total = new Uint32Array(rows * cols);
  const index = new Int32Array(shape.length);
  let row = 0;
  let col = 0;
  for (let i = 0; i < size; i++) {
    const cell = rowCell[row] * cols + colCell[col];
    const v = values[i];
    total[cell]++;
    if (v === 0) zeros[cell]++;
    if (Number.isFinite(v)) {
      absSum[cell] += Math.abs(v);
      finite[cell]++;
    }
    // Odometer over the shape in memory order (last axis fastest), keeping row and col in step.
    for (let a = shape.length - 1; a >= 0; a--) {
      index[a]++;
      row += rowStep[a];
      col += colStep[a];
      if (index[a] < shape[a]) break;
      row -= rowStep[a] * shape[a];
      col -= colStep[a] * shape[a];
      index[a] = 0;
    }
  }
  const absMean = new Float32Array(rows * cols);
  const zeroFraction = new Float32Array(rows * cols);
  for (let c = 0; c < rows * cols; c++) {
    absMean[c] = finite[c] ? absSum[c] / finite[c] : 0;
    zeroFraction[c] = total[c] ? zeros[c] / total[c] : 0;
  }
  return { rows, cols, absMean, zeroFraction, sourceRows, sourceCols, rowLabel: layout.rowLabel, colLabel: layout.colLabel };
}

/** At most MAX_CLUSTERS distinct values, each held by several weights on average (a clustered kernel). */
function sharesValues(values: ArrayLike<number>): boolean {
  const distinct = distinctUpTo(values, MAX_CLUSTERS);
  return distinct !== null && values.length >= 4 * distinct;
}

/** Stats, histogram and heatmap of one prunable kernel's values. */
export function describeKernel(values: ArrayLike<number>, tensor: Pick<PrunableTensor, 'key' | 'weight' | 'shape' | 'layerClass'>, options: WeightViewOptions = {}): KernelDetail {
  return {
    key: tensor.key,
    weight: tensor.weight,
    shape: [...tensor.shape],
    stats: weightStats(values),
    histogram: weightHistogram(values, options.bins ?? (sharesValues(values) ? SHARED_BINS : DEFAULT_BINS)),
    heatmap: kernelHeatmap(values, tensor.shape, kernelLayout(tensor.layerClass, tensor.weight, tensor.shape), options),
  };
}

/** The class the kernels belong to: a wrapper's (TimeDistributed, Bidirectional) inner layer, otherwise the layer's own. */
function kernelClass(layer: tf.layers.Layer): string {
  const wrapper = layer as unknown as { layer?: tf.layers.Layer; forwardLayer?: tf.layers.Layer };
  const inner = layer.getClassName() === 'TimeDistributed' ? wrapper.layer : layer.getClassName() === 'Bidirectional' ? wrapper.forwardLayer : undefined;
  return inner ? inner.getClassName() : layer.getClassName();
}

/**
 * The weight views of every prunable kernel of the layer at `path` (nested paths like
 * "features/conv_1" included), read from the model's live variables without changing or disposing
 * them. Throws a user-facing error when there is no such layer or it has no prunable kernel.
 */
export async function layerWeightDetail(
  model: tf.LayersModel, path: string, options: WeightViewOptions & { control?: JobControl } = {},
): Promise<LayerWeightDetail> {
  const control = options.control ?? UNCONTROLLED;
  const layer = findLayer(model, path);
  if (!layer) throw new Error(`There is no layer "${path}" in this model`);
  const tensors = listPrunableTensors(model).filter((t) => t.layerPath === path);
  if (tensors.length === 0) throw new Error(`${path} (${layer.getClassName()}) has no prunable kernel to show`);
  const cls = kernelClass(layer);
  const kernels: KernelDetail[] = [];
  for (const [i, t] of tensors.entries()) {
    await control.checkpoint(i / tensors.length, `Reading ${t.key}`);
    // An async read of the live variable: a copy on GPU backends; never written to or disposed here.
    const values = (await layer.weights[t.weightIndex].read().data()) as Float32Array;
    kernels.push(describeKernel(values, { ...t, layerClass: cls }, options));
  }
  return { path, className: layer.getClassName(), kernels };
}
