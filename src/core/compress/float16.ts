// IEEE 754 half precision -> float32, exact: decoder.mjs's conversion (the decoder has no imports, so
// it holds the one copy). The other direction, with rounding, is model/quantize.ts toFloat16Bits.
import { halfBits } from './decoder.mjs';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float32 bit pattern of the half with bits `h`. */
export const float16BitsToFloat32Bits: (h: number) => number = halfBits;

export function float16BitsToFloat(h: number): number {
  u32[0] = halfBits(h);
  return f32[0];
}
