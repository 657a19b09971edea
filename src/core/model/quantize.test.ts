// The encodings against tfjs's own decoder (tf.io.decodeWeights, what loadLayersModel runs): every
// bound in quantize.ts's header is checked on what tfjs actually reads back.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { encodeFloat16, encodeWeights, quantizeUint8, toFloat16Bits, type WeightSpec } from './quantize';

/** What tfjs's loader makes of one uint8-quantized tensor. */
function loadUint8(values: Float32Array): { decoded: Float32Array; scale: number } {
  const { bytes, min, scale } = quantizeUint8(values);
  const spec = { name: 'w', shape: [values.length], dtype: 'float32' as const, quantization: { dtype: 'uint8' as const, min, scale } };
  const t = tf.io.decodeWeights(bytes.slice().buffer, [spec]).w;
  const decoded = t.dataSync() as Float32Array;
  t.dispose();
  return { decoded, scale };
}

function loadFloat16(values: Float32Array): Float32Array {
  const halves = encodeFloat16(values);
  const t = tf.io.decodeWeights(halves.buffer as ArrayBuffer, [{ name: 'w', shape: [values.length], dtype: 'float32', quantization: { dtype: 'float16' } }]).w;
  const decoded = t.dataSync() as Float32Array;
  t.dispose();
  return decoded;
}

/** Deterministic values: `zeros` of them exact 0, the rest uniform in [lo, hi]. */
function sample(n: number, lo: number, hi: number, zeros: number, seed: number): Float32Array {
  let s = seed;
  const next = () => (s = (s * 16807) % 2147483647) / 2147483647;
  return Float32Array.from({ length: n }, () => (next() < zeros ? 0 : lo + (hi - lo) * next()));
}

/** The bound of quantize.ts, plus float32 rounding of the decoded value (half an ulp). */
function expectUint8Bounds(values: Float32Array, decoded: Float32Array, scale: number) {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const err = Math.abs(decoded[i] - v);
    const rounding = Math.abs(v) * 2 ** -23;
    if (v === 0) expect(decoded[i]).toBe(0);
    else {
      expect(decoded[i]).not.toBe(0);
      expect(Math.sign(decoded[i])).toBe(Math.sign(v));
      // A value smaller than half a step is moved to ±scale (error < scale); every other is within scale/2.
      expect(err).toBeLessThanOrEqual((Math.abs(v) < scale / 2 ? scale : scale / 2) * (1 + 1e-9) + rounding);
    }
  }
}

describe('uint8 through tfjs decodeWeights', () => {
  it('pruned weights decode to exactly 0, nonzero ones stay nonzero, each within scale/2', () => {
    for (const [lo, hi, zeros, seed] of [[-0.3, 0.3, 0.7, 1], [-2, 0.05, 0.5, 2], [-0.01, 1, 0.9, 3], [-1e-4, 3e-4, 0.3, 4]] as const) {
      const values = sample(2000, lo, hi, zeros, seed);
      const { decoded, scale } = loadUint8(values);
      expect(decoded.filter((v) => v === 0).length).toBe(values.filter((v) => v === 0).length);
      expectUint8Bounds(values, decoded, scale);
    }
  });

  it('keeps a small value on a side of its own nonzero ([-0.001, 1] put 0 at code 0 and lost -0.001)', () => {
    for (const values of [Float32Array.from([-0.001, 1, 0, 0.5]), Float32Array.from([-1, 0, 0.0004, -0.5]), Float32Array.from([1e-7, -3, 0])]) {
      const { decoded, scale } = loadUint8(values);
      expectUint8Bounds(values, decoded, scale);
    }
  });

  it('a zero-free one-signed tensor (BatchNorm gamma) uses its own range: a finer step, nothing becomes 0', () => {
    const gamma = sample(64, 0.8, 1.2, 0, 5);
    const { decoded, scale } = loadUint8(gamma);
    const lo = Math.min(...gamma);
    const hi = Math.max(...gamma);
    expect(scale).toBeCloseTo((hi - lo) / 255, 12); // the zero-anchored step would be hi / 255, 3x coarser
    expectUint8Bounds(gamma, decoded, scale);
    const negative = sample(64, -5, -4, 0, 6);
    const n = loadUint8(negative);
    expectUint8Bounds(negative, n.decoded, n.scale);
  });

  it('all-zero, constant, single and empty tensors decode exactly', () => {
    for (const values of [new Float32Array(5), Float32Array.from([0.1, 0.1, 0.1]), Float32Array.from([-7.25]), Float32Array.from([-0, 0])]) {
      expect(Array.from(loadUint8(values).decoded)).toEqual(Array.from(values, (v) => v + 0)); // -0 loads as +0
    }
    expect(quantizeUint8(new Float32Array(0)).bytes.length).toBe(0);
  });

  it('refuses NaN and Infinity, naming the tensor', () => {
    expect(() => quantizeUint8(Float32Array.from([1, NaN]), 'weight fc/kernel')).toThrow('weight fc/kernel holds NaN');
    expect(() => quantizeUint8(Float32Array.from([Infinity, 0]), 'weight b')).toThrow('weight b holds Infinity');
  });
});

