// Keep masks (one byte per weight, 0 or 1) as bitsets: 8 weights to a byte, lowest bit first.

/** The packed bits, or null when a value is neither 0 nor 1 (such an array cannot be a bitset). */
export function packBits(values: Uint8Array): Uint8Array | null {
  const out = new Uint8Array(Math.ceil(values.length / 8));
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v > 1) return null;
    out[i >> 3] |= v << (i & 7);
  }
  return out;
}

/** `n` values of 0 and 1 from packed bits. */
export function unpackBits(bits: Uint8Array, n: number): Uint8Array {
  if (bits.length < Math.ceil(n / 8)) throw new RangeError(`${bits.length} bytes hold fewer than ${n} bits`);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (bits[i >> 3] >> (i & 7)) & 1;
  return out;
}
