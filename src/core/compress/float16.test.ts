import { describe, expect, it } from 'vitest';
import { toFloat16Bits } from '../model/quantize';
import { float16BitsToFloat, float16BitsToFloat32Bits } from './float16';

describe('float16 -> float32', () => {
  it('is exact for every finite half (round trip through the encoder), subnormals and -0 included', () => {
    let bad = 0;
    for (let h = 0; h < 0x10000; h++) {
      if (((h >> 10) & 31) === 31) continue; // ±Infinity and NaN: the encoder clamps those
      if (toFloat16Bits(float16BitsToFloat(h)) !== h) bad++;
    }
    expect(bad).toBe(0);
    expect(float16BitsToFloat(0x0001)).toBe(2 ** -24);
    expect(float16BitsToFloat32Bits(0x8000)).toBe(0x80000000);
    expect(float16BitsToFloat(0x7c00)).toBe(Infinity);
    expect(Number.isNaN(float16BitsToFloat(0x7e00))).toBe(true);
    expect(float16BitsToFloat(0x3c00)).toBe(1);
  });
});
