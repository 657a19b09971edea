// Weight encodings that tfjs's loader reads back to float32: uint8 (per-tensor affine) and float16.
// tfjs's save never writes them, so the export re-encodes each float32 tensor here and writes the
// manifest's `quantization` field itself. What the loader does with it (tfjs-core io_utils.js,
// decodeWeight, checked in 4.22):
//   uint8    values[i] = q * scale + min          computed in double, then stored in a Float32Array
//   float16  a table lookup (fox-toolkit "fast half float conversion"): IEEE half -> float32, exact,
//            subnormals included; exponent 31 decodes to ±Infinity/NaN.
// int32 weights are never quantized here (the brief: only float32 weights change).
//
// ## uint8: what is guaranteed, and the error bound
// Pruned weights are exact +0 and must load as exactly 0; a nonzero weight must not load as 0 either,
// so the zero count after loading equals the count before (the e2e journey asserts it).
// - A tensor that holds an exact 0, or values of both signs, uses the range [min(lo,0), max(hi,0)]:
//     s0 = (hi' - lo') / 255,  q0 = round(-lo' / s0),  min = -q0 * scale
//   so code q0 decodes to q0*scale + (-(q0*scale)) = exactly 0 in the loader's double arithmetic
//   (the JSON keeps both doubles exactly). With scale = s0 the grid [-q0*s, (255-q0)*s] is off the
//   range by at most s/2 at either end, so clamping there also costs at most scale/2.
//   Edge case (a real bug in the first version): values on one side so small that q0 rounds to the
//   end code 0 (or 255), e.g. [-0.001, 1]. Then -0.001 had no code of its own and loaded as 0. q0 is
//   moved one step in and scale grows just enough to cover the range (scale ≈ s0 * 255/254).
//   A nonzero value that still rounds to q0 (|v| < scale/2) is moved to q0 ± 1 (its sign) so it stays
//   nonzero: its error is scale - |v| < scale. Every other value is within scale/2.
// - A tensor with no zero whose values all have one sign (BatchNorm gamma and moving variance, most
//   biases after training) has no zero to keep: it uses its tight range [lo, hi], min = lo, which is a
//   finer step (gamma in [0.8, 1.2]: 0.0016 instead of 0.0047). Every decoded value keeps the sign
//   (checked at both end codes; decoding is monotonic in q), so no value becomes 0. Error <= scale/2.
// - Constant tensors: scale = 1 and every code 0, so each value decodes to min = the constant,
//   exactly (all zeros: min = 0).
// - NaN or ±Infinity cannot be expressed as q*scale+min: the export refuses them, naming the weight.
//
// ## float16: round to nearest even; exact zeros stay exact (±0 map to ±0). Overflow: |v| > 65504 (the
// largest finite half) clamps to ±65504 instead of becoming ±Infinity, which would poison every
// output; no trained weight is that large, so this only guards against garbage. A nonzero value below
// the smallest half subnormal (2^-24 ≈ 6e-8) becomes ±2^-24 instead of 0, again to keep the zero
// count. Error: relative <= 2^-11 in the normal range (|v| >= 2^-14), absolute <= 2^-25 below it.
// NaN stays NaN.

export type Precision = 'float32' | 'float16' | 'uint8';
export const PRECISIONS: readonly Precision[] = ['float32', 'float16', 'uint8'];

/** One entry of a model.json weightsManifest group, as tfjs reads it. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  quantization?: { dtype: 'uint8' | 'float16'; min?: number; scale?: number; original_dtype?: 'float32' };
}

export interface Uint8Encoding {
  bytes: Uint8Array;
  min: number;
  scale: number;
}

const LEVELS = 255;

/** Throws when `values` holds NaN or ±Infinity; `what` names the tensor in the message. */
function range(values: Float32Array, what: string): { lo: number; hi: number; hasZero: boolean } {
  let lo = Infinity;
  let hi = -Infinity;
  let hasZero = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) throw new Error(`${what} holds ${v}, which uint8 quantization cannot encode; export it as float32 or float16`);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (v === 0) hasZero = true;
  }
  return { lo, hi, hasZero };
}

