// Decoder for Secateur's packed TensorFlow.js models (format version 1, docs/packed-format.md).
// No dependencies: it carries its own inflate (RFC 1951) and canonical Huffman decoder.
//
//   import { decode } from './decoder.mjs';
//   const bytes = new Uint8Array(await (await fetch('model.secpak')).arrayBuffer());
//   const model = await tf.loadLayersModel(tf.io.fromMemory(decode(bytes)));
//
// decode(bytes) returns { modelTopology, weightSpecs, weightData } (and format, generatedBy,
// convertedBy when the file has them): weightData is an ArrayBuffer of float32 / int32 values, bit for
// bit the weights that were packed.

const fail = (why) => {
  throw new Error(`packed: ${why}`);
};

// LSB-first bit reader over src[pos, end), as DEFLATE reads; sym() decodes one canonical Huffman code.
function reader(src, pos, end) {
  let buf = 0;
  let cnt = 0;
  const bits = (n) => {
    while (cnt < n) {
      if (pos >= end) fail('the data ends early');
      buf |= src[pos++] << cnt;
      cnt += 8;
    }
    const v = buf & ((1 << n) - 1);
    buf >>>= n;
    cnt -= n;
    return v;
  };
  const sym = (h) => {
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len < 16; len++) {
      code |= bits(1);
      const count = h.count[len];
      if (code - count < first) return h.symbol[index + code - first];
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    return fail('bad Huffman code');
  };
  return {
    bits,
    sym,
    // Drops the bits left of the current byte; returns the next byte's position.
    align: () => ((buf = cnt = 0), pos),
    skip: (n) => (pos += n),
  };
}

// Canonical Huffman table from code lengths (RFC 1951 3.2.2): counts per length, symbols in code order.
function table(lengths) {
  const count = new Uint16Array(16);
  const offs = new Uint16Array(16);
  const symbol = new Uint16Array(lengths.length);
  for (const l of lengths) count[l]++;
  count[0] = 0;
  for (let l = 1; l < 15; l++) offs[l + 1] = offs[l] + count[l];
  lengths.forEach((l, s) => l && (symbol[offs[l]++] = s));
  return { count, symbol };
}

const LBASE = [];
const LEXT = [];
const DBASE = [];
const DEXT = [];
for (let i = 0, b = 3; i < 29; i++) {
  const e = i < 8 || i === 28 ? 0 : (i >> 2) - 1;
  LBASE.push(i === 28 ? 258 : b);
  LEXT.push(e);
  b += 1 << e;
}
for (let i = 0, b = 1; i < 30; i++) {
  const e = i < 4 ? 0 : (i >> 1) - 1;
  DBASE.push(b);
  DEXT.push(e);
  b += 1 << e;
}
const FIXED_LIT = table(Array.from({ length: 288 }, (_, s) => (s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8)));
const FIXED_DIST = table(new Array(30).fill(5));
const ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

// Raw DEFLATE src[pos, end) into exactly n bytes.
function inflate(src, pos, end, n) {
  const out = new Uint8Array(n);
  let op = 0;
  const r = reader(src, pos, end);
  const put = (b) => (op < n ? (out[op++] = b) : fail('DEFLATE data longer than its stream'));
  let last;
  do {
    last = r.bits(1);
    const type = r.bits(2);
    if (type === 0) {
      const p = r.align();
      const len = src[p] | (src[p + 1] << 8);
      if (p + 4 + len > end) fail('the data ends early');
      for (let i = 0; i < len; i++) put(src[p + 4 + i]);
      r.skip(4 + len);
      continue;
    }
    let lit = FIXED_LIT;
    let dist = FIXED_DIST;
    if (type === 2) {
      const nlen = r.bits(5) + 257;
      const ndist = r.bits(5) + 1;
      const ncode = r.bits(4) + 4;
      const cl = new Array(19).fill(0);
      for (let i = 0; i < ncode; i++) cl[ORDER[i]] = r.bits(3);
      const clt = table(cl);
      const lengths = [];
      while (lengths.length < nlen + ndist) {
        const s = r.sym(clt);
        if (s < 16) lengths.push(s);
        else {
          const [v, times] = s === 16 ? [lengths[lengths.length - 1] ?? fail('bad code lengths'), 3 + r.bits(2)] : [0, s === 17 ? 3 + r.bits(3) : 11 + r.bits(7)];
          for (let i = 0; i < times; i++) lengths.push(v);
        }
      }
      lit = table(lengths.slice(0, nlen));
      dist = table(lengths.slice(nlen, nlen + ndist));
    } else if (type !== 1) fail('bad DEFLATE block');
    for (;;) {
      let s = r.sym(lit);
      if (s < 256) put(s);
      else if (s === 256) break;
      else {
        s -= 257;
        if (s >= 29) fail('bad DEFLATE length');
        const len = LBASE[s] + r.bits(LEXT[s]);
        const d = r.sym(dist);
        const back = DBASE[d] + r.bits(DEXT[d]);
        if (back > op) fail('bad DEFLATE distance');
        for (let i = 0; i < len; i++) put(out[op - back]);
      }
    }
  } while (!last);
  if (op !== n) fail('DEFLATE data shorter than its stream');
  return out;
}

