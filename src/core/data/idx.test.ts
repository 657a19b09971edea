import { describe, expect, it } from 'vitest';
import { encodeIdx, parseIdx } from './idx';

function header(bytes: number[]): Uint8Array {
  return Uint8Array.from(bytes);
}

/** The whole message, not a substring of it. */
function expectError(fn: () => unknown, message: string): void {
  expect(fn).toThrow(new Error(message));
}

describe('encodeIdx / parseIdx', () => {
  it('round-trips images and labels', () => {
    const pixels = Uint8Array.from({ length: 3 * 4 * 5 }, (_, i) => (i * 37) % 256);
    const images = encodeIdx([3, 4, 5], pixels);
    expect(Array.from(images.subarray(0, 16))).toEqual([0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5]);
    expect(images.length).toBe(16 + 60);
    const parsed = parseIdx(images, 'images');
    expect(parsed.dims).toEqual([3, 4, 5]);
    expect(Array.from(parsed.data)).toEqual(Array.from(pixels));

    const labels = encodeIdx([4], Uint8Array.from([9, 0, 3, 255]));
    expect(Array.from(labels.subarray(0, 8))).toEqual([0, 0, 8, 1, 0, 0, 0, 4]);
    expect(parseIdx(labels)).toEqual({ dims: [4], data: Uint8Array.from([9, 0, 3, 255]) });
  });

  it('writes sizes big-endian, above 255 and 65535', () => {
    const bytes = encodeIdx([70000, 1], new Uint8Array(70000));
    expect(Array.from(bytes.subarray(4, 8))).toEqual([0x00, 0x01, 0x11, 0x70]);
    expect(parseIdx(bytes).dims).toEqual([70000, 1]);
  });

  it('parses a view that does not start at offset 0 of its buffer', () => {
    const file = encodeIdx([2, 2], Uint8Array.from([1, 2, 3, 4]));
    const padded = new Uint8Array(file.length + 7);
    padded.set(file, 5);
    const parsed = parseIdx(padded.subarray(5, 5 + file.length), 'offset');
    expect(parsed.dims).toEqual([2, 2]);
    expect(Array.from(parsed.data)).toEqual([1, 2, 3, 4]);
  });

  it('accepts empty sets', () => {
    expect(parseIdx(encodeIdx([0, 28, 28], new Uint8Array(0))).dims).toEqual([0, 28, 28]);
  });
});

describe('parseIdx errors name the file and the numbers', () => {
  it('too short for any header', () => {
    expectError(() => parseIdx(header([0, 0, 8]), 'a.idx'),
      'a.idx: file is 3 bytes, too short for an IDX header (at least 4 bytes)',
    );
    expectError(() => parseIdx(new Uint8Array(0)),
      'IDX file: file is 0 bytes, too short for an IDX header (at least 4 bytes)',
    );
  });

  it('too short for the declared dimensions', () => {
    expectError(() => parseIdx(header([0, 0, 8, 3, 0, 0, 0, 1, 0, 0]), 'train-images.idx.gz'),
      'train-images.idx.gz: file is 10 bytes, too short for an IDX header with 3 dimensions (16 bytes)',
    );
  });

  it('wrong magic', () => {
    expectError(() => parseIdx(header([0x50, 0x4b, 3, 4, 0, 0]), 'weights.zip'),
      'weights.zip: not an IDX file (magic number 0x504b0304, expected 0x000008NN)',
    );
  });

  it('still gzip-compressed', () => {
    expectError(() => parseIdx(header([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]), 'train-labels.idx.gz'),
      'train-labels.idx.gz: file is still gzip-compressed; decompress it before parsing',
    );
  });

  it('unsupported data types', () => {
    expectError(() => parseIdx(header([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]), 'floats.idx'),
      'floats.idx: unsupported IDX data type 0x0d (float32); only unsigned bytes (0x08) are supported',
    );
    expectError(() => parseIdx(header([0, 0, 0x42, 1, 0, 0, 0, 0]), 'odd.idx'),
      'odd.idx: unsupported IDX data type 0x42; only unsigned bytes (0x08) are supported',
    );
  });

  it('zero dimensions', () => {
    expectError(() => parseIdx(header([0, 0, 8, 0, 1, 2]), 'scalar.idx'), 'scalar.idx: IDX header declares 0 dimensions');
  });

  it('payload shorter or longer than the dimensions', () => {
    const full = encodeIdx([1000, 28, 28], new Uint8Array(1000 * 28 * 28));
    const truncated = full.subarray(0, 16 + 1000);
    expectError(() => parseIdx(truncated, 'train-images.idx.gz'),
      'train-images.idx.gz: payload is 1000 bytes, expected 784000 (1000 x 28 x 28)',
    );
    const longer = new Uint8Array(8 + 5);
    longer.set(encodeIdx([3], Uint8Array.from([1, 2, 3])));
    expectError(() => parseIdx(longer, 'labels'), 'labels: payload is 5 bytes, expected 3 (3)');
  });
});

describe('encodeIdx errors', () => {
  it('rejects data that does not match the dimensions', () => {
    expectError(() => encodeIdx([2, 3], new Uint8Array(5)), 'encodeIdx: data is 5 bytes, expected 6 (2 x 3)');
  });
  it('rejects bad dimensions', () => {
    expectError(() => encodeIdx([], new Uint8Array(0)), 'encodeIdx: IDX needs 1 to 255 dimensions, got 0');
    expectError(() => encodeIdx([2, -1], new Uint8Array(0)),
      'encodeIdx: dimension -1 is not an integer in 0..4294967295 (dims 2 x -1)',
    );
    expectError(() => encodeIdx([1.5], new Uint8Array(1)),
      'encodeIdx: dimension 1.5 is not an integer in 0..4294967295 (dims 1.5)',
    );
  });
});
