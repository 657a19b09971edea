// Weight sharing by 1-D k-means: every weight of a tensor (or of several tensors together) is
// replaced by one of at most k shared values, the codebook, and is named by its index into it.
//
//   clusterValues(values, { k, init?, seed?, zeros?, maxIterations?, codebook? }) -> Clustering
//   clusterJointly([a, b, ...], options)  -> one codebook for several tensors, indices per tensor
//   clusteredValues(codebook, indices)    -> the new weights (codebook[indices[i]])
//
// Speed: the k-means iterates on a sorted histogram (valueHistogram.ts), O(k log B) per iteration
// with prefix sums, never O(k n). Small inputs (<= 131,072 values) use their exact distinct values,
// so the shared values are exact Lloyd centroids, the means of their members. Larger ones use a
// 2^20-bin histogram of the float bit patterns (0.025% wide), filled from a stratified sample of
// ~262,144 values above 524,288; the shared values are then the centroids of that histogram, within
// a bin width of the members' exact mean. The weights are read once more, in one assignment pass
// that is exact (nearest shared value, ties to the lower): a lookup table by bin gives a bin's code
// when the bin lies inside one cluster, and only values in the few bins a boundary cuts (and the
// zeros of a 'fixed' tensor) are compared. Shared values that coincide after rounding to float32
// (or float16) are merged before that pass, so no index is ever renumbered. Binned path: a shared
// value can, rarely, end up with no member (a cluster narrower than the bin it sits in).

// Initialisations (TFMOT's names): 'linear' (k values evenly spaced between the smallest and the
// largest weight), 'density' (at the quantiles (j + 1/2)/k of the weights), 'kmeans++' (Arthur &
// Vassilvitskii's D² sampling, seeded: the same seed gives the same codebook).
//
// Zeros (`zeros`):
//   'fixed' (default, sparsity-preserving): exact zeros form their own cluster, fixed at exactly +0,
//     and take one of the k values; no nonzero weight joins it, and no cluster holds weights of both
//     signs, so every shared value of nonzero weights is nonzero with its members' sign (a mean of
//     same-sign floats cannot round to 0). Pruned weights stay pruned; nothing else becomes 0.
//   'attract': the same fixed zero cluster, but nonzero weights nearer to 0 than to any other shared
//     value join it (clustering prunes a little more).
//   'free': plain k-means; zeros are weights like any other (pruned weights may become nonzero).
// A tensor with at most k distinct values (counting the zero) comes back unchanged: lossless.
// float16 codebooks (`codebook: 'float16'`): each shared value rounded to the nearest half (a nonzero
// stays nonzero), so the packed format can store the codebook in 2 bytes a value and still be exact.
import { toFloat16Bits } from '../model/quantize';
import { float16BitsToFloat } from './float16';
import { densityInit, firstAbove, kmeansPlusPlusInit, linearInit } from './kmeansInit';
import { BIN_COUNT, BIN_SHIFT, bitsToFloat, bitsView, histogramOf, nonFiniteError, SIGN_BIN, type SortedHistogram } from './valueHistogram';

export type ClusterInit = 'linear' | 'kmeans++' | 'density';
export const CLUSTER_INITS: readonly ClusterInit[] = ['linear', 'kmeans++', 'density'];
export type ZeroHandling = 'fixed' | 'attract' | 'free';
export const MIN_CLUSTERS = 2;
export const MAX_CLUSTERS = 256;

export interface KMeansOptions {
  /** Shared values per tensor (2..256), the zero cluster included. */
  k: number;
  /** Default 'kmeans++'. */
  init?: ClusterInit;
  /** kmeans++ only; default 1. */
  seed?: number;
  /** Default 'fixed' (sparsity-preserving). */
  zeros?: ZeroHandling;
  /** Lloyd iterations on the histogram; default 300 (most runs converge in far fewer). */
  maxIterations?: number;
  /** Precision of the shared values; default 'float32'. */
  codebook?: 'float32' | 'float16';
  /** 'auto' (default): exact up to EXACT_LIMIT values, binned above. 'exact' or 'binned' forces one. */
  histogram?: 'auto' | 'exact' | 'binned';
  /** Names the tensor in error messages. */
  what?: string;
}

