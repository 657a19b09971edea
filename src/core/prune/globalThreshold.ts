// Exact k-smallest selection over many Float32Arrays without sorting them.
//
// Keys: for non-negative floats the IEEE-754 bit pattern read as an integer orders exactly like the
// value. With `absolute` (magnitude pruning) the key is the bit pattern with the sign cleared, i.e.
// |x|, read through an Int32Array view of the input (no |w| copy; -0 and +0 are equal). Otherwise the
// standard sortable transform is used (negatives flipped), so any value works. NaN ranks above
// +Infinity: it is never selected before a number.
//
// Method (Floyd-Rivest style, exact):
//   1. Sample 16,384 keys at fixed pseudo-random positions and sort the sample (cheap). Take two
//      sample keys lo <= hi that bracket rank k with a wide safety margin (±4 standard deviations).
//   2. One pass over all keys: count keys < lo, and copy keys in [lo, hi] into a small buffer
//      (capped at N/16 entries).
//   3. If the count proves the k-th key lies in [lo, hi], find it inside the buffer with a two-pass
//      radix select (16 + 16 bits). Otherwise (unlucky sample, or huge runs of equal keys such as
//      weights that are already exactly 0), fall back to a radix select over the full input: a
//      65,536-bin histogram of the top 16 bits, then one of the low 16 bits inside the chosen bin.
// Either way the exact k-th key T is found. Every key < T is selected, and of the keys equal to T the
// first (k - below) in array order are selected (deterministic tie-break), so exactly k are.
//
// Extra memory: the sample (64 KiB), the buffer (<= N/16 keys, i.e. <= 1/16 of a copy of the weights)
// and at most 1 MiB of histograms. Time: one plain pass in the common case (a second pass writes the
// masks). See bench/globalThreshold.ts.

export interface SelectionOptions {
  /** Rank by |x| instead of x (magnitude criterion on raw weights, no |w| copy needed). */
  absolute?: boolean;
}

export interface Selection {
  /** How many entries are selected (the requested k, rounded and clamped to [0, total]). */
  k: number;
  total: number;
  /** The k-th smallest value (as |x| when absolute); NaN when k is 0. */
  threshold: number;
  /** Integer sort key of the threshold (see above). */
  thresholdKey: number;
  /** Entries strictly below the threshold (all selected). */
  below: number;
  /** Entries equal to the threshold that are selected: the first ones in array order. */
  ties: number;
  absolute: boolean;
  /** Which path found the threshold: 'bracket' (one pass) or 'radix' (two passes). */
  method: 'bracket' | 'radix' | 'none';
}

const BINS = 65536;
const SAMPLE = 16384;
/** Below this many entries the sampling step is not worth it: go straight to the radix passes. */
const SMALL = 1 << 17;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function viewI32(a: Float32Array): Int32Array {
  return new Int32Array(a.buffer, a.byteOffset, a.length);
}

/** Sortable unsigned key of a float's bits (signed ordering; NaN above +Infinity). */
function signedKey(bits: number): number {
  if ((bits & 0x7fffffff) > 0x7f800000) return 0xffffffff; // NaN
  if (bits === -2147483648) return 0x80000000; // -0 ranks equal to +0
  return bits < 0 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
}

function keyToValue(key: number, absolute: boolean): number {
  u32[0] = absolute ? key : key >= 0x80000000 ? key & 0x7fffffff : ~key >>> 0;
  return f32[0];
}

function keyAt(bits: number, absolute: boolean): number {
  return absolute ? bits & 0x7fffffff : signedKey(bits);
}

/** Index of the bin where the running count first reaches `k` (1-based rank), and the count before it. */
function findBin(hist: Int32Array, k: number): { bin: number; before: number } {
  let before = 0;
  for (let b = 0; b < BINS; b++) {
    if (before + hist[b] >= k) return { bin: b, before };
    before += hist[b];
  }
  throw new Error('selection: k exceeds the number of entries');
}

// ---- radix select over the full input (fallback, and small inputs) ---------------------------------

function histogramHigh(arrays: readonly Float32Array[], absolute: boolean): Int32Array {
  // Four interleaved sub-histograms: consecutive increments rarely hit the same counter, which
  // roughly halves the time of this pass compared with a single histogram.
  const h = new Int32Array(BINS * 4);
  for (const a of arrays) {
    const u = viewI32(a);
    const n = u.length;
    let i = 0;
    if (absolute) {
      for (const n4 = n & ~3; i < n4; i += 4) {
        h[(u[i] & 0x7fffffff) >> 16]++;
        h[BINS + ((u[i + 1] & 0x7fffffff) >> 16)]++;
        h[2 * BINS + ((u[i + 2] & 0x7fffffff) >> 16)]++;
        h[3 * BINS + ((u[i + 3] & 0x7fffffff) >> 16)]++;
      }
    }
    for (; i < n; i++) h[keyAt(u[i], absolute) >>> 16]++;
  }
  const out = new Int32Array(BINS);
  for (let b = 0; b < BINS; b++) out[b] = h[b] + h[BINS + b] + h[2 * BINS + b] + h[3 * BINS + b];
  return out;
}

function histogramLow(arrays: readonly Float32Array[], absolute: boolean, bin: number): Int32Array {
  const hist = new Int32Array(BINS);
  for (const a of arrays) {
    const u = viewI32(a);
    const n = u.length;
    if (absolute) {
      for (let i = 0; i < n; i++) {
        const x = u[i] & 0x7fffffff;
        if (x >> 16 === bin) hist[x & 0xffff]++;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const x = signedKey(u[i]);
        if (x >>> 16 === bin) hist[x & 0xffff]++;
      }
    }
  }
  return hist;
}