/** Per-tensor affine uint8 (see the header for the scheme and its guarantees). */
export function quantizeUint8(values: Float32Array, what = 'tensor'): Uint8Encoding {
  const bytes = new Uint8Array(values.length);
  if (values.length === 0) return { bytes, min: 0, scale: 1 };
  const { lo, hi, hasZero } = range(values, what);
  // Constant (all zeros included): code 0 decodes to min = the value, exactly.
  if (lo === hi) return { bytes, min: lo, scale: 1 };

  if (!hasZero && (lo > 0 || hi < 0)) {
    const scale = (hi - lo) / LEVELS;
    // Decoding is monotonic in q, so the end codes bound every decoded value: both keep the sign.
    const ends = [Math.fround(lo), Math.fround(LEVELS * scale + lo)];
    if (ends.every((e) => (lo > 0 ? e > 0 : e < 0))) {
      for (let i = 0; i < values.length; i++) bytes[i] = Math.min(LEVELS, Math.max(0, Math.round((values[i] - lo) / scale)));
      return { bytes, min: lo, scale };
    }
    // A range so narrow next to its distance from 0 that rounding could reach 0: use the zero-anchored grid.
  }

  const lo0 = Math.min(lo, 0);
  const hi0 = Math.max(hi, 0);
  let scale = (hi0 - lo0) / LEVELS;
  let q0 = Math.round(-lo0 / scale);
  // Values on a side need codes on that side (the edge case in the header).
  const inward = lo0 < 0 && q0 === 0 ? 1 : hi0 > 0 && q0 === LEVELS ? LEVELS - 1 : q0;
  if (inward !== q0) {
    q0 = inward;
    scale = Math.max(lo0 < 0 ? -lo0 / q0 : 0, hi0 > 0 ? hi0 / (LEVELS - q0) : 0);
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let q = Math.min(LEVELS, Math.max(0, Math.round(v / scale) + q0));
    // Nonzero stays nonzero; q0 ± 1 exists because a side with values has codes (q0 in 1..254 then).
    if (q === q0 && v !== 0) q = v > 0 ? q0 + 1 : q0 - 1;
    bytes[i] = q;
  }
  // -(q0 * scale), the same double the loader's q0 * scale cancels exactly.
  return { bytes, min: -(q0 * scale), scale };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const HALF_MAX = 0x7bff; // 65504

/** IEEE 754 half-precision bits of one float32, round to nearest even, clamped to ±65504 (header). */
export function toFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return mant ? 0x7e00 : sign | HALF_MAX; // NaN stays NaN; ±Infinity clamps
  if (exp === 0 && mant === 0) return sign; // ±0 exactly
  const e = exp - 127 + 15; // the half's biased exponent
  if (e >= 0x1f) return sign | HALF_MAX; // >= 65536: clamp
  if (e <= 0) {
    // Half subnormal: value = m * 2^-24. Below 2^-25 it would round to 0: keep the smallest instead.
    if (e < -10) return sign | 1;
    mant |= 0x800000; // the implicit leading 1
    const shift = 14 - e;
    let half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rest > mid || (rest === mid && half & 1)) half++; // may carry into the smallest normal: correct bits
    return sign | (half || 1);
  }
  let half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++; // a carry into the exponent is correct too
  if (half >= 0x7c00) half = HALF_MAX; // 65504 < |v| rounded up to Infinity: clamp
  return sign | half;
}

export function encodeFloat16(values: Float32Array): Uint16Array {
  const halves = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) halves[i] = toFloat16Bits(values[i]);
  return halves;
}

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Re-encodes tfjs-saved weight data (specs in order, 4 bytes a value) at `precision`: new specs with
 * their `quantization` fields, and the new bytes in the same order. float32 returns the input as is.
 * Little-endian throughout, as tfjs reads it (typed arrays on every platform tfjs runs on).
 */
export function encodeWeights(specs: readonly WeightSpec[], data: Uint8Array, precision: Precision): { specs: WeightSpec[]; data: Uint8Array } {
  const plain = specs.map((s): WeightSpec => ({ name: s.name, shape: s.shape, dtype: s.dtype }));
  let offset = 0;
  const parts: Uint8Array[] = [];
  const out: WeightSpec[] = [];
  for (const spec of plain) {
    if (spec.dtype !== 'float32' && spec.dtype !== 'int32') throw new Error(`export: weight ${spec.name} has dtype ${String(spec.dtype)}, which the studio does not write`);
    const length = sizeOf(spec.shape) * 4;
    if (offset + length > data.length) throw new Error(`export: the weight data ends inside ${spec.name}`);
    const raw = data.subarray(offset, offset + length);
    offset += length;
    if (spec.dtype !== 'float32' || precision === 'float32') {
      out.push(spec);
      parts.push(raw);
      continue;
    }
    // A copy: a Float32Array view needs 4-byte alignment, which a subarray need not have.
    const values = new Float32Array(raw.slice().buffer);
    if (precision === 'uint8') {
      const { bytes, min, scale } = quantizeUint8(values, `weight ${spec.name}`);
      out.push({ ...spec, quantization: { dtype: 'uint8', min, scale, original_dtype: 'float32' } });
      parts.push(bytes);
    } else {
      out.push({ ...spec, quantization: { dtype: 'float16', original_dtype: 'float32' } });
      parts.push(new Uint8Array(encodeFloat16(values).buffer));
    }
  }
  if (offset !== data.length) throw new Error(`export: ${data.length - offset} bytes of weight data that no weight spec describes`);
  if (precision === 'float32') return { specs: out, data };
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    joined.set(p, at);
    at += p.length;
  }
  return { specs: out, data: joined };
}
