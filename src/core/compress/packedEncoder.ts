// The packed model format's encoder (docs/packed-format.md has it byte by byte; decoder.mjs reads it).
//
//   encodePacked({ modelTopology, weightSpecs, weightData }, { clusters? }) -> { bytes, report }
//
// Every tensor is stored exactly (bit for bit, whatever it holds): the positions of its values that
// are not +0 (a bitmask or the gaps between them, whichever codes smaller), then those values, as
// indices into a codebook of its distinct values (at most 256; ⌈log₂ m⌉ bits an index, or a byte when
// that codes smaller) with the codebook in float16 when every entry is a half exactly, else float32;
// or as literals (float16 when exact, else 32-bit patterns, split into byte planes) when that is
// smaller or there are more than 256 distinct values. Each stream is stored, DEFLATEd or Huffman-coded,
// whichever is smallest. Clustered kernels take the codebook path; biases and BatchNorm usually the
// literal one. `clusters` (by weight name: a codebook and an index per weight, e.g. a ClusterSet's)
// spares the search for distinct values; they are checked against the data, which always wins.
import { toFloat16Bits } from '../model/quantize';
import type { WeightSpec } from '../model/quantize';
import { float16BitsToFloat32Bits } from './float16';
import { packBits } from './huffman';
import { concatBytes, encodeStream, PACKED_MAGIC, PACKED_VERSION, type Coding } from './packedStreams';
import { bitsToFloat } from './valueHistogram';

export interface PackInput {
  modelTopology: object;
  weightSpecs: readonly WeightSpec[];
  /** float32 / int32 values, 4 bytes each, in weightSpecs order (tfjs's own save). */
  weightData: Uint8Array | ArrayBuffer;
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
}

export interface PackOptions {
  /** By weight name: the tensor's codebook and each value's index into it (checked against the data). */
  clusters?: Readonly<Record<string, { codebook: Float32Array; indices: Uint8Array }>>;
  /** Forces one coding for every stream (tests of each decoder path); default: the smallest each time. */
  coding?: Coding;
}

export interface PackedTensorReport {
  name: string;
  size: number;
  /** Values whose bit pattern is not +0. */
  nonzero: number;
  positions: 'none' | 'bitmask' | 'gaps';
  values: 'none' | 'codebook' | 'float32' | 'float16';
  /** Codebook path: entries, ceil(log2 entries), bits an index takes in the file (that, or 8 when a byte codes smaller), bits per entry. */
  codebook?: { size: number; indexBits: number; storedBits: number; entryBits: 16 | 32 };
  /** Bytes of this tensor's streams. */
  bytes: number;
  codings: Coding[];
}

export interface PackedReport {
  bytes: number;
  headerBytes: number;
  tensors: PackedTensorReport[];
}

/** The tensor record in the header JSON (short keys: it is part of the file). */
interface TensorRecord {
  nz: number;
  pos?: 1 | 2;
  val?: 0 | 1 | 2;
  m?: number;
  w?: number;
  cb?: 16 | 32;
}

const f16Exact = (bits: number) => float16BitsToFloat32Bits(toFloat16Bits(bitsToFloat(bits))) === bits;

function smallest<T extends { bytes: number }>(options: T[]): T {
  return options.reduce((a, b) => (b.bytes < a.bytes ? b : a));
}

interface Part {
  streams: Uint8Array[];
  codings: Coding[];
  bytes: number;
}

function part(contents: Uint8Array[], force?: Coding): Part {
  const encoded = contents.map((c) => encodeStream(c, force));
  return { streams: encoded.map((e) => e.bytes), codings: encoded.map((e) => e.coding), bytes: encoded.reduce((n, e) => n + e.bytes.length, 0) };
}

/** Positions of the nonzero patterns: a bitmask, or gap bytes (255 = "255 more zeros, continue"). */
function positionParts(u: Uint32Array, nz: number, force?: Coding): { kind: 1 | 2; part: Part } {
  const mask = new Uint8Array(Math.ceil(u.length / 8));
  const gaps = new Uint8Array(nz + Math.ceil((u.length - nz) / 255));
  let at = 0;
  let zeros = 0;
  for (let i = 0; i < u.length; i++) {
    if (u[i] === 0) {
      zeros++;
      continue;
    }
    mask[i >>> 3] |= 1 << (i & 7);
    for (; zeros >= 255; zeros -= 255) gaps[at++] = 255;
    gaps[at++] = zeros;
    zeros = 0;
  }
  const byMask = part([mask], force);
  const byGaps = part([gaps.subarray(0, at)], force);
  return byGaps.bytes < byMask.bytes ? { kind: 2, part: byGaps } : { kind: 1, part: byMask };
}