// The format's own Huffman payload: (s - 1), s 4-bit code lengths, then n codes.
function unhuffman(src, pos, end, n) {
  const s = src[pos] + 1;
  const lengths = [];
  for (let i = 0; i < s; i++) lengths.push((src[pos + 1 + (i >> 1)] >> (4 * (i & 1))) & 15);
  const h = table(lengths);
  const r = reader(src, pos + 1 + ((s + 1) >> 1), end);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = r.sym(h);
  return out;
}

/** float16 bits -> float32 bits, exact (subnormals, ±Infinity and NaN included). */
export function halfBits(h) {
  const sign = (h & 0x8000) << 16;
  let e = (h >> 10) & 31;
  let m = h & 0x3ff;
  if (e === 31) return (sign | 0x7f800000 | (m << 13)) >>> 0;
  if (e) return (sign | ((e + 112) << 23) | (m << 13)) >>> 0;
  if (!m) return sign >>> 0;
  for (e = 113; !(m & 0x400); e--) m <<= 1;
  return (sign | (e << 23) | ((m & 0x3ff) << 13)) >>> 0;
}

/** The model a packed file holds: { modelTopology, weightSpecs, weightData } for tf.io.fromMemory. */
export function decode(input) {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (String.fromCharCode(...bytes.subarray(0, 6)) !== 'SECPAK') fail('not a packed Secateur model (no SECPAK magic)');
  if (bytes[6] !== 1) fail(`format version ${bytes[6]}; this decoder reads version 1`);
  if (bytes[7] !== 0) fail(`unknown flags ${bytes[7]}`);
  let at = 8;
  const varint = () => {
    let v = 0;
    for (let scale = 1; ; scale *= 128) {
      if (at >= bytes.length) fail('the data ends early');
      const b = bytes[at++];
      v += (b & 127) * scale;
      if (b < 128) return v;
    }
  };
  // One stream: its coding, decoded length, and (coded) payload length; `want` checks the length.
  const stream = (what, want) => {
    const coding = bytes[at++];
    const n = varint();
    if (want !== undefined && n !== want) fail(`${what}: ${n} bytes, expected ${want}`);
    const m = coding === 0 ? n : varint();
    const start = at;
    at += m;
    if (at > bytes.length) fail('the data ends early');
    if (coding === 0) return bytes.subarray(start, at);
    if (coding === 1) return inflate(bytes, start, at, n);
    if (coding === 2) return unhuffman(bytes, start, at, n);
    return fail(`${what}: unknown coding ${coding}`);
  };
  const { tensors, ...model } = JSON.parse(new TextDecoder().decode(stream('header')));
  const sizes = model.weightSpecs.map((s) => s.shape.reduce((a, b) => a * b, 1));
  const out = new Uint32Array(sizes.reduce((a, b) => a + b, 0));
  let o = 0;
  model.weightSpecs.forEach((spec, t) => {
    const size = sizes[t];
    const { nz, pos, val, m, w, cb } = tensors[t];
    const name = `weight ${spec.name}`;
    if (nz) {
      const positions = pos ? stream(`${name} positions`, pos === 1 ? (size + 7) >> 3 : undefined) : null;
      let value;
      if (val === 0) {
        const idx = w ? stream(`${name} indices`, (nz * w + 7) >> 3) : null;
        const book = stream(`${name} codebook`, (m * cb) / 8);
        const entry = (j) => (cb === 16 ? halfBits(book[2 * j] | (book[2 * j + 1] << 8)) : (book[4 * j] | (book[4 * j + 1] << 8) | (book[4 * j + 2] << 16) | (book[4 * j + 3] << 24)) >>> 0);
        const entries = Array.from({ length: m }, (_, j) => entry(j));
        value = (k) => {
          if (!w) return entries[0];
          const bit = k * w;
          const j = ((idx[bit >> 3] | (idx[(bit >> 3) + 1] << 8)) >> (bit & 7)) & ((1 << w) - 1);
          return j < m ? entries[j] : fail(`${name}: index ${j} outside its codebook`);
        };
      } else {
        const width = val === 2 ? 2 : 4;
        const planes = stream(`${name} values`, nz * width);
        value = (k) => {
          let v = 0;
          for (let b = 0; b < width; b++) v |= planes[b * nz + k] << (8 * b);
          return width === 2 ? halfBits(v) : v >>> 0;
        };
      }
      if (!pos) for (let k = 0; k < nz; k++) out[o + k] = value(k);
      else if (pos === 1) {
        for (let i = 0, k = 0; i < size; i++) if ((positions[i >> 3] >> (i & 7)) & 1) out[o + i] = value(k++);
      } else {
        for (let k = 0, p = -1, g = 0; k < nz; k++) {
          let gap = 0;
          let b;
          do gap += b = positions[g++] ?? fail(`${name}: positions end early`);
          while (b === 255);
          p += gap + 1;
          if (p >= size) fail(`${name}: a position past its end`);
          out[o + p] = value(k);
        }
      }
    }
    o += size;
  });
  if (at !== bytes.length) fail(`${bytes.length - at} bytes after the last tensor`);
  return { ...model, weightData: out.buffer };
}