export interface JointClustering {
  /** The shared values, ascending and distinct; at most k (each used, except rarely on the binned path). */
  codebook: Float32Array;
  /** For each input tensor, each weight's index into the codebook. */
  indices: Uint8Array[];
  /** Index of the exact +0 in the codebook, -1 when there is none. */
  zeroIndex: number;
  /** Lloyd iterations run ('fixed': the longer of the two signs' runs). */
  iterations: number;
  /** Whether the k-means ran on the exact values (small inputs) or on the 2^20-bin histogram. */
  exact: boolean;
}

export interface Clustering extends Omit<JointClustering, 'indices'> {
  indices: Uint8Array;
}

/** The largest negative float32 (-2^-149): the upper bound of the negative side when zeros follow. */
const LARGEST_NEGATIVE = bitsToFloat(0x80000001);

function checkOptions(options: KMeansOptions): Required<Omit<KMeansOptions, 'what'>> & { what: string } {
  const what = options.what ?? 'clusterValues';
  const { k } = options;
  if (!Number.isInteger(k) || k < MIN_CLUSTERS || k > MAX_CLUSTERS) throw new Error(`${what}: k must be a whole number from ${MIN_CLUSTERS} to ${MAX_CLUSTERS}, got ${k}`);
  const init = options.init ?? 'kmeans++';
  if (!CLUSTER_INITS.includes(init)) throw new Error(`${what}: unknown initialisation ${String(init)} (linear, kmeans++ or density)`);
  const zeros = options.zeros ?? 'fixed';
  if (zeros !== 'fixed' && zeros !== 'attract' && zeros !== 'free') throw new Error(`${what}: zeros must be fixed, attract or free, got ${String(zeros)}`);
  const maxIterations = options.maxIterations ?? 300;
  if (!Number.isInteger(maxIterations) || maxIterations < 0) throw new Error(`${what}: maxIterations must be a whole number >= 0, got ${maxIterations}`);
  const codebook = options.codebook ?? 'float32';
  if (codebook !== 'float32' && codebook !== 'float16') throw new Error(`${what}: codebook must be float32 or float16, got ${String(codebook)}`);
  const histogram = options.histogram ?? 'auto';
  if (histogram !== 'auto' && histogram !== 'exact' && histogram !== 'binned') throw new Error(`${what}: histogram must be auto, exact or binned, got ${String(histogram)}`);
  return { k, init, seed: options.seed ?? 1, zeros, maxIterations, codebook, histogram, what };
}

// ---------------------------------------------------------------- Lloyd on the histogram

interface Prefix {
  count: Float64Array;
  sum: Float64Array;
}

function prefixSums(h: SortedHistogram): Prefix {
  const B = h.values.length;
  const count = new Float64Array(B + 1);
  const sum = new Float64Array(B + 1);
  for (let j = 0; j < B; j++) {
    count[j + 1] = count[j] + h.counts[j];
    sum[j + 1] = sum[j] + h.counts[j] * h.values[j];
  }
  return { count, sum };
}

/**
 * Lloyd's iterations over the entries [from, to) for the sorted centroids `c` (updated in place);
 * centroids flagged in `fixed` never move. Returns the iterations run.
 */
function lloyd(h: SortedHistogram, p: Prefix, from: number, to: number, c: number[], fixed: boolean[], maxIterations: number): number {
  let iter = 0;
  while (iter < maxIterations) {
    iter++;
    let changed = false;
    let start = from;
    for (let j = 0; j < c.length; j++) {
      const end = j === c.length - 1 ? to : firstAbove(h.values, (c[j] + c[j + 1]) / 2, start, to);
      if (!fixed[j] && end > start) {
        const next = (p.sum[end] - p.sum[start]) / (p.count[end] - p.count[start]);
        if (next !== c[j]) {
          c[j] = next;
          changed = true;
        }
      }
      start = end;
    }
    if (!changed) break;
  }
  return iter;
}