describe('float16 through tfjs decodeWeights', () => {
  it('every finite half value survives float32 -> half unchanged (all 63488 of them)', () => {
    const bits = Uint16Array.from({ length: 0x10000 }, (_, i) => i).filter((b) => (b & 0x7c00) !== 0x7c00);
    const t = tf.io.decodeWeights(bits.slice().buffer, [{ name: 'w', shape: [bits.length], dtype: 'float32', quantization: { dtype: 'float16' } }]).w;
    const asFloat = t.dataSync() as Float32Array;
    t.dispose();
    const again = encodeFloat16(asFloat);
    let mismatches = 0;
    for (let i = 0; i < bits.length; i++) if (again[i] !== bits[i]) mismatches++;
    expect(mismatches).toBe(0);
  });

  it('rounds to nearest (ties to even): relative error <= 2^-11, absolute <= 2^-25 below 2^-14; zeros exact', () => {
    const values = Float32Array.from([...sample(3000, -4, 4, 0.5, 7), ...sample(500, -1e-4, 1e-4, 0.2, 8), ...sample(200, -6e4, 6e4, 0, 9)]);
    const decoded = loadFloat16(values);
    values.forEach((v, i) => {
      if (v === 0) expect(decoded[i]).toBe(0);
      else {
        expect(decoded[i]).not.toBe(0);
        expect(Math.abs(decoded[i] - v)).toBeLessThanOrEqual(Math.max(Math.abs(v) * 2 ** -11, 2 ** -25));
      }
    });
    // Ties: 1 + 2^-11 is halfway between 1 and 1 + 2^-10 and goes to the even one (1).
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
  });

  it('clamps overflow to ±65504, keeps tiny values nonzero, keeps signs and NaN', () => {
    expect(toFloat16Bits(0)).toBe(0);
    expect(toFloat16Bits(-0)).toBe(0x8000);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(65519)).toBe(0x7bff); // rounds down to the max
    expect(toFloat16Bits(65520)).toBe(0x7bff); // would round to Infinity: clamped
    expect(toFloat16Bits(-1e6)).toBe(0xfbff);
    expect(toFloat16Bits(Infinity)).toBe(0x7bff);
    expect(toFloat16Bits(1e-9)).toBe(1); // below the smallest subnormal: kept nonzero
    expect(toFloat16Bits(-1e-30)).toBe(0x8001);
    expect(toFloat16Bits(2 ** -24)).toBe(1);
    expect(toFloat16Bits(NaN) & 0x7c00).toBe(0x7c00);
    expect(Array.from(loadFloat16(Float32Array.from([1e6, -1e6, 1e-9])))).toEqual([65504, -65504, 2 ** -24]);
  });
});

describe('encodeWeights', () => {
  const specs: WeightSpec[] = [
    { name: 'emb/ids', shape: [3], dtype: 'int32' },
    { name: 'fc/kernel', shape: [2, 2], dtype: 'float32' },
  ];
  const data = new Uint8Array(new ArrayBuffer(28));
  new Int32Array(data.buffer, 0, 3).set([7, -2, 100000]);
  new Float32Array(data.buffer, 12, 4).set([0, 0.5, -0.25, 0]);

  it('quantizes float32 weights only: int32 weights are written as they are', () => {
    for (const precision of ['float16', 'uint8'] as const) {
      const out = encodeWeights(specs, data, precision);
      expect(out.specs[0]).toEqual(specs[0]);
      expect(out.specs[1].quantization?.dtype).toBe(precision);
      expect(out.data.length).toBe(12 + 4 * (precision === 'uint8' ? 1 : 2));
      const decoded = tf.io.decodeWeights(out.data.slice().buffer, out.specs as tf.io.WeightsManifestEntry[]);
      expect(Array.from(decoded['emb/ids'].dataSync())).toEqual([7, -2, 100000]);
      expect(decoded['emb/ids'].dtype).toBe('int32');
      const k = decoded['fc/kernel'].dataSync();
      expect([k[0], k[3]]).toEqual([0, 0]);
      tf.dispose(Object.values(decoded));
    }
  });

  it('float32 passes the bytes through; data that does not fit the specs is an error', () => {
    const out = encodeWeights(specs, data, 'float32');
    expect(out.data).toBe(data);
    expect(out.specs.every((s) => !s.quantization)).toBe(true);
    expect(() => encodeWeights(specs, data.subarray(0, 20), 'uint8')).toThrow('ends inside fc/kernel');
    expect(() => encodeWeights(specs.slice(0, 1), data, 'uint8')).toThrow('16 bytes of weight data');
  });
});