/** Byte planes of 4-byte (or 2-byte) values: all first bytes, then all second bytes, ... */
function bytePlanes(values: Uint32Array, width: 2 | 4): Uint8Array {
  const n = values.length;
  const out = new Uint8Array(n * width);
  for (let i = 0; i < n; i++) for (let b = 0; b < width; b++) out[b * n + i] = (values[i] >>> (8 * b)) & 0xff;
  return out;
}

/** The distinct nonzero patterns (ascending by value for float32, by integer for int32) and each nonzero's index; null above 256. */
function codebookOf(nonzero: Uint32Array, float: boolean): { entries: Uint32Array; indices: Uint8Array } | null {
  const seen = new Set<number>();
  for (let i = 0; i < nonzero.length; i++) {
    seen.add(nonzero[i]);
    if (seen.size > 256) return null;
  }
  const entries = Uint32Array.from(seen).sort((a, b) => (float ? bitsToFloat(a) - bitsToFloat(b) || a - b : (a | 0) - (b | 0)));
  const index = new Map(Array.from(entries, (e, j) => [e, j]));
  return { entries, indices: Uint8Array.from(nonzero, (p) => index.get(p)!) };
}

/** A given clustering as codebook + indices of the nonzeros, after checking it reproduces the data. */
function codebookFromClusters(name: string, u: Uint32Array, nonzero: Uint32Array, c: { codebook: Float32Array; indices: Uint8Array }): { entries: Uint32Array; indices: Uint8Array } {
  if (c.indices.length !== u.length) throw new Error(`packed: the clustering of ${name} has ${c.indices.length} indices for ${u.length} values`);
  const cb = new Uint32Array(c.codebook.buffer.slice(c.codebook.byteOffset, c.codebook.byteOffset + c.codebook.byteLength));
  // Entries without +0, and the old index -> new index map.
  const keep: number[] = [];
  const remap = new Int16Array(cb.length).fill(-1);
  cb.forEach((p, j) => {
    if (p !== 0) remap[j] = keep.push(p) - 1;
  });
  const indices = new Uint8Array(nonzero.length);
  let at = 0;
  for (let i = 0; i < u.length; i++) {
    const j = c.indices[i];
    if (j >= cb.length || cb[j] !== u[i]) throw new Error(`packed: ${name} does not hold the values of its clustering (value ${i})`);
    if (u[i] !== 0) indices[at++] = remap[j];
  }
  return { entries: Uint32Array.from(keep), indices };
}

type ValueChoice = { record: Omit<TensorRecord, 'nz'>; part: Part; bytes: number; report: Pick<PackedTensorReport, 'values' | 'codebook'> };

/**
 * The nonzero values' streams: through a codebook when there is one (indices in ⌈log₂ m⌉ bits or
 * bytes), or as literals. Literals are only tried without a codebook or when it costs more than a
 * byte a value: below that they cannot win (a literal is 2 or 4 bytes before coding), and DEFLATE
 * over megabytes of them is most of the encoding time.
 */