// ---------------------------------------------------------------- shared values and their intervals

/**
 * The value line cut into intervals, ascending: interval i holds the values in (upper[i-1], upper[i]]
 * and shares `value[i]`. Two intervals share one value in a single case: 'fixed' zeros with one
 * nonzero value for weights of both signs (k = 2), which sit on either side of the zero interval.
 */
interface Intervals {
  upper: number[];
  value: number[];
}

/** Drops the centroids whose share of [from, to) is empty (fixed ones stay). */
function dropEmpty(h: SortedHistogram, from: number, to: number, c: number[], fixed: boolean[]): number[] {
  const out: number[] = [];
  let start = from;
  for (let j = 0; j < c.length; j++) {
    const end = j === c.length - 1 ? to : firstAbove(h.values, (c[j] + c[j + 1]) / 2, start, to);
    if (fixed[j] || end > start) out.push(c[j]);
    start = end;
  }
  return out;
}

const uniqueSorted = (xs: number[]) => [...new Set(xs)].sort((a, b) => a - b);
const midpoints = (c: number[]) => c.map((x, j) => (j === c.length - 1 ? Infinity : (x + c[j + 1]) / 2));

function intervalsFor(h: SortedHistogram, mode: ZeroHandling, hasZero: boolean, m: number, o: { init: ClusterInit; seed: number; maxIterations: number }): { iv: Intervals; iterations: number } {
  const B = h.values.length;
  const p = prefixSums(h);
  const initOf = (n: number, withZero: boolean) =>
    n >= B ? Array.from(h.values) : o.init === 'linear' ? linearInit(h, n) : o.init === 'density' ? densityInit(h, n) : kmeansPlusPlusInit(h, n, o.seed, withZero);
  const meanOf = (a: number, b: number) => (p.sum[b] - p.sum[a]) / (p.count[b] - p.count[a]);

  if (mode !== 'fixed') {
    const withZero = mode === 'attract' && hasZero;
    const free = B === 0 ? [] : initOf(m, withZero);
    let c = uniqueSorted(withZero ? [...free.filter((x) => x !== 0), 0] : free);
    const fixedOf = (xs: number[]) => xs.map((x) => withZero && x === 0);
    const iterations = lloyd(h, p, 0, B, c, fixedOf(c), o.maxIterations);
    c = dropEmpty(h, 0, B, c, fixedOf(c));
    return { iv: { upper: midpoints(c), value: c }, iterations };
  }

  // 'fixed': negatives and positives are clustered apart; the zero interval sits between them.
  const split = firstAbove(h.values, 0, 0, B); // entries are nonzero here: [0, split) < 0 < [split, B)
  const hasNeg = split > 0;
  const hasPos = split < B;
  let neg: number[] = [];
  let pos: number[] = [];
  if (B > 0) {
    const c = uniqueSorted(initOf(m, false));
    neg = c.filter((x) => x < 0);
    pos = c.filter((x) => x > 0);
    for (let i = c.length - neg.length - pos.length; i > 0; i--) (!hasPos || (hasNeg && neg.length === 0) ? neg : pos).push(0);
    // A side with weights but no shared value takes one from the other side (the one nearest 0).
    if (hasNeg && neg.length === 0 && pos.length > 1) {
      pos.shift();
      neg = [meanOf(0, split)];
    }
    if (hasPos && pos.length === 0 && neg.length > 1) {
      neg.pop();
      pos = [meanOf(split, B)];
    }
  }
  const zero = { upper: [] as number[], value: [] as number[] };
  if (hasZero || B === 0) {
    // B === 0 and no zero: an empty input, which the caller answers before it gets here.
    zero.upper.push(0);
    zero.value.push(0);
  }
  if (hasNeg && hasPos && (neg.length === 0 || pos.length === 0)) {
    // One shared value for both signs (k = 2 with zeros): the mean, or the larger side's if that is 0.
    let v = Math.fround(meanOf(0, B));
    if (v === 0) v = p.count[split] >= p.count[B] - p.count[split] ? meanOf(0, split) : meanOf(split, B);
    return { iv: { upper: [hasZero ? LARGEST_NEGATIVE : 0, ...zero.upper, Infinity], value: [v, ...zero.value, v] }, iterations: 0 };
  }
  const fixedNone = (xs: number[]) => xs.map(() => false);
  const iterations = Math.max(neg.length ? lloyd(h, p, 0, split, neg, fixedNone(neg), o.maxIterations) : 0, pos.length ? lloyd(h, p, split, B, pos, fixedNone(pos), o.maxIterations) : 0);
  neg = dropEmpty(h, 0, split, neg, fixedNone(neg));
  pos = dropEmpty(h, split, B, pos, fixedNone(pos));
  const negUpper = midpoints(neg);
  if (neg.length) negUpper[neg.length - 1] = hasZero ? LARGEST_NEGATIVE : 0;
  const upper = [...negUpper, ...zero.upper, ...midpoints(pos)];
  upper[upper.length - 1] = Infinity;
  return { iv: { upper, value: [...neg, ...zero.value, ...pos] }, iterations };
}

