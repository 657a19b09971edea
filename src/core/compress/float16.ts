// IEEE 754 half precision -> float32, exact (subnormals, ±Infinity and NaN included). The other
// direction, with rounding, is model/quantize.ts toFloat16Bits.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float32 bit pattern of the half with bits `h`. */
export function float16BitsToFloat32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >> 10) & 0x1f;
  let mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0;
  if (exp) return (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
  if (!mant) return sign >>> 0;
  // Subnormal half: normalise the mantissa.
  let e = 113;
  while (!(mant & 0x400)) {
    mant <<= 1;
    e--;
  }
  return (sign | (e << 23) | ((mant & 0x3ff) << 13)) >>> 0;
}

export function float16BitsToFloat(h: number): number {
  u32[0] = float16BitsToFloat32Bits(h);
  return f32[0];
}
