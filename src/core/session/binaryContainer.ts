// A versioned binary container for plain data that holds typed arrays: one JSON description plus
// the arrays' bytes, each 8-byte aligned. Bit for bit: typed arrays are copied as bytes (a NaN keeps
// its payload), and the numbers JSON cannot write (NaN, ±Infinity, -0) are tagged. The layout:
//
//   offset  bytes  field
//   0       8      magic (ASCII, given by the caller: "SCTR-SES" for sessions)
//   8       4      format version, u32 little-endian
//   12      4      J = length of the JSON description, u32 little-endian
//   16      J      the description, UTF-8 JSON: {"value": <the data>, "parts": [[offset, length], ...]}
//   16+J    0-7    zero padding to a multiple of 8
//   D       ...    the parts, at the offsets the description gives (from D), each padded to 8 bytes
//
// In the description, a value that JSON cannot hold is an object whose only key is "\u0000":
//   {"\u0000": ["f32", k]}      a Float32Array, the bytes of part k (likewise u8, i8, u16, i16, u32,
//                               i32, f64, u8c, i64, u64)
//   {"\u0000": ["bits", k, n]}  a Uint8Array of n zeros and ones, packed 8 to a byte, lowest bit first
//   {"\u0000": ["num", "NaN" | "Infinity" | "-Infinity" | "-0"]}
//   {"\u0000": ["undefined"]}   an undefined array element (an undefined property is left out)
// Keys are restored as own properties, so a key named "__proto__" stays data.
import { jsonDepthExceeds } from '../secure/jsonDepth';
import { packBits, unpackBits } from './bitset';

/** Deeper than any session holds (a Keras topology is stored as a string, not nested here). */
const MAX_CONTAINER_DEPTH = 256;

export class ContainerError extends Error {
  override name = 'ContainerError';
}

/** Wraps a Uint8Array of 0/1 values so the container stores it as a bitset (8x smaller). */
export class Bits {
  constructor(readonly values: Uint8Array) {}
}

type TypedArray =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array;

const TYPED: Record<string, new (buffer: ArrayBuffer) => TypedArray> = {
  f32: Float32Array, f64: Float64Array, i8: Int8Array, u8: Uint8Array, u8c: Uint8ClampedArray, i16: Int16Array, u16: Uint16Array,
  i32: Int32Array, u32: Uint32Array, i64: BigInt64Array, u64: BigUint64Array,
};

function typedTag(v: ArrayBufferView): string {
  for (const [tag, ctor] of Object.entries(TYPED)) if (v.constructor === ctor) return tag;
  throw new ContainerError(`cannot store a ${v.constructor.name}`);
}

const TAG = '\u0000';
const align8 = (n: number) => (n + 7) & ~7;

/** A value ready to write: its description, and the bytes of each part. */
export interface EncodedValue {
  json: Uint8Array;
  parts: Uint8Array[];
  /** Total container size in bytes. */
  size: number;
}

function tagged(...fields: unknown[]) {
  return { [TAG]: fields };
}