/** The codebook (rounded, deduplicated, ascending) and each interval's index into it. */
function codesFor(iv: Intervals, precision: 'float32' | 'float16'): { codebook: Float32Array; code: Uint8Array; zeroIndex: number } {
  const rounded = iv.value.map((v) => (precision === 'float16' ? float16BitsToFloat(toFloat16Bits(v)) : Math.fround(v)));
  const codebook = Float32Array.from(new Set(rounded)).sort();
  const index = new Map(Array.from(codebook, (v, j) => [v, j]));
  return { codebook, code: Uint8Array.from(rounded, (v) => index.get(v)!), zeroIndex: index.get(0) ?? -1 };
}

// ---------------------------------------------------------------- assignment

/** Exact path (small inputs): each value's interval by binary search. */
function assignBySearch(values: Float32Array, upper: Float64Array, code: Uint8Array): Uint8Array {
  const out = new Uint8Array(values.length);
  const last = upper.length - 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let a = 0;
    let b = last;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (v > upper[mid]) a = mid + 1;
      else b = mid;
    }
    out[i] = code[a];
  }
  return out;
}

/** Lookup entry flag: a boundary cuts the bin (or it must be checked), so its values are compared. */
const CUT = 0x8000;

/**
 * For each histogram bin (top 20 bits): the code of its values, or CUT | the interval of its lowest
 * value when a boundary cuts it. Non-finite bins send their values to the comparison (which throws).
 * `checkZeros`: the zero bins always go to the comparison (a sample saw no zero, so there is no zero
 * interval; a zero found there restarts the clustering with one). Bins must be this fine: at 16 bits
 * (0.4% wide) a bin is about half a cluster wide at k = 256, so ~40% of the values were compared and
 * the pass took 5 times as long.
 */