function radixSelect(arrays: readonly Float32Array[], k: number, absolute: boolean): { key: number; below: number } {
  const high = findBin(histogramHigh(arrays, absolute), k);
  const low = findBin(histogramLow(arrays, absolute, high.bin), k - high.before);
  return { key: ((high.bin << 16) | low.bin) >>> 0, below: high.before + low.before };
}

/** Radix select of the k-th smallest (1-based) among keys[0..len). */
function radixSelectKeys(keys: Uint32Array, len: number, k: number): { key: number; below: number } {
  const hi = new Int32Array(BINS);
  for (let i = 0; i < len; i++) hi[keys[i] >>> 16]++;
  const high = findBin(hi, k);
  const lo = new Int32Array(BINS);
  for (let i = 0; i < len; i++) {
    const x = keys[i];
    if (x >>> 16 === high.bin) lo[x & 0xffff]++;
  }
  const low = findBin(lo, k - high.before);
  return { key: ((high.bin << 16) | low.bin) >>> 0, below: high.before + low.before };
}

// ---- sampling + bracket: one pass in the common case ------------------------------------------------

function sampleKeys(arrays: readonly Float32Array[], total: number, absolute: boolean): Uint32Array {
  const sample = new Uint32Array(SAMPLE);
  // Stratified positions with a fixed pseudo-random jitter: deterministic, and not fooled by
  // periodic structure in the weights (rows, filters).
  let state = 0x9e3779b9;
  let arrayIndex = 0;
  let offset = 0;
  for (let s = 0; s < SAMPLE; s++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const g = Math.min(total - 1, Math.floor(((s + state / 4294967296) * total) / SAMPLE));
    while (g >= offset + arrays[arrayIndex].length) offset += arrays[arrayIndex++].length;
    f32[0] = arrays[arrayIndex][g - offset];
    sample[s] = keyAt(u32[0] | 0, absolute);
  }
  return sample.sort();
}

function bracketSelect(arrays: readonly Float32Array[], total: number, k: number, absolute: boolean): { key: number; below: number } | null {
  const sample = sampleKeys(arrays, total, absolute);
  const p = k / total;
  const margin = 4 * Math.sqrt(SAMPLE * p * (1 - p)) + 8;
  const loIdx = Math.floor(p * SAMPLE - margin);
  const hiIdx = Math.ceil(p * SAMPLE + margin);
  const lo = loIdx < 0 ? 0 : sample[loIdx];
  const hi = hiIdx >= SAMPLE ? 0xffffffff : sample[hiIdx];
  const span = hi - lo;
  const cap = Math.max(SAMPLE, Math.floor(total / 16));
  const buf = new Uint32Array(cap);
  let below = 0;
  let m = 0;
  for (const a of arrays) {
    const u = viewI32(a);
    const n = u.length;
    if (absolute) {
      // Keys and bounds are < 2^31, so x - lo fits an int32: its sign bit says x < lo, branch-free.
      for (let i = 0; i < n; i++) {
        const x = u[i] & 0x7fffffff;
        below += (x - lo) >>> 31;
        if ((x - lo) >>> 0 <= span) {
          if (m < cap) buf[m] = x;
          m++;
        }
      }
    } else {
      for (let i = 0; i < n; i++) {
        const x = signedKey(u[i]);
        if (x < lo) below++;
        else if (x <= hi) {
          if (m < cap) buf[m] = x;
          m++;
        }
      }
    }
  }
  if (m > cap || below >= k || below + m < k) return null;
  const inner = radixSelectKeys(buf, m, k - below);
  return { key: inner.key, below: below + inner.below };
}

/** Selects exactly k of the smallest entries across `arrays` (taken as one concatenated array). */
export function selectSmallest(arrays: readonly Float32Array[], k: number, options: SelectionOptions = {}): Selection {
  const absolute = options.absolute ?? false;
  const total = arrays.reduce((n, a) => n + a.length, 0);
  const kk = Math.max(0, Math.min(total, Math.round(k)));
  if (kk === 0) return { k: 0, total, threshold: NaN, thresholdKey: 0, below: 0, ties: 0, absolute, method: 'none' };
  let found: { key: number; below: number } | null = null;
  let method: Selection['method'] = 'bracket';
  if (total > SMALL) found = bracketSelect(arrays, total, kk, absolute);
  if (!found) {
    method = 'radix';
    found = radixSelect(arrays, kk, absolute);
  }
  return {
    k: kk,
    total,
    threshold: keyToValue(found.key, absolute),
    thresholdKey: found.key,
    below: found.below,
    ties: kk - found.below,
    absolute,
    method,
  };
}

/**
 * Keep-masks (1 = keep, 0 = selected for pruning) for a selection, one per array, in the same order.
 * Pass `into` to reuse buffers.
 */
export function selectionMasks(arrays: readonly Float32Array[], sel: Selection, into?: Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let ties = sel.ties;
  const t = sel.thresholdKey;
  arrays.forEach((a, j) => {
    const keep = into?.[j] ?? new Uint8Array(a.length);
    const u = viewI32(a);
    const n = u.length;
    if (sel.k === 0) {
      keep.fill(1);
    } else if (sel.absolute) {
      for (let i = 0; i < n; i++) {
        const x = u[i] & 0x7fffffff;
        keep[i] = (t - x) >>> 31; // 1 when x > t, branch-free
        if (x === t) {
          // Rare: the first `ties` keys equal to t are pruned, later ones kept.
          if (ties > 0) ties--;
          else keep[i] = 1;
        }
      }
    } else {
      for (let i = 0; i < n; i++) {
        const x = signedKey(u[i]);
        if (x < t) keep[i] = 0;
        else if (x === t && ties > 0) {
          keep[i] = 0;
          ties--;
        } else keep[i] = 1;
      }
    }
    out.push(keep);
  });
  return out;
}
