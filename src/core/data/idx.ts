// IDX: the tiny binary format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/).
//
//   bytes 0-1   zero
//   byte  2     data type (0x08 = unsigned byte; the only one read and written here)
//   byte  3     number of dimensions, n
//   then n big-endian uint32 sizes, then the payload in row-major (C) order.
//
// So images are magic 0x00000803 with dims [count, rows, cols] and labels 0x00000801 with [count].
// Pure TypeScript: no DOM, no Node APIs. Decompress (.gz) before parsing.

/** An IDX tensor of unsigned bytes. `data` is a view into the parsed buffer (no copy). */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

export const IDX_UBYTE = 0x08;

const DTYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

function hex(value: number, digits: number): string {
  return '0x' + value.toString(16).padStart(digits, '0');
}

function describeDims(dims: readonly number[]): string {
  return dims.join(' x ');
}

/**
 * Parses an (uncompressed) IDX file whose payload is unsigned bytes.
 * Errors name the file (`name`) and give the numbers that are wrong.
 */
export function parseIdx(bytes: Uint8Array, name = 'IDX file'): IdxArray {
  if (bytes.length < 4) {
    throw new Error(`${name}: file is ${bytes.length} bytes, too short for an IDX header (at least 4 bytes)`);
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw new Error(`${name}: file is still gzip-compressed; decompress it before parsing`);
  }
  const magic = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(`${name}: not an IDX file (magic number ${hex(magic, 8)}, expected 0x000008NN)`);
  }
  const dtype = bytes[2];
  if (dtype !== IDX_UBYTE) {
    const known = DTYPE_NAMES[dtype];
    throw new Error(
      `${name}: unsupported IDX data type ${hex(dtype, 2)}${known ? ` (${known})` : ''}; only unsigned bytes (0x08) are supported`,
    );
  }
  const rank = bytes[3];
  if (rank === 0) {
    throw new Error(`${name}: IDX header declares 0 dimensions`);
  }
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) {
    throw new Error(
      `${name}: file is ${bytes.length} bytes, too short for an IDX header with ${rank} dimensions (${headerLength} bytes)`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let expected = 1;
  for (let i = 0; i < rank; i++) {
    const size = view.getUint32(4 + 4 * i, false);
    dims.push(size);
    expected *= size;
  }
  const payload = bytes.length - headerLength;
  if (payload !== expected) {
    throw new Error(`${name}: payload is ${payload} bytes, expected ${expected} (${describeDims(dims)})`);
  }
  return { dims, data: bytes.subarray(headerLength) };
}

/** Encodes unsigned bytes as an IDX file (data type 0x08). Inverse of {@link parseIdx}. */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  if (dims.length === 0 || dims.length > 255) {
    throw new Error(`encodeIdx: IDX needs 1 to 255 dimensions, got ${dims.length}`);
  }
  let expected = 1;
  for (const size of dims) {
    if (!Number.isInteger(size) || size < 0 || size > 0xffffffff) {
      throw new Error(`encodeIdx: dimension ${size} is not an integer in 0..4294967295 (dims ${describeDims(dims)})`);
    }
    expected *= size;
  }
  if (data.length !== expected) {
    throw new Error(`encodeIdx: data is ${data.length} bytes, expected ${expected} (${describeDims(dims)})`);
  }
  const headerLength = 4 + 4 * dims.length;
  const out = new Uint8Array(headerLength + data.length);
  const view = new DataView(out.buffer);
  out[2] = IDX_UBYTE;
  out[3] = dims.length;
  dims.forEach((size, i) => view.setUint32(4 + 4 * i, size, false));
  out.set(data, headerLength);
  return out;
}