function valueParts(name: string, u: Uint32Array, nonzero: Uint32Array, float: boolean, cluster: { codebook: Float32Array; indices: Uint8Array } | undefined, force?: Coding): ValueChoice {
  const options: ValueChoice[] = [];
  const cb = cluster ? codebookFromClusters(name, u, nonzero, cluster) : codebookOf(nonzero, float);
  if (cb) {
    const m = cb.entries.length;
    const bits = m <= 1 ? 0 : Math.ceil(Math.log2(m));
    const cb16 = float && cb.entries.every(f16Exact);
    const book = cb16 ? new Uint8Array(Uint16Array.from(cb.entries, (p) => toFloat16Bits(bitsToFloat(p))).buffer) : new Uint8Array(cb.entries.slice().buffer);
    for (const w of bits === 0 ? [0] : bits === 8 ? [8] : [bits, 8]) {
      const p = part(w === 0 ? [book] : [packBits(cb.indices, w), book], force);
      options.push({ record: { val: 0, m, w, cb: cb16 ? 16 : 32 }, part: p, bytes: p.bytes, report: { values: 'codebook', codebook: { size: m, indexBits: bits, storedBits: w, entryBits: cb16 ? 16 : 32 } } });
    }
  }
  if (!options.length || smallest(options).bytes > nonzero.length) {
    const literal16 = float && nonzero.every(f16Exact);
    const lit = part([literal16 ? bytePlanes(Uint32Array.from(nonzero, (p) => toFloat16Bits(bitsToFloat(p))), 2) : bytePlanes(nonzero, 4)], force);
    options.push({ record: { val: literal16 ? 2 : 1 }, part: lit, bytes: lit.bytes, report: { values: literal16 ? 'float16' : 'float32' } });
  }
  return smallest(options);
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The packed file for a saved model; see the header. */
export function encodePacked(input: PackInput, options: PackOptions = {}): { bytes: Uint8Array; report: PackedReport } {
  const data = input.weightData instanceof Uint8Array ? input.weightData : new Uint8Array(input.weightData);
  const records: TensorRecord[] = [];
  const streams: Uint8Array[] = [];
  const tensors: PackedTensorReport[] = [];
  const names = new Set(input.weightSpecs.map((s) => s.name));
  for (const name of Object.keys(options.clusters ?? {})) if (!names.has(name)) throw new Error(`packed: a clustering names ${name}, which is not a weight of this model`);
  let offset = 0;
  for (const spec of input.weightSpecs) {
    if (spec.quantization) throw new Error(`packed: weight ${spec.name} is quantized (${spec.quantization.dtype}); pack the float32 weights`);
    if (spec.dtype !== 'float32' && spec.dtype !== 'int32') throw new Error(`packed: weight ${spec.name} has dtype ${String(spec.dtype)}; only float32 and int32 weights can be packed`);
    const size = sizeOf(spec.shape);
    if (offset + 4 * size > data.length) throw new Error(`packed: the weight data ends inside ${spec.name}`);
    const u = new Uint32Array(data.slice(offset, offset + 4 * size).buffer);
    offset += 4 * size;
    let nz = 0;
    for (let i = 0; i < size; i++) if (u[i] !== 0) nz++;
    const record: TensorRecord = { nz };
    const parts: Part[] = [];
    const report: PackedTensorReport = { name: spec.name, size, nonzero: nz, positions: 'none', values: 'none', bytes: 0, codings: [] };
    if (nz > 0 && nz < size) {
      const pos = positionParts(u, nz, options.coding);
      record.pos = pos.kind;
      report.positions = pos.kind === 1 ? 'bitmask' : 'gaps';
      parts.push(pos.part);
    }
    if (nz > 0) {
      const nonzero = nz === size ? u : u.filter((p) => p !== 0);
      const v = valueParts(spec.name, u, nonzero, spec.dtype === 'float32', options.clusters?.[spec.name], options.coding);
      Object.assign(record, v.record);
      Object.assign(report, v.report);
      parts.push(v.part);
    }
    for (const p of parts) {
      streams.push(...p.streams);
      report.codings.push(...p.codings);
      report.bytes += p.bytes;
    }
    records.push(record);
    tensors.push(report);
  }
  if (offset !== data.length) throw new Error(`packed: ${data.length - offset} bytes of weight data that no weight spec describes`);
  const header: Record<string, unknown> = {
    modelTopology: input.modelTopology,
    weightSpecs: input.weightSpecs.map((s) => ({ name: s.name, shape: s.shape, dtype: s.dtype })),
    tensors: records,
  };
  for (const key of ['format', 'generatedBy', 'convertedBy'] as const) if (input[key] !== undefined) header[key] = input[key];
  const head = encodeStream(new TextEncoder().encode(JSON.stringify(header)), options.coding);
  const bytes = concatBytes([PACKED_MAGIC, Uint8Array.from([PACKED_VERSION, 0]), head.bytes, ...streams]);
  return { bytes, report: { bytes: bytes.length, headerBytes: head.bytes.length, tensors } };
}