function describe(value: unknown, parts: Uint8Array[]): unknown {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return tagged('num', 'NaN');
    if (value === Infinity) return tagged('num', 'Infinity');
    if (value === -Infinity) return tagged('num', '-Infinity');
    if (Object.is(value, -0)) return tagged('num', '-0');
    return value;
  }
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Bits) {
    const packed = packBits(value.values);
    if (packed === null) return describe(value.values, parts); // not all 0/1: stored as bytes
    parts.push(packed);
    return tagged('bits', parts.length - 1, value.values.length);
  }
  if (ArrayBuffer.isView(value)) {
    if (value instanceof DataView) throw new ContainerError('cannot store a DataView');
    const tag = typedTag(value);
    parts.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    return tagged(tag, parts.length - 1);
  }
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? tagged('undefined') : describe(v, parts)));
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) throw new ContainerError(`cannot store a ${(value as object).constructor?.name ?? 'value'} (plain data only)`);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      if (k.startsWith(TAG)) throw new ContainerError('a key may not begin with U+0000');
      Object.defineProperty(out, k, { value: describe(v, parts), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  throw new ContainerError(`cannot store a ${typeof value}`);
}

export function encodeValue(value: unknown): EncodedValue {
  const parts: Uint8Array[] = [];
  const described = describe(value, parts);
  let offset = 0;
  const table = parts.map((p) => {
    const at = offset;
    offset += align8(p.length);
    return [at, p.length];
  });
  const json = new TextEncoder().encode(JSON.stringify({ value: described, parts: table }));
  return { json, parts, size: align8(16 + json.length) + offset };
}

/** The size writeContainer would produce, without copying any part. */
export function containerSize(value: unknown): number {
  return encodeValue(value).size;
}

export function writeContainer(magic: string, version: number, value: unknown): Uint8Array<ArrayBuffer> {
  if (magic.length !== 8) throw new RangeError('the magic takes 8 ASCII characters');
  const { json, parts, size } = encodeValue(value);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = magic.charCodeAt(i);
  view.setUint32(8, version, true);
  view.setUint32(12, json.length, true);
  out.set(json, 16);
  let at = align8(16 + json.length);
  for (const p of parts) {
    out.set(p, at);
    at += align8(p.length);
  }
  return out;
}

export interface ContainerMessages {
  notContainer: string;
  cutShort: string;
  unknownVersion: (version: number) => string;
  damaged: string;
}

function restore(value: unknown, part: (k: unknown) => Uint8Array, damaged: () => never): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => restore(v, part, damaged));
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === TAG) {
    const fields = (value as Record<string, unknown>)[TAG];
    if (!Array.isArray(fields)) damaged();
    const [tag, a, b] = fields as [unknown, unknown, unknown];
    if (tag === 'num') {
      const n = ({ NaN, Infinity, '-Infinity': -Infinity, '-0': -0 } as Record<string, number>)[String(a)];
      if (n === undefined) damaged();
      return n;
    }
    if (tag === 'undefined') return undefined;
    if (tag === 'bits') {
      if (typeof b !== 'number' || !Number.isInteger(b) || b < 0) damaged();
      const bytes = part(a);
      if (bytes.length !== Math.ceil(b / 8)) damaged();
      return unpackBits(bytes, b);
    }
    const ctor = typeof tag === 'string' ? TYPED[tag] : undefined;
    if (!ctor || !Object.hasOwn(TYPED, tag as string)) damaged();
    const bytes = part(a);
    const element = (ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
    if (bytes.length % element !== 0) damaged();
    return new ctor(bytes.slice().buffer as ArrayBuffer);
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    Object.defineProperty(out, k, { value: restore((value as Record<string, unknown>)[k], part, damaged), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Reads a container written with `magic` at `version`; throws ContainerError with one of `messages`.
 * Every offset and length is checked against the bytes, and the description's nesting is bounded
 * before it is parsed, so a damaged or crafted container fails with a message, never a crash.
 */
export function readContainer(bytes: Uint8Array, magic: string, version: number, messages: ContainerMessages): unknown {
  const fail = (m: string): never => {
    throw new ContainerError(m);
  };
  if (bytes.length < 8 || [...magic].some((c, i) => bytes[i] !== c.charCodeAt(0))) fail(messages.notContainer);
  if (bytes.length < 16) fail(messages.cutShort);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = view.getUint32(8, true);
  if (found !== version) fail(messages.unknownVersion(found));
  const jsonLength = view.getUint32(12, true);
  if (16 + jsonLength > bytes.length) fail(messages.cutShort);
  const text = bytes.subarray(16, 16 + jsonLength);
  if (jsonDepthExceeds(text, MAX_CONTAINER_DEPTH)) fail(messages.damaged);
  let description: { value: unknown; parts: unknown };
  try {
    description = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(text));
  } catch {
    return fail(messages.damaged);
  }
  if (typeof description !== 'object' || description === null || !Array.isArray(description.parts)) fail(messages.damaged);
  const base = align8(16 + jsonLength);
  const table = description.parts as unknown[];
  const part = (k: unknown): Uint8Array => {
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k >= table.length) fail(messages.damaged);
    const entry = table[k as number];
    if (!Array.isArray(entry) || entry.length !== 2 || !entry.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0)) fail(messages.damaged);
    const [at, length] = entry as [number, number];
    if (base + at + length > bytes.length) fail(messages.cutShort);
    return bytes.subarray(base + at, base + at + length);
  };
  return restore(description.value, part, () => fail(messages.damaged));
}
