// Canonical Huffman codes over bytes, in DEFLATE's conventions (RFC 1951 3.1.1 and 3.2.2), so the
// packed decoder reads them with the same routine as its inflate:
//   - bits fill each byte from its least significant bit; a code goes in most significant bit first;
//   - codes are canonical: by length, then by symbol; lengths at most 15.
//
//   huffmanLengths(freqs, maxBits = 15) -> code length per symbol (0 = unused)
//   huffmanEncode(bytes) -> the packed format's Huffman payload (docs/packed-format.md):
//       1 byte (s - 1), ceil(s/2) bytes of 4-bit code lengths (low nibble first), then the codes
//   BitWriter: LSB-first bit packing (also the packed format's index and bitmask streams)

/** LSB-first bit packer. */
export class BitWriter {
  private bytes: Uint8Array;
  private at = 0;
  private acc = 0;
  private fill = 0;

  constructor(capacityBytes = 64) {
    this.bytes = new Uint8Array(Math.max(16, capacityBytes));
  }

  /** Appends the low `bits` (0..24) bits of value, least significant first. */
  write(value: number, bits: number): void {
    this.acc |= (value & ((1 << bits) - 1)) << this.fill;
    this.fill += bits;
    while (this.fill >= 8) {
      if (this.at === this.bytes.length) {
        const grown = new Uint8Array(this.bytes.length * 2);
        grown.set(this.bytes);
        this.bytes = grown;
      }
      this.bytes[this.at++] = this.acc & 0xff;
      this.acc >>>= 8;
      this.fill -= 8;
    }
  }

  /** The bytes written, the last one padded with 0 bits. */
  finish(): Uint8Array {
    if (this.fill > 0) this.write(0, 8 - this.fill);
    return this.bytes.slice(0, this.at);
  }
}

/** `values[i]` in `width` bits each (1..8), LSB-first. */
export function packBits(values: Uint8Array, width: number): Uint8Array {
  if (width === 8) return values.slice();
  const w = new BitWriter(Math.ceil((values.length * width) / 8) + 1);
  for (let i = 0; i < values.length; i++) w.write(values[i], width);
  return w.finish();
}

/**
 * Huffman code lengths for `freqs` (one per symbol), none longer than maxBits. Over the limit, the
 * frequencies are halved (a used symbol keeps at least 1) and the code built again: a little longer
 * than optimal in those rare cases, never wrong. A single used symbol gets length 1.
 */
export function huffmanLengths(freqs: ArrayLike<number>, maxBits = 15): Uint8Array {
  const n = freqs.length;
  const f = Float64Array.from(freqs);
  for (;;) {
    const lengths = new Uint8Array(n);
    const used: number[] = [];
    for (let s = 0; s < n; s++) if (f[s] > 0) used.push(s);
    if (used.length === 0) return lengths;
    if (used.length === 1) {
      lengths[used[0]] = 1;
      return lengths;
    }
    // Nodes: leaves 0..n-1, internal nodes after; parent links give the depths.
    const weight: number[] = Array.from(f);
    const parent: number[] = new Array(n).fill(-1);
    let queue = used.slice();
    while (queue.length > 1) {
      queue.sort((a, b) => weight[a] - weight[b] || a - b);
      const [a, b] = queue;
      const node = weight.length;
      weight.push(weight[a] + weight[b]);
      parent.push(-1);
      parent[a] = node;
      parent[b] = node;
      queue = [node, ...queue.slice(2)];
    }
    let longest = 0;
    for (const s of used) {
      let d = 0;
      for (let x = s; parent[x] >= 0; x = parent[x]) d++;
      lengths[s] = d;
      longest = Math.max(longest, d);
    }
    if (longest <= maxBits) return lengths;
    for (const s of used) f[s] = Math.max(1, Math.floor(f[s] / 2));
  }
}

/** Canonical codes for `lengths` (RFC 1951 3.2.2), each as an integer of its length. */
export function canonicalCodes(lengths: Uint8Array): Uint32Array {
  const counts = new Uint32Array(16);
  for (const l of lengths) if (l) counts[l]++;
  const next = new Uint32Array(16);
  let code = 0;
  for (let bits = 1; bits < 16; bits++) {
    code = (code + counts[bits - 1]) << 1;
    next[bits] = code;
  }
  // counts[0] must not shift codes: RFC 1951 sets bl_count[0] = 0.
  const codes = new Uint32Array(lengths.length);
  for (let s = 0; s < lengths.length; s++) if (lengths[s]) codes[s] = next[lengths[s]]++;
  return codes;
}

function reverseBits(code: number, bits: number): number {
  let r = 0;
  for (let i = 0; i < bits; i++) r |= ((code >>> i) & 1) << (bits - 1 - i);
  return r;
}

/** The packed format's Huffman payload for `bytes` (the symbol count travels in the stream header). */
export function huffmanEncode(bytes: Uint8Array): Uint8Array {
  const freqs = new Float64Array(256);
  for (let i = 0; i < bytes.length; i++) freqs[bytes[i]]++;
  let s = 256;
  while (s > 1 && freqs[s - 1] === 0) s--;
  const lengths = huffmanLengths(freqs.subarray(0, s));
  const codes = canonicalCodes(lengths);
  const reversed = Uint32Array.from(codes, (c, i) => reverseBits(c, lengths[i]));
  let bits = 0;
  for (let i = 0; i < s; i++) bits += freqs[i] * lengths[i];
  const w = new BitWriter(1 + Math.ceil(s / 2) + Math.ceil(bits / 8) + 1);
  w.write(s - 1, 8);
  for (let i = 0; i < s; i += 2) w.write(lengths[i] | ((lengths[i + 1] ?? 0) << 4), 8);
  for (let i = 0; i < bytes.length; i++) w.write(reversed[bytes[i]], lengths[bytes[i]]);
  return w.finish();
}