function binnedLookup(upper: Float64Array, code: Uint8Array, occupied: { negative: number[]; positive: number[] }, checkZeros: boolean): Uint16Array {
  // Local copies: an imported binding in a loop of a million is a getter call in some module systems.
  const shift = BIN_SHIFT;
  const signBin = SIGN_BIN;
  const lowBits = (1 << shift) - 1;
  const f = new Float32Array(2);
  const u = new Uint32Array(f.buffer);
  // Bins outside the occupied ranges (values the sample never saw, non-finite ones) are compared.
  const lut = new Uint16Array(BIN_COUNT).fill(CUT);
  let c = 0;
  const fill = (b: number, low: number, high: number, zeroBin: boolean) => {
    u[0] = low;
    u[1] = high;
    while (f[0] > upper[c]) c++;
    lut[b] = f[1] > upper[c] || (checkZeros && zeroBin) ? c | CUT : code[c];
  };
  // In ascending value order: negative bins from the most negative (largest pattern), the zero bins, positive bins.
  for (let b = occupied.negative[1]; b >= occupied.negative[0]; b--) fill(b, (b << shift) | lowBits, b << shift, false);
  fill(signBin, (signBin << shift) | lowBits, signBin << shift, true);
  fill(0, 0, lowBits, true);
  for (let b = occupied.positive[0]; b <= occupied.positive[1]; b++) fill(b, b << shift, (b << shift) | lowBits, false);
  return lut;
}

/** Binned path: each value's code (null when a zero turns up and `zeroMissing`). */
function assignBinned(values: Float32Array, lut: Uint16Array, upper: Float64Array, code: Uint8Array, zeroMissing: boolean, what: string): Uint8Array | null {
  const u = bitsView(values);
  const shift = BIN_SHIFT;
  const out = new Uint8Array(values.length);
  for (let i = 0; i < u.length; i++) {
    let c = lut[u[i] >>> shift];
    if (c & CUT) {
      c &= ~CUT;
      const v = values[i];
      if (v - v !== 0) throw nonFiniteError(what);
      if (v === 0 && zeroMissing) return null;
      while (v > upper[c]) c++;
      c = code[c];
    }
    out[i] = c;
  }
  return out;
}

/** One codebook for several tensors; see the header. */
export function clusterJointly(parts: readonly Float32Array[], options: KMeansOptions): JointClustering {
  const o = checkOptions(options);
  if (parts.every((p) => p.length === 0)) return { codebook: new Float32Array(0), indices: parts.map(() => new Uint8Array(0)), zeroIndex: -1, iterations: 0, exact: true };
  const h = histogramOf(parts, { dropZeros: o.zeros !== 'free', what: o.what, mode: o.histogram });
  const run = (hasZero: boolean): JointClustering | null => {
    const { iv, iterations } = intervalsFor(h, o.zeros, hasZero, o.k - (hasZero ? 1 : 0), o);
    const { codebook, code, zeroIndex } = codesFor(iv, o.codebook);
    const upper = Float64Array.from(iv.upper);
    const base = { codebook, zeroIndex, iterations, exact: h.exact };
    if (!h.bins) return { ...base, indices: parts.map((v) => assignBySearch(v, upper, code)) };
    const zeroMissing = o.zeros !== 'free' && !hasZero;
    const lut = binnedLookup(upper, code, h.occupied!, zeroMissing);
    const indices: Uint8Array[] = [];
    for (const v of parts) {
      const idx = assignBinned(v, lut, upper, code, zeroMissing, o.what);
      if (!idx) return null;
      indices.push(idx);
    }
    return { ...base, indices };
  };
  // The sample can miss the zeros of a barely pruned tensor: then run again with a zero interval.
  return run(o.zeros !== 'free' && h.zeros > 0) ?? run(true)!;
}

/** One tensor's codebook and indices; see the header. */
export function clusterValues(values: Float32Array, options: KMeansOptions): Clustering {
  const { indices, ...rest } = clusterJointly([values], options);
  return { ...rest, indices: indices[0] };
}

/** The clustered weights: codebook[indices[i]]. */
export function clusteredValues(codebook: Float32Array, indices: Uint8Array): Float32Array {
  const out = new Float32Array(indices.length);
  for (let i = 0; i < indices.length; i++) out[i] = codebook[indices[i]];
  return out;
}

/** How many distinct values a tensor holds (+0 and -0 count as one). */
export function distinctValues(values: Float32Array): number {
  const sorted = Float32Array.from(values).sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) n++;
  return n;
}
