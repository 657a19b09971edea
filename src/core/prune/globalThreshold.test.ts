import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../data/seededRandom';
import { selectSmallest, selectionMasks } from './globalThreshold';

/** Reference: the k smallest by a stable sort on (key, position). */
function reference(arrays: Float32Array[], k: number, absolute: boolean): Uint8Array[] {
  const all: { v: number; a: number; i: number }[] = [];
  arrays.forEach((arr, a) => arr.forEach((x, i) => all.push({ v: Number.isNaN(x) ? Infinity : absolute ? Math.abs(x) : x, a, i })));
  // NaN ranks above +Infinity: give it a rank after every number.
  const rank = (e: { v: number; a: number; i: number }) => (Number.isNaN(arrays[e.a][e.i]) ? 1 : 0);
  all.sort((p, q) => rank(p) - rank(q) || p.v - q.v || p.a - q.a || p.i - q.i);
  const keep = arrays.map((arr) => new Uint8Array(arr.length).fill(1));
  for (const e of all.slice(0, k)) keep[e.a][e.i] = 0;
  return keep;
}

function make(n: number, rnd: () => number, kind: 'normal' | 'ties' | 'zeros' | 'signed'): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = rnd();
    if (kind === 'normal') a[i] = (u - 0.5) * 0.2;
    else if (kind === 'ties') a[i] = Math.round((u - 0.5) * 8) / 4; // few distinct values, -0 included
    else if (kind === 'zeros') a[i] = u < 0.6 ? 0 : u < 0.7 ? -0 : u - 0.7; // already-pruned weights
    else a[i] = (u - 0.3) * 100;
  }
  return a;
}

describe('selectSmallest', () => {
  const rnd = mulberry32(42);
  for (const kind of ['normal', 'ties', 'zeros', 'signed'] as const) {
    for (const absolute of [true, false]) {
      for (const n of [1, 7, 1000, 200_000]) {
        it(`${kind}, ${absolute ? '|x|' : 'x'}, n = ${n}: exactly k, matching a stable sort`, () => {
          const arrays = [make(Math.ceil(n / 3), rnd, kind), make(n - Math.ceil(n / 3), rnd, kind)];
          for (const s of [0, 0.01, 0.5, 0.8, 0.999, 1]) {
            const k = Math.round(s * n);
            const sel = selectSmallest(arrays, k, { absolute });
            expect(sel.k).toBe(k);
            expect(sel.below + sel.ties).toBe(k);
            const keep = selectionMasks(arrays, sel);
            if (n <= 1000 || s === 0.5) {
              const ref = reference(arrays, k, absolute);
              keep.forEach((m, j) => expect(Buffer.from(m).equals(Buffer.from(ref[j])), `s=${s} part ${j}`).toBe(true));
            } else {
              expect(keep.reduce((z, m) => z + m.filter((x) => x === 0).length, 0)).toBe(k);
            }
          }
        });
      }
    }
  }

  it('uses the one-pass bracket on large random inputs and the radix passes when values tie massively', () => {
    const r = mulberry32(1);
    expect(selectSmallest([make(500_000, r, 'normal')], 250_000, { absolute: true }).method).toBe('bracket');
    const zeros = new Float32Array(500_000);
    zeros.fill(1, 400_000);
    const sel = selectSmallest([zeros], 100_000, { absolute: true });
    expect(sel.method).toBe('radix');
    expect(sel.threshold).toBe(0);
    expect(sel.ties).toBe(100_000);
    const keep = selectionMasks([zeros], sel)[0];
    expect(keep.subarray(0, 100_000).every((x) => x === 0)).toBe(true);
    expect(keep.subarray(100_000).every((x) => x === 1)).toBe(true);
  });

  it('never selects NaN before a number; threshold is the k-th value', () => {
    const a = new Float32Array([3, NaN, -1, 2, NaN, 0.5]);
    const sel = selectSmallest([a], 4, { absolute: true });
    expect(sel.threshold).toBe(3);
    expect(Array.from(selectionMasks([a], sel)[0])).toEqual([0, 1, 0, 0, 1, 0]);
    const signed = selectSmallest([a], 2);
    expect(signed.threshold).toBe(0.5);
  });
});
