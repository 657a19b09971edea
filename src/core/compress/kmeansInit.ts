// Where 1-D k-means starts (TFMOT's three initialisations), on a sorted histogram
// (valueHistogram.ts): each returns up to m starting values, possibly repeated (the caller dedupes).
//   linearInit     m values evenly spaced from the smallest to the largest entry
//   densityInit    the quantiles (j + 1/2)/m of the weights
//   kmeansPlusPlusInit   D² sampling (Arthur & Vassilvitskii 2007), seeded
import { mulberry32 } from '../data/seededRandom';
import type { SortedHistogram } from './valueHistogram';

export function linearInit(h: SortedHistogram, m: number): number[] {
  const lo = h.values[0];
  const hi = h.values[h.values.length - 1];
  if (m === 1) return [(lo + hi) / 2];
  return Array.from({ length: m }, (_, j) => lo + ((hi - lo) * j) / (m - 1));
}

/**
 * Quantiles (j + 1/2)/m of the weights, read off the piecewise-linear CDF through the entries
 * (interpolated between neighbours, so a heavy entry does not yield several equal values).
 */
export function densityInit(h: SortedHistogram, m: number): number[] {
  const B = h.values.length;
  let total = 0;
  for (let j = 0; j < B; j++) total += h.counts[j];
  const out: number[] = [];
  // The CDF at entry e's value is (cum before e) + counts[e] / 2.
  let cum = 0;
  let e = 0;
  for (let j = 0; j < m; j++) {
    const target = ((j + 0.5) / m) * total;
    while (e < B - 1 && cum + h.counts[e] + h.counts[e + 1] / 2 < target) cum += h.counts[e++];
    const at = cum + h.counts[e] / 2;
    if (e === B - 1 || target <= at) {
      out.push(h.values[e]);
      continue;
    }
    const next = at + (h.counts[e] + h.counts[e + 1]) / 2;
    out.push(h.values[e] + ((h.values[e + 1] - h.values[e]) * (target - at)) / (next - at));
  }
  return out;
}

/** First index in [from, to) whose value is > x (to when none); `values` ascending. */
export function firstAbove(values: Float64Array, x: number, from: number, to: number): number {
  let a = from;
  let b = to;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (values[mid] > x) b = mid;
    else a = mid + 1;
  }
  return a;
}

const BLOCK = 256;

/**
 * D² sampling; `withZero`: 0 is a centroid already (the fixed zero cluster attracts). O(B) for the
 * first value, then per value O(B / 256 + 256 + its Voronoi cell): the squared distances only change
 * inside the new value's cell (1-D), and sampling walks per-block sums, so k = 256 over the ~150,000
 * entries of a binned histogram costs a few passes over them, not 256.
 */
export function kmeansPlusPlusInit(h: SortedHistogram, m: number, seed: number, withZero: boolean): number[] {
  const rnd = mulberry32(seed);
  const v = h.values;
  const counts = h.counts;
  const B = v.length;
  const blocks = Math.ceil(B / BLOCK);
  const d2 = new Float64Array(B).fill(Infinity);
  const weight = new Float64Array(B);
  const blockSum = new Float64Array(blocks);
  const sumBlocks = (from: number, to: number) => {
    for (let b = Math.floor(from / BLOCK); b * BLOCK < to; b++) {
      let s = 0;
      for (let j = b * BLOCK, end = Math.min(B, j + BLOCK); j < end; j++) s += weight[j];
      blockSum[b] = s;
    }
  };
  const closer = (from: number, to: number, c: number) => {
    for (let j = from; j < to; j++) {
      const d = v[j] - c;
      if (d * d < d2[j]) {
        d2[j] = d * d;
        weight[j] = counts[j] * d2[j];
      }
    }
    sumBlocks(from, to);
  };
  const chosen: number[] = []; // ascending
  if (withZero) {
    chosen.push(0);
    closer(0, B, 0);
  } else {
    weight.set(counts);
    sumBlocks(0, B);
  }
  const out: number[] = [];
  while (out.length < m) {
    let total = 0;
    for (let b = 0; b < blocks; b++) total += blockSum[b];
    if (!(total > 0)) break; // every entry is a centroid already
    let r = rnd() * total;
    let b = 0;
    while (b < blocks - 1 && r >= blockSum[b]) r -= blockSum[b++];
    let pick = -1;
    for (let j = b * BLOCK, end = Math.min(B, j + BLOCK); j < end; j++) {
      if (weight[j] > 0) pick = j;
      r -= weight[j];
      if (r < 0 && pick === j) break;
    }
    if (pick < 0) break;
    const c = v[pick];
    out.push(c);
    const at = firstAboveIn(chosen, c);
    const left = at > 0 ? chosen[at - 1] : -Infinity;
    const right = at < chosen.length ? chosen[at] : Infinity;
    chosen.splice(at, 0, c);
    // The new value's cell: the entries nearer to it than to its neighbours.
    const from = left === -Infinity ? 0 : firstAbove(v, (left + c) / 2, 0, B);
    const to = right === Infinity ? B : firstAbove(v, (c + right) / 2, from, B);
    closer(from, to, c);
  }
  return out;
}

function firstAboveIn(sorted: number[], x: number): number {
  let a = 0;
  let b = sorted.length;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (sorted[mid] > x) b = mid;
    else a = mid + 1;
  }
  return a;
}
